import type { LiveMount, LiveMountSummary, NodePodInspection } from '@efs-node-identity/core';
import { REMOUNTS_LISTED } from '@efs-node-identity/backstage-plugin-common';
import { liveMountsStatus } from './live-mounts';

function pod(name: string, stateFiles: NodePodInspection['stateFiles']): NodePodInspection {
  return {
    namespace: 'kube-system',
    pod: name,
    nodeName: `node-of-${name}`,
    stateFiles,
    logs: { status: 'read' },
    mounts: [],
    logEvents: [],
    problems: [],
    origin: { kind: 'k8s', ref: `Pod/kube-system/${name}` },
  };
}

const fallbackMount = (n: number): LiveMount => ({
  stateFile: `fs-0123456789abcdef0.mnt.m${n}.${20000 + n}`,
  mountpoint: `/mnt/m${n}`,
  credentials: { kind: 'instance-role' },
  credentialsMethod: 'metadata:',
  origin: { kind: 'k8s', ref: `Pod/kube-system/a:/var/run/efs/m${n}` },
});

const emptyTally = { dedicated: 0, instanceRole: 0, older: 0, withoutIam: 0, other: 0 };

describe('liveMountsStatus', () => {
  it('is "not inspected: forbidden" naming pods/exec when every node pod answered 403', () => {
    const skipped = [
      pod('a', { status: 'forbidden', message: 'forbidden' }),
      pod('b', { status: 'forbidden', message: 'forbidden' }),
    ];
    const summary: LiveMountSummary = { inspected: [], skipped, tally: emptyTally, mounts: [] };
    expect(liveMountsStatus(summary)).toEqual({
      inspected: false,
      reason: 'forbidden',
      message:
        "the mount state files of 2 efs-csi-node pod(s) could not be read: the backend's identity may not use pods/exec on them (grant the node-inspector Role as docs/permissions.md shows)",
    });
  });

  it('is "not inspected: failed" with the first failure when exec failed otherwise', () => {
    const skipped = [
      pod('a', { status: 'forbidden', message: 'forbidden' }),
      pod('b', { status: 'failed', message: 'no answer from exec within 15s' }),
    ];
    const status = liveMountsStatus({ inspected: [], skipped, tally: emptyTally, mounts: [] });
    expect(status).toMatchObject({ inspected: false, reason: 'failed' });
    expect(status.inspected === false && status.message).toContain('no answer from exec within 15s');
  });

  it('is "not inspected: no-node-pods" when the inspection found no running node pod', () => {
    expect(liveMountsStatus(undefined)).toMatchObject({ inspected: false, reason: 'no-node-pods' });
  });

  it('counts what was read, names the pods that were not, and lists at most REMOUNTS_LISTED mounts to re-mount', () => {
    const read = pod('a', { status: 'read' });
    const mounts = Array.from({ length: REMOUNTS_LISTED + 5 }, (_, n) => ({
      mount: fallbackMount(n),
      inspection: read,
      bucket: 'instanceRole' as const,
      needsRemount: true,
    }));
    const status = liveMountsStatus({
      expected: { via: 'pod-identity', label: 'Pod Identity' },
      inspected: [read],
      skipped: [pod('b', { status: 'forbidden', message: 'forbidden' })],
      tally: { ...emptyTally, instanceRole: mounts.length },
      mounts,
    });
    if (!status.inspected) throw new Error('expected an inspected status');
    expect(status.counts.instanceRole).toBe(REMOUNTS_LISTED + 5);
    expect(status.remountCount).toBe(REMOUNTS_LISTED + 5);
    expect(status.remount).toHaveLength(REMOUNTS_LISTED);
    expect(status.remount[0]).toEqual({
      credentials: 'instance-role',
      credentialsMethod: 'metadata:',
      nodePod: 'kube-system/a',
      node: 'node-of-a',
      mount: '/mnt/m0',
    });
    expect(status.notInspected).toEqual({
      pods: ['kube-system/b'],
      reason:
        "the backend's identity may not use pods/exec on them (grant the node-inspector Role as docs/permissions.md shows)",
    });
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SANDBOX_ADMIN_TOKEN, SANDBOX_READONLY_TOKEN } from '@efs-node-identity/sandbox';
import { collectLiveSnapshot, type InspectMountsOptions } from '../src';
import { CLUSTER, PLATFORM_ACCOUNT, REGION, sandboxEnv, useEnv, type SandboxEnv } from './sandbox-env';

/** The opt-in node inspection of the collector, with its bounds, against the sandbox's exec and log endpoints. */
describe('collectLiveSnapshot({ inspectMounts })', () => {
  let s: SandboxEnv;
  afterEach(() => s.stop());

  async function inspect(options: InspectMountsOptions | true = true, kubeconfig = s.kubeconfig) {
    const restore = useEnv(s.env);
    try {
      const { snapshot } = await collectLiveSnapshot({
        cluster: CLUSTER,
        region: REGION,
        kube: { kind: 'kubeconfig', path: kubeconfig },
        inspectMounts: options,
      });
      return snapshot.nodeInspections.sort((a, b) => (a.nodeName ?? '').localeCompare(b.nodeName ?? ''));
    } finally {
      restore();
    }
  }
  const host = (node: string) =>
    s.sandbox.state.accounts.get(PLATFORM_ACCOUNT)!.eks.clusters.get(CLUSTER)!.kube.nodeHosts.get(node)!;

  it('reads every running node pod: mounts with credentials source and PV, nothing for a node without mounts', async () => {
    s = await sandboxEnv('fallback-to-instance-role');
    const inspections = await inspect();
    expect(inspections.map((i) => [i.nodeName, i.stateFiles.status, i.logs.status, i.mounts.length])).toEqual(
      [
        ['ip-10-40-12-34.eu-west-1.compute.internal', 'read', 'read', 1],
        ['ip-10-40-45-67.eu-west-1.compute.internal', 'read', 'read', 1],
        ['ip-10-40-78-90.eu-west-1.compute.internal', 'read', 'read', 0],
      ],
    );
    expect(inspections[1]!.mounts[0]).toMatchObject({
      credentials: { kind: 'instance-role' },
      persistentVolume: 'orders-data-pv',
      fileSystemId: 'fs-0a1b2c3d4e5f60718',
    });
    // mount_time (epoch seconds) comes back as a time 30 hours ago (the scenario's mountedAgo), within the run's length.
    const mountedAt = Date.parse(inspections[1]!.mounts[0]!.mountedAt!);
    expect(Math.abs(mountedAt - (s.sandbox.state.now() - 30 * 3600_000))).toBeLessThan(60_000);
  });

  it('stops reading exec output at maxOutputBytes and reports the files it did not read', async () => {
    s = await sandboxEnv('healthy', (state) => {
      const files = state.accounts.get(PLATFORM_ACCOUNT)!.eks.clusters.get(CLUSTER)!.kube.nodeHosts;
      const node = files.get('ip-10-40-12-34.eu-west-1.compute.internal')!;
      const filler = 'x'.repeat(60 * 1024);
      for (let i = 0; i < 40; i++)
        node.efsState.set(
          `fs-0a1b2c3d4e5f60718.mnt.bulk${String(i).padStart(2, '0')}.${21000 + i}`,
          JSON.stringify({ mountpoint: `/mnt/bulk${i}`, awsCredentialsMethod: 'metadata:', padding: filler }),
        );
    });
    const [first] = await inspect({ maxOutputBytes: 256 * 1024 });
    expect(first!.stateFiles.status).toBe('read');
    // 256 KiB hold four of the 60 KiB files; the fifth is cut and reported, the rest never arrive.
    expect(first!.mounts.length).toBe(4);
    expect(first!.problems).toEqual([
      expect.objectContaining({
        part: 'state-files',
        message: 'not read: the output limit was reached before this file',
      }),
    ]);
  });

  it('gives up on an exec that never answers after timeoutMs, and still reads the log', async () => {
    s = await sandboxEnv('access-denied-in-logs');
    s.sandbox.faults.add({ service: 'kubernetes', operation: 'create pods/exec', fail: 'timeout' });
    const inspections = await inspect({ timeoutMs: 1000 });
    for (const i of inspections)
      expect(i.stateFiles).toEqual({ status: 'failed', message: 'no answer from exec within 1s' });
    expect(inspections[2]!.logs.status).toBe('read');
    expect(inspections[2]!.logEvents.map((e) => e.kind)).toEqual([
      'access-denied',
      'access-denied',
      'access-denied',
    ]);
    expect(host('ip-10-40-78-90.eu-west-1.compute.internal').pluginLog).toHaveLength(3);
  });

  it('records a forbidden exec as forbidden, not as an error of the run', async () => {
    s = await sandboxEnv('healthy');
    const readOnly = path.join(path.dirname(s.kubeconfig), 'kubeconfig-read-only');
    writeFileSync(
      readOnly,
      readFileSync(s.kubeconfig, 'utf8').replace(
        JSON.stringify(SANDBOX_ADMIN_TOKEN),
        JSON.stringify(SANDBOX_READONLY_TOKEN),
      ),
    );
    const inspections = await inspect(true, readOnly);
    expect(inspections).toHaveLength(3);
    for (const i of inspections) {
      expect(i.stateFiles).toEqual({ status: 'forbidden', message: 'create pods/exec is forbidden' });
      expect(i.logs.status).toBe('read');
    }
  });
});

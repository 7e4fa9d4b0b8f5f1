import { NR03 } from './NR-03-live-mount-credentials';
import { checkLive, healthyIrsaSnapshot, healthyLiveSnapshot, NODE_ROLE_ARN } from './live-testing';
import {
  commandOutput,
  inspection,
  INSTANCE_ROLE_STATE_FILE,
  POD_IDENTITY_STATE_FILE,
} from './node-inspection-testing';
import { parseMountStateOutput } from '../sources/node-inspection';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [NR03]);

describe('NR-03', () => {
  it('is an error for a live mount on the instance role while Pod Identity is configured, naming pod, mount and PV', () => {
    const s = healthyLiveSnapshot();
    s.nodeInspections = [inspection(0, [POD_IDENTITY_STATE_FILE]), inspection(1, [INSTANCE_ROLE_STATE_FILE])];
    const findings = run(s);
    const errors = findings.filter((f) => f.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      ruleId: 'NR-03',
      resource: 'PersistentVolume/reports-pv',
      origin: {
        kind: 'k8s',
        ref: `Pod/kube-system/efs-csi-node-q9d4m:/var/run/efs/${INSTANCE_ROLE_STATE_FILE}`,
      },
    });
    expect(errors[0]!.message).toContain(
      'mount /var/lib/kubelet/pods/9e8d7c6b-5a49-4382-b716-0f1e2d3c4b5a/volumes/kubernetes.io~csi/reports-pv/mount (fs-0123456789abcdef0, PV reports-pv, for pod UID 9e8d7c6b-5a49-4382-b716-0f1e2d3c4b5a, mounted 2026-05-20T10:01:12.000Z) on pod kube-system/efs-csi-node-q9d4m (node ip-10-0-2-20.eu-west-1.compute.internal)',
    );
    expect(errors[0]!.message).toContain(`Pod Identity, role ${NODE_ROLE_ARN} is configured`);
    expect(errors[0]!.fix).toContain('.metadata.uid=="9e8d7c6b-5a49-4382-b716-0f1e2d3c4b5a"');
    const summary = findings.find((f) => f.severity === 'info');
    expect(summary?.message).toBe(
      `live mounts: 1 on the dedicated identity (Pod Identity, role ${NODE_ROLE_ARN}), 1 on the instance role (2 state file(s) on 2 node pod(s))`,
    );
  });

  it('reports every mount on the dedicated identity, with no error or warning, when all use Pod Identity', () => {
    const s = healthyLiveSnapshot();
    s.nodeInspections = [inspection(0, [POD_IDENTITY_STATE_FILE]), inspection(1, [POD_IDENTITY_STATE_FILE])];
    const findings = run(s);
    expect(findings.map((f) => [f.severity, f.message])).toEqual([
      [
        'info',
        `live mounts: 2 on the dedicated identity (Pod Identity, role ${NODE_ROLE_ARN}), 0 on the instance role (2 state file(s) on 2 node pod(s))`,
      ],
    ]);
  });

  it('warns for a mount made with IRSA after a move to Pod Identity (older identity), listing the PV', () => {
    const s = healthyLiveSnapshot();
    const irsaMount = JSON.stringify({
      mountpoint:
        '/var/lib/kubelet/pods/11111111-2222-4333-8444-555555555555/volumes/kubernetes.io~csi/legacy-pv/mount',
      mount_time: 1779000000,
      fsId: 'fs-0123456789abcdef0',
      awsCredentialsMethod: `webidentity:arn:aws:iam::111122223333:role/old-irsa-node,/var/run/secrets/eks.amazonaws.com/serviceaccount/token`,
    });
    const inspected = inspection(0, []);
    inspected.mounts = parseMountStateOutput(
      commandOutput([{ name: 'fs-0123456789abcdef0.legacy.20060', content: irsaMount }]),
      { namespace: 'kube-system', name: inspected.pod },
    ).mounts;
    s.nodeInspections = [inspected];
    const warnings = run(s).filter((f) => f.severity === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.resource).toBe('PersistentVolume/legacy-pv');
    expect(warnings[0]!.message).toContain(
      'was made with IRSA (role arn:aws:iam::111122223333:role/old-irsa-node), but Pod Identity, role',
    );
  });

  it('accepts IRSA mounts with the annotated role and warns for another role', () => {
    const s = healthyIrsaSnapshot();
    const mount = (role: string) =>
      JSON.stringify({
        mountpoint: '/mnt/a',
        fsId: 'fs-0123456789abcdef0',
        awsCredentialsMethod: `webidentity:${role},/t`,
      });
    const inspected = inspection(0, []);
    const target = { namespace: 'kube-system', name: inspected.pod };
    inspected.mounts = parseMountStateOutput(
      commandOutput([
        { name: 'fs-0123456789abcdef0.mnt.a.20049', content: mount(NODE_ROLE_ARN) },
        {
          name: 'fs-0123456789abcdef0.mnt.b.20050',
          content: mount('arn:aws:iam::111122223333:role/previous'),
        },
      ]),
      target,
    ).mounts;
    s.nodeInspections = [inspected];
    const findings = run(s);
    expect(findings.filter((f) => f.severity === 'warning')).toHaveLength(1);
    expect(findings.find((f) => f.severity === 'info')?.message).toContain(
      '1 on the dedicated identity (IRSA, role arn:aws:iam::111122223333:role/efs-csi-node), 0 on the instance role, 1 on an older identity',
    );
  });

  it('says "not inspected" (info, never a failure) when exec into the node pods is forbidden', () => {
    const s = healthyLiveSnapshot();
    const forbidden = inspection(0, []);
    forbidden.stateFiles = { status: 'forbidden', message: 'pods "efs-csi-node-7xk2p" is forbidden' };
    s.nodeInspections = [forbidden];
    expect(run(s).map((f) => [f.severity, f.message])).toEqual([
      [
        'info',
        'not inspected: the mount state files of 1 node pod(s) (efs-csi-node-7xk2p) could not be read: the caller may not use pods/exec on the efs-csi-node pods (grant it as docs/permissions.md shows)',
      ],
    ]);
  });

  it('reports malformed state files as info, and is silent on the instance role when no dedicated identity exists', () => {
    const s = healthyLiveSnapshot();
    s.podIdentityAssociations = [];
    s.addons[0]!.podIdentityAssociations = [];
    const inspected = inspection(0, [INSTANCE_ROLE_STATE_FILE]);
    inspected.problems.push({
      part: 'state-files',
      subject: 'fs-0123456789abcdef0.x.1',
      message: 'not JSON',
    });
    s.nodeInspections = [inspected];
    const findings = run(s);
    expect(findings.every((f) => f.severity === 'info')).toBe(true);
    expect(findings.map((f) => f.message).sort()).toEqual([
      'live mounts: 0 on the dedicated identity, 1 on the instance role (1 state file(s) on 1 node pod(s); no dedicated identity is configured for the node service account)',
      'state file fs-0123456789abcdef0.x.1 on pod kube-system/efs-csi-node-7xk2p (node ip-10-0-1-10.eu-west-1.compute.internal): not JSON',
    ]);
  });

  it('stays silent when mounts were not inspected (the opt-in is off)', () => {
    expect(run(healthyLiveSnapshot())).toEqual([]);
  });
});

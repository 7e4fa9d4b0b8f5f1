import { defaultConfig } from '../config/config';
import { NodeIdentityView } from './view';
import { summarizeLiveMounts } from './live-mounts';
import { healthyLiveSnapshot, NODE_ROLE_ARN } from './live-testing';
import { inspection, INSTANCE_ROLE_STATE_FILE, POD_IDENTITY_STATE_FILE } from './node-inspection-testing';

const summarize = (s: ReturnType<typeof healthyLiveSnapshot>) =>
  summarizeLiveMounts(s, new NodeIdentityView(s, defaultConfig()));

describe('summarizeLiveMounts', () => {
  it('is undefined when the node pods were not inspected', () => {
    expect(summarize(healthyLiveSnapshot())).toBeUndefined();
  });

  it('counts mounts by identity and marks the instance-role mount for a re-mount, with its pod and PV', () => {
    const s = healthyLiveSnapshot();
    s.nodeInspections = [inspection(0, [POD_IDENTITY_STATE_FILE]), inspection(1, [INSTANCE_ROLE_STATE_FILE])];
    const summary = summarize(s)!;
    expect(summary.expected).toEqual({
      via: 'pod-identity',
      roleArn: NODE_ROLE_ARN,
      label: `Pod Identity, role ${NODE_ROLE_ARN}`,
    });
    expect(summary.tally).toEqual({ dedicated: 1, instanceRole: 1, older: 0, withoutIam: 0, other: 0 });
    expect(
      summary.mounts.map((m) => [m.bucket, m.needsRemount, m.inspection.pod, m.mount.persistentVolume]),
    ).toEqual([
      ['dedicated', false, 'efs-csi-node-7xk2p', 'orders-data-pv'],
      ['instanceRole', true, 'efs-csi-node-q9d4m', 'reports-pv'],
    ]);
    expect(summary.inspected).toHaveLength(2);
    expect(summary.skipped).toHaveLength(0);
  });

  it('lists the pods it could not read apart, and asks for no re-mount when no dedicated identity is configured', () => {
    const s = healthyLiveSnapshot();
    s.podIdentityAssociations = [];
    s.addons[0]!.podIdentityAssociations = [];
    const forbidden = inspection(1, []);
    forbidden.stateFiles = { status: 'forbidden', message: 'pods "efs-csi-node-q9d4m" is forbidden' };
    s.nodeInspections = [inspection(0, [INSTANCE_ROLE_STATE_FILE]), forbidden];
    const summary = summarize(s)!;
    expect(summary.expected).toBeUndefined();
    expect(summary.tally.instanceRole).toBe(1);
    expect(summary.mounts[0]!.needsRemount).toBe(false);
    expect(summary.skipped.map((i) => i.pod)).toEqual(['efs-csi-node-q9d4m']);
  });
});

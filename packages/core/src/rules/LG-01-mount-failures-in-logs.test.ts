import { LG01 } from './LG-01-mount-failures-in-logs';
import { checkLive, healthyLiveSnapshot } from './live-testing';
import { inspection, pluginLog, POD_IDENTITY_STATE_FILE } from './node-inspection-testing';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [LG01]);

describe('LG-01', () => {
  it('maps each failure kind of a pod to the rules that explain it, with pod, node and time', () => {
    const s = healthyLiveSnapshot();
    s.nodeInspections = [inspection(0, [POD_IDENTITY_STATE_FILE], pluginLog())];
    const findings = run(s);
    expect(findings).toHaveLength(4);
    expect(
      findings.every((f) => f.severity === 'warning' && f.resource === 'Pod/kube-system/efs-csi-node-7xk2p'),
    ).toBe(true);
    const denied = findings.find((f) => f.message.includes('access denied'));
    expect(denied?.message).toContain(
      'pod kube-system/efs-csi-node-7xk2p (node ip-10-0-1-10.eu-west-1.compute.internal): 1 efs-plugin log line(s) at 2026-11-26T10:14:22.503Z: EFS refused the mount (`access denied by server`); explained by FS-02, FS-03, FS-09, NI-01, XA-05, S3F-01, S3F-04',
    );
    expect(findings.find((f) => f.message.includes('no AWS credentials'))?.message).toContain('PI-06');
    expect(findings.find((f) => f.message.includes('without `tls`'))?.message).toContain(
      'explained by K8-02',
    );
    expect(findings.find((f) => f.message.includes('timeout'))?.message).toContain(
      'explained by NET-02, XA-01',
    );
    expect(denied?.fix).toContain(
      'kubectl logs -n kube-system efs-csi-node-7xk2p -c efs-plugin --timestamps',
    );
  });

  it('groups repeated lines of one kind: count and time range, the newest line quoted', () => {
    const s = healthyLiveSnapshot();
    const line = (t: string, n: number) =>
      `${t} E1126 x mount_linux.go:282] Mount failed: attempt ${n} Output: mount.nfs4: access denied by server while mounting 127.0.0.1:/`;
    s.nodeInspections = [
      inspection(1, [], [line('2026-11-26T10:00:00Z', 1), line('2026-11-26T11:00:00Z', 2)].join('\n')),
    ];
    const [finding] = run(s);
    expect(finding?.message).toContain(
      '2 efs-plugin log line(s) from 2026-11-26T10:00:00.000Z to 2026-11-26T11:00:00.000Z',
    );
    expect(finding?.message).toContain('Last line: E1126 x mount_linux.go:282] Mount failed: attempt 2');
  });

  it('is silent for logs without failures, and says "not inspected" (info) without pods/log', () => {
    const s = healthyLiveSnapshot();
    s.nodeInspections = [
      inspection(0, [], '2026-11-26T10:00:00Z I1126 node.go:326] NodeGetCapabilities: called'),
    ];
    expect(run(s)).toEqual([]);
    s.nodeInspections[0]!.logs = { status: 'forbidden', message: 'forbidden' };
    expect(run(s).map((f) => [f.severity, f.message])).toEqual([
      [
        'info',
        'not inspected: the efs-plugin logs of 1 node pod(s) (efs-csi-node-7xk2p) could not be read: the caller may not use pods/log on the efs-csi-node pods (grant it as docs/permissions.md shows)',
      ],
    ]);
  });
});

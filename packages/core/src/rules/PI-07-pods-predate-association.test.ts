import { PI07 } from './PI-07-pods-predate-association';
import {
  checkLive,
  healthyIrsaSnapshot,
  healthyLiveSnapshot,
  nodePod,
  POD_IDENTITY_ENV,
} from './live-testing';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [PI07]);

describe('PI-07', () => {
  it('flags every pod created before the association, naming pods and times, with the restart', () => {
    const s = healthyLiveSnapshot();
    s.pods = [nodePod(0, {}, '2026-05-20T08:01:12Z'), nodePod(1, {}, '2026-05-21T09:30:00Z')];
    const findings = run(s);
    expect(findings).toHaveLength(2);
    expect(findings.map((f) => f.resource).sort()).toEqual([
      'Pod/kube-system/efs-csi-node-7xk2p',
      'Pod/kube-system/efs-csi-node-q9d4m',
    ]);
    const first = findings.find((f) => f.resource === 'Pod/kube-system/efs-csi-node-7xk2p');
    expect(first).toMatchObject({
      severity: 'error',
      origin: { kind: 'k8s', ref: 'Pod/kube-system/efs-csi-node-7xk2p' },
    });
    expect(first?.message).toContain(
      'created 2026-05-20T08:01:12Z) was created before the association through add-on aws-efs-csi-driver',
    );
    expect(first?.message).toContain(
      '(role arn:aws:iam::111122223333:role/efs-csi-node) at arn:aws:eks:eu-west-1:111122223333:podidentityassociation/prod/a-node0123456789abc was created at 2026-06-02T10:15:00Z',
    );
    expect(first?.message).toContain('2 node pods are older: efs-csi-node-7xk2p, efs-csi-node-q9d4m');
    expect(first?.fix).toContain('kubectl rollout restart daemonset efs-csi-node -n kube-system');
  });

  it('flags pods created before the association was modified, even when they carry the variables', () => {
    const s = healthyLiveSnapshot();
    s.podIdentityAssociations[1].modifiedAt = '2026-07-01T12:00:00Z';
    const findings = run(s);
    expect(findings).toHaveLength(2);
    expect(findings[0].message).toContain('was last modified at 2026-07-01T12:00:00Z');
    expect(findings[0].message).toContain('may still get the previous role');
  });

  it('compares at the precision of Kubernetes timestamps (same second is not older)', () => {
    const s = healthyLiveSnapshot();
    s.podIdentityAssociations[1].modifiedAt = '2026-06-02T10:21:40.600Z';
    expect(run(s)).toEqual([]);
  });

  it('stays silent for pods created after the association, and without association times', () => {
    expect(run(healthyLiveSnapshot())).toEqual([]);
    const s = healthyLiveSnapshot();
    s.pods = [nodePod(0, POD_IDENTITY_ENV, '2026-01-01T00:00:00Z')];
    delete s.podIdentityAssociations[1].createdAt;
    delete s.podIdentityAssociations[1].modifiedAt;
    expect(run(s)).toEqual([]);
  });

  it('stays silent when the node SA does not use Pod Identity', () => {
    const s = healthyIrsaSnapshot();
    s.pods = [nodePod(0, {}, '2026-01-01T00:00:00Z')];
    expect(run(s)).toEqual([]);
  });
});

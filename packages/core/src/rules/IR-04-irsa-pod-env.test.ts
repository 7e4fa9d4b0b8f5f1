import { unknown } from '../model/unknown';
import { IR04 } from './IR-04-irsa-pod-env';
import {
  checkLive,
  healthyIrsaSnapshot,
  healthyLiveSnapshot,
  IRSA_ENV,
  nodePod,
  NODE_ROLE_ARN,
} from './live-testing';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [IR04]);

describe('IR-04', () => {
  it('flags a pod without the IRSA variables that predates the annotation, naming pod, node and times', () => {
    const s = healthyIrsaSnapshot();
    s.pods[0] = nodePod(0, {}, '2026-05-20T08:01:12Z');
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'Pod/kube-system/efs-csi-node-7xk2p',
      origin: { kind: 'k8s', ref: 'Pod/kube-system/efs-csi-node-7xk2p' },
    });
    expect(findings[0].message).toContain(
      'container efs-plugin has no AWS_ROLE_ARN, has no AWS_WEB_IDENTITY_TOKEN_FILE, was created before the annotation was last changed at 2026-06-02T10:15:00Z',
    );
    expect(findings[0].message).toContain(
      `kube-system/efs-csi-node-sa is annotated eks.amazonaws.com/role-arn=${NODE_ROLE_ARN}`,
    );
    expect(findings[0].fix).toContain('kubectl rollout restart daemonset efs-csi-node -n kube-system');
  });

  it('flags a pod that still carries the role of an earlier annotation', () => {
    const s = healthyIrsaSnapshot();
    s.pods[1] = nodePod(1, { ...IRSA_ENV, AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/efs-csi-node-old' });
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(
      `has AWS_ROLE_ARN=arn:aws:iam::111122223333:role/efs-csi-node-old, not ${NODE_ROLE_ARN} (the annotation)`,
    );
  });

  it('flags pods created before an annotation change even with matching variables; silent when the time is not known', () => {
    const s = healthyIrsaSnapshot();
    s.serviceAccounts[0].annotationsUpdatedAt = '2026-08-01T00:00:00Z';
    expect(run(s)).toHaveLength(2);
    delete s.serviceAccounts[0].annotationsUpdatedAt;
    expect(run(s)).toEqual([]);
  });

  it('is undecidable when the annotation is unknown', () => {
    const s = healthyIrsaSnapshot();
    s.serviceAccounts[0].annotations['eks.amazonaws.com/role-arn'] = unknown('var.node_role_arn');
    const findings = run(s);
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({ undecidable: true, severity: 'warning' });
  });

  it('stays silent without the annotation (Pod Identity) and for pods that are not running', () => {
    expect(run(healthyLiveSnapshot())).toEqual([]);
    const s = healthyIrsaSnapshot();
    s.pods.push({ ...nodePod(2, {}), phase: 'Failed' });
    expect(run(s)).toEqual([]);
  });
});

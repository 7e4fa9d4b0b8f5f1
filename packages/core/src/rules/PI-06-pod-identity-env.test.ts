import { PI06 } from './PI-06-pod-identity-env';
import {
  checkLive,
  healthyIrsaSnapshot,
  healthyLiveSnapshot,
  nodePod,
  POD_IDENTITY_ENV,
} from './live-testing';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [PI06]);

describe('PI-06', () => {
  it('flags a running pod that predates the association and has neither variable, naming pod, node and time', () => {
    const s = healthyLiveSnapshot();
    s.pods[0] = nodePod(0, {}, '2026-05-20T08:01:12Z');
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'Pod/kube-system/efs-csi-node-7xk2p',
      origin: { kind: 'k8s', ref: 'Pod/kube-system/efs-csi-node-7xk2p' },
    });
    expect(findings[0].message).toContain(
      'pod kube-system/efs-csi-node-7xk2p (node ip-10-0-1-10.eu-west-1.compute.internal, created 2026-05-20T08:01:12Z): container efs-plugin lacks AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
    );
    expect(findings[0].message).toContain('predates the association (2026-06-02T10:15:00Z, PI-07)');
    expect(findings[0].fix).toContain('kubectl rollout restart daemonset efs-csi-node -n kube-system');
  });

  it('flags a pod with only one of the two variables', () => {
    const s = healthyLiveSnapshot();
    s.pods[1] = nodePod(1, {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: POD_IDENTITY_ENV.AWS_CONTAINER_CREDENTIALS_FULL_URI,
    });
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/efs-csi-node-q9d4m.*lacks AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE,/);
    expect(findings[0].message).toContain('PI-03');
  });

  it('reads the pods, not the DaemonSet template, and skips pods that are not running', () => {
    const s = healthyLiveSnapshot();
    expect(s.daemonSets[0].containers[0].env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toBeUndefined();
    s.pods.push({ ...nodePod(2, {}), phase: 'Succeeded' });
    expect(run(s)).toEqual([]);
  });

  it('stays silent when the node SA does not use Pod Identity', () => {
    const s = healthyIrsaSnapshot();
    expect(s.pods[0].containers[0].env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toBeUndefined();
    expect(run(s)).toEqual([]);
  });

  it('does not run without Kubernetes input', () => {
    const s = healthyLiveSnapshot();
    s.inputs = ['A'];
    s.pods[0] = nodePod(0, {});
    expect(run(s)).toEqual([]);
  });
});

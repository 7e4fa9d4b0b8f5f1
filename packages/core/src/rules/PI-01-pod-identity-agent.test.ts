import { PI01 } from './PI-01-pod-identity-agent';
import {
  AGENT_ADDON_ARN,
  CLUSTER_ARN,
  checkLive,
  healthyIrsaSnapshot,
  healthyLiveSnapshot,
} from './live-testing';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [PI01]);

describe('PI-01', () => {
  it('flags a DEGRADED agent add-on whose DaemonSet is not ready, with the health issue', () => {
    const s = healthyLiveSnapshot();
    s.addons[1].status = 'DEGRADED';
    s.addons[1].healthIssues = [
      'InsufficientNumberOfReplicas: The add-on is unhealthy because it does not have the desired number of replicas.',
    ];
    s.daemonSets[1].status = { desiredNumberScheduled: 2, numberReady: 1 };
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: CLUSTER_ARN,
      origin: { kind: 'aws', arn: AGENT_ADDON_ARN },
    });
    expect(findings[0].message).toContain(
      'add-on eks-pod-identity-agent v1.3.8-eksbuild.2 is DEGRADED with health issues: InsufficientNumberOfReplicas',
    );
    expect(findings[0].message).toContain(
      'DaemonSet kube-system/eks-pod-identity-agent has 1 of 2 pods ready',
    );
    expect(findings[0].fix).toContain(
      'aws eks describe-addon --cluster-name prod --addon-name eks-pod-identity-agent',
    );
  });

  it('flags a cluster with neither the add-on nor the DaemonSet', () => {
    const s = healthyLiveSnapshot();
    s.addons.splice(1, 1);
    s.daemonSets.splice(1, 1);
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(
      'no add-on eks-pod-identity-agent; no DaemonSet kube-system/eks-pod-identity-agent',
    );
    expect(findings[0].origin).toEqual({ kind: 'aws', arn: CLUSTER_ARN });
    expect(findings[0].fix).toContain(
      'aws eks create-addon --cluster-name prod --addon-name eks-pod-identity-agent',
    );
  });

  it('accepts an agent installed without the add-on when its DaemonSet is ready, or a not-ACTIVE add-on with a ready DaemonSet', () => {
    const selfManaged = healthyLiveSnapshot();
    selfManaged.addons.splice(1, 1);
    expect(run(selfManaged)).toEqual([]);
    const updating = healthyLiveSnapshot();
    updating.addons[1].status = 'UPDATING';
    expect(run(updating)).toEqual([]);
  });

  it('flags a not-ACTIVE add-on from AWS input alone, and says nothing without the add-on and without Kubernetes input', () => {
    const awsOnly = healthyLiveSnapshot();
    awsOnly.inputs = ['A'];
    awsOnly.daemonSets = [];
    awsOnly.addons[1].status = 'CREATE_FAILED';
    expect(run(awsOnly)).toHaveLength(1);
    awsOnly.addons.splice(1, 1);
    expect(run(awsOnly)).toEqual([]);
  });

  it('stays silent when the node SA does not use Pod Identity', () => {
    const s = healthyIrsaSnapshot();
    s.addons.splice(1, 1);
    s.daemonSets.splice(1, 1);
    expect(run(s)).toEqual([]);
  });
});

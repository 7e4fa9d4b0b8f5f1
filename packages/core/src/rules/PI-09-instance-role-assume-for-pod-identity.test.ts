import { normalizePolicy } from '../policy/normalize';
import { PI09 } from './PI-09-instance-role-assume-for-pod-identity';
import { aws, checkLive, healthyIrsaSnapshot, healthyLiveSnapshot, INSTANCE_ROLE_ARN } from './live-testing';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [PI09]);
const instanceRole = (s: ReturnType<typeof healthyLiveSnapshot>) => s.roles[2];
const withoutWorkerPolicy = () => {
  const s = healthyLiveSnapshot();
  instanceRole(s).managedPolicies = instanceRole(s).managedPolicies.filter(
    (p) => !String(p.name).startsWith('AmazonEKSWorkerNode'),
  );
  return s;
};

describe('PI-09', () => {
  it('flags an instance role without a worker node policy, naming its policies, with the attach command', () => {
    const findings = run(withoutWorkerPolicy());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: INSTANCE_ROLE_ARN,
      origin: { kind: 'aws', arn: INSTANCE_ROLE_ARN },
    });
    expect(findings[0].message).toContain(
      `the node instance role ${INSTANCE_ROLE_ARN} may not call eks-auth:AssumeRoleForPodIdentity (attached: AmazonEKS_CNI_Policy, AmazonEC2ContainerRegistryPullOnly)`,
    );
    expect(findings[0].fix).toContain(
      'aws iam attach-role-policy --role-name prod-nodes --policy-arn arn:aws:iam::aws:policy/AmazonEKSWorkerNodeMinimalPolicy',
    );
  });

  it('accepts AmazonEKSWorkerNodePolicy, or an inline policy the evaluator finds allowing the action', () => {
    const full = withoutWorkerPolicy();
    instanceRole(full).managedPolicies.push({
      arn: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
      name: 'AmazonEKSWorkerNodePolicy',
    });
    expect(run(full)).toEqual([]);
    const inline = withoutWorkerPolicy();
    instanceRole(inline).inlinePolicies.push({
      name: 'pod-identity-agent',
      document: normalizePolicy(
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'eks-auth:*', Resource: '*' }] },
        aws(INSTANCE_ROLE_ARN),
      ),
    });
    expect(run(inline)).toEqual([]);
  });

  it('flags an explicit Deny next to the worker node policy, with the trace', () => {
    const s = healthyLiveSnapshot();
    instanceRole(s).inlinePolicies.push({
      name: 'deny-eks-auth',
      document: normalizePolicy(
        {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'NoPodIdentity',
              Effect: 'Deny',
              Action: 'eks-auth:AssumeRoleForPodIdentity',
              Resource: '*',
            },
          ],
        },
        aws(INSTANCE_ROLE_ARN),
      ),
    });
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('an explicit Deny of eks-auth:AssumeRoleForPodIdentity');
    expect(findings[0].trace?.some((t) => t.outcome === 'deny' && t.sid === 'NoPodIdentity')).toBe(true);
    expect(findings[0].fix).toContain('Remove the Deny');
  });

  it('is undecidable for a customer managed policy it could not read, and for a node whose instance role was not read', () => {
    const opaque = withoutWorkerPolicy();
    instanceRole(opaque).managedPolicies.push({
      arn: 'arn:aws:iam::111122223333:policy/node-extras',
      name: 'node-extras',
    });
    const findings = run(opaque);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ undecidable: true, severity: 'warning' });
    expect(findings[0].message).toContain('node-extras was not read');

    const unread = healthyLiveSnapshot();
    unread.nodes[1].instanceRoleArn = 'arn:aws:iam::111122223333:role/spot-nodes';
    const other = run(unread);
    expect(other).toHaveLength(1);
    expect(other[0]).toMatchObject({
      undecidable: true,
      resource: 'arn:aws:iam::111122223333:role/spot-nodes',
    });
    expect(other[0].message).toContain('node ip-10-0-2-20.eu-west-1.compute.internal');
  });

  it('stays silent when the node SA does not use Pod Identity', () => {
    const s = healthyIrsaSnapshot();
    instanceRole(s).managedPolicies = [];
    expect(run(s)).toEqual([]);
  });
});

import { defaultConfig } from '../config/config';
import { checkLive, INSTANCE_ROLE, livePolicy, sameAccountNetwork } from './network-testing';
import { checkFixture, only } from './testing';

describe('NR-01', () => {
  it('flags a node instance role with a managed policy beyond the worker node baseline', async () => {
    const findings = only(await checkFixture('NR-01/fires'), 'NR-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', origin: { file: 'nodegroup.yaml', line: 4 } });
    expect(findings[0].message).toContain('managed policy AmazonS3FullAccess');
  });

  it('honours allowlists.nodeInstanceRolePolicies', async () => {
    const config = defaultConfig();
    config.allowlists.nodeInstanceRolePolicies.push('arn:aws:iam::aws:policy/AmazonS3FullAccess');
    expect(only(await checkFixture('NR-01/fires', config), 'NR-01')).toEqual([]);
  });

  it('stays silent for the baseline policies', async () => {
    expect(only(await checkFixture('NR-01/passes'), 'NR-01')).toEqual([]);
  });
});

describe('NR-01 on live input', () => {
  it('flags a managed policy by ARN and an inline policy on the instance role of the nodes', () => {
    const snapshot = sameAccountNetwork();
    const role = snapshot.roles.find((r) => r.arn === INSTANCE_ROLE)!;
    role.managedPolicies.push({
      arn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
      name: 'AmazonSSMManagedInstanceCore',
    });
    role.inlinePolicies.push({
      name: 'extra',
      document: livePolicy(
        { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
        INSTANCE_ROLE,
      ),
    });
    const findings = only(checkLive(snapshot), 'NR-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: INSTANCE_ROLE,
      origin: { kind: 'aws', arn: INSTANCE_ROLE },
    });
    expect(findings[0].message).toContain(
      'carries managed policy AmazonSSMManagedInstanceCore, inline policy extra beyond',
    );
  });

  it('finds the instance role through the nodes when the role itself is not marked', () => {
    const snapshot = sameAccountNetwork();
    const role = snapshot.roles.find((r) => r.arn === INSTANCE_ROLE)!;
    delete role.nodeInstanceRole;
    role.managedPolicies.push({ arn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' });
    expect(only(checkLive(snapshot), 'NR-01')).toHaveLength(1);
  });

  it('stays silent for the baseline policies by ARN', () => {
    expect(only(checkLive(sameAccountNetwork()), 'NR-01')).toEqual([]);
  });
});

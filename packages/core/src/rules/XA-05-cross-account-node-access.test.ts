import { checkFixture, only } from './testing';
import {
  checkLive,
  CLUSTER_ACCOUNT,
  crossAccountNetwork,
  EFS_ACCOUNT,
  FS_ID,
  fsArn,
  livePolicy,
  NODE_ROLE,
  XFS_ID,
} from './network-testing';

describe('XA-05', () => {
  it('flags a foreign file system whose policy does not Allow the node role', async () => {
    const findings = only(await checkFixture('XA-05/fires-fs-policy'), 'XA-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'fs-07e1a2b3c4d5e6f70',
      origin: { file: 'fs-policy.json', line: 1 },
    });
    expect(findings[0].message).toMatch(
      /account 444455556666.*the file system policy \(fs-policy\.json:1\) has no Allow for the role/,
    );
    expect(findings[0].fix).toContain('"AWS": "arn:aws:iam::210987654321:role/efs-csi-node-dedicated"');
  });

  it('flags an identity policy scoped to another file system', async () => {
    const findings = only(await checkFixture('XA-05/fires-identity'), 'XA-05');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(
      /no identity policy of the role allows elasticfilesystem:ClientMount/,
    );
    expect(findings[0].fix).toContain(
      'arn:aws:elasticfilesystem:eu-west-1:444455556666:file-system/fs-07e1a2b3c4d5e6f70',
    );
  });

  it('stays silent when both sides allow the node role', async () => {
    expect(only(await checkFixture('XA-05/passes'), 'XA-05')).toEqual([]);
  });
});

describe('XA-05 on live input', () => {
  const nodeRole = (s: ReturnType<typeof crossAccountNetwork>) => s.roles.find((r) => r.arn === NODE_ROLE)!;

  it('flags a file system policy in the other account that allows other principals only', () => {
    const snapshot = crossAccountNetwork();
    const fs = snapshot.fileSystems[0];
    fs.policy = livePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${EFS_ACCOUNT}:role/app` },
            Action: 'elasticfilesystem:ClientMount',
            Resource: fs.arn,
          },
        ],
      },
      fs.arn as string,
    );
    const findings = only(checkLive(snapshot), 'XA-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: XFS_ID,
      origin: { kind: 'aws', arn: fs.arn },
    });
    expect(findings[0].message).toContain(
      `the file system policy (${fs.arn as string}) has no Allow for the role`,
    );
  });

  it('flags a node role whose identity policies do not reach the foreign file system', () => {
    const snapshot = crossAccountNetwork();
    nodeRole(snapshot).inlinePolicies[0].document = livePolicy(
      {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'elasticfilesystem:ClientMount',
            Resource: fsArn(CLUSTER_ACCOUNT, FS_ID),
          },
        ],
      },
      NODE_ROLE,
    );
    const findings = only(checkLive(snapshot), 'XA-05');
    expect(findings).toHaveLength(1);
    expect(findings[0].origin).toEqual({ kind: 'aws', arn: NODE_ROLE });
    expect(findings[0].message).toContain(
      'no identity policy of the role allows elasticfilesystem:ClientMount',
    );
  });

  it('counts an AWS managed client policy attached by ARN, and is undecidable for an unread customer policy', () => {
    const snapshot = crossAccountNetwork();
    const role = nodeRole(snapshot);
    role.inlinePolicies[0].document = livePolicy(
      { Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }] },
      NODE_ROLE,
    );
    role.managedPolicies.push({
      arn: 'arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess',
      name: 'AmazonElasticFileSystemClientReadWriteAccess',
    });
    expect(only(checkLive(snapshot), 'XA-05')).toEqual([]);
    role.managedPolicies = [{ arn: `arn:aws:iam::${CLUSTER_ACCOUNT}:policy/efs-client`, name: 'efs-client' }];
    const findings = only(checkLive(snapshot), 'XA-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', undecidable: true });
  });

  it('stays silent when both sides allow the node role', () => {
    expect(only(checkLive(crossAccountNetwork()), 'XA-05')).toEqual([]);
  });
});

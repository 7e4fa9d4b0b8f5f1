import { checkFixture, only } from './testing';
import {
  checkLive,
  crossAccountNetwork,
  FS_ID,
  INSTANCE_ROLE,
  livePolicy,
  NODE_ROLE,
  sameAccountNetwork,
} from './network-testing';

describe('NR-02', () => {
  it('flags an EFS client managed policy on the instance role next to a Pod Identity association', async () => {
    const findings = only(await checkFixture('NR-02/fires-managed'), 'NR-02');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', origin: { file: 'nodegroup.yaml', line: 4 } });
    expect(findings[0].message).toMatch(
      /AmazonElasticFileSystemClientReadWriteAccess.*pod-identity, arn:aws:iam::210987654321:role\/efs-csi-node-dedicated/,
    );
  });

  it('flags an inline Allow on the in-scope file system, with the trace', async () => {
    const findings = only(await checkFixture('NR-02/fires-inline'), 'NR-02');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(
      'identity policy efs-mount (on arn:aws:elasticfilesystem:eu-west-1:210987654321:file-system/fs-0d2c4b6a8e1f3a5b7)',
    );
    expect(findings[0].trace?.some((t) => t.outcome === 'allow')).toBe(true);
  });

  it('stays silent without a dedicated node identity, and for an instance role without EFS access', async () => {
    expect(only(await checkFixture('NR-02/passes-no-dedicated-identity'), 'NR-02')).toEqual([]);
    expect(only(await checkFixture('NR-02/passes'), 'NR-02')).toEqual([]);
  });
});

describe('NR-02 on live input', () => {
  it('flags an EFS client managed policy attached by ARN next to the Pod Identity association', () => {
    const snapshot = sameAccountNetwork();
    snapshot.roles
      .find((r) => r.arn === INSTANCE_ROLE)!
      .managedPolicies.push({
        arn: 'arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess',
        name: 'AmazonElasticFileSystemClientReadWriteAccess',
      });
    const findings = only(checkLive(snapshot), 'NR-02');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: INSTANCE_ROLE,
      origin: { kind: 'aws', arn: INSTANCE_ROLE },
    });
    expect(findings[0].message).toContain(
      `managed policy AmazonElasticFileSystemClientReadWriteAccess while the node SA has a dedicated identity (pod-identity, ${NODE_ROLE})`,
    );
  });

  it('flags a file system policy that still allows the instance role', () => {
    const snapshot = sameAccountNetwork();
    const fs = snapshot.fileSystems[0];
    fs.policy = livePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'EfsCsiNode-prod',
            Effect: 'Allow',
            Principal: { AWS: NODE_ROLE },
            Action: 'elasticfilesystem:ClientMount',
            Resource: fs.arn,
          },
          {
            Sid: 'LegacyNodes',
            Effect: 'Allow',
            Principal: { AWS: INSTANCE_ROLE },
            Action: 'elasticfilesystem:ClientMount',
            Resource: fs.arn,
          },
        ],
      },
      fs.arn as string,
    );
    const findings = only(checkLive(snapshot), 'NR-02');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(`the file system policy of ${FS_ID}`);
    expect(findings[0].trace?.some((t) => t.sid === 'LegacyNodes' && t.outcome === 'allow')).toBe(true);
  });

  it('stays silent for an instance role with the baseline policies only', () => {
    expect(only(checkLive(sameAccountNetwork()), 'NR-02')).toEqual([]);
    expect(only(checkLive(crossAccountNetwork()), 'NR-02')).toEqual([]);
  });
});

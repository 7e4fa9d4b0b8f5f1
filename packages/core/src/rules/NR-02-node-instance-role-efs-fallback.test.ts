import { checkFixture, only } from './testing';

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

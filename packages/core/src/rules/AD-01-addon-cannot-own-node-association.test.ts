import { checkFixture, only } from './testing';

describe('AD-01', () => {
  it('warns, as an assumption, about an add-on before v3.0.0-eksbuild.1 owning the node association', async () => {
    const findings = only(await checkFixture('AD-01/fires-old-addon'), 'AD-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: 'addon/aws-efs-csi-driver',
      origin: { file: 'cluster.yaml', line: 7 },
    });
    expect(findings[0].message).toContain('v2.1.4-eksbuild.1');
    expect(findings[0].message).toContain('This is an assumption, not read from AWS');
    expect(findings[0].fix).toContain('aws eks describe-addon-configuration --addon-name aws-efs-csi-driver');
  });

  it('stays silent from v3.0.0-eksbuild.1 on', async () => {
    expect(only(await checkFixture('AD-01/passes'), 'AD-01')).toEqual([]);
  });

  it('is undecidable when the add-on version is a parameter', async () => {
    const findings = only(await checkFixture('AD-01/undecidable-version'), 'AD-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      undecidable: true,
      severity: 'warning',
      origin: { file: 'efs-addon.yaml' },
    });
  });
});

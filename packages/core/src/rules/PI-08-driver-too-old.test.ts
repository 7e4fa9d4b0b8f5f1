import { checkFixture, only } from './testing';

describe('PI-08', () => {
  it('flags a driver image older than v2.1.8 with Pod Identity in use', async () => {
    const findings = only(await checkFixture('PI-08/fires-old-image'), 'PI-08');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: 'DaemonSet/efs-csi-node',
      origin: { file: 'daemonset.yaml', line: 18 },
    });
    expect(findings[0].message).toContain('aws-efs-csi-driver:v2.1.4 (driver v2.1.4)');
    expect(findings[0].message).toContain('efs-utils older than 2.3.0');
    expect(findings[0].fix).toContain('aws eks update-addon');
  });

  it('flags an add-on version older than v2.1.8', async () => {
    const findings = only(await checkFixture('PI-08/fires-old-addon'), 'PI-08');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      resource: 'addon/aws-efs-csi-driver',
      origin: { file: 'cluster.yaml', line: 7 },
    });
    expect(findings[0].message).toContain('v2.0.9-eksbuild.1 (driver v2.0.9)');
  });

  it('stays silent from v2.1.8 on', async () => {
    expect(only(await checkFixture('PI-08/passes'), 'PI-08')).toEqual([]);
  });

  it('stays silent without Pod Identity', async () => {
    expect(only(await checkFixture('PI-08/passes-no-pod-identity'), 'PI-08')).toEqual([]);
  });

  it('is undecidable when the image is a template expression', async () => {
    const findings = only(await checkFixture('PI-08/undecidable-template'), 'PI-08');
    expect(findings).toHaveLength(1);
    expect(findings[0].undecidable).toBe(true);
  });
});

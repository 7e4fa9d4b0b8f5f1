import { checkFixture, only } from './testing';

describe('FS-09', () => {
  it('flags a Deny on insecure transport that matches a PV mounting without TLS', async () => {
    const findings = only(await checkFixture('FS-09/fires-insecure-anonymous'), 'FS-09');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'PersistentVolume/efs-plain',
      origin: { file: 'fs-policy.json', line: 12 },
    });
    expect(findings[0].message).toMatch(/without TLS.*`DenyInsecure`.*ClientMount/);
    expect(findings[0].trace?.some((t) => t.sid === 'DenyInsecure' && t.outcome === 'deny')).toBe(true);
    expect(findings[0].fix).toMatch(/remove `encryptInTransit: "false"`/);
  });

  it('stays silent when an access point forces TLS on despite encryptInTransit "false"', async () => {
    expect(only(await checkFixture('FS-09/passes-access-point'), 'FS-09')).toEqual([]);
  });

  it('flags a Deny on ClientWrite for a read-write volume of the node role', async () => {
    const findings = only(await checkFixture('FS-09/fires-write-deny'), 'FS-09');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/`ReadOnlyEverywhere`.*ClientWrite.*every write fails/);
  });

  it('reports an unknown encryptInTransit as undecidable', async () => {
    const findings = only(await checkFixture('FS-09/undecidable-encrypt'), 'FS-09');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ undecidable: true, severity: 'warning' });
  });
});

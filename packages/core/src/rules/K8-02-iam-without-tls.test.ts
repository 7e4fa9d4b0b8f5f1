import { checkFixture, only } from './testing';

describe('K8-02', () => {
  it('flags `iam` on a PV with encryptInTransit "false" and no access point', async () => {
    const findings = only(await checkFixture('K8-02/fires'), 'K8-02');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'PersistentVolume/efs-plain',
      origin: { file: 'pv.yaml', line: 17 },
    });
    expect(findings[0].message).toContain('The "tls" option is required when mounting via "iam"');
  });

  it('reads encryptInTransit as the driver does (Go ParseBool, case-insensitive key)', async () => {
    expect(only(await checkFixture('K8-02/fires-go-bool'), 'K8-02')).toHaveLength(1);
  });

  it('stays silent when an access point forces TLS, or TLS is left at its default', async () => {
    expect(only(await checkFixture('K8-02/passes-access-point'), 'K8-02')).toEqual([]);
    expect(only(await checkFixture('K8-02/passes-tls-default'), 'K8-02')).toEqual([]);
  });

  it('reports an unknown encryptInTransit as undecidable', async () => {
    const findings = only(await checkFixture('K8-02/undecidable'), 'K8-02');
    expect(findings).toHaveLength(1);
    expect(findings[0].undecidable).toBe(true);
  });
});

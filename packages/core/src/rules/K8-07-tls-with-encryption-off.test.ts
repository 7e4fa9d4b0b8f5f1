import { checkFixture, only } from './testing';

describe('K8-07', () => {
  it('flags `tls` in mountOptions with encryptInTransit "false"', async () => {
    const findings = only(await checkFixture('K8-07/fires'), 'K8-07');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'PersistentVolume/efs-plain',
      origin: { file: 'pv.yaml', line: 12 },
    });
    expect(findings[0].message).toContain('Found tls in mountOptions but encryptInTransit is false');
  });

  it('flags it even when an access point turns TLS on, and reads `TLS` / "False" as the driver does', async () => {
    expect(only(await checkFixture('K8-07/fires-with-access-point'), 'K8-07')).toHaveLength(1);
  });

  it('stays silent for `tls` with TLS on, or encryption off without `tls`', async () => {
    expect(only(await checkFixture('K8-07/passes'), 'K8-07')).toEqual([]);
  });

  it('leaves S3 Files volumes alone', async () => {
    expect(only(await checkFixture('K8-07/passes-s3files'), 'K8-07')).toEqual([]);
  });
});

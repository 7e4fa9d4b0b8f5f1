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

  it('leaves `tls` on S3 Files volumes alone (TLS is always on for them)', async () => {
    expect(only(await checkFixture('K8-07/passes-s3files'), 'K8-07')).toEqual([]);
  });

  it('flags what driver v3 refuses on S3 Files volumes: encryption off, crossaccount, stunnel', async () => {
    const findings = only(await checkFixture('K8-07/fires-s3files'), 'K8-07');
    expect(findings.map((f) => [f.resource, f.origin])).toEqual([
      ['PersistentVolume/s3-media', { kind: 'file', file: 'pv.yaml', line: 12 }],
      ['PersistentVolume/s3-media', { kind: 'file', file: 'pv.yaml', line: 17 }],
      ['PersistentVolume/s3-media', { kind: 'file', file: 'pv.yaml', line: 18 }],
      ['StorageClass/s3files-sc', { kind: 'file', file: 'storageclass.yaml', line: 7 }],
    ]);
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
    const messages = findings.map((f) => f.message).join('\n');
    expect(messages).toContain('Encryption in transit cannot be disabled for S3 Files file system');
    expect(messages).toContain('crossaccount: "True"');
    expect(messages).toContain('Cross-account mounting is not supported for S3 Files file system');
    expect(messages).toContain('stunnel mount option is not supported by S3 Files file system');
  });
});

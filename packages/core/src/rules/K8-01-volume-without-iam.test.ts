import { checkFixture, only } from './testing';

describe('K8-01', () => {
  it('flags a StorageClass whose mountOptions lack `iam`', async () => {
    const findings = only(await checkFixture('K8-01/fires-storageclass'), 'K8-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: 'StorageClass/efs-sc',
      origin: { file: 'storageclass.yaml', line: 7 },
    });
    expect(findings[0].message).toContain('anonymous client');
  });

  it('flags a PV with no mountOptions at all, pointing at the PV', async () => {
    const findings = only(await checkFixture('K8-01/fires-pv'), 'K8-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      resource: 'PersistentVolume/efs-pv',
      origin: { file: 'pv.yaml', line: 1 },
    });
  });

  it('accepts `iam`, also inside a comma-joined entry', async () => {
    expect(only(await checkFixture('K8-01/passes'), 'K8-01')).toEqual([]);
  });

  it('does not ask S3 Files volumes for `iam` (efs-utils always adds it)', async () => {
    expect(only(await checkFixture('K8-01/passes-s3files'), 'K8-01')).toEqual([]);
  });
});

import { checkFixture, only } from './testing';

describe('K8-03', () => {
  it('flags `crossaccount` in a StorageClass mountOptions, pointing at the option', async () => {
    const findings = only(await checkFixture('K8-03/fires'), 'K8-03');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'StorageClass/efs-xacct',
      origin: { file: 'storageclass.yaml', line: 9 },
    });
    expect(findings[0].fix).toContain('provisioner secret');
  });

  it('accepts `crossaccount` in the PV volumeAttributes', async () => {
    expect(only(await checkFixture('K8-03/passes'), 'K8-03')).toEqual([]);
  });
});

import { checkFixture, only } from './testing';

describe('K8-06', () => {
  it('flags a file system ARN as volumeHandle, pointing at the handle', async () => {
    const findings = only(await checkFixture('K8-06/fires-arn'), 'K8-06');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'PersistentVolume/efs-arn',
      origin: { file: 'pv.yaml', line: 15 },
    });
  });

  it('flags a fifth field behind a prefix and uppercase hex', async () => {
    expect(only(await checkFixture('K8-06/fires-extra-field'), 'K8-06')[0].message).toMatch(
      /too many fields/,
    );
    expect(only(await checkFixture('K8-06/fires-uppercase'), 'K8-06')[0].message).toMatch(
      /not a file system ID/,
    );
  });

  it('accepts plain, path + access point, prefixed and s3files handles', async () => {
    expect(only(await checkFixture('K8-06/passes'), 'K8-06')).toEqual([]);
  });

  it('reports a templated handle as undecidable', async () => {
    const findings = only(await checkFixture('K8-06/undecidable'), 'K8-06');
    expect(findings).toHaveLength(1);
    expect(findings[0].undecidable).toBe(true);
  });
});

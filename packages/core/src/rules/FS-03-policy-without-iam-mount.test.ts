import { checkFixture, only } from './testing';

describe('FS-03', () => {
  it('flags a StorageClass without `iam` on a file system whose policy allows only the node role', async () => {
    const findings = only(await checkFixture('FS-03/fires-no-iam'), 'FS-03');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'StorageClass/efs-shared',
      origin: { file: 'storageclass.yaml', line: 7 },
    });
    expect(findings[0].message).toMatch(/anonymous client.*allows no anonymous client/);
    expect(findings[0].trace?.some((t) => t.sid === 'EfsCsiNode-prod' && t.outcome === 'no-match')).toBe(
      true,
    );
    expect(findings[0].fix).toContain('- iam');
  });

  it('stays silent when the volume mounts with `iam`', async () => {
    expect(only(await checkFixture('FS-03/passes-iam'), 'FS-03')).toEqual([]);
  });

  it('stays silent when the policy admits anonymous clients (FS-05 reports that instead)', async () => {
    const findings = await checkFixture('FS-03/passes-open-policy');
    expect(only(findings, 'FS-03')).toEqual([]);
    expect(only(findings, 'FS-05')).toHaveLength(1);
  });
});

import { checkFixture, only } from './testing';

describe('FS-08', () => {
  it('flags ClientRootAccess for the node role when every volume uses an access point, with the trace', async () => {
    const findings = only(await checkFixture('FS-08/fires'), 'FS-08');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', origin: { file: 'fs-policy.json', line: 1 } });
    expect(findings[0].message).toMatch(
      /ClientRootAccess to the node role arn:aws:iam::210987654321:role\/efs-csi-node-dedicated.*StorageClass\/efs-shared\) uses an access point/,
    );
    expect(findings[0].trace?.some((t) => t.sid === 'EfsCsiNode-prod' && t.outcome === 'allow')).toBe(true);
  });

  it('flags the statement when the node role is not in the files and no volume needs root', async () => {
    const findings = only(await checkFixture('FS-08/fires-no-node-role'), 'FS-08');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ origin: { file: 'fs-policy.json', line: 4 } });
    expect(findings[0].message).toContain('no volume in these files needs it');
  });

  it('stays silent when a volume mounts without an access point', async () => {
    expect(only(await checkFixture('FS-08/passes-root-needed'), 'FS-08')).toEqual([]);
  });
});

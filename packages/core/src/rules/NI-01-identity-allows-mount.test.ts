import { checkFixture, only } from './testing';

const FS_ARN = 'arn:aws:elasticfilesystem:eu-west-1:210987654321:file-system/fs-0d2c4b6a8e1f3a5b7';

describe('NI-01', () => {
  it('warns when only the file system policy allows the node role (strict semantics)', async () => {
    const findings = only(await checkFixture('NI-01/fires-warning'), 'NI-01');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(
      `do not allow elasticfilesystem:ClientMount and elasticfilesystem:ClientWrite on ${FS_ARN}`,
    );
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: 'fs-0d2c4b6a8e1f3a5b7',
      origin: { file: 'node-policy.json', line: 1 },
    });
    expect(findings[0].message).toContain('the recommended setup allows it in both');
    expect(findings[0].trace?.some((t) => t.sid === 'EfsClientAccess' && t.outcome === 'no-match')).toBe(
      true,
    );
    expect(findings[0].fix).toContain(`"Resource": [\n        "${FS_ARN}"`);
  });

  it('is an error under documented semantics when the file system policy does not allow the role', async () => {
    const findings = only(
      await checkFixture('NI-01/fires-documented', { efsPolicySemantics: 'documented' }),
      'NI-01',
    );
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
    expect(findings[0].message).toContain('access depends on this Allow');
  });

  it('is only a warning for the same files under strict semantics', async () => {
    const findings = only(await checkFixture('NI-01/fires-documented'), 'NI-01');
    expect(findings.every((f) => f.severity === 'warning')).toBe(true);
  });

  it('is an error for a file system in another account', async () => {
    const findings = only(await checkFixture('NI-01/fires-cross-account'), 'NI-01');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]).toMatchObject({ severity: 'error' });
    expect(findings[0].message).toContain('the file system is in account 444455556666');
  });

  it('stays silent when the identity policy allows mount and write on the file system', async () => {
    expect(only(await checkFixture('NI-01/passes'), 'NI-01')).toEqual([]);
  });

  it("flags an association whose session policy leaves out ClientWrite, though the role's policies allow it", async () => {
    const findings = only(await checkFixture('NI-01/fires-session-policy'), 'NI-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: 'fs-0d2c4b6a8e1f3a5b7',
      origin: { file: 'association.tf' },
    });
    expect(findings[0].message).toContain(
      `session policy of the Pod Identity association kube-system/efs-csi-node-sa does not allow elasticfilesystem:ClientWrite on ${FS_ARN}`,
    );
    expect(findings[0].message).toContain('mounts, but every write fails');
    expect(findings[0].trace?.some((t) => t.sid === 'ReadOnlyMounts')).toBe(true);
    expect(findings[0].fix).toContain('"elasticfilesystem:ClientWrite"');
  });

  it('stays silent when the session policy allows what the volume needs', async () => {
    expect(only(await checkFixture('NI-01/passes-session-policy'), 'NI-01')).toEqual([]);
  });

  it('is undecidable when the policy resource is imported from another stack', async () => {
    const findings = only(await checkFixture('NI-01/undecidable-resource'), 'NI-01');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.undecidable && f.severity === 'warning')).toBe(true);
  });
});

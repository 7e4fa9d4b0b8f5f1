import { checkFixture, only } from './testing';

describe('FS-02', () => {
  it('flags a Deny-only policy that gives the node role no Allow', async () => {
    const findings = only(await checkFixture('FS-02/fires-deny-only'), 'FS-02');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      origin: { file: 'efs-file-system-policy.json', line: 1 },
    });
    expect(findings[0].message).toMatch(/only 2 Deny statements/);
  });

  it('flags a policy that allows other principals only, with the evaluator trace', async () => {
    const findings = only(await checkFixture('FS-02/fires-other-principal'), 'FS-02');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('role/efs-csi-node-dedicated');
    expect(findings[0].trace?.some((t) => t.sid === 'AllowAppRole' && t.outcome === 'no-match')).toBe(true);
    expect(findings[0].fix).toContain('"Sid": "EfsCsiNode-<cluster>"');
  });

  it('stays silent when the policy allows the node role through a mount target', async () => {
    expect(only(await checkFixture('FS-02/passes'), 'FS-02')).toEqual([]);
  });
});

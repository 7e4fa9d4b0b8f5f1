import { checkFixture, only } from './testing';

describe('FS-04', () => {
  it('flags an Allow on aws:PrincipalArn and a Deny on aws:SourceVpc, each at its statement', async () => {
    const findings = only(await checkFixture('FS-04/fires-principal-arn'), 'FS-04');
    expect(findings).toHaveLength(2);
    expect(findings.map((f) => f.origin)).toEqual([
      { kind: 'file', file: 'fs-policy.json', line: 4, path: 'Statement[0]' },
      { kind: 'file', file: 'fs-policy.json', line: 12, path: 'Statement[1]' },
    ]);
    expect(findings[0]).toMatchObject({ severity: 'warning', resource: 'fs-0d2c4b6a8e1f3a5b7' });
    expect(findings[0].message).toContain('`AllowNodeByArn` (Allow)');
    expect(findings[0].message).toContain('aws:PrincipalArn');
    expect(findings[1].message).toContain('aws:SourceVpc');
  });

  it('stays silent for the keys EFS enforces', async () => {
    expect(only(await checkFixture('FS-04/passes'), 'FS-04')).toEqual([]);
  });
});

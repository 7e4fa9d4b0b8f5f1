import { checkFixture, only } from './testing';

describe('FS-05', () => {
  it('flags an Allow for Principal "*" with no condition', async () => {
    const findings = only(await checkFixture('FS-05/fires'), 'FS-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', origin: { file: 'fs-policy.json', line: 4 } });
    expect(findings[0].message).toMatch(/`AllowAll`.*Principal "\*" with no principal restriction/);
  });

  it('flags Principal "*" restricted only by aws:PrincipalArn, which EFS does not enforce', async () => {
    const findings = only(await checkFixture('FS-05/fires-principal-key-only'), 'FS-05');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('its only principal restriction (aws:PrincipalArn)');
  });

  it('stays silent when the Allow names the node role', async () => {
    expect(only(await checkFixture('FS-05/passes'), 'FS-05')).toEqual([]);
  });
});

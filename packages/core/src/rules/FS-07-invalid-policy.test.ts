import { checkFixture, only } from './testing';

describe('FS-07', () => {
  it('lists every problem of an invalid policy document', async () => {
    const findings = only(await checkFixture('FS-07/fires-invalid-elements'), 'FS-07');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', origin: { file: 'fs-policy.json', line: 1 } });
    expect(findings[0].message).toContain('Statement[0] has an unknown element "Resources"');
    expect(findings[0].message).toContain('Statement[1].Effect must be "Allow" or "Deny"');
  });

  it('flags a FileSystemPolicy in a CloudFormation template that is not JSON', async () => {
    const findings = only(await checkFixture('FS-07/fires-not-json-in-template'), 'FS-07');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ origin: { file: 'efs.yaml', line: 7 } });
    expect(findings[0].message).toContain('not valid JSON');
  });

  it('stays silent for a valid policy', async () => {
    expect(only(await checkFixture('FS-07/passes'), 'FS-07')).toEqual([]);
  });
});

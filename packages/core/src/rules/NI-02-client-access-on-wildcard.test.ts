import { isSingleResourceArn } from './NI-02-client-access-on-wildcard';
import { checkFixture, only } from './testing';

describe('NI-02', () => {
  it('warns about EFS client actions on Resource "*"', async () => {
    const findings = only(await checkFixture('NI-02/fires-star'), 'NI-02');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: 'arn:aws:iam::210987654321:role/efs-csi-node-dedicated',
      origin: { file: 'node-policy.json', line: 4 },
    });
    expect(findings[0].message).toContain('statement `EfsClientAccess` (node-policy.json:4) grants');
    expect(findings[0].message).toContain('on "*"');
    expect(findings[0].fix).toContain(
      'arn:aws:elasticfilesystem:eu-west-1:210987654321:file-system/fs-0d2c4b6a8e1f3a5b7',
    );
  });

  it('warns about a wildcard file system ARN', async () => {
    const findings = only(await checkFixture('NI-02/fires-wildcard-arn'), 'NI-02');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('"arn:aws:elasticfilesystem:eu-west-1:210987654321:file-system/*"');
  });

  it('stays silent for a policy scoped to the file system ARN', async () => {
    expect(only(await checkFixture('NI-02/passes'), 'NI-02')).toEqual([]);
  });
});

describe('isSingleResourceArn', () => {
  it('knows the arn of one resource is not a wildcard, and a variable may be', () => {
    expect(isSingleResourceArn('aws_efs_file_system.shared.arn')).toBe(true);
    expect(isSingleResourceArn('aws_efs_file_system.shared.arn (known after apply)')).toBe(true);
    expect(isSingleResourceArn('!GetAtt FileSystem.Arn')).toBe(true);
    expect(isSingleResourceArn('var.file_system_arn')).toBe(false);
    expect(isSingleResourceArn('!Ref FileSystemArnParameter')).toBe(false);
  });
});

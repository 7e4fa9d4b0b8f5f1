import { checkFixture, only } from './testing';

const FS_ID = 'fs-0a1b2c3d4e5f6a7b8c9d0';
const FS_ARN = `arn:aws:s3files:eu-west-1:210987654321:file-system/${FS_ID}`;

describe('S3F-01', () => {
  it('flags a node role whose identity policy covers EFS only, with no file system policy in the files', async () => {
    const findings = only(await checkFixture('S3F-01/fires'), 'S3F-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: FS_ID,
      origin: { file: 'pv.yaml' },
    });
    expect(findings[0].undecidable).toBeFalsy();
    expect(findings[0].message).toContain(
      `may not s3files:ClientMount and s3files:ClientWrite on ${FS_ARN}: neither its identity policies nor the file system policy allow it (no file system policy for it is in the inputs)`,
    );
    expect(findings[0].fix).toContain('"s3files:ClientMount"');
    expect(findings[0].fix).toContain(`"${FS_ARN}"`);
  });

  it('lets an explicit Deny in the S3 file system policy win over the identity Allow', async () => {
    const findings = only(await checkFixture('S3F-01/fires-deny'), 'S3F-01');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      origin: { file: 's3files-policy.json', line: 4 },
    });
    expect(findings[0].message).toContain('an explicit Deny applies');
    expect(
      findings[0].trace?.some((t) => t.sid === 'OnlyThroughTheMediaAccessPoint' && t.outcome === 'deny'),
    ).toBe(true);
  });

  it('reads the S3 file system policy from Terraform (aws_s3files_file_system_policy)', async () => {
    const findings = only(await checkFixture('S3F-01/fires-terraform'), 'S3F-01');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('may not s3files:ClientWrite');
    expect(findings[0].message).toContain('an explicit Deny applies');
    expect(findings[0].origin).toMatchObject({ file: 'main.tf' });
  });

  it('stays silent when the identity policy allows and the access point satisfies the Deny', async () => {
    expect(only(await checkFixture('S3F-01/passes'), 'S3F-01')).toEqual([]);
  });

  it('accepts an Allow in the file system policy alone (either policy suffices for S3 Files)', async () => {
    expect(only(await checkFixture('S3F-01/passes-file-system-policy-only'), 'S3F-01')).toEqual([]);
  });
});

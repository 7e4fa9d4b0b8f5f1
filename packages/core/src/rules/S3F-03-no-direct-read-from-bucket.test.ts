import { checkFixture, only } from './testing';

describe('S3F-03', () => {
  it('warns when the node role cannot read the linked bucket (CloudFormation AWS::S3Files::FileSystem)', async () => {
    const findings = only(await checkFixture('S3F-03/fires'), 'S3F-03');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: 'fs-0a1b2c3d4e5f6a7b8c9d0',
      origin: { file: 'node-policy.json', line: 1 },
    });
    expect(findings[0].message).toContain(
      'may not s3:GetObject in arn:aws:s3:::media-archive, the bucket linked to the S3 file system fs-0a1b2c3d4e5f6a7b8c9d0',
    );
    // The fix is the scoped policy: objects under the file system's prefix, ListBucket on the bucket alone.
    expect(findings[0].fix).toContain('"arn:aws:s3:::media-archive/published/*"');
    expect(findings[0].fix).toContain('"arn:aws:s3:::media-archive"');
    expect(findings[0].fix).toContain('nodirects3read');
  });

  it('stays silent when the node role may read the objects under the prefix', async () => {
    expect(only(await checkFixture('S3F-03/passes'), 'S3F-03')).toEqual([]);
  });

  it('stays silent for a volume that turned direct reads off with nodirects3read', async () => {
    expect(only(await checkFixture('S3F-03/passes-nodirects3read'), 'S3F-03')).toEqual([]);
  });
});

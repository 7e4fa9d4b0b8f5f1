import { fileOrigin } from '../model/origin';
import { managedWithoutDocument } from './identity-support';
import { checkFixture, only } from './testing';

describe('S3F-02', () => {
  it('flags the two managed policies the driver docs attach to the node role', async () => {
    const findings = only(await checkFixture('S3F-02/fires-managed'), 'S3F-02');
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining(
        'has the AWS managed policy AmazonS3FilesClientFullAccess: it may mount every S3 file system',
      ),
      expect.stringContaining(
        'has the AWS managed policy AmazonS3ReadOnlyAccess: it reads every object of every bucket',
      ),
    ]);
    expect(findings.every((f) => f.severity === 'warning' && f.resource === 'role efs-csi-node')).toBe(true);
  });

  it("reads the policies eksctl attaches to the role it creates for the node SA (the driver docs' setup)", async () => {
    const findings = only(await checkFixture('S3F-02/fires-eksctl'), 'S3F-02');
    expect(findings.map((f) => [f.origin, f.resource])).toEqual([
      [{ kind: 'file', file: 'cluster.yaml', line: 14 }, '(role created by eksctl for efs-csi-node-sa)'],
      [{ kind: 'file', file: 'cluster.yaml', line: 15 }, '(role created by eksctl for efs-csi-node-sa)'],
    ]);
  });

  it('flags client actions on "*" and S3 reads on a bucket-name wildcard, with a scoped fix', async () => {
    const findings = only(await checkFixture('S3F-02/fires-statement'), 'S3F-02');
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({ origin: { file: 'node-policy.json', line: 4 } });
    expect(findings[0].message).toContain('S3 Files client actions on "*"');
    expect(findings[1]).toMatchObject({ origin: { file: 'node-policy.json', line: 10 } });
    expect(findings[1].message).toContain(
      'S3 reads (s3:GetObject / s3:ListBucket) on "arn:aws:s3:::media-*"',
    );
    // The fix names the in-scope file system: never a "*" resource.
    expect(findings[0].fix).toContain(
      '"arn:aws:s3files:eu-west-1:210987654321:file-system/fs-0a1b2c3d4e5f6a7b8c9d0"',
    );
    expect(findings[0].fix).not.toMatch(/"Resource": \[?\s*"\*"/);
  });

  it('stays silent for permissions scoped to the file system and one bucket', async () => {
    expect(only(await checkFixture('S3F-02/passes'), 'S3F-02')).toEqual([]);
  });

  it('leaves the S3 reads of a repository without S3 Files to other tools', async () => {
    // The same broad S3 read statement, but no S3 Files volume or file system in the inputs.
    expect(only(await checkFixture('S3F-02/passes-no-s3files'), 'S3F-02')).toEqual([]);
  });
});

describe('the S3 Files managed policies on an EFS question', () => {
  it('are known to grant no EFS client action, so the EFS rules do not call them opaque', () => {
    const managed = (name: string) => ({ arn: `arn:aws:iam::aws:policy/${name}` });
    const result = managedWithoutDocument({
      id: 'node',
      name: 'efs-csi-node',
      arn: 'arn:aws:iam::210987654321:role/efs-csi-node',
      inlinePolicies: [],
      managedPolicies: [
        managed('AmazonS3FilesClientFullAccess'),
        managed('AmazonS3ReadOnlyAccess'),
        managed('AmazonElasticFileSystemClientReadOnlyAccess'),
        managed('SomeCustomerPolicy'),
      ],
      origin: fileOrigin('role.yaml'),
    });
    expect(result.opaque).toEqual(['SomeCustomerPolicy']);
    expect(result.documents.map((d) => d.name)).toEqual([
      'managed policy AmazonElasticFileSystemClientReadOnlyAccess',
    ]);
  });
});

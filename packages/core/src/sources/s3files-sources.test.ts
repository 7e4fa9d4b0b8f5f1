import * as path from 'node:path';
import type { FileSystem } from '../model/snapshot';
import { isUnknown } from '../model/unknown';
import { loadStaticSnapshot } from './load';

const RULE_FIXTURES = path.join(__dirname, '..', 'rules', '__fixtures__');

async function s3FileSystems(dir: string): Promise<FileSystem[]> {
  const { snapshot } = await loadStaticSnapshot([dir]);
  return snapshot.fileSystems.filter((f) => f.type === 's3files');
}

// Resource and type names: Terraform aws_s3files_file_system / aws_s3files_file_system_policy (AWS provider docs,
// website/docs/r/s3files_file_system.html.markdown), CloudFormation AWS::S3Files::FileSystem /
// AWS::S3Files::FileSystemPolicy (CloudFormation Template Reference).
describe('S3 file systems from static sources', () => {
  it('reads aws_s3files_file_system and its policy from Terraform HCL', async () => {
    const [fs, ...rest] = await s3FileSystems(path.join(RULE_FIXTURES, 'S3F-01', 'fires-terraform'));
    expect(rest).toEqual([]);
    expect(fs).toMatchObject({
      type: 's3files',
      bucket: 'arn:aws:s3:::media-archive',
      roleArn: 'arn:aws:iam::111122223333:role/media-s3files-sync',
      region: 'eu-west-1',
      accountId: '111122223333',
      origin: { kind: 'file', file: 'main.tf' },
    });
    expect(isUnknown(fs.id)).toBe(true);
    expect(fs.policy?.statements.map((s) => s.sid)).toEqual(['ReadOnlyForEveryone']);
  });

  it('reads the planned file system and the policy linked to it by reference from a Terraform plan', async () => {
    const [fs, ...rest] = await s3FileSystems(
      path.join(__dirname, '__fixtures__', 'terraform', 's3files-plan'),
    );
    expect(rest).toEqual([]);
    expect(fs).toMatchObject({
      type: 's3files',
      bucket: 'arn:aws:s3:::media-archive',
      bucketPrefix: 'published/',
      roleArn: 'arn:aws:iam::111122223333:role/media-s3files-sync',
    });
    expect(isUnknown(fs.id) && fs.id.expression).toBe('aws_s3files_file_system.media.id (known after apply)');
    expect(fs.policy?.statements.map((s) => s.sid)).toEqual(['EfsCsiNode-prod']);
  });

  it('reads AWS::S3Files::FileSystem and the AWS::S3Files::FileSystemPolicy that refers to it', async () => {
    const [fs, ...rest] = await s3FileSystems(path.join(RULE_FIXTURES, 'S3F-03', 'fires'));
    expect(rest).toEqual([]);
    expect(fs).toMatchObject({
      type: 's3files',
      bucket: 'arn:aws:s3:::media-archive',
      bucketPrefix: 'published/',
      roleArn: 'arn:aws:iam::210987654321:role/media-s3files-sync',
      origin: { kind: 'file', file: 's3files.yaml', path: 'MediaFileSystem' },
    });
    expect(isUnknown(fs.id) && fs.id.expression).toBe('!Ref MediaFileSystem');
    expect(fs.policy?.statements.map((s) => s.sid)).toEqual(['EfsCsiNode-prod']);
    expect(fs.policy?.origin).toMatchObject({ file: 's3files.yaml' });
  });

  it('files a policy JSON whose Resource is an s3files ARN under that S3 file system', async () => {
    const [fs, ...rest] = await s3FileSystems(path.join(RULE_FIXTURES, 'S3F-05', 'passes'));
    expect(rest).toEqual([]);
    expect(fs).toMatchObject({
      type: 's3files',
      id: 'fs-0a1b2c3d4e5f6a7b8c9d0',
      arn: 'arn:aws:s3files:eu-west-1:210987654321:file-system/fs-0a1b2c3d4e5f6a7b8c9d0',
      accountId: '210987654321',
      region: 'eu-west-1',
    });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkFixture, only } from './testing';

const FS_ID = 'fs-0a1b2c3d4e5f6a7b8c9d0';

describe('S3F-05', () => {
  it('flags a statement that names only EFS actions in an S3 file system policy', async () => {
    const findings = only(await checkFixture('S3F-05/fires-efs-actions'), 'S3F-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      resource: FS_ID,
      origin: { file: 's3files-policy.json', line: 1 },
    });
    expect(findings[0].message).toContain(
      'statement `EfsCsiNode-prod` names no s3files: action (elasticfilesystem:ClientMount, elasticfilesystem:ClientWrite)',
    );
  });

  it('flags an invalid element', async () => {
    const findings = only(await checkFixture('S3F-05/fires-invalid'), 'S3F-05');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('Statement[0].Effect must be "Allow" or "Deny"');
  });

  it('flags a policy that is not JSON (Terraform aws_s3files_file_system_policy)', async () => {
    const findings = only(await checkFixture('S3F-05/fires-not-json'), 'S3F-05');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ resource: FS_ID, origin: { file: 'main.tf' } });
    expect(findings[0].message).toContain('the policy is not valid JSON');
  });

  it('flags a policy longer than 20,000 characters', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 's3f-05-'));
    try {
      const arn = `arn:aws:s3files:eu-west-1:210987654321:file-system/${FS_ID}`;
      const statements = Array.from({ length: 120 }, (_, i) => ({
        Sid: `Reader${i}`,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::210987654321:role/reader-with-a-long-descriptive-name-${i}` },
        Action: ['s3files:ClientMount'],
        Resource: arn,
      }));
      writeFileSync(
        path.join(dir, 's3files-policy.json'),
        JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2),
      );
      const findings = only(await checkFixture(dir), 'S3F-05');
      expect(findings).toHaveLength(1);
      expect(findings[0].message).toMatch(/the policy is \d+ characters long; the limit is 20000/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stays silent for a valid S3 file system policy, and FS-07 leaves S3 file systems to it', async () => {
    const findings = await checkFixture('S3F-05/passes');
    expect(only(findings, 'S3F-05')).toEqual([]);
    expect(only(await checkFixture('S3F-05/fires-invalid'), 'FS-07')).toEqual([]);
  });
});

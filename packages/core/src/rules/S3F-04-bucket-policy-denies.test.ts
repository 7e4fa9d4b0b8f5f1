import type { Snapshot } from '../model/snapshot';
import { fileSystemAllowStatement, nodePermissionsPolicy } from '../policy/generate';
import { normalizePolicy } from '../policy/normalize';
import {
  ACCOUNT,
  aws,
  CLUSTER,
  checkLive,
  FS_ARN,
  healthyLiveSnapshot,
  k8s,
  NODE_ROLE_ARN,
  REGION,
} from './live-testing';

// Live input has no fixture files: the snapshots are built as the collector would produce them, as for the other
// live rules (live-testing.ts).
const S3_FS_ID = 'fs-0a1b2c3d4e5f6a7b8c9d0';
const S3_FS_ARN = `arn:aws:s3files:${REGION}:${ACCOUNT}:file-system/${S3_FS_ID}`;
const BUCKET_ARN = 'arn:aws:s3:::media-archive';
const SYNC_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/media-s3files-sync`;

function withS3FileSystem(bucketPolicy: object | null): Snapshot {
  const s = healthyLiveSnapshot();
  const nodeRole = s.roles.find((r) => r.arn === NODE_ROLE_ARN);
  if (!nodeRole) throw new Error('the healthy snapshot has a node role');
  // The node role as the planner would leave it: the scoped EFS and S3 Files permissions, direct reads included.
  nodeRole.inlinePolicies = [
    {
      name: 'efs-client',
      document: normalizePolicy(
        nodePermissionsPolicy({
          fileSystemArns: [FS_ARN, S3_FS_ARN],
          access: 'write',
          linkedBuckets: [{ bucket: BUCKET_ARN }],
        }),
        aws(NODE_ROLE_ARN),
      ),
    },
  ];
  const fsPolicy = {
    Version: '2012-10-17',
    Statement: [
      fileSystemAllowStatement({
        cluster: CLUSTER,
        roleArn: NODE_ROLE_ARN,
        fileSystemArn: S3_FS_ARN,
        access: 'write',
      }),
    ],
  };
  s.fileSystems.push({
    type: 's3files',
    id: S3_FS_ID,
    arn: S3_FS_ARN,
    accountId: ACCOUNT,
    region: REGION,
    bucket: BUCKET_ARN,
    roleArn: SYNC_ROLE_ARN,
    policy: normalizePolicy(fsPolicy, aws(S3_FS_ARN), { size: JSON.stringify(fsPolicy).length }),
    bucketPolicy: bucketPolicy === null ? null : normalizePolicy(bucketPolicy, aws(BUCKET_ARN)),
    origin: aws(S3_FS_ARN),
  });
  s.persistentVolumes.push({
    name: 'media',
    driver: 'efs.csi.aws.com',
    volumeHandle: `s3files:${S3_FS_ID}`,
    volumeAttributes: {},
    mountOptions: [],
    accessModes: ['ReadWriteMany'],
    origin: k8s('PersistentVolume/media'),
  });
  return s;
}

const denyUnlessListed = (allowed: string[]) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'OnlyTheIngestPipeline',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
      Condition: { ArnNotLike: { 'aws:PrincipalArn': allowed } },
    },
  ],
});

describe('S3F-04', () => {
  it('is silent, with every other rule, on a healthy setup whose bucket policy exempts both roles', () => {
    expect(checkLive(withS3FileSystem(denyUnlessListed([NODE_ROLE_ARN, SYNC_ROLE_ARN])))).toEqual([]);
    expect(checkLive(withS3FileSystem(null))).toEqual([]);
  });

  it('flags a bucket policy that denies the node role its direct reads', () => {
    const findings = checkLive(withS3FileSystem(denyUnlessListed([SYNC_ROLE_ARN]))).filter(
      (f) => f.ruleId === 'S3F-04',
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', resource: BUCKET_ARN });
    expect(findings[0].message).toContain(
      `denies the node role ${NODE_ROLE_ARN} s3:GetObject, s3:ListBucket (statement \`OnlyTheIngestPipeline\``,
    );
    expect(findings[0].trace?.some((t) => t.sid === 'OnlyTheIngestPipeline' && t.outcome === 'deny')).toBe(
      true,
    );
  });

  it("flags a bucket policy that denies the file system's own role", () => {
    const findings = checkLive(withS3FileSystem(denyUnlessListed([NODE_ROLE_ARN]))).filter(
      (f) => f.ruleId === 'S3F-04',
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain(
      `denies the file system's own role ${SYNC_ROLE_ARN} s3:GetObject, s3:PutObject, s3:ListBucket`,
    );
  });

  it('does not run on static input', () => {
    const staticOnly = { ...withS3FileSystem(denyUnlessListed([])), inputs: ['S' as const] };
    expect(checkLive(staticOnly).filter((f) => f.ruleId === 'S3F-04')).toEqual([]);
  });
});

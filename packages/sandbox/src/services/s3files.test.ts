import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateFileSystemCommand,
  DeleteFileSystemCommand,
  DeleteFileSystemPolicyCommand,
  GetAccessPointCommand,
  GetFileSystemCommand,
  GetFileSystemPolicyCommand,
  GetMountTargetCommand,
  ListAccessPointsCommand,
  ListFileSystemsCommand,
  ListMountTargetsCommand,
  paginateListFileSystems,
  PutFileSystemPolicyCommand,
  S3FilesClient,
} from '@aws-sdk/client-s3files';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { addAccount, adminCredentials, newRole, startSandbox, type Sandbox } from '../index';
import { addBucket, addS3FileSystem } from './s3files-seed';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const REGION = 'eu-west-1';
const FS = 'fs-0c1d2e3f4a5b6c7d8e9f';
const FS_ARN = `arn:aws:s3files:${REGION}:${ACCOUNT}:file-system/${FS}`;
const BUCKET = 'prod-eks-media-archive';
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-eks-efs-csi-node`;
type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('S3 Files and S3 bucket policies through the real SDK clients', () => {
  let sandbox: Sandbox;
  let admin: Keys;
  let otherAdmin: Keys;
  const s3files = (keys: Keys = admin) =>
    new S3FilesClient({ endpoint: sandbox.url, region: REGION, credentials: keys, maxAttempts: 1 });
  // Path-style: a loopback endpoint has no bucket subdomains.
  const s3 = (keys: Keys = admin) =>
    new S3Client({
      endpoint: sandbox.url,
      region: REGION,
      credentials: keys,
      forcePathStyle: true,
      maxAttempts: 1,
    });

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 's3files-healthy',
      seed: (state) => {
        otherAdmin = addAccount(state, OTHER);
        addBucket(state, OTHER, { name: 'partner-exchange' });
        // A second file system on the same bucket (another prefix) and one in another region.
        addS3FileSystem(state, ACCOUNT, {
          fileSystemId: 'fs-0aaaaaaaaaaaaaaaaaaa',
          bucket: BUCKET,
          prefix: 'thumbnails/',
          roleArn: `arn:aws:iam::${ACCOUNT}:role/prod-eks-media-s3files`,
          name: 'thumbnails',
        });
        addS3FileSystem(state, ACCOUNT, {
          fileSystemId: 'fs-0bbbbbbbbbbbbbbbbbbb',
          bucket: BUCKET,
          region: 'us-east-1',
          roleArn: `arn:aws:iam::${ACCOUNT}:role/prod-eks-media-s3files`,
        });
      },
    });
    admin = adminCredentials(sandbox.state, ACCOUNT)!;
  });
  afterAll(() => sandbox.stop());

  it('GetFileSystem answers by ID and by ARN with the linked bucket, prefix and role', async () => {
    const byId = await s3files().send(new GetFileSystemCommand({ fileSystemId: FS }));
    expect(byId).toMatchObject({
      fileSystemId: FS,
      fileSystemArn: FS_ARN,
      bucket: `arn:aws:s3:::${BUCKET}`,
      prefix: 'media/',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/prod-eks-media-s3files`,
      ownerId: ACCOUNT,
      status: 'available',
      name: 'prod-eks-media',
    });
    expect(byId.creationTime).toBeInstanceOf(Date);
    const byArn = await s3files().send(new GetFileSystemCommand({ fileSystemId: FS_ARN }));
    expect(byArn.fileSystemId).toBe(FS);
  });

  it('refuses malformed and unknown file system IDs with the API errors', async () => {
    const bad = await failure(s3files().send(new GetFileSystemCommand({ fileSystemId: 'fs-12' })));
    expect(bad).toMatchObject({ name: 'ValidationException', status: 400 });
    const missing = await failure(
      s3files().send(new GetFileSystemCommand({ fileSystemId: 'fs-0fffffffffffffffffff' })),
    );
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    // An EFS-length ID of another account's ARN is not found either.
    const foreign = await failure(
      s3files().send(
        new GetFileSystemCommand({ fileSystemId: `arn:aws:s3files:${REGION}:${OTHER}:file-system/${FS}` }),
      ),
    );
    expect(foreign.name).toBe('ResourceNotFoundException');
  });

  it('ListFileSystems pages with nextToken, filters by bucket and stays in the region', async () => {
    const ids: string[] = [];
    for await (const page of paginateListFileSystems({ client: s3files(), pageSize: 1 }, {}))
      ids.push(...(page.fileSystems ?? []).map((f) => f.fileSystemId!));
    expect(ids).toEqual([FS, 'fs-0aaaaaaaaaaaaaaaaaaa']);
    const none = await s3files().send(
      new ListFileSystemsCommand({ bucket: 'arn:aws:s3:::partner-exchange' }),
    );
    expect(none.fileSystems).toEqual([]);
  });

  it('reads mount targets with their security groups and access points', async () => {
    const targets = await s3files().send(new ListMountTargetsCommand({ fileSystemId: FS }));
    expect(targets.mountTargets?.map((m) => m.availabilityZoneId)).toEqual([
      'euw1-az2',
      'euw1-az3',
      'euw1-az1',
    ]);
    const one = await s3files().send(
      new GetMountTargetCommand({ mountTargetId: targets.mountTargets![0]!.mountTargetId! }),
    );
    expect(one).toMatchObject({
      fileSystemId: FS,
      vpcId: 'vpc-0a5b9c3d7e1f24680',
      ipv4Address: '10.40.12.31',
    });
    expect(one.securityGroups).toEqual(['sg-0c1a2b3c4d5e6f703']);
    const points = await s3files().send(new ListAccessPointsCommand({ fileSystemId: FS }));
    expect(points.accessPoints).toEqual([
      expect.objectContaining({
        accessPointId: 'fsap-0f3a4b5c6d7e8f901',
        accessPointArn: `${FS_ARN}/access-point/fsap-0f3a4b5c6d7e8f901`,
        posixUser: { uid: 1000, gid: 1000 },
      }),
    ]);
    const point = await s3files().send(
      new GetAccessPointCommand({ accessPointId: 'fsap-0f3a4b5c6d7e8f901' }),
    );
    expect(point.rootDirectory?.path).toBe('/renders');
    const neither = await failure(s3files().send(new ListMountTargetsCommand({})));
    expect(neither.name).toBe('ValidationException');
  });

  it('gets, puts and deletes the file system policy as text, refusing invalid ones', async () => {
    const original = (await s3files().send(new GetFileSystemPolicyCommand({ fileSystemId: FS }))).policy!;
    expect(JSON.parse(original).Statement[0].Sid).toBe('EfsCsiNode-prod-eks');
    const next = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'A',
          Effect: 'Allow',
          Principal: { AWS: NODE_ROLE },
          Action: 's3files:ClientMount',
          Resource: FS_ARN,
        },
      ],
    });
    await s3files().send(new PutFileSystemPolicyCommand({ fileSystemId: FS, policy: next }));
    expect((await s3files().send(new GetFileSystemPolicyCommand({ fileSystemId: FS }))).policy).toBe(next);
    const noPrincipal = await failure(
      s3files().send(
        new PutFileSystemPolicyCommand({
          fileSystemId: FS,
          policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
          }),
        }),
      ),
    );
    expect(noPrincipal).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(noPrincipal.message).toMatch(/no Principal/);
    const notJson = await failure(
      s3files().send(new PutFileSystemPolicyCommand({ fileSystemId: FS, policy: '{' })),
    );
    expect(notJson.name).toBe('ValidationException');
    await s3files().send(new DeleteFileSystemPolicyCommand({ fileSystemId: FS }));
    const gone = await failure(s3files().send(new GetFileSystemPolicyCommand({ fileSystemId: FS })));
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    await s3files().send(new PutFileSystemPolicyCommand({ fileSystemId: FS, policy: original }));
    expect((await s3files().send(new GetFileSystemPolicyCommand({ fileSystemId: FS }))).policy).toBe(
      original,
    );
  });

  it('creates a file system on an existing bucket of the region (idempotent by client token) and deletes it', async () => {
    const input = {
      bucket: `arn:aws:s3:::${BUCKET}`,
      prefix: 'scratch/',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/prod-eks-media-s3files`,
      clientToken: 'create-once',
    };
    const created = await s3files().send(new CreateFileSystemCommand(input));
    expect(created.fileSystemId).toMatch(/^fs-[0-9a-f]{17}$/);
    expect(created.$metadata.httpStatusCode).toBe(201);
    const again = await s3files().send(new CreateFileSystemCommand(input));
    expect(again.fileSystemId).toBe(created.fileSystemId);
    const noBucket = await failure(
      s3files().send(
        new CreateFileSystemCommand({ ...input, bucket: 'arn:aws:s3:::no-such-bucket', clientToken: 'x' }),
      ),
    );
    expect(noBucket.name).toBe('ResourceNotFoundException');
    await s3files().send(new DeleteFileSystemCommand({ fileSystemId: created.fileSystemId! }));
    const deleted = await failure(
      s3files().send(new GetFileSystemCommand({ fileSystemId: created.fileSystemId! })),
    );
    expect(deleted.name).toBe('ResourceNotFoundException');
    // The scenario's file system still has its mount targets: deleting it needs forceDelete.
    const busy = await failure(s3files().send(new DeleteFileSystemCommand({ fileSystemId: FS })));
    expect(busy).toMatchObject({ name: 'ConflictException', status: 409 });
  });

  it('serves the bucket policy path-style to @aws-sdk/client-s3: get, put, delete, and S3 error codes', async () => {
    const original = (await s3().send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!;
    expect(JSON.parse(original).Statement[0].Sid).toBe('DenyInsecureTransport');
    const next = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'NodeReads',
          Effect: 'Allow',
          Principal: { AWS: NODE_ROLE },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${BUCKET}/media/*`,
        },
      ],
    });
    await s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: next }));
    expect((await s3().send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy).toBe(next);
    const malformed = await failure(
      s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: '{"Statement": 1' })),
    );
    expect(malformed).toMatchObject({ name: 'MalformedPolicy', status: 400 });
    await s3().send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    const none = await failure(s3().send(new GetBucketPolicyCommand({ Bucket: BUCKET })));
    expect(none).toMatchObject({ name: 'NoSuchBucketPolicy', status: 404 });
    const noBucket = await failure(s3().send(new GetBucketPolicyCommand({ Bucket: 'no-such-bucket' })));
    expect(noBucket).toMatchObject({ name: 'NoSuchBucket', status: 404 });
    // Another account's bucket: no grant to this account, so S3 says AccessDenied, not NoSuchBucket.
    const foreign = await failure(s3().send(new GetBucketPolicyCommand({ Bucket: 'partner-exchange' })));
    expect(foreign).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(
      await failure(s3(otherAdmin).send(new GetBucketPolicyCommand({ Bucket: 'partner-exchange' }))),
    ).toMatchObject({ name: 'NoSuchBucketPolicy' });
    await s3().send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: original }));
    expect((await s3().send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy).toBe(original);
  });

  it('judges S3 Files and S3 calls against the caller’s identity policies under enforcement', async () => {
    const reader = newRole(
      ACCOUNT,
      's3files-reader',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
        ],
      }),
      { now: sandbox.state.now() },
    );
    reader.inlinePolicies.set(
      'read',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3files:GetFileSystem', 's3files:GetFileSystemPolicy'],
            Resource: FS_ARN,
          },
          { Effect: 'Allow', Action: 's3:GetBucketPolicy', Resource: `arn:aws:s3:::${BUCKET}` },
        ],
      }),
    );
    sandbox.state.accounts.get(ACCOUNT)!.iam.roles.set('s3files-reader', reader);
    const assumed = await new STSClient({ endpoint: sandbox.url, region: REGION, credentials: admin }).send(
      new AssumeRoleCommand({ RoleArn: reader.arn, RoleSessionName: 'test' }),
    );
    const keys: Keys = {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    };
    sandbox.state.settings.enforcePermissions = true;
    try {
      expect((await s3files(keys).send(new GetFileSystemCommand({ fileSystemId: FS }))).fileSystemId).toBe(
        FS,
      );
      await s3files(keys).send(new GetFileSystemPolicyCommand({ fileSystemId: FS }));
      expect((await s3(keys).send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy).toBeDefined();
      const put = await failure(
        s3files(keys).send(new PutFileSystemPolicyCommand({ fileSystemId: FS, policy: '{}' })),
      );
      expect(put).toMatchObject({ name: 'AccessDeniedException', status: 403 });
      expect(put.message).toContain(`s3files:PutFileSystemPolicy on resource: ${FS_ARN}`);
      const other = await failure(
        s3files(keys).send(new GetFileSystemCommand({ fileSystemId: 'fs-0aaaaaaaaaaaaaaaaaaa' })),
      );
      expect(other.name).toBe('AccessDeniedException');
      const putBucket = await failure(
        s3(keys).send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: '{}' })),
      );
      expect(putBucket).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(putBucket.message).toContain(`s3:PutBucketPolicy on resource: arn:aws:s3:::${BUCKET}`);
    } finally {
      sandbox.state.settings.enforcePermissions = false;
    }
  });

  it('answers throttling with each service’s own error', async () => {
    sandbox.faults.add({ service: 's3files', operation: 'GetFileSystem', fail: 'throttle', times: 1 });
    sandbox.faults.add({ service: 's3', operation: 'GetBucketPolicy', fail: 'throttle', times: 1 });
    expect(await failure(s3files().send(new GetFileSystemCommand({ fileSystemId: FS })))).toMatchObject({
      name: 'ThrottlingException',
      status: 429,
    });
    expect(await failure(s3().send(new GetBucketPolicyCommand({ Bucket: BUCKET })))).toMatchObject({
      name: 'SlowDown',
      status: 503,
    });
    expect(sandbox.log.count({ service: 's3files', operation: 'GetFileSystem' })).toBeGreaterThan(0);
  });
});

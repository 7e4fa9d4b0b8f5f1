import { request as httpRequest } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  DeleteFileSystemPolicyCommand,
  DescribeAccessPointsCommand,
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  DescribeMountTargetSecurityGroupsCommand,
  EFSClient,
  paginateDescribeFileSystems,
  PutFileSystemPolicyCommand,
} from '@aws-sdk/client-efs';
import { SignatureV4 } from '@smithy/signature-v4';
import { MAX_FILE_SYSTEM_POLICY_LENGTH } from '@efs-node-identity/core';
import { addAccount, startSandbox, type Sandbox } from '../index';
import {
  addAccessPoint,
  addFileSystem,
  addMountTarget,
  addSecurityGroup,
  addSubnet,
  addVpc,
} from './network-seed';

const A = '111111111111';
const B = '222222222222';
const REGION = 'eu-west-1';

describe('EFS through @aws-sdk/client-efs', () => {
  let sandbox: Sandbox;
  let keysA: { accessKeyId: string; secretAccessKey: string };
  let keysB: { accessKeyId: string; secretAccessKey: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: (state) => {
        keysA = addAccount(state, A);
        keysB = addAccount(state, B);
        const vpc = addVpc(state, A, { cidrBlock: '10.1.0.0/16' });
        const subnetA = addSubnet(state, A, {
          vpcId: vpc.vpcId,
          cidrBlock: '10.1.1.0/24',
          availabilityZone: 'eu-west-1a',
        });
        const subnetB = addSubnet(state, A, {
          vpcId: vpc.vpcId,
          cidrBlock: '10.1.2.0/24',
          availabilityZone: 'eu-west-1b',
        });
        const sg = addSecurityGroup(state, A, {
          groupName: 'efs',
          vpcId: vpc.vpcId,
          rules: [{ port: 2049, cidrIpv4: '10.0.0.0/8' }],
        });
        const main = addFileSystem(state, A, { fileSystemId: 'fs-0123456789abcdef0', name: 'main' });
        ids.fs = main.fileSystemId;
        ids.sg = sg.groupId;
        ids.mtA = addMountTarget(state, A, {
          fileSystemId: main.fileSystemId,
          subnetId: subnetA.subnetId,
          securityGroups: [sg.groupId],
        }).mountTargetId;
        ids.mtB = addMountTarget(state, A, {
          fileSystemId: main.fileSystemId,
          subnetId: subnetB.subnetId,
          securityGroups: [sg.groupId],
          lifeCycleState: 'creating',
        }).mountTargetId;
        for (let i = 0; i < 5; i++) addFileSystem(state, A, { name: `extra-${i}` });
        ids.ap = addAccessPoint(state, A, {
          fileSystemId: main.fileSystemId,
          name: 'data',
          posixUser: { Uid: 1000, Gid: 1000 },
        }).accessPointId;
        addAccessPoint(state, A, { fileSystemId: main.fileSystemId, name: 'logs' });
        addAccessPoint(state, A, { fileSystemId: main.fileSystemId, name: 'tmp' });
        // A file system of another region is not seen from eu-west-1.
        addFileSystem(state, A, { region: 'us-east-1', name: 'elsewhere' });
        ids.fsB = addFileSystem(state, B, { name: 'other-account' }).fileSystemId;
      },
    });
  });
  afterAll(() => sandbox.stop());

  const client = (keys: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = keysA) =>
    new EFSClient({ endpoint: sandbox.url, region: REGION, credentials: keys, maxAttempts: 1 });

  it('describes one file system by ID with the fields the SDK parses', async () => {
    const out = await client().send(new DescribeFileSystemsCommand({ FileSystemId: ids.fs }));
    expect(out.FileSystems).toHaveLength(1);
    const fs = out.FileSystems![0];
    expect(fs).toMatchObject({
      FileSystemId: ids.fs,
      FileSystemArn: `arn:aws:elasticfilesystem:${REGION}:${A}:file-system/${ids.fs}`,
      OwnerId: A,
      Name: 'main',
      LifeCycleState: 'available',
      NumberOfMountTargets: 2,
      Encrypted: true,
      PerformanceMode: 'generalPurpose',
      Tags: [{ Key: 'Name', Value: 'main' }],
    });
    expect(fs.CreationTime).toBeInstanceOf(Date);
    expect(fs.SizeInBytes?.Value).toBeGreaterThan(0);
    expect(out.NextMarker).toBeUndefined();
  });

  it('pages DescribeFileSystems with Marker/NextMarker (hand-rolled and with the SDK paginator)', async () => {
    const first = await client().send(new DescribeFileSystemsCommand({ MaxItems: 2 }));
    expect(first.FileSystems).toHaveLength(2);
    expect(first.NextMarker).toBeDefined();
    const second = await client().send(
      new DescribeFileSystemsCommand({ MaxItems: 2, Marker: first.NextMarker }),
    );
    expect(second.Marker).toBe(first.NextMarker);
    expect(second.FileSystems![0].FileSystemId).not.toBe(first.FileSystems![0].FileSystemId);

    const seen: string[] = [];
    for await (const page of paginateDescribeFileSystems({ client: client(), pageSize: 4 }, {})) {
      seen.push(...(page.FileSystems ?? []).map((f) => f.FileSystemId!));
    }
    // Six in eu-west-1 of account A; not the us-east-1 one, not account B's.
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    expect(seen).not.toContain(ids.fsB);
  });

  it('answers FileSystemNotFound (404) for an unknown or foreign file system', async () => {
    await expect(
      client().send(new DescribeFileSystemsCommand({ FileSystemId: 'fs-00000000000000000' })),
    ).rejects.toMatchObject({
      name: 'FileSystemNotFound',
      ErrorCode: 'FileSystemNotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      client().send(new DescribeFileSystemPolicyCommand({ FileSystemId: ids.fsB })),
    ).rejects.toMatchObject({ name: 'FileSystemNotFound' });
    await expect(
      client(keysB).send(new DescribeFileSystemsCommand({ FileSystemId: ids.fsB })),
    ).resolves.toMatchObject({
      FileSystems: [{ OwnerId: B }],
    });
  });

  it('refuses a bad marker with BadRequest', async () => {
    await expect(
      client().send(new DescribeFileSystemsCommand({ Marker: 'not-a-marker' })),
    ).rejects.toMatchObject({ name: 'BadRequest' });
    await expect(client().send(new DescribeFileSystemsCommand({ MaxItems: 0 }))).rejects.toMatchObject({
      name: 'BadRequest',
    });
  });

  describe('file system policy', () => {
    const allowRoot = (extra: object[] = []) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'node',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${A}:role/efs-csi-node` },
            Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
            Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
          },
          ...extra,
        ],
      });

    it('has none at first: PolicyNotFound 404', async () => {
      await expect(
        client().send(new DescribeFileSystemPolicyCommand({ FileSystemId: ids.fs })),
      ).rejects.toMatchObject({
        name: 'PolicyNotFound',
        ErrorCode: 'PolicyNotFound',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it('puts, reads back, overwrites (last writer wins) and deletes a policy', async () => {
      const first = allowRoot();
      const put = await client().send(
        new PutFileSystemPolicyCommand({ FileSystemId: ids.fs, Policy: first }),
      );
      expect(put).toMatchObject({ FileSystemId: ids.fs, Policy: first });
      await expect(
        client().send(new DescribeFileSystemPolicyCommand({ FileSystemId: ids.fs })),
      ).resolves.toMatchObject({ Policy: first });

      const second = allowRoot([
        {
          Sid: 'x',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${A}:root` },
          Action: 'elasticfilesystem:ClientMount',
        },
      ]);
      await Promise.all([
        client().send(new PutFileSystemPolicyCommand({ FileSystemId: ids.fs, Policy: first })),
        client().send(new PutFileSystemPolicyCommand({ FileSystemId: ids.fs, Policy: second })),
      ]);
      const stored = (await client().send(new DescribeFileSystemPolicyCommand({ FileSystemId: ids.fs })))
        .Policy;
      expect([first, second]).toContain(stored);

      await client().send(new DeleteFileSystemPolicyCommand({ FileSystemId: ids.fs }));
      await expect(
        client().send(new DescribeFileSystemPolicyCommand({ FileSystemId: ids.fs })),
      ).rejects.toMatchObject({ name: 'PolicyNotFound' });
      // Deleting again is not an error.
      await expect(
        client().send(new DeleteFileSystemPolicyCommand({ FileSystemId: ids.fs })),
      ).resolves.toBeDefined();
    });

    it('refuses malformed JSON, a non-policy and a policy over 20,000 characters with InvalidPolicyException', async () => {
      const put = (Policy: string) =>
        client().send(new PutFileSystemPolicyCommand({ FileSystemId: ids.fs, Policy }));
      await expect(put('{"Version": "2012-10-17", "Statement": [')).rejects.toMatchObject({
        name: 'InvalidPolicyException',
        ErrorCode: 'InvalidPolicyException',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(put('{"hello": "world"}')).rejects.toMatchObject({ name: 'InvalidPolicyException' });
      await expect(put('[1, 2, 3]')).rejects.toMatchObject({ name: 'InvalidPolicyException' });
      await expect(
        put(
          '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "elasticfilesystem:ClientMount"}]}',
        ),
      ).rejects.toMatchObject({
        name: 'InvalidPolicyException',
        message: expect.stringContaining('no Principal'),
      });

      // Exactly at the limit is accepted; one character more is not.
      const base = allowRoot();
      const padded = (length: number) => base.replace(/}$/, `${' '.repeat(length - base.length)}}`);
      expect(padded(MAX_FILE_SYSTEM_POLICY_LENGTH)).toHaveLength(MAX_FILE_SYSTEM_POLICY_LENGTH);
      await expect(put(padded(MAX_FILE_SYSTEM_POLICY_LENGTH))).resolves.toMatchObject({
        FileSystemId: ids.fs,
      });
      await expect(put(padded(MAX_FILE_SYSTEM_POLICY_LENGTH + 1))).rejects.toMatchObject({
        name: 'InvalidPolicyException',
        message: expect.stringContaining('20000'),
      });
      await client().send(new DeleteFileSystemPolicyCommand({ FileSystemId: ids.fs }));
    });

    it('refuses a policy that locks the caller out of PutFileSystemPolicy unless the check is bypassed', async () => {
      const lockout = allowRoot([
        {
          Sid: 'lock',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'elasticfilesystem:PutFileSystemPolicy',
          Resource: '*',
        },
      ]);
      await expect(
        client().send(new PutFileSystemPolicyCommand({ FileSystemId: ids.fs, Policy: lockout })),
      ).rejects.toMatchObject({
        name: 'InvalidPolicyException',
        message: expect.stringContaining('BypassPolicyLockoutSafetyCheck'),
      });
      await expect(
        client().send(new DescribeFileSystemPolicyCommand({ FileSystemId: ids.fs })),
      ).rejects.toMatchObject({ name: 'PolicyNotFound' });

      // A Deny aimed at someone else does not lock the caller out.
      const other = allowRoot([
        {
          Effect: 'Deny',
          Principal: { AWS: `arn:aws:iam::${A}:role/someone-else` },
          Action: 'elasticfilesystem:*',
        },
      ]);
      await expect(
        client().send(new PutFileSystemPolicyCommand({ FileSystemId: ids.fs, Policy: other })),
      ).resolves.toBeDefined();

      // A Deny on a wildcard action that covers PutFileSystemPolicy, for the caller's own ARN, does.
      const wildcard = allowRoot([
        {
          Effect: 'Deny',
          Principal: { AWS: `arn:aws:iam::${A}:user/sandbox-admin` },
          Action: 'elasticfilesystem:Put*',
        },
      ]);
      await expect(
        client().send(new PutFileSystemPolicyCommand({ FileSystemId: ids.fs, Policy: wildcard })),
      ).rejects.toMatchObject({
        name: 'InvalidPolicyException',
      });

      // An assumed-role session is judged as its role: a Deny naming the role locks the session out.
      const session = {
        accessKeyId: 'ASIASANDBOXSESSION01',
        secretAccessKey: 'session-secret',
        sessionToken: 'session-token',
      };
      sandbox.state.credentials.set(session.accessKeyId, {
        ...session,
        accountId: A,
        principalArn: `arn:aws:sts::${A}:assumed-role/efs-admin/ci`,
        roleArn: `arn:aws:iam::${A}:role/efs-admin`,
      });
      const denyRole = allowRoot([
        {
          Effect: 'Deny',
          Principal: { AWS: `arn:aws:iam::${A}:role/efs-admin` },
          Action: 'elasticfilesystem:PutFileSystemPolicy',
        },
      ]);
      await expect(
        client(session).send(new PutFileSystemPolicyCommand({ FileSystemId: ids.fs, Policy: denyRole })),
      ).rejects.toMatchObject({
        name: 'InvalidPolicyException',
        message: expect.stringContaining(`arn:aws:iam::${A}:role/efs-admin`),
      });
      // The user is not that role: the same policy does not lock it out.
      await expect(
        client().send(new PutFileSystemPolicyCommand({ FileSystemId: ids.fs, Policy: denyRole })),
      ).resolves.toBeDefined();

      const bypassed = await client().send(
        new PutFileSystemPolicyCommand({
          FileSystemId: ids.fs,
          Policy: lockout,
          BypassPolicyLockoutSafetyCheck: true,
        }),
      );
      expect(bypassed.Policy).toBe(lockout);
      await client().send(new DeleteFileSystemPolicyCommand({ FileSystemId: ids.fs }));
    });
  });

  it('describes mount targets by file system, by mount target and by access point, with paging', async () => {
    const byFs = await client().send(new DescribeMountTargetsCommand({ FileSystemId: ids.fs }));
    expect(byFs.MountTargets?.map((m) => m.MountTargetId).sort()).toEqual([ids.mtA, ids.mtB].sort());
    const mt = byFs.MountTargets!.find((m) => m.MountTargetId === ids.mtA)!;
    expect(mt).toMatchObject({
      FileSystemId: ids.fs,
      LifeCycleState: 'available',
      OwnerId: A,
      AvailabilityZoneName: 'eu-west-1a',
    });
    expect(mt.AvailabilityZoneId).toMatch(/^euw1-az[1-3]$/);
    expect(mt.IpAddress).toMatch(/^10\.1\.1\.\d+$/);
    expect(mt.VpcId).toMatch(/^vpc-/);

    const page1 = await client().send(new DescribeMountTargetsCommand({ FileSystemId: ids.fs, MaxItems: 1 }));
    expect(page1.MountTargets).toHaveLength(1);
    const page2 = await client().send(
      new DescribeMountTargetsCommand({ FileSystemId: ids.fs, MaxItems: 1, Marker: page1.NextMarker }),
    );
    expect(page2.MountTargets).toHaveLength(1);
    expect(page2.NextMarker).toBeUndefined();
    expect(page2.MountTargets![0].MountTargetId).not.toBe(page1.MountTargets![0].MountTargetId);

    await expect(
      client().send(new DescribeMountTargetsCommand({ MountTargetId: ids.mtA })),
    ).resolves.toMatchObject({ MountTargets: [{ MountTargetId: ids.mtA }] });
    await expect(
      client().send(new DescribeMountTargetsCommand({ AccessPointId: ids.ap })),
    ).resolves.toMatchObject({
      MountTargets: expect.arrayContaining([expect.objectContaining({ MountTargetId: ids.mtA })]),
    });
  });

  it('answers MountTargetNotFound, FileSystemNotFound and BadRequest for DescribeMountTargets', async () => {
    await expect(
      client().send(new DescribeMountTargetsCommand({ MountTargetId: 'fsmt-00000000000000000' })),
    ).rejects.toMatchObject({
      name: 'MountTargetNotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      client().send(new DescribeMountTargetsCommand({ FileSystemId: 'fs-00000000000000000' })),
    ).rejects.toMatchObject({ name: 'FileSystemNotFound' });
    // None of the three selectors: a missing required parameter.
    await expect(client().send(new DescribeMountTargetsCommand({}))).rejects.toMatchObject({
      name: 'BadRequest',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('describes mount target security groups; IncorrectMountTargetState when the mount target is not available', async () => {
    await expect(
      client().send(new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: ids.mtA })),
    ).resolves.toMatchObject({ SecurityGroups: [ids.sg] });
    await expect(
      client().send(new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: ids.mtB })),
    ).rejects.toMatchObject({
      name: 'IncorrectMountTargetState',
      $metadata: { httpStatusCode: 409 },
    });
    await expect(
      client().send(
        new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: 'fsmt-00000000000000000' }),
      ),
    ).rejects.toMatchObject({
      name: 'MountTargetNotFound',
    });
  });

  it('describes access points by file system and by ID, pages them, and answers AccessPointNotFound', async () => {
    const all = await client().send(new DescribeAccessPointsCommand({ FileSystemId: ids.fs }));
    expect(all.AccessPoints?.map((a) => a.Name).sort()).toEqual(['data', 'logs', 'tmp']);
    const one = await client().send(new DescribeAccessPointsCommand({ AccessPointId: ids.ap }));
    expect(one.AccessPoints).toEqual([
      expect.objectContaining({
        AccessPointId: ids.ap,
        AccessPointArn: `arn:aws:elasticfilesystem:${REGION}:${A}:access-point/${ids.ap}`,
        FileSystemId: ids.fs,
        PosixUser: { Uid: 1000, Gid: 1000 },
        RootDirectory: { Path: '/' },
        LifeCycleState: 'available',
        OwnerId: A,
      }),
    ]);

    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client().send(
        new DescribeAccessPointsCommand({ FileSystemId: ids.fs, MaxResults: 2, NextToken: token }),
      );
      names.push(...(page.AccessPoints ?? []).map((a) => a.Name!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(names.sort()).toEqual(['data', 'logs', 'tmp']);

    await expect(
      client().send(new DescribeAccessPointsCommand({ AccessPointId: 'fsap-00000000000000000' })),
    ).rejects.toMatchObject({
      name: 'AccessPointNotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      client().send(new DescribeAccessPointsCommand({ FileSystemId: 'fs-00000000000000000' })),
    ).rejects.toMatchObject({ name: 'FileSystemNotFound' });
  });

  it('throttles with ThrottlingException 429 on demand', async () => {
    sandbox.faults.add({
      service: 'elasticfilesystem',
      operation: 'DescribeFileSystems',
      fail: 'throttle',
      times: 1,
    });
    await expect(client().send(new DescribeFileSystemsCommand({}))).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 429 },
    });
    await expect(client().send(new DescribeFileSystemsCommand({}))).resolves.toBeDefined();
  });

  it('logs calls by operation name', async () => {
    sandbox.log.clear();
    await client().send(new DescribeFileSystemsCommand({ FileSystemId: ids.fs }));
    await client().send(new DescribeMountTargetsCommand({ FileSystemId: ids.fs }));
    expect(sandbox.log.summary()).toEqual({
      'elasticfilesystem:DescribeFileSystems': 1,
      'elasticfilesystem:DescribeMountTargets': 1,
    });
  });

  describe('bad requests get an EFS error, never a crash', () => {
    /** Sends a signed raw request (the SDK cannot be made to send these). */
    async function raw(
      method: string,
      path: string,
      body: string,
    ): Promise<{ status: number; json: Record<string, unknown>; errorType?: string }> {
      const url = new URL(sandbox.url);
      const signer = new SignatureV4({
        service: 'elasticfilesystem',
        region: REGION,
        credentials: keysA,
        sha256: Sha256,
      });
      const signed = await signer.sign({
        method,
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path,
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      });
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          { host: url.hostname, port: url.port, method, path, headers: signed.headers },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                json: JSON.parse(text) as Record<string, unknown>,
                errorType: res.headers['x-amzn-errortype'] as string | undefined,
              }),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }

    it('malformed JSON body', async () => {
      const out = await raw('PUT', `/2015-02-01/file-systems/${ids.fs}/policy`, '{"Policy": ');
      expect(out).toMatchObject({ status: 400, errorType: 'BadRequest', json: { ErrorCode: 'BadRequest' } });
    });

    it('missing required field', async () => {
      const out = await raw('PUT', `/2015-02-01/file-systems/${ids.fs}/policy`, '{}');
      expect(out).toMatchObject({
        status: 400,
        json: { ErrorCode: 'BadRequest', Message: expect.stringContaining('Policy') },
      });
      const typed = await raw('PUT', `/2015-02-01/file-systems/${ids.fs}/policy`, '{"Policy": 42}');
      expect(typed.status).toBe(400);
    });

    it('unknown operation', async () => {
      const out = await raw('GET', '/2015-02-01/no-such-thing', '');
      expect(out).toMatchObject({ status: 400, json: { ErrorCode: 'BadRequest' } });
    });
  });
});

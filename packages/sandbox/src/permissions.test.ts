import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  EFSClient,
  PutFileSystemPolicyCommand,
} from '@aws-sdk/client-efs';
import { DescribeClusterCommand, EKSClient, UpdateAddonCommand } from '@aws-sdk/client-eks';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { ListHostedZonesByVPCCommand, Route53Client } from '@aws-sdk/client-route-53';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  adminCredentials,
  newRole,
  readScenario,
  startSandbox,
  type Sandbox,
  type SandboxState,
} from './index';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const FS = 'fs-0a1b2c3d4e5f60718';
const FS_ARN = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${FS}`;
type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const TRUST_ACCOUNT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' },
  ],
});

/** Adds a role the account's admin may assume, with one inline identity policy. */
function addRoleWithPolicy(state: SandboxState, name: string, policy: object): void {
  const role = newRole(ACCOUNT, name, TRUST_ACCOUNT, { now: state.now() });
  role.inlinePolicies.set('policy', JSON.stringify(policy));
  state.accounts.get(ACCOUNT)!.iam.roles.set(name, role);
}

const READ_ONLY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['elasticfilesystem:Describe*', 'eks:Describe*', 'eks:List*'], Resource: '*' },
  ],
};

async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return {
      name: e.name,
      ...(e.$metadata?.httpStatusCode !== undefined ? { status: e.$metadata.httpStatusCode } : {}),
      message: e.message,
    };
  }
  throw new Error('expected the call to fail');
}

describe('permission enforcement (state.settings.enforcePermissions)', () => {
  let sandbox: Sandbox;
  let admin: Keys;
  const config = (credentials: Keys) => ({
    endpoint: sandbox.url,
    region: REGION,
    credentials,
    maxAttempts: 1,
  });

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'healthy',
      enforcePermissions: true,
      seed: (state) => {
        addRoleWithPolicy(state, 'efs-auditor', READ_ONLY);
        addRoleWithPolicy(state, 'efs-admin-but-policy', {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: '*', Resource: '*' },
            { Effect: 'Deny', Action: 'elasticfilesystem:PutFileSystemPolicy', Resource: '*' },
          ],
        });
        addRoleWithPolicy(state, 'efs-policy-writer-elsewhere', {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'elasticfilesystem:*',
              Resource: `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/fs-0ffffffffffffffff`,
            },
          ],
        });
        addRoleWithPolicy(state, 'efs-policy-writer', {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['elasticfilesystem:PutFileSystemPolicy', 'elasticfilesystem:DescribeFileSystemPolicy'],
              Resource: FS_ARN,
            },
          ],
        });
      },
    });
    admin = adminCredentials(sandbox.state, ACCOUNT)!;
  });
  afterAll(() => sandbox.stop());

  const assume = async (roleName: string): Promise<Keys> => {
    const out = await new STSClient(config(admin)).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`, RoleSessionName: 'test' }),
    );
    return {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    };
  };
  const currentPolicy = async () =>
    (await new EFSClient(config(admin)).send(new DescribeFileSystemPolicyCommand({ FileSystemId: FS })))
      .Policy;
  const put = (keys: Keys) =>
    new EFSClient(config(keys)).send(
      new PutFileSystemPolicyCommand({ FileSystemId: FS, Policy: currentPolicyText }),
    );
  let currentPolicyText = '';

  beforeEach(async () => {
    sandbox.state.settings.enforcePermissions = true;
    currentPolicyText = (await currentPolicy()) ?? '';
  });

  it('lets a read-only role Describe, and answers AccessDeniedException 403 on PutFileSystemPolicy, changing nothing', async () => {
    const auditor = await assume('efs-auditor');
    const efs = new EFSClient(config(auditor));
    expect(
      (await efs.send(new DescribeFileSystemsCommand({}))).FileSystems?.map((f) => f.FileSystemId),
    ).toEqual([FS]);
    expect((await efs.send(new DescribeFileSystemPolicyCommand({ FileSystemId: FS }))).Policy).toBe(
      currentPolicyText,
    );
    const denied = await failure(
      efs.send(
        new PutFileSystemPolicyCommand({
          FileSystemId: FS,
          Policy: '{"Version":"2012-10-17","Statement":[]}',
        }),
      ),
    );
    expect(denied).toEqual({
      name: 'AccessDeniedException',
      status: 403,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/efs-auditor/test is not authorized to perform: elasticfilesystem:PutFileSystemPolicy on resource: ${FS_ARN} because no identity-based policy allows the elasticfilesystem:PutFileSystemPolicy action`,
    });
    expect(await currentPolicy()).toBe(currentPolicyText);
    const logged = sandbox.log.calls.filter((c) => c.operation === 'PutFileSystemPolicy').pop();
    expect(logged).toMatchObject({
      service: 'elasticfilesystem',
      status: 403,
      errorCode: 'AccessDeniedException',
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/efs-auditor/test`,
    });
  });

  it("answers each service's own AccessDenied error", async () => {
    const auditor = await assume('efs-auditor');
    expect(
      (await new EKSClient(config(auditor)).send(new DescribeClusterCommand({ name: 'prod-eks' }))).cluster
        ?.name,
    ).toBe('prod-eks');
    const eks = await failure(
      new EKSClient(config(auditor)).send(
        new UpdateAddonCommand({
          clusterName: 'prod-eks',
          addonName: 'aws-efs-csi-driver',
          podIdentityAssociations: [],
        }),
      ),
    );
    expect(eks).toMatchObject({ name: 'AccessDeniedException', status: 403 });
    expect(eks.message).toMatch(
      /eks:UpdateAddon on resource: arn:aws:eks:eu-west-1:111122223333:addon\/prod-eks\/aws-efs-csi-driver\//,
    );
    const iam = await failure(
      new IAMClient(config(auditor)).send(new GetRoleCommand({ RoleName: 'prod-eks-efs-csi-node' })),
    );
    expect(iam).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(iam.message).toContain(
      `iam:GetRole on resource: arn:aws:iam::${ACCOUNT}:role/prod-eks-efs-csi-node because`,
    );
    const ec2 = await failure(new EC2Client(config(auditor)).send(new DescribeVpcsCommand({})));
    expect(ec2).toMatchObject({ name: 'UnauthorizedOperation', status: 403 });
    expect(ec2.message).toMatch(
      /^You are not authorized to perform this operation\. User: .* is not authorized to perform: ec2:DescribeVpcs because/,
    );
    const r53 = await failure(
      new Route53Client(config(auditor)).send(
        new ListHostedZonesByVPCCommand({ VPCId: 'vpc-0a5b9c3d7e1f24680', VPCRegion: REGION }),
      ),
    );
    expect(r53).toMatchObject({ name: 'AccessDenied', status: 403 });
    const sts = await failure(
      new STSClient(config(auditor)).send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/efs-auditor`,
          RoleSessionName: 'again',
        }),
      ),
    );
    expect(sts).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(sts.message).toContain(`sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/efs-auditor`);
    // GetCallerIdentity needs no permission, in AWS as here.
    expect((await new STSClient(config(auditor)).send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/efs-auditor/test`,
    );
  });

  it('says so when an explicit Deny refuses the call', async () => {
    const keys = await assume('efs-admin-but-policy');
    const denied = await failure(put(keys));
    expect(denied.message).toMatch(
      /elasticfilesystem:PutFileSystemPolicy on resource: .* with an explicit deny in an identity-based policy$/,
    );
    expect(
      (await new IAMClient(config(keys)).send(new GetRoleCommand({ RoleName: 'efs-auditor' }))).Role
        ?.RoleName,
    ).toBe('efs-auditor');
  });

  it('judges the file system ARN: an Allow for another file system does not help, one for this file system does', async () => {
    expect((await failure(put(await assume('efs-policy-writer-elsewhere')))).name).toBe(
      'AccessDeniedException',
    );
    await expect(put(await assume('efs-policy-writer'))).resolves.toBeDefined();
  });

  it('keeps the sandbox-admin user unrestricted, and lets everyone through when switched off', async () => {
    await expect(put(admin)).resolves.toBeDefined();
    sandbox.state.settings.enforcePermissions = false;
    await expect(put(await assume('efs-auditor'))).resolves.toBeDefined();
  });
});

describe('a scenario that restricts its sandbox-admin user', () => {
  it('refuses the admin what its policies do not allow', async () => {
    const data = readScenario('healthy');
    data.accounts[0]!.admin = { inlinePolicies: { 'read-only': READ_ONLY } };
    data.settings = { ...data.settings, enforcePermissions: true };
    const sandbox = await startSandbox({ scenario: data });
    try {
      const keys = adminCredentials(sandbox.state, ACCOUNT)!;
      const efs = new EFSClient({ endpoint: sandbox.url, region: REGION, credentials: keys, maxAttempts: 1 });
      expect((await efs.send(new DescribeFileSystemsCommand({}))).FileSystems).toHaveLength(1);
      const denied = await failure(
        efs.send(new PutFileSystemPolicyCommand({ FileSystemId: FS, Policy: '{}' })),
      );
      expect(denied.message).toContain(
        `User: arn:aws:iam::${ACCOUNT}:user/sandbox-admin is not authorized to perform: elasticfilesystem:PutFileSystemPolicy`,
      );
    } finally {
      await sandbox.stop();
    }
  });
});

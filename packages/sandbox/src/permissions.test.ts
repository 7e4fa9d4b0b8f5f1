import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeFileSystemPolicyCommand,
  DescribeFileSystemsCommand,
  EFSClient,
  PutFileSystemPolicyCommand,
} from '@aws-sdk/client-efs';
import {
  CreatePodIdentityAssociationCommand,
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListPodIdentityAssociationsCommand,
  UpdateAddonCommand,
  UpdatePodIdentityAssociationCommand,
} from '@aws-sdk/client-eks';
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

describe('iam:PassRole on the roles an EKS call passes to Pod Identity', () => {
  const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod-eks`;
  const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-eks-efs-csi-node`;
  const CONTROLLER_ROLE = `arn:aws:iam::${ACCOUNT}:role/prod-eks-efs-csi-controller`;
  const OTHER_ROLE = `arn:aws:iam::444455556666:role/prod-eks-efs-provisioner`;
  const EKS_WRITES = {
    Effect: 'Allow',
    Action: [
      'eks:CreatePodIdentityAssociation',
      'eks:UpdatePodIdentityAssociation',
      'eks:DeletePodIdentityAssociation',
      'eks:UpdateAddon',
      'eks:ListPodIdentityAssociations',
    ],
    Resource: [
      CLUSTER_ARN,
      `arn:aws:eks:${REGION}:${ACCOUNT}:podidentityassociation/prod-eks/*`,
      `arn:aws:eks:${REGION}:${ACCOUNT}:addon/prod-eks/aws-efs-csi-driver/*`,
    ],
  };
  const passRole = (resource: string | string[], service: string) => ({
    Effect: 'Allow',
    Action: 'iam:PassRole',
    Resource: resource,
    Condition: { StringEquals: { 'iam:PassedToService': service } },
  });
  const policy = (...statements: object[]) => ({
    Version: '2012-10-17',
    Statement: [EKS_WRITES, ...statements],
  });

  let sandbox: Sandbox;
  let admin: Keys;
  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: 'healthy',
      enforcePermissions: true,
      seed: (state) => {
        addRoleWithPolicy(state, 'eks-without-passrole', policy());
        addRoleWithPolicy(
          state,
          'eks-passrole-to-pods',
          policy(passRole(`arn:aws:iam::${ACCOUNT}:role/*`, 'pods.eks.amazonaws.com')),
        );
        addRoleWithPolicy(
          state,
          'eks-passrole-to-ec2',
          policy(passRole(`arn:aws:iam::${ACCOUNT}:role/*`, 'ec2.amazonaws.com')),
        );
        addRoleWithPolicy(
          state,
          'eks-passrole-node-only',
          policy(passRole(NODE_ROLE, 'pods.eks.amazonaws.com')),
        );
        addRoleWithPolicy(
          state,
          'eks-passrole-denied',
          policy(passRole(`arn:aws:iam::${ACCOUNT}:role/*`, 'pods.eks.amazonaws.com'), {
            Effect: 'Deny',
            Action: 'iam:PassRole',
            Resource: NODE_ROLE,
          }),
        );
      },
    });
    admin = adminCredentials(sandbox.state, ACCOUNT)!;
  });
  afterAll(() => sandbox.stop());

  const eksAs = async (roleName: string) => {
    const out = await new STSClient({ endpoint: sandbox.url, region: REGION, credentials: admin }).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`, RoleSessionName: 'test' }),
    );
    return new EKSClient({
      endpoint: sandbox.url,
      region: REGION,
      maxAttempts: 1,
      credentials: {
        accessKeyId: out.Credentials!.AccessKeyId!,
        secretAccessKey: out.Credentials!.SecretAccessKey!,
        sessionToken: out.Credentials!.SessionToken!,
      },
    });
  };
  const adminEks = () => new EKSClient({ endpoint: sandbox.url, region: REGION, credentials: admin });
  const associationsOf = async (serviceAccount: string) =>
    (
      await adminEks().send(
        new ListPodIdentityAssociationsCommand({ clusterName: 'prod-eks', serviceAccount }),
      )
    ).associations ?? [];
  const create = (eks: EKSClient, serviceAccount: string, targetRoleArn?: string) =>
    eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'prod-eks',
        namespace: 'orders',
        serviceAccount,
        roleArn: NODE_ROLE,
        ...(targetRoleArn ? { targetRoleArn } : {}),
      }),
    );
  const addonRoles = async () =>
    (
      await adminEks().send(
        new DescribeAddonCommand({ clusterName: 'prod-eks', addonName: 'aws-efs-csi-driver' }),
      )
    ).addon?.podIdentityAssociations ?? [];

  it('CreatePodIdentityAssociation without iam:PassRole: AccessDeniedException naming iam:PassRole and the role, nothing created', async () => {
    const denied = await failure(create(await eksAs('eks-without-passrole'), 'orders-a'));
    expect(denied).toEqual({
      name: 'AccessDeniedException',
      status: 403,
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/eks-without-passrole/test is not authorized to perform: iam:PassRole on resource: ${NODE_ROLE} because no identity-based policy allows the iam:PassRole action`,
    });
    expect(await associationsOf('orders-a')).toEqual([]);
    expect(
      sandbox.log.calls.filter((c) => c.operation === 'CreatePodIdentityAssociation').pop(),
    ).toMatchObject({ service: 'eks', status: 403, errorCode: 'AccessDeniedException' });
  });

  it('with iam:PassRole to pods.eks.amazonaws.com: created', async () => {
    const out = await create(await eksAs('eks-passrole-to-pods'), 'orders-b');
    expect(out.association?.roleArn).toBe(NODE_ROLE);
    expect(await associationsOf('orders-b')).toHaveLength(1);
  });

  it('with iam:PassRole only to another service (iam:PassedToService ec2.amazonaws.com): refused', async () => {
    const denied = await failure(create(await eksAs('eks-passrole-to-ec2'), 'orders-c'));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toContain(
      `iam:PassRole on resource: ${NODE_ROLE} because no identity-based policy`,
    );
    expect(await associationsOf('orders-c')).toEqual([]);
  });

  it('an explicit Deny on PassRole of that role wins over the Allow, and says so', async () => {
    const denied = await failure(create(await eksAs('eks-passrole-denied'), 'orders-d'));
    expect(denied.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/eks-passrole-denied/test is not authorized to perform: iam:PassRole on resource: ${NODE_ROLE} with an explicit deny in an identity-based policy`,
    );
  });

  it('the target role is not passed: PassRole on the association role alone suffices with a targetRoleArn', async () => {
    const out = await create(await eksAs('eks-passrole-node-only'), 'orders-e', OTHER_ROLE);
    expect(out.association?.targetRoleArn).toBe(OTHER_ROLE);
  });

  it('UpdatePodIdentityAssociation asks for PassRole on a new roleArn, not when only the target changes', async () => {
    const created = await create(await eksAs('eks-passrole-to-pods'), 'orders-f');
    const id = created.association!.associationId!;
    const nodeOnly = await eksAs('eks-passrole-node-only');
    const denied = await failure(
      nodeOnly.send(
        new UpdatePodIdentityAssociationCommand({
          clusterName: 'prod-eks',
          associationId: id,
          roleArn: CONTROLLER_ROLE,
        }),
      ),
    );
    expect(denied.message).toContain(`iam:PassRole on resource: ${CONTROLLER_ROLE} because`);
    expect((await associationsOf('orders-f'))[0]?.associationId).toBe(id);
    const described = await adminEks().send(
      new DescribePodIdentityAssociationCommand({ clusterName: 'prod-eks', associationId: id }),
    );
    expect(described.association?.roleArn).toBe(NODE_ROLE);
    const retargeted = await nodeOnly.send(
      new UpdatePodIdentityAssociationCommand({
        clusterName: 'prod-eks',
        associationId: id,
        targetRoleArn: OTHER_ROLE,
      }),
    );
    expect(retargeted.association?.targetRoleArn).toBe(OTHER_ROLE);
  });

  it('UpdateAddon with podIdentityAssociations asks for PassRole on every role of the list', async () => {
    const before = await addonRoles();
    const list = [
      { serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE },
      { serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE },
    ];
    const update = (eks: EKSClient) =>
      eks.send(
        new UpdateAddonCommand({
          clusterName: 'prod-eks',
          addonName: 'aws-efs-csi-driver',
          podIdentityAssociations: list,
        }),
      );
    // PassRole on the node role only: the controller's role in the same list is refused.
    const denied = await failure(update(await eksAs('eks-passrole-node-only')));
    expect(denied.message).toContain(`iam:PassRole on resource: ${CONTROLLER_ROLE} because`);
    expect((await failure(update(await eksAs('eks-passrole-to-ec2')))).message).toContain('iam:PassRole');
    expect(await addonRoles()).toEqual(before);
    await expect(update(await eksAs('eks-passrole-to-pods'))).resolves.toBeDefined();
    // Without a list nothing is passed: the add-on's own action is all that is asked for.
    await expect(
      (await eksAs('eks-without-passrole')).send(
        new UpdateAddonCommand({ clusterName: 'prod-eks', addonName: 'aws-efs-csi-driver' }),
      ),
    ).resolves.toBeDefined();
  });
});

import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  paginateListRoles,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { addAccount, startSandbox, type Sandbox } from '../index';
import { iamId } from '../state/iam';
import { AWS_MANAGED_POLICIES } from './aws-managed-policies';
import { identityAllows } from './iam';

const A = '111111111111';
const B = '222222222222';

const TRUST_EC2 = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
/** Pretty-printed, with characters that URL encoding must escape (spaces, newlines, quotes, colons, slashes). */
const TRUST_POD_IDENTITY = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      },
    ],
  },
  null,
  2,
);
const EFS_MOUNT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['elasticfilesystem:ClientMount'],
      Resource: 'arn:aws:elasticfilesystem:eu-west-1:111111111111:file-system/fs-0123456789abcdef0',
    },
  ],
});

/** The name the SDK gives a query-protocol error code (`NoSuchEntity` → `NoSuchEntityException`). */
const rejectsWith = async (promise: Promise<unknown>, name: string, status?: number, message?: RegExp) => {
  const error = (await promise.then(
    () => {
      throw new Error(`expected ${name}, but the call succeeded`);
    },
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
  expect(error.name).toBe(name);
  if (status !== undefined) expect(error.$metadata?.httpStatusCode).toBe(status);
  if (message) expect(error.message).toMatch(message);
};

describe('IAM through @aws-sdk/client-iam', () => {
  let sandbox: Sandbox;
  let keysA: { accessKeyId: string; secretAccessKey: string };
  let keysB: { accessKeyId: string; secretAccessKey: string };
  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: (state) => {
        keysA = addAccount(state, A);
        keysB = addAccount(state, B);
      },
    });
  });
  afterAll(() => sandbox.stop());

  const client = (keys = keysA) =>
    new IAMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
  const createRole = (
    name: string,
    extra: Partial<ConstructorParameters<typeof CreateRoleCommand>[0]> = {},
    keys = keysA,
  ) =>
    client(keys).send(
      new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST_EC2, ...extra }),
    );

  describe('roles', () => {
    it('creates a role and reads it back with AROA ID, ARN, dates and the trust policy URL-encoded', async () => {
      const created = await createRole('efs-csi-node', {
        Path: '/eks/',
        Description: 'node role',
        AssumeRolePolicyDocument: TRUST_POD_IDENTITY,
        Tags: [{ Key: 'team', Value: 'storage' }],
      });
      expect(created.Role).toMatchObject({
        RoleName: 'efs-csi-node',
        Path: '/eks/',
        Arn: `arn:aws:iam::${A}:role/eks/efs-csi-node`,
      });
      expect(created.Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
      const { Role } = await client().send(new GetRoleCommand({ RoleName: 'efs-csi-node' }));
      expect(Role).toMatchObject({
        RoleId: created.Role?.RoleId,
        Description: 'node role',
        MaxSessionDuration: 3600,
        Tags: [{ Key: 'team', Value: 'storage' }],
      });
      expect(Role?.CreateDate).toBeInstanceOf(Date);
      // The SDK does not decode IAM's URL-encoded documents: the client sees what it would see against AWS.
      const raw = Role?.AssumeRolePolicyDocument ?? '';
      expect(raw).toMatch(/^%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22%2C/);
      expect(raw).not.toMatch(/[{}":\s]/);
      expect(decodeURIComponent(raw)).toBe(TRUST_POD_IDENTITY);
    });

    it('refuses a second role of the same name, whatever its case, with EntityAlreadyExists (409)', async () => {
      await createRole('dupe');
      await rejectsWith(
        createRole('dupe'),
        'EntityAlreadyExistsException',
        409,
        /Role with name dupe already exists/,
      );
      await rejectsWith(createRole('DUPE'), 'EntityAlreadyExistsException', 409);
    });

    it('answers NoSuchEntity (404) for a role that does not exist', async () => {
      await rejectsWith(
        client().send(new GetRoleCommand({ RoleName: 'nope' })),
        'NoSuchEntityException',
        404,
        /The role with name nope cannot be found/,
      );
    });

    it('keeps accounts apart: a role of one account is not found from the other', async () => {
      await createRole('only-in-b', {}, keysB);
      await rejectsWith(
        client(keysA).send(new GetRoleCommand({ RoleName: 'only-in-b' })),
        'NoSuchEntityException',
      );
      await expect(client(keysB).send(new GetRoleCommand({ RoleName: 'only-in-b' }))).resolves.toMatchObject({
        Role: { Arn: `arn:aws:iam::${B}:role/only-in-b` },
      });
    });

    it('answers ValidationError for a bad role name, path or session duration', async () => {
      await rejectsWith(
        createRole('bad name!'),
        'ValidationError',
        400,
        /at 'roleName' failed to satisfy constraint/,
      );
      await rejectsWith(createRole('x'.repeat(65)), 'ValidationError', 400);
      await rejectsWith(createRole('ok-name', { Path: 'no-slashes' }), 'ValidationError', 400, /'path'/);
      await rejectsWith(createRole('ok-name', { MaxSessionDuration: 60 }), 'ValidationError', 400);
    });

    it('answers MalformedPolicyDocument for a trust policy that is not JSON, not a policy, or not a trust policy', async () => {
      await rejectsWith(
        createRole('m1', { AssumeRolePolicyDocument: '{not json' }),
        'MalformedPolicyDocumentException',
        400,
        /invalid Json/,
      );
      await rejectsWith(
        createRole('m2', { AssumeRolePolicyDocument: '{"foo": 1}' }),
        'MalformedPolicyDocumentException',
        400,
        /Syntax errors/,
      );
      await rejectsWith(
        createRole('m3', { AssumeRolePolicyDocument: '[]' }),
        'MalformedPolicyDocumentException',
        400,
      );
      const withResource = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ec2.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Resource: '*',
          },
        ],
      };
      await rejectsWith(
        createRole('m4', { AssumeRolePolicyDocument: JSON.stringify(withResource) }),
        'MalformedPolicyDocumentException',
        400,
        /prohibited field Resource/,
      );
      const noPrincipal = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }],
      };
      await rejectsWith(
        createRole('m5', { AssumeRolePolicyDocument: JSON.stringify(noPrincipal) }),
        'MalformedPolicyDocumentException',
        400,
        /Principal/,
      );
      const s3Action = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: A }, Action: 's3:GetObject' }],
      };
      await rejectsWith(
        createRole('m6', { AssumeRolePolicyDocument: JSON.stringify(s3Action) }),
        'MalformedPolicyDocumentException',
        400,
        /STS/,
      );
      const missingRole = {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/ghost` }, Action: 'sts:AssumeRole' },
        ],
      };
      await rejectsWith(
        createRole('m7', { AssumeRolePolicyDocument: JSON.stringify(missingRole) }),
        'MalformedPolicyDocumentException',
        400,
        /Invalid principal/,
      );
      await rejectsWith(client().send(new GetRoleCommand({ RoleName: 'm1' })), 'NoSuchEntityException');
    });

    it('answers LimitExceeded for a trust policy over 2,048 characters (whitespace not counted)', async () => {
      const big = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ec2.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': Array(200).fill(A) } },
          },
        ],
      };
      await rejectsWith(
        createRole('too-big', { AssumeRolePolicyDocument: JSON.stringify(big) }),
        'LimitExceededException',
        409,
        /ACLSizePerRole/,
      );
      // The same length made of whitespace is fine.
      await expect(
        createRole('spaced', { AssumeRolePolicyDocument: TRUST_EC2 + ' '.repeat(3000) }),
      ).resolves.toBeDefined();
    });

    it('replaces the trust policy with UpdateAssumeRolePolicy and validates it', async () => {
      await createRole('updatable');
      await client().send(
        new UpdateAssumeRolePolicyCommand({ RoleName: 'updatable', PolicyDocument: TRUST_POD_IDENTITY }),
      );
      const { Role } = await client().send(new GetRoleCommand({ RoleName: 'updatable' }));
      expect(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '')).toBe(TRUST_POD_IDENTITY);
      await rejectsWith(
        client().send(new UpdateAssumeRolePolicyCommand({ RoleName: 'updatable', PolicyDocument: 'nope' })),
        'MalformedPolicyDocumentException',
      );
      await rejectsWith(
        client().send(new UpdateAssumeRolePolicyCommand({ RoleName: 'ghost', PolicyDocument: TRUST_EC2 })),
        'NoSuchEntityException',
        404,
      );
    });

    it('refuses to delete a role with attached or inline policies (DeleteConflict) and deletes it once they are gone', async () => {
      await createRole('doomed');
      await client().send(
        new AttachRolePolicyCommand({
          RoleName: 'doomed',
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
        }),
      );
      await client().send(
        new PutRolePolicyCommand({ RoleName: 'doomed', PolicyName: 'inline', PolicyDocument: EFS_MOUNT }),
      );
      await rejectsWith(
        client().send(new DeleteRoleCommand({ RoleName: 'doomed' })),
        'DeleteConflictException',
        409,
        /detach all policies/,
      );
      await client().send(
        new DetachRolePolicyCommand({
          RoleName: 'doomed',
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
        }),
      );
      await rejectsWith(
        client().send(new DeleteRoleCommand({ RoleName: 'doomed' })),
        'DeleteConflictException',
        409,
        /delete policies/,
      );
      await client().send(new DeleteRolePolicyCommand({ RoleName: 'doomed', PolicyName: 'inline' }));
      await client().send(new DeleteRoleCommand({ RoleName: 'doomed' }));
      await rejectsWith(client().send(new GetRoleCommand({ RoleName: 'doomed' })), 'NoSuchEntityException');
      await rejectsWith(
        client().send(new DeleteRoleCommand({ RoleName: 'doomed' })),
        'NoSuchEntityException',
        404,
      );
    });

    it('pages ListRoles with MaxItems=1 and Marker, honours PathPrefix, and works with the SDK paginator', async () => {
      const iam = client(keysB);
      for (const name of ['page-c', 'page-a', 'page-b']) await createRole(name, { Path: '/paging/' }, keysB);
      const names: string[] = [];
      let marker: string | undefined;
      let calls = 0;
      do {
        const page = await iam.send(
          new ListRolesCommand({
            PathPrefix: '/paging/',
            MaxItems: 1,
            ...(marker ? { Marker: marker } : {}),
          }),
        );
        calls++;
        expect(page.Roles).toHaveLength(1);
        expect(page.Roles?.[0].Tags).toBeUndefined();
        expect(decodeURIComponent(page.Roles?.[0].AssumeRolePolicyDocument ?? '')).toBe(TRUST_EC2);
        names.push(...(page.Roles ?? []).map((r) => r.RoleName ?? ''));
        marker = page.IsTruncated ? page.Marker : undefined;
        if (page.IsTruncated) expect(page.Marker).toBeTruthy();
      } while (marker);
      expect(names).toEqual(['page-a', 'page-b', 'page-c']);
      expect(calls).toBe(3);
      const viaPaginator: string[] = [];
      for await (const page of paginateListRoles({ client: iam, pageSize: 2 }, {}))
        viaPaginator.push(...(page.Roles ?? []).map((r) => r.RoleName ?? ''));
      expect(viaPaginator).toEqual(expect.arrayContaining(['only-in-b', 'page-a', 'page-b', 'page-c']));
      await rejectsWith(iam.send(new ListRolesCommand({ MaxItems: 0 })), 'ValidationError', 400, /maxItems/);
      await rejectsWith(iam.send(new ListRolesCommand({ Marker: 'not-a-marker' })), 'ValidationError', 400);
    });
  });

  describe('inline policies', () => {
    beforeAll(() => createRole('inline-host'));

    it('puts, reads (URL-encoded), lists with paging and deletes inline policies', async () => {
      const iam = client();
      for (const name of ['p3', 'p1', 'p2'])
        await iam.send(
          new PutRolePolicyCommand({ RoleName: 'inline-host', PolicyName: name, PolicyDocument: EFS_MOUNT }),
        );
      const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'inline-host', PolicyName: 'p1' }));
      expect(got).toMatchObject({ RoleName: 'inline-host', PolicyName: 'p1' });
      expect(got.PolicyDocument).toBe(encodeURIComponent(EFS_MOUNT));
      expect(JSON.parse(decodeURIComponent(got.PolicyDocument ?? ''))).toEqual(JSON.parse(EFS_MOUNT));
      const pages: string[][] = [];
      let marker: string | undefined;
      do {
        const page = await iam.send(
          new ListRolePoliciesCommand({
            RoleName: 'inline-host',
            MaxItems: 1,
            ...(marker ? { Marker: marker } : {}),
          }),
        );
        pages.push(page.PolicyNames ?? []);
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      expect(pages).toEqual([['p1'], ['p2'], ['p3']]);
      // Overwriting keeps one policy of that name.
      await iam.send(
        new PutRolePolicyCommand({ RoleName: 'inline-host', PolicyName: 'p1', PolicyDocument: EFS_MOUNT }),
      );
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'inline-host' }))).PolicyNames).toEqual([
        'p1',
        'p2',
        'p3',
      ]);
      for (const name of ['p1', 'p2', 'p3'])
        await iam.send(new DeleteRolePolicyCommand({ RoleName: 'inline-host', PolicyName: name }));
      expect(await iam.send(new ListRolePoliciesCommand({ RoleName: 'inline-host' }))).toMatchObject({
        PolicyNames: [],
        IsTruncated: false,
      });
    });

    it('answers NoSuchEntity for a missing inline policy or role', async () => {
      await rejectsWith(
        client().send(new GetRolePolicyCommand({ RoleName: 'inline-host', PolicyName: 'none' })),
        'NoSuchEntityException',
        404,
        /role policy with name none/,
      );
      await rejectsWith(
        client().send(new DeleteRolePolicyCommand({ RoleName: 'inline-host', PolicyName: 'none' })),
        'NoSuchEntityException',
        404,
      );
      await rejectsWith(
        client().send(
          new PutRolePolicyCommand({ RoleName: 'ghost', PolicyName: 'x', PolicyDocument: EFS_MOUNT }),
        ),
        'NoSuchEntityException',
        404,
      );
    });

    it('answers MalformedPolicyDocument for invalid JSON, a principal in an identity policy, or a statement without resources', async () => {
      const put = (doc: string) =>
        client().send(
          new PutRolePolicyCommand({ RoleName: 'inline-host', PolicyName: 'bad', PolicyDocument: doc }),
        );
      await rejectsWith(
        put('{"Version": "2012-10-17", "Statement": ['),
        'MalformedPolicyDocumentException',
        400,
        /invalid Json/,
      );
      await rejectsWith(
        put(
          '{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}',
        ),
        'MalformedPolicyDocumentException',
        400,
      );
      await rejectsWith(
        put('{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}'),
        'MalformedPolicyDocumentException',
        400,
        /principal/,
      );
      await rejectsWith(
        put('{"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}'),
        'MalformedPolicyDocumentException',
        400,
        /resources/,
      );
      await rejectsWith(
        put(
          '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}}]}',
        ),
        'MalformedPolicyDocumentException',
        400,
      );
    });

    it('answers LimitExceeded when the inline policies of a role exceed 10,240 characters together', async () => {
      const statement = (i: number) => ({
        Sid: `S${i}`,
        Effect: 'Allow',
        Action: 'elasticfilesystem:ClientMount',
        Resource: `arn:aws:elasticfilesystem:eu-west-1:${A}:file-system/fs-${String(i).padStart(17, '0')}`,
      });
      const doc = (n: number, from = 0) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: Array.from({ length: n }, (_, i) => statement(from + i)),
        });
      await client().send(
        new PutRolePolicyCommand({ RoleName: 'inline-host', PolicyName: 'half', PolicyDocument: doc(40) }),
      );
      await rejectsWith(
        client().send(
          new PutRolePolicyCommand({
            RoleName: 'inline-host',
            PolicyName: 'other-half',
            PolicyDocument: doc(40, 40),
          }),
        ),
        'LimitExceededException',
        409,
        /Maximum policy size of 10240 bytes exceeded for role inline-host/,
      );
      // Replacing the existing one with a same-sized document is within the quota.
      await client().send(
        new PutRolePolicyCommand({
          RoleName: 'inline-host',
          PolicyName: 'half',
          PolicyDocument: doc(40, 40),
        }),
      );
      await client().send(new DeleteRolePolicyCommand({ RoleName: 'inline-host', PolicyName: 'half' }));
    });
  });

  describe('managed policies', () => {
    beforeAll(() => createRole('managed-host'));

    it('has every AWS-managed policy the rules name, in every account, with a realistic document', async () => {
      const names = [
        'AmazonEKSWorkerNodePolicy',
        'AmazonEKSWorkerNodeMinimalPolicy',
        'AmazonEKS_CNI_Policy',
        'AmazonEC2ContainerRegistryReadOnly',
        'AmazonEC2ContainerRegistryPullOnly',
        'AmazonElasticFileSystemClientFullAccess',
        'AmazonElasticFileSystemClientReadWriteAccess',
        'AmazonElasticFileSystemClientReadOnlyAccess',
        'AmazonElasticFileSystemsUtils',
        'service-role/AmazonEFSCSIDriverPolicy',
        'AmazonS3FilesClientFullAccess',
        'AmazonS3ReadOnlyAccess',
      ];
      expect([...AWS_MANAGED_POLICIES.keys()].sort()).toEqual(
        names.map((n) => `arn:aws:iam::aws:policy/${n}`).sort(),
      );
      for (const keys of [keysA, keysB]) {
        for (const name of names) {
          const arn = `arn:aws:iam::aws:policy/${name}`;
          const { Policy } = await client(keys).send(new GetPolicyCommand({ PolicyArn: arn }));
          expect(Policy).toMatchObject({ Arn: arn, PolicyName: name.split('/').pop(), IsAttachable: true });
          expect(Policy?.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
          const { PolicyVersion } = await client(keys).send(
            new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy?.DefaultVersionId }),
          );
          expect(PolicyVersion?.IsDefaultVersion).toBe(true);
          const document = JSON.parse(decodeURIComponent(PolicyVersion?.Document ?? '')) as {
            Statement: unknown[];
          };
          expect(document.Statement.length).toBeGreaterThan(0);
        }
      }
      const full = await client().send(
        new GetPolicyVersionCommand({
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonElasticFileSystemClientFullAccess',
          VersionId: 'v2',
        }),
      );
      expect(decodeURIComponent(full.PolicyVersion?.Document ?? '')).toContain(
        'elasticfilesystem:ClientRootAccess',
      );
    });

    it('attaches, lists with paging, counts attachments and detaches managed policies', async () => {
      const iam = client();
      const arns = [
        'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
        'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
        'arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy',
      ];
      for (const arn of arns)
        await iam.send(new AttachRolePolicyCommand({ RoleName: 'managed-host', PolicyArn: arn }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'managed-host', PolicyArn: arns[0] })); // twice: no-op
      const seen: { PolicyName?: string; PolicyArn?: string }[] = [];
      let marker: string | undefined;
      do {
        const page = await iam.send(
          new ListAttachedRolePoliciesCommand({
            RoleName: 'managed-host',
            MaxItems: 1,
            ...(marker ? { Marker: marker } : {}),
          }),
        );
        expect(page.AttachedPolicies).toHaveLength(1);
        seen.push(...(page.AttachedPolicies ?? []));
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      expect(seen.map((p) => p.PolicyArn).sort()).toEqual([...arns].sort());
      expect(seen.find((p) => p.PolicyArn === arns[2])?.PolicyName).toBe('AmazonEFSCSIDriverPolicy');
      const onlyServiceRole = await iam.send(
        new ListAttachedRolePoliciesCommand({ RoleName: 'managed-host', PathPrefix: '/service-role/' }),
      );
      expect(onlyServiceRole.AttachedPolicies?.map((p) => p.PolicyName)).toEqual([
        'AmazonEFSCSIDriverPolicy',
      ]);
      expect((await iam.send(new GetPolicyCommand({ PolicyArn: arns[0] }))).Policy?.AttachmentCount).toBe(1);
      expect(
        (await client(keysB).send(new GetPolicyCommand({ PolicyArn: arns[0] }))).Policy?.AttachmentCount,
      ).toBe(0);
      for (const arn of arns)
        await iam.send(new DetachRolePolicyCommand({ RoleName: 'managed-host', PolicyArn: arn }));
      expect(
        (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'managed-host' }))).AttachedPolicies,
      ).toEqual([]);
    });

    it('answers NoSuchEntity, InvalidInput and LimitExceeded for bad attachments', async () => {
      const iam = client();
      await rejectsWith(
        iam.send(
          new AttachRolePolicyCommand({
            RoleName: 'managed-host',
            PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy',
          }),
        ),
        'NoSuchEntityException',
        404,
        /does not exist or is not attachable/,
      );
      await rejectsWith(
        iam.send(new AttachRolePolicyCommand({ RoleName: 'managed-host', PolicyArn: 'not-an-arn' })),
        'InvalidInputException',
        400,
        /is not valid/,
      );
      await rejectsWith(
        iam.send(
          new DetachRolePolicyCommand({
            RoleName: 'managed-host',
            PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
          }),
        ),
        'NoSuchEntityException',
        404,
      );
      await rejectsWith(
        iam.send(
          new AttachRolePolicyCommand({
            RoleName: 'ghost',
            PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
          }),
        ),
        'NoSuchEntityException',
        404,
      );
      await rejectsWith(
        iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${A}:policy/missing` })),
        'NoSuchEntityException',
        404,
      );
      await rejectsWith(
        iam.send(
          new GetPolicyVersionCommand({
            PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
            VersionId: 'v99',
          }),
        ),
        'NoSuchEntityException',
        404,
      );
      const arns = [...AWS_MANAGED_POLICIES.keys()].slice(0, 10);
      for (const arn of arns)
        await iam.send(new AttachRolePolicyCommand({ RoleName: 'managed-host', PolicyArn: arn }));
      await rejectsWith(
        iam.send(
          new AttachRolePolicyCommand({
            RoleName: 'managed-host',
            PolicyArn: [...AWS_MANAGED_POLICIES.keys()][10],
          }),
        ),
        'LimitExceededException',
        409,
        /PoliciesPerRole: 10/,
      );
      for (const arn of arns)
        await iam.send(new DetachRolePolicyCommand({ RoleName: 'managed-host', PolicyArn: arn }));
    });

    it('creates customer-managed policies that can be read, attached and are unique by name', async () => {
      const iam = client();
      const { Policy } = await iam.send(
        new CreatePolicyCommand({
          PolicyName: 'efs-node-mount',
          PolicyDocument: EFS_MOUNT,
          Path: '/efs/',
          Description: 'mount only',
        }),
      );
      expect(Policy).toMatchObject({
        Arn: `arn:aws:iam::${A}:policy/efs/efs-node-mount`,
        DefaultVersionId: 'v1',
        AttachmentCount: 0,
      });
      expect(Policy?.PolicyId).toMatch(/^ANPA/);
      const got = await iam.send(new GetPolicyCommand({ PolicyArn: Policy?.Arn }));
      expect(got.Policy).toMatchObject({ Description: 'mount only', Path: '/efs/' });
      const version = await iam.send(
        new GetPolicyVersionCommand({ PolicyArn: Policy?.Arn, VersionId: 'v1' }),
      );
      expect(version.PolicyVersion?.Document).toBe(encodeURIComponent(EFS_MOUNT));
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'managed-host', PolicyArn: Policy?.Arn }));
      expect((await iam.send(new GetPolicyCommand({ PolicyArn: Policy?.Arn }))).Policy?.AttachmentCount).toBe(
        1,
      );
      await rejectsWith(
        iam.send(new CreatePolicyCommand({ PolicyName: 'efs-node-mount', PolicyDocument: EFS_MOUNT })),
        'EntityAlreadyExistsException',
        409,
      );
      await rejectsWith(
        iam.send(new CreatePolicyCommand({ PolicyName: 'bad', PolicyDocument: '{' })),
        'MalformedPolicyDocumentException',
        400,
      );
      const big = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: Array(500).fill('s3:GetObject'), Resource: '*' }],
      });
      await rejectsWith(
        iam.send(new CreatePolicyCommand({ PolicyName: 'big', PolicyDocument: big })),
        'LimitExceededException',
        409,
        /PolicySize: 6144/,
      );
      // A customer policy of another account is not visible.
      await rejectsWith(
        client(keysB).send(new GetPolicyCommand({ PolicyArn: Policy?.Arn })),
        'NoSuchEntityException',
        404,
      );
      await iam.send(new DetachRolePolicyCommand({ RoleName: 'managed-host', PolicyArn: Policy?.Arn }));
    });
  });

  describe('tags', () => {
    it('tags, pages tags with MaxItems=1 and untags a role', async () => {
      const iam = client();
      await createRole('tagged');
      await iam.send(
        new TagRoleCommand({
          RoleName: 'tagged',
          Tags: [
            { Key: 'b', Value: '2' },
            { Key: 'a', Value: '1' },
            { Key: 'c', Value: '3' },
          ],
        }),
      );
      const seen: [string, string][] = [];
      let marker: string | undefined;
      do {
        const page = await iam.send(
          new ListRoleTagsCommand({ RoleName: 'tagged', MaxItems: 1, ...(marker ? { Marker: marker } : {}) }),
        );
        expect(page.Tags).toHaveLength(1);
        seen.push(...(page.Tags ?? []).map((t): [string, string] => [t.Key ?? '', t.Value ?? '']));
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      expect(seen).toEqual([
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ]);
      await iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'a', Value: 'one' }] }));
      await iam.send(new UntagRoleCommand({ RoleName: 'tagged', TagKeys: ['b', 'c', 'not-there'] }));
      expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }))).Tags).toEqual([
        { Key: 'a', Value: 'one' },
      ]);
      await rejectsWith(
        iam.send(new ListRoleTagsCommand({ RoleName: 'ghost' })),
        'NoSuchEntityException',
        404,
      );
      const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      await rejectsWith(
        iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: many })),
        'LimitExceededException',
        409,
      );
    });
  });

  describe('OpenID Connect providers', () => {
    const url = 'https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
    it('creates, lists and reads a provider; refuses duplicates and unknown ARNs', async () => {
      const iam = client();
      const created = await iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: url,
          ClientIDList: ['sts.amazonaws.com'],
          ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
        }),
      );
      const arn = `arn:aws:iam::${A}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;
      expect(created.OpenIDConnectProviderArn).toBe(arn);
      expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([
        { Arn: arn },
      ]);
      const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
      // AWS returns the URL without its scheme.
      expect(got).toMatchObject({
        Url: url.replace('https://', ''),
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
      });
      expect(got.CreateDate).toBeInstanceOf(Date);
      await rejectsWith(
        iam.send(new CreateOpenIDConnectProviderCommand({ Url: url, ClientIDList: ['sts.amazonaws.com'] })),
        'EntityAlreadyExistsException',
        409,
      );
      await rejectsWith(
        iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: `${arn}X` })),
        'NoSuchEntityException',
        404,
      );
      await rejectsWith(
        iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'http://insecure.example' })),
        'InvalidInputException',
        400,
      );
      expect(
        (await client(keysB).send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList,
      ).toEqual([]);
    });
  });

  describe('instance profiles', () => {
    it('lists the instance profiles of a role', async () => {
      await createRole('node-instance-role');
      const profile = {
        name: 'node-profile',
        id: iamId('AIPA'),
        arn: `arn:aws:iam::${A}:instance-profile/node-profile`,
        path: '/',
        roleNames: ['node-instance-role'],
        createDate: new Date(),
      };
      sandbox.state.accounts.get(A)?.iam.instanceProfiles.set('node-profile', profile);
      const listed = await client().send(
        new ListInstanceProfilesForRoleCommand({ RoleName: 'node-instance-role' }),
      );
      expect(listed.InstanceProfiles).toHaveLength(1);
      expect(listed.InstanceProfiles?.[0]).toMatchObject({
        InstanceProfileName: 'node-profile',
        Roles: [{ RoleName: 'node-instance-role' }],
      });
      await rejectsWith(
        client().send(new DeleteRoleCommand({ RoleName: 'node-instance-role' })),
        'DeleteConflictException',
        409,
        /instance profile/,
      );
    });
  });

  describe('identity policies (for permission enforcement)', () => {
    it("judges a role session by the role's inline and attached policies with the core evaluator", async () => {
      const iam = client();
      const { Role } = await createRole('efs-node-identity');
      await iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'efs-node-identity',
          PolicyArn: 'arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess',
        }),
      );
      const session = {
        accessKeyId: 'ASIAEXAMPLE',
        secretAccessKey: 'x',
        accountId: A,
        principalArn: `arn:aws:sts::${A}:assumed-role/efs-node-identity/s`,
        roleArn: Role?.Arn ?? '',
      };
      const fs = `arn:aws:elasticfilesystem:eu-west-1:${A}:file-system/fs-0123456789abcdef0`;
      expect(identityAllows(sandbox.state, session, 'elasticfilesystem:ClientWrite', fs)).toBe(true);
      expect(identityAllows(sandbox.state, session, 'elasticfilesystem:ClientRootAccess', fs)).toBe(false);
      const deny = {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: 'elasticfilesystem:ClientWrite', Resource: fs }],
      };
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'efs-node-identity',
          PolicyName: 'no-write',
          PolicyDocument: JSON.stringify(deny),
        }),
      );
      expect(identityAllows(sandbox.state, session, 'elasticfilesystem:ClientWrite', fs)).toBe(false);
      expect(identityAllows(sandbox.state, session, 'elasticfilesystem:ClientMount', fs)).toBe(true);
      // The seeded administrator has no IAM record: never refused.
      const admin = sandbox.state.credentials.get(keysA.accessKeyId);
      expect(admin && identityAllows(sandbox.state, admin, 'iam:DeleteRole')).toBe(true);
    });
  });

  describe('bad requests', () => {
    /** A client whose request body is replaced before signing: the server sees a correctly signed odd request. */
    const rawClient = (body: string | undefined, contentType?: string) => {
      const iam = client();
      iam.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { body?: unknown; headers: Record<string, string> };
          request.body = body;
          if (body === undefined) delete request.headers['content-length'];
          else request.headers['content-length'] = String(Buffer.byteLength(body));
          if (contentType) request.headers['content-type'] = contentType;
          return next(args);
        },
        { step: 'build' },
      );
      return iam;
    };

    it('answers InvalidAction for an unknown action or API version', async () => {
      await rejectsWith(
        rawClient('Action=StealEverything&Version=2010-05-08').send(new ListRolesCommand({})),
        'InvalidAction',
        400,
        /Could not find operation StealEverything/,
      );
      await rejectsWith(
        rawClient('Action=ListRoles&Version=1999-01-01').send(new ListRolesCommand({})),
        'InvalidAction',
        400,
      );
    });

    it('answers MissingAction for a malformed form body or none at all, never crashing', async () => {
      await rejectsWith(rawClient('%%%&&==&%zz').send(new ListRolesCommand({})), 'MissingAction', 400);
      await rejectsWith(
        rawClient('{"Action": "ListRoles"}', 'application/json').send(new ListRolesCommand({})),
        'MissingAction',
        400,
      );
      await rejectsWith(rawClient(undefined).send(new ListRolesCommand({})), 'MissingAction', 400);
      await expect(client().send(new ListRolesCommand({}))).resolves.toBeDefined();
    });

    it('answers ValidationError for a missing required parameter', async () => {
      await rejectsWith(
        rawClient('Action=GetRole&Version=2010-05-08').send(new ListRolesCommand({})),
        'ValidationError',
        400,
        /Value null at 'roleName'/,
      );
      await rejectsWith(
        client().send(
          new CreateRoleCommand({ RoleName: 'no-trust' } as ConstructorParameters<
            typeof CreateRoleCommand
          >[0]),
        ),
        'ValidationError',
        400,
        /'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null/,
      );
    });

    it('logs IAM calls by operation', () => {
      expect(sandbox.log.count({ service: 'iam', operation: 'CreateRole' })).toBeGreaterThan(0);
      expect(
        sandbox.log.calls.find((c) => c.service === 'iam' && c.errorCode === 'NoSuchEntity'),
      ).toMatchObject({ status: 404, accountId: A });
    });
  });
});

import { CreateRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  type AssumeRoleCommandInput,
} from '@aws-sdk/client-sts';
import { addAccount, startSandbox, type Sandbox } from '../index';

const A = '111111111111';
const B = '222222222222';
type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

const trust = (statement: Record<string, unknown> | Record<string, unknown>[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: Array.isArray(statement) ? statement : [statement] });

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

describe('STS through @aws-sdk/client-sts', () => {
  let sandbox: Sandbox;
  let keysA: Keys;
  let keysB: Keys;
  let clock = 0;
  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: (state) => {
        keysA = addAccount(state, A);
        keysB = addAccount(state, B);
        // A movable clock: the tests step over role propagation and credential expiry without waiting.
        state.now = () => Date.now() + clock;
      },
    });
  });
  afterAll(() => sandbox.stop());
  afterEach(() => {
    clock = 0;
    sandbox.state.settings.roleDelayMs = 0;
  });

  const sts = (keys: Keys = keysA) =>
    new STSClient({ endpoint: sandbox.url, region: 'eu-west-1', credentials: keys, maxAttempts: 1 });
  const iam = (keys: Keys = keysA) =>
    new IAMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
  const createRole = (
    name: string,
    document: string,
    keys: Keys = keysA,
    extra: Record<string, unknown> = {},
  ) =>
    iam(keys).send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: document, ...extra }));
  const assume = (input: Partial<AssumeRoleCommandInput> & { RoleArn: string }, keys: Keys = keysA) =>
    sts(keys).send(new AssumeRoleCommand({ RoleSessionName: 'test-session', ...input }));
  const credentialsOf = (out: Awaited<ReturnType<typeof assume>>): Keys => ({
    accessKeyId: out.Credentials?.AccessKeyId ?? '',
    secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
    sessionToken: out.Credentials?.SessionToken ?? '',
  });

  it('identifies a user: account, user ARN and an AIDA user ID', async () => {
    const identity = await sts().send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: A, Arn: `arn:aws:iam::${A}:user/sandbox-admin` });
    expect(identity.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
  });

  it('assumes a same-account role whose trust policy names the caller and identifies the session afterwards', async () => {
    const { Role } = await createRole(
      'deployer',
      trust({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${A}:user/sandbox-admin` },
        Action: 'sts:AssumeRole',
      }),
    );
    const before = Date.now();
    const out = await assume({ RoleArn: Role?.Arn ?? '', RoleSessionName: 'ci-run' });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toBeTruthy();
    expect(out.Credentials?.SessionToken).toBeTruthy();
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    const lifetime = (out.Credentials?.Expiration?.getTime() ?? 0) - before;
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3601_000);
    expect(out.AssumedRoleUser).toEqual({
      AssumedRoleId: `${Role?.RoleId}:ci-run`,
      Arn: `arn:aws:sts::${A}:assumed-role/deployer/ci-run`,
    });
    const identity = await sts(credentialsOf(out)).send(new GetCallerIdentityCommand({}));
    expect(identity).toEqual(
      expect.objectContaining({
        Account: A,
        Arn: `arn:aws:sts::${A}:assumed-role/deployer/ci-run`,
        UserId: `${Role?.RoleId}:ci-run`,
      }),
    );
    // GetRole now reports the role's last use.
    const after = await iam().send(new GetRoleCommand({ RoleName: 'deployer' }));
    expect(after.Role?.RoleLastUsed).toMatchObject({ Region: 'eu-west-1' });
    expect(after.Role?.RoleLastUsed?.LastUsedDate).toBeInstanceOf(Date);
  });

  it('assumes a role in another account and the credentials then act in that account', async () => {
    const { Role } = await createRole(
      'cross-reader',
      trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' }),
      keysB,
    );
    const out = await assume({ RoleArn: Role?.Arn ?? '' }, keysA);
    const assumed = credentialsOf(out);
    const identity = await sts(assumed).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({
      Account: B,
      Arn: `arn:aws:sts::${B}:assumed-role/cross-reader/test-session`,
    });
    // IAM calls with them see account B's roles, not A's.
    const roles = await iam(assumed).send(new ListRolesCommand({}));
    expect(roles.Roles?.map((r) => r.RoleName)).toEqual(['cross-reader']);
    expect(sandbox.log.calls.at(-1)).toMatchObject({
      service: 'iam',
      operation: 'ListRoles',
      accountId: B,
      principalArn: `arn:aws:sts::${B}:assumed-role/cross-reader/test-session`,
    });
  });

  it('denies with AccessDenied (403) when the trust policy names another principal, and for a role that does not exist', async () => {
    const { Role } = await createRole(
      'someone-else',
      trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'sts:AssumeRole' }),
    );
    await rejectsWith(
      assume({ RoleArn: Role?.Arn ?? '' }),
      'AccessDenied',
      403,
      new RegExp(
        `^User: arn:aws:iam::${A}:user/sandbox-admin is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${A}:role/someone-else$`,
      ),
    );
    await rejectsWith(
      assume({ RoleArn: `arn:aws:iam::${A}:role/does-not-exist` }),
      'AccessDenied',
      403,
      /not authorized to perform: sts:AssumeRole/,
    );
    await rejectsWith(
      assume({ RoleArn: `arn:aws:iam::999999999999:role/unknown-account` }),
      'AccessDenied',
      403,
    );
    // A service principal is not a user.
    const { Role: ec2Role } = await createRole(
      'for-ec2',
      trust({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    );
    await rejectsWith(assume({ RoleArn: ec2Role?.Arn ?? '' }), 'AccessDenied', 403);
  });

  it('checks ExternalId through the sts:ExternalId condition key', async () => {
    const { Role } = await createRole(
      'third-party',
      trust({
        Effect: 'Allow',
        Principal: { AWS: A },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'unguessable-42' } },
      }),
    );
    const arn = Role?.Arn ?? '';
    await rejectsWith(assume({ RoleArn: arn }), 'AccessDenied', 403);
    await rejectsWith(assume({ RoleArn: arn, ExternalId: 'wrong-id' }), 'AccessDenied', 403);
    await expect(assume({ RoleArn: arn, ExternalId: 'unguessable-42' })).resolves.toMatchObject({
      AssumedRoleUser: { Arn: `arn:aws:sts::${A}:assumed-role/third-party/test-session` },
    });
  });

  it('lets an explicit Deny in the trust policy win over an Allow', async () => {
    const { Role } = await createRole(
      'denied',
      trust([
        { Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' },
        {
          Effect: 'Deny',
          Principal: { AWS: `arn:aws:iam::${A}:user/sandbox-admin` },
          Action: 'sts:AssumeRole',
        },
      ]),
    );
    await rejectsWith(assume({ RoleArn: Role?.Arn ?? '' }), 'AccessDenied', 403);
  });

  it('needs sts:TagSession in the trust policy to pass session tags', async () => {
    const { Role } = await createRole(
      'no-tags',
      trust({ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }),
    );
    const { Role: tagged } = await createRole(
      'tags-ok',
      trust({ Effect: 'Allow', Principal: { AWS: A }, Action: ['sts:AssumeRole', 'sts:TagSession'] }),
    );
    const Tags = [{ Key: 'team', Value: 'storage' }];
    await rejectsWith(assume({ RoleArn: Role?.Arn ?? '', Tags }), 'AccessDenied', 403);
    await expect(assume({ RoleArn: tagged?.Arn ?? '', Tags })).resolves.toBeDefined();
  });

  it('chains roles: a session of role X may assume a role whose trust policy names role X, for at most an hour', async () => {
    const { Role: first } = await createRole(
      'hop-1',
      trust({ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }),
    );
    const { Role: second } = await createRole(
      'hop-2',
      trust({ Effect: 'Allow', Principal: { AWS: first?.Arn }, Action: 'sts:AssumeRole' }),
      keysA,
      { MaxSessionDuration: 7200 },
    );
    const hop1 = credentialsOf(await assume({ RoleArn: first?.Arn ?? '', RoleSessionName: 'one' }));
    // The admin user is not named by hop-2's trust policy.
    await rejectsWith(assume({ RoleArn: second?.Arn ?? '' }), 'AccessDenied', 403);
    const hop2 = await assume({ RoleArn: second?.Arn ?? '', RoleSessionName: 'two' }, hop1);
    expect(await sts(credentialsOf(hop2)).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Arn: `arn:aws:sts::${A}:assumed-role/hop-2/two`,
    });
    await rejectsWith(
      assume({ RoleArn: second?.Arn ?? '', DurationSeconds: 7200 }, hop1),
      'ValidationError',
      400,
      /role chaining/,
    );
  });

  it('refuses a new role until IAM has propagated it (roleDelayMs), then allows it', async () => {
    sandbox.state.settings.roleDelayMs = 5_000;
    const { Role } = await createRole(
      'fresh',
      trust({ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }),
    );
    await rejectsWith(assume({ RoleArn: Role?.Arn ?? '' }), 'AccessDenied', 403);
    clock = 6_000;
    await expect(assume({ RoleArn: Role?.Arn ?? '' })).resolves.toBeDefined();
  });

  it('refuses expired temporary credentials with ExpiredToken', async () => {
    const { Role } = await createRole(
      'short',
      trust({ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }),
    );
    const temporary = credentialsOf(await assume({ RoleArn: Role?.Arn ?? '', DurationSeconds: 900 }));
    await expect(sts(temporary).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
    clock = 901_000;
    // AWS's wire code for an expired credential is ExpiredToken (not the modeled ExpiredTokenException of some calls).
    await rejectsWith(sts(temporary).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 400, /expired/);
  });

  it('refuses temporary credentials without their session token', async () => {
    const { Role } = await createRole(
      'needs-token',
      trust({ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }),
    );
    const temporary = credentialsOf(await assume({ RoleArn: Role?.Arn ?? '' }));
    await rejectsWith(
      sts({ accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey }).send(
        new GetCallerIdentityCommand({}),
      ),
      'InvalidClientTokenId',
      403,
    );
  });

  it('validates the request: session name, duration, session policy, missing parameters', async () => {
    const { Role } = await createRole(
      'strict',
      trust({ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }),
    );
    const arn = Role?.Arn ?? '';
    await rejectsWith(
      assume({ RoleArn: arn, RoleSessionName: 'x' }),
      'ValidationError',
      400,
      /roleSessionName/,
    );
    await rejectsWith(assume({ RoleArn: arn, RoleSessionName: 'has space' }), 'ValidationError', 400);
    await rejectsWith(
      assume({ RoleArn: arn, DurationSeconds: 60 }),
      'ValidationError',
      400,
      /durationSeconds/,
    );
    await rejectsWith(
      assume({ RoleArn: arn, DurationSeconds: 7200 }),
      'ValidationError',
      400,
      /MaxSessionDuration/,
    );
    await rejectsWith(assume({ RoleArn: arn, Policy: '{broken' }), 'MalformedPolicyDocumentException', 400);
    await rejectsWith(
      sts().send(new AssumeRoleCommand({ RoleArn: arn } as AssumeRoleCommandInput)),
      'ValidationError',
      400,
      /Value null at 'roleSessionName'/,
    );
  });

  it('answers InvalidAction for an operation it does not have, in the error shape the SDK parses', async () => {
    const client = sts();
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body?: string; headers: Record<string, string> };
        request.body = 'Action=GetFederationTokenPlease&Version=2011-06-15';
        request.headers['content-length'] = String(request.body.length);
        return next(args);
      },
      { step: 'build' },
    );
    await rejectsWith(
      client.send(new GetCallerIdentityCommand({})),
      'InvalidAction',
      400,
      /Could not find operation GetFederationTokenPlease/,
    );
  });
});

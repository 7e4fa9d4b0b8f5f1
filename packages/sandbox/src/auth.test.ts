import { Sha256 } from '@aws-crypto/sha256-js';
import { ListClustersCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { verifyPresignedGetCallerIdentity } from './auth';
import { addAccount, startSandbox, type Sandbox } from './index';

const A = '111111111111';
type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

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

/** Changes the request after the SDK has signed it (the deserialize step runs after finalizeRequest's signing). */
function tamper<C extends { middlewareStack: STSClient['middlewareStack'] }>(
  client: C,
  change: (request: {
    headers: Record<string, string>;
    body?: unknown;
    query?: Record<string, string>;
  }) => void,
): C {
  client.middlewareStack.add(
    (next) => async (args) => {
      change(args.request as { headers: Record<string, string>; body?: unknown });
      return next(args);
    },
    { step: 'deserialize', name: 'tamperAfterSigning' },
  );
  return client;
}

describe('SigV4 verification', () => {
  let sandbox: Sandbox;
  let keys: Keys;
  let clock = 0;
  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: (state) => {
        keys = addAccount(state, A);
        state.now = () => Date.now() + clock;
      },
    });
  });
  afterAll(() => sandbox.stop());
  afterEach(() => {
    clock = 0;
  });

  const sts = (credentials: Keys = keys) =>
    new STSClient({ endpoint: sandbox.url, region: 'eu-west-1', credentials, maxAttempts: 1 });
  const iam = (credentials: Keys = keys) =>
    new IAMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials, maxAttempts: 1 });

  it('accepts requests the SDK signs (query services and REST-JSON alike)', async () => {
    await expect(sts().send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: A });
    await expect(
      new EKSClient({ endpoint: sandbox.url, region: 'eu-west-1', credentials: keys, maxAttempts: 1 }).send(
        new ListClustersCommand({}),
      ),
    ).resolves.toBeDefined();
  });

  it('refuses a tampered signature with SignatureDoesNotMatch (403)', async () => {
    const client = tamper(sts(), (request) => {
      request.headers.authorization = request.headers.authorization.replace(
        /Signature=([0-9a-f]+)/,
        (_, sig: string) => `Signature=${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`,
      );
    });
    await rejectsWith(
      client.send(new GetCallerIdentityCommand({})),
      'SignatureDoesNotMatch',
      403,
      /does not match the signature you provided/,
    );
  });

  it('refuses a body changed after signing', async () => {
    await iam().send(
      new CreateRoleCommand({
        RoleName: 'signed-role',
        AssumeRolePolicyDocument: JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const client = tamper(iam(), (request) => {
      request.body = String(request.body).replace('signed-role', 'signed-rolf');
    });
    await rejectsWith(
      client.send(new GetRoleCommand({ RoleName: 'signed-role' })),
      'SignatureDoesNotMatch',
      403,
    );
  });

  it('refuses a signed header changed after signing', async () => {
    const client = tamper(sts(), (request) => {
      request.headers['x-amz-date'] = '20200101T000000Z';
    });
    await rejectsWith(client.send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403);
  });

  it('refuses a request signed with the wrong secret, for long-term and temporary keys', async () => {
    await rejectsWith(
      sts({ ...keys, secretAccessKey: 'not-the-secret' }).send(new GetCallerIdentityCommand({})),
      'SignatureDoesNotMatch',
      403,
    );
    const out = await sts().send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${A}:role/signed-role`,
        RoleSessionName: 'wrong-secret',
      }),
    );
    const temporary = {
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: 'wrong',
      sessionToken: out.Credentials?.SessionToken ?? '',
    };
    await rejectsWith(sts(temporary).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403);
  });

  it("answers a bad signature to EKS in the JSON services' own code", async () => {
    const eks = new EKSClient({
      endpoint: sandbox.url,
      region: 'eu-west-1',
      credentials: { ...keys, secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    await rejectsWith(eks.send(new ListClustersCommand({})), 'InvalidSignatureException', 403);
  });

  describe('presigned GetCallerIdentity (EKS bearer tokens)', () => {
    /** What `aws eks get-token` does: presign STS GetCallerIdentity with the cluster header, 60 s, and wrap it. */
    async function token(
      credentials: Keys,
      cluster: string,
      options: { signedHeaders?: Record<string, string>; at?: Date } = {},
    ): Promise<string> {
      const signer = new SignatureV4({ credentials, region: 'eu-west-1', service: 'sts', sha256: Sha256 });
      const { port } = new URL(sandbox.url);
      const presigned = await signer.presign(
        {
          method: 'GET',
          protocol: 'http:',
          hostname: '127.0.0.1',
          port: Number(port),
          path: '/',
          query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
          headers: { host: `127.0.0.1:${port}`, ...(options.signedHeaders ?? { 'x-k8s-aws-id': cluster }) },
        },
        { expiresIn: 60, ...(options.at ? { signingDate: options.at } : {}) },
      );
      const query = Object.entries(presigned.query ?? {})
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join('&');
      return `k8s-aws-v1.${Buffer.from(`${sandbox.url}/?${query}`, 'utf8').toString('base64url')}`;
    }
    const urlOf = (bearer: string) =>
      Buffer.from(bearer.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8');
    const verify = (bearer: string, cluster = 'prod', options = {}) => {
      try {
        return verifyPresignedGetCallerIdentity(
          urlOf(bearer),
          { 'x-k8s-aws-id': cluster },
          sandbox.state,
          options,
        );
      } catch (error) {
        return { error: (error as { code: string }).code };
      }
    };

    it('returns the credential that signed the token', async () => {
      expect(verify(await token(keys, 'prod'))).toMatchObject({
        accessKeyId: keys.accessKeyId,
        principalArn: `arn:aws:iam::${A}:user/sandbox-admin`,
      });
    });

    it('identifies an assumed role from a token signed with temporary credentials', async () => {
      const out = await sts().send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${A}:role/signed-role`, RoleSessionName: 'kubectl' }),
      );
      const temporary = {
        accessKeyId: out.Credentials?.AccessKeyId ?? '',
        secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
        sessionToken: out.Credentials?.SessionToken ?? '',
      };
      expect(verify(await token(temporary, 'prod'))).toMatchObject({
        roleArn: `arn:aws:iam::${A}:role/signed-role`,
        principalArn: `arn:aws:sts::${A}:assumed-role/signed-role/kubectl`,
      });
    });

    it('refuses a token for another cluster, or one not signed with the cluster header', async () => {
      expect(verify(await token(keys, 'staging'), 'prod')).toEqual({ error: 'SignatureDoesNotMatch' });
      expect(verify(await token(keys, 'prod', { signedHeaders: {} }))).toEqual({ error: 'AccessDenied' });
    });

    it('refuses tampered tokens and unknown keys', async () => {
      const url = urlOf(await token(keys, 'prod'));
      const wrap = (u: string) => `k8s-aws-v1.${Buffer.from(u).toString('base64url')}`;
      expect(verify(wrap(url.replace('Version=2011-06-15', 'Version=2011-06-16')))).toEqual({
        error: 'SignatureDoesNotMatch',
      });
      expect(verify(wrap(url.replace('Action=GetCallerIdentity', 'Action=AssumeRole')))).toEqual({
        error: 'AccessDenied',
      });
      expect(verify(wrap(url.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000')))).toEqual({
        error: 'SignatureDoesNotMatch',
      });
      expect(verify('k8s-aws-v1.bm90IGEgdXJs')).toEqual({ error: 'AccessDenied' });
      expect(
        verify(await token({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }, 'prod')),
      ).toEqual({ error: 'InvalidClientTokenId' });
    });

    it('accepts a token for 15 minutes as EKS does (or for maxAgeMs), then refuses it as expired', async () => {
      const bearer = await token(keys, 'prod');
      clock = 5 * 60_000;
      expect(verify(bearer)).toMatchObject({ accessKeyId: keys.accessKeyId });
      expect(verify(bearer, 'prod', { maxAgeMs: 60_000 })).toEqual({ error: 'ExpiredToken' });
      clock = 16 * 60_000;
      expect(verify(bearer)).toEqual({ error: 'ExpiredToken' });
    });

    it('answers the presigned URL itself over HTTP, as STS does for aws-iam-authenticator, until X-Amz-Expires', async () => {
      const url = urlOf(await token(keys, 'prod'));
      const ok = await fetch(url, { headers: { 'x-k8s-aws-id': 'prod' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain(`<Arn>arn:aws:iam::${A}:user/sandbox-admin</Arn>`);
      const wrongCluster = await fetch(url, { headers: { 'x-k8s-aws-id': 'other' } });
      expect(wrongCluster.status).toBe(403);
      expect(await wrongCluster.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
      clock = 61_000;
      const late = await fetch(url, { headers: { 'x-k8s-aws-id': 'prod' } });
      expect(late.status).toBe(403);
      expect(await late.text()).toContain('Signature expired');
    });
  });
});

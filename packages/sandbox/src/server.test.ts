import { request } from 'node:http';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { addAccount, startSandbox, type Sandbox } from './index';

describe('the sandbox server', () => {
  let sandbox: Sandbox;
  let keys: { accessKeyId: string; secretAccessKey: string };
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: (state) => void (keys = addAccount(state, '111111111111')) });
  });
  afterAll(() => sandbox.stop());

  const client = (credentials = keys) =>
    new STSClient({ endpoint: sandbox.url, region: 'eu-west-1', credentials, maxAttempts: 1 });

  it('listens on loopback only', () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers STS GetCallerIdentity through the real SDK client and logs the call', async () => {
    const identity = await client().send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({
      Account: '111111111111',
      Arn: 'arn:aws:iam::111111111111:user/sandbox-admin',
    });
    expect(sandbox.log.count({ service: 'sts', operation: 'GetCallerIdentity' })).toBe(1);
  });

  it('refuses unknown keys with InvalidClientTokenId', async () => {
    await expect(
      client({ accessKeyId: 'AKIANOTKNOWN0000000', secretAccessKey: 'x' }).send(
        new GetCallerIdentityCommand({}),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
  });

  it("throttles with the service's own error on demand", async () => {
    sandbox.faults.add({ service: 'sts', fail: 'throttle', times: 1 });
    await expect(client().send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'Throttling',
    });
    await expect(client().send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: '111111111111',
    });
  });

  // Found by the HTTP fuzz campaign (src/fuzz-http.test.ts): Node's default answer to a URL over its 16 KB header
  // limit destroyed the socket while the client was still sending, so the client read ECONNRESET, not an answer.
  it('answers a request line over 16 KB with 431 and lets the client read it', async () => {
    const url = new URL(sandbox.url);
    const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, method: 'POST', path: `/${'x'.repeat(200_000)}` },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        },
      );
      req.on('error', reject);
      req.end('x'.repeat(100_000));
    });
    expect(answer).toEqual({ status: 431, body: 'the request line and headers exceed 16 KB' });
    await expect(client().send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: '111111111111',
    });
  });
});

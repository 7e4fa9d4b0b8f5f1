/**
 * @jest-environment node
 */
import { ResponseError } from '@backstage/errors';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failingStatus, fleetPage } from '../test-fixtures';
import { EfsNodeIdentityClient } from './EfsNodeIdentityClient';

// A real HTTP server stands in for the backend: the client's requests (method, path, query) and its handling of the
// answers are what these tests are about.
describe('EfsNodeIdentityClient', () => {
  let server: Server;
  let baseUrl: string;
  const seen: Array<{ method?: string; url?: string; auth?: string }> = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/efs-node-identity`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
  });

  const discovered: string[] = [];
  const client = () =>
    new EfsNodeIdentityClient({
      discoveryApi: {
        getBaseUrl: async (pluginId: string) => {
          discovered.push(pluginId);
          return baseUrl;
        },
      },
      // The app's fetchApi adds the user's token; this one does the same with a fixed value.
      fetchApi: {
        fetch: (input, init) =>
          fetch(input, {
            ...init,
            headers: { ...(init?.headers ?? {}), authorization: 'Bearer user-token' },
          }),
      },
    });

  it('reads an entity status from the backend plugin named efs-node-identity', async () => {
    answer = { status: 200, body: failingStatus };
    const status = await client().getStatus({ kind: 'Component', namespace: 'default', name: 'media-store' });
    expect(status).toEqual(failingStatus);
    expect(discovered).toContain('efs-node-identity');
    expect(seen).toEqual([
      {
        method: 'GET',
        url: '/api/efs-node-identity/entities/default/component/media-store/status',
        auth: 'Bearer user-token',
      },
    ]);
  });

  it('posts verify for the entity and encodes each part of its ref', async () => {
    answer = { status: 200, body: failingStatus };
    await client().verifyNow({ kind: 'Component', namespace: 'team a', name: 'orders/api?x' });
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/api/efs-node-identity/entities/team%20a/component/orders%2Fapi%3Fx/verify',
      }),
    ]);
  });

  it('passes the fleet filters and page as query parameters, and none when not given', async () => {
    answer = { status: 200, body: fleetPage };
    expect(
      await client().listFleet({ cluster: 'demo-cluster', state: 'failing', offset: 50, limit: 25 }),
    ).toEqual(fleetPage);
    await client().listFleet();
    expect(seen.map((s) => s.url)).toEqual([
      '/api/efs-node-identity/fleet?cluster=demo-cluster&state=failing&offset=50&limit=25',
      '/api/efs-node-identity/fleet',
    ]);
  });

  it('rejects with a ResponseError carrying the backend error when the answer is not OK', async () => {
    answer = {
      status: 403,
      body: {
        error: { name: 'NotAllowedError', message: 'not allowed: efs-node-identity.provision' },
        request: { method: 'POST', url: '/entities/default/component/media-store/verify' },
        response: { statusCode: 403 },
      },
    };
    const error = await client()
      .verifyNow({ kind: 'component', namespace: 'default', name: 'media-store' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError).statusCode).toBe(403);
    expect((error as ResponseError).body.error.name).toBe('NotAllowedError');
    expect((error as ResponseError).body.error.message).toBe('not allowed: efs-node-identity.provision');
  });
});

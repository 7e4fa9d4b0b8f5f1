import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DiscoveryService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createRefreshStatusAction } from './refresh-status';

/**
 * The action against a stand-in for the efs-node-identity backend plugin's HTTP API (the edge this test is not about;
 * the template's run in scaffolder-backend.test.ts goes through the real plugin).
 */

interface Seen {
  method?: string;
  url?: string;
  authorization?: string;
}

let server: Server;
let seen: Seen[];
let answer: { status: number; body: string };
let discovery: DiscoveryService;

beforeEach(async () => {
  seen = [];
  answer = { status: 200, body: JSON.stringify({ state: 'ok', findings: [] }) };
  server = createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  discovery = {
    getBaseUrl: async (pluginId) => `${base}/${pluginId}`,
    getExternalBaseUrl: async (pluginId) => `${base}/${pluginId}`,
  };
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function action() {
  return createRefreshStatusAction({ discovery, auth: mockServices.auth() });
}

describe('efs-node-identity:refresh-status', () => {
  it("asks the backend plugin to verify the entity on behalf of the task's user and outputs the new state", async () => {
    const ctx = createMockActionContext({ input: { entityRef: 'component:default/media-store' } });
    await action().handler(ctx);

    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/efs-node-identity/entities/default/component/media-store/verify',
    });
    // The mock auth service's token names the user it was issued for and the plugin it is for.
    const token = JSON.parse(seen[0]!.authorization!.replace(/^Bearer mock-service-token:/, ''));
    expect(token).toMatchObject({ obo: 'user:default/mock', target: 'efs-node-identity' });
    expect(ctx.output).toHaveBeenCalledWith('state', 'ok');
  });

  it('takes a short reference as a component in the default namespace', async () => {
    const ctx = createMockActionContext({ input: { entityRef: 'media-store' } });
    await action().handler(ctx);
    expect(seen[0]?.url).toBe('/api/efs-node-identity/entities/default/component/media-store/verify');
  });

  it('warns and leaves the task running when the backend refuses, naming its answer', async () => {
    answer = {
      status: 404,
      body: JSON.stringify({
        error: { name: 'NotFoundError', message: 'no entity component:default/ledger' },
      }),
    };
    const ctx = createMockActionContext({ input: { entityRef: 'component:default/ledger' } });
    const warn = jest.spyOn(ctx.logger, 'warn');
    await expect(action().handler(ctx)).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /answered 404 \(no entity component:default\/ledger\); the next scheduled refresh/,
      ),
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('refuses a reference that is not a catalog entity reference before any request', async () => {
    for (const entityRef of ['component:default/../admin', 'component:default/a b', 'component:x/y/z']) {
      const ctx = createMockActionContext({ input: { entityRef } });
      await expect(action().handler(ctx)).rejects.toThrow(InputError);
    }
    expect(seen).toEqual([]);
  });

  it('makes no request in a dry run: verifying stores a status', async () => {
    const ctx = {
      ...createMockActionContext({ input: { entityRef: 'component:default/media-store' } }),
      isDryRun: true,
    };
    await action().handler(ctx);
    expect(seen).toEqual([]);
    expect(ctx.output).not.toHaveBeenCalled();
  });
});

import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  efsNodeIdentityProvisionPermission,
  efsNodeIdentityStatusReadPermission,
} from '@efs-node-identity/backstage-plugin-common';
import request from 'supertest';
import efsNodeIdentityPlugin from '../src';

// This test is about wiring, not storage: SQLite is enough.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('efsNodeIdentityPlugin', () => {
  it('registers its permissions with the permissions registry and mounts its API under /api/efs-node-identity', async () => {
    const registry = mockServices.permissionsRegistry.mock();
    const { server } = await startTestBackend({
      features: [
        efsNodeIdentityPlugin,
        registry.factory,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.database.factory({ knex: await databases.init('SQLITE_3') }),
      ],
    });
    expect(registry.addPermissions).toHaveBeenCalledWith([
      efsNodeIdentityStatusReadPermission,
      efsNodeIdentityProvisionPermission,
    ]);
    const res = await request(server)
      .get('/api/efs-node-identity/fleet')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], totalCount: 0, offset: 0, limit: 50 });
  });

  it('refuses a refresh timeout longer than half the frequency at startup, naming the keys', async () => {
    await expect(
      startTestBackend({
        features: [
          efsNodeIdentityPlugin,
          catalogServiceMock.factory({ entities: [] }),
          mockServices.database.factory({ knex: await databases.init('SQLITE_3') }),
          mockServices.rootConfig.factory({
            data: { efsNodeIdentity: { refresh: { frequency: { minutes: 10 }, timeout: '6m' } } },
          }),
        ],
      }),
    ).rejects.toThrow(
      /efsNodeIdentity\.refresh\.timeout must be from one second to half of efsNodeIdentity\.refresh\.frequency \(600 s\), got 360 s/,
    );
  });

  it('registers the fleet refresh as a global task with the configured frequency and timeout', async () => {
    const scheduler = mockServices.scheduler.mock();
    await startTestBackend({
      features: [
        efsNodeIdentityPlugin,
        scheduler.factory,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.database.factory({ knex: await databases.init('SQLITE_3') }),
        mockServices.rootConfig.factory({
          data: { efsNodeIdentity: { refresh: { frequency: 'PT1H', timeout: { minutes: 5 } } } },
        }),
      ],
    });
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'efs-node-identity-fleet-refresh',
        scope: 'global',
        frequency: { hours: 1 },
        timeout: { minutes: 5 },
      }),
    );
    // No initialDelay: the first run on a fresh database starts as soon as an instance is up.
    expect(scheduler.scheduleTask.mock.calls[0]![0]).not.toHaveProperty('initialDelay');
  });

  it('refuses a bad efsNodeIdentity config at startup, naming the key', async () => {
    await expect(
      startTestBackend({
        features: [
          efsNodeIdentityPlugin,
          catalogServiceMock.factory({ entities: [] }),
          mockServices.database.factory({ knex: await databases.init('SQLITE_3') }),
          mockServices.rootConfig.factory({ data: { efsNodeIdentity: { concurrency: 0 } } }),
        ],
      }),
    ).rejects.toThrow(/efsNodeIdentity\.concurrency must be an integer from 1 to 64, got 0/);
  });
});

import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { knex as createKnex, type Knex } from 'knex';
import { EntityStatusService } from './EntityStatusService';
import type { VerificationOutcome } from './live-verifier';

const CLUSTER = 'arn:aws:eks:eu-west-1:111122223333:cluster/prod';

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-storage' },
  };
}

function outcome(state: VerificationOutcome['state']): VerificationOutcome {
  return {
    clusterArn: CLUSTER,
    fileSystemIds: ['fs-0a1b2c3d4e5f60718'],
    state,
    verifiedAt: new Date('2026-11-26T10:00:00Z'),
    findings: [],
    counts: { error: 0, warning: 0, info: 0 },
    notRead: [],
  };
}

describe('EntityStatusService status reads', () => {
  let db: Knex;
  beforeEach(() => {
    db = createKnex({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
  });
  afterEach(() => db.destroy());

  async function service(ttl: string) {
    const catalog = catalogServiceMock({
      entities: [
        component('Payments', { 'efs-node-identity.io/cluster-arn': CLUSTER }),
        component('web', {}),
      ],
    });
    const lookups: string[] = [];
    const getEntityByRef = catalog.getEntityByRef.bind(catalog);
    catalog.getEntityByRef = async (ref, options) => {
      lookups.push(typeof ref === 'string' ? ref : `${ref.kind}:${ref.namespace}/${ref.name}`);
      return getEntityByRef(ref, options);
    };
    const queries: string[] = [];
    db.on('query', (q: { sql: string }) => queries.push(q.sql));
    const svc = await EntityStatusService.create({
      logger: mockServices.logger.mock(),
      config: mockServices.rootConfig({ data: { efsNodeIdentity: { statusCacheTtl: ttl } } }),
      database: { getClient: async () => db },
      catalog,
      verifier: { verify: async () => outcome('failing') },
    });
    queries.length = 0;
    return { svc, lookups, queries };
  }

  const ref = { kind: 'component', namespace: 'default', name: 'payments' };
  const credentials = mockCredentials.user('user:default/rita');

  it('asks the catalog and the database once, then answers the same object from memory, whatever the case of the name', async () => {
    const { svc, lookups, queries } = await service('PT10M');
    const first = await svc.getStatus(ref, credentials);
    expect(first).toMatchObject({ state: 'not-verified', clusterArn: CLUSTER });
    expect(await svc.getStatus(ref, credentials)).toBe(first);
    expect(await svc.getStatus({ ...ref, name: 'PAYMENTS' }, credentials)).toBe(first);
    expect(lookups).toHaveLength(1);
    expect(queries).toHaveLength(1);
  });

  it('answers a result it stores at once, without a lookup', async () => {
    const { svc, lookups } = await service('PT10M');
    await svc.getStatus(ref, credentials);
    await svc.record('component:default/Payments', outcome('ok'));
    expect((await svc.getStatus(ref, credentials)).state).toBe('ok');
    expect(lookups).toHaveLength(1);
  });

  it('asks again every time when the ttl is 0, and never caches an entity that is missing or not set up', async () => {
    const { svc, lookups } = await service('PT0S');
    await svc.getStatus(ref, credentials);
    await svc.getStatus(ref, credentials);
    expect(lookups).toHaveLength(2);

    const cached = await service('PT10M');
    const web = { ...ref, name: 'web' };
    await expect(cached.svc.getStatus(web, credentials)).rejects.toThrow(NotFoundError);
    await expect(cached.svc.getStatus(web, credentials)).rejects.toThrow(NotFoundError);
    expect(cached.lookups).toEqual(['component:default/web', 'component:default/web']);
  });
});

// Child process of the status API figure: p99 latency of cached status reads (GET /entities/:namespace/:kind/:name/status)
// at 100 concurrent connections on loopback, measured with autocannon. The server is the plugin's own router and
// EntityStatusService (catalog service mock, SQLite in memory) behind express; authentication and the permission
// decision are stubs that allow the request, as the figure is about the plugin's read path and its cache.
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const pluginDir = path.join(root, 'plugins/efs-node-identity-backend');
const fromPlugin = createRequire(path.join(pluginDir, 'package.json'));
const plugin = require(path.join(pluginDir, 'dist/index.js'));
const { createRouter } = require(path.join(pluginDir, 'dist/router.js'));
const { ConfigReader } = fromPlugin('@backstage/config');
const { catalogServiceMock } = fromPlugin('@backstage/plugin-catalog-node/testUtils');
const { knex: createKnex } = fromPlugin('knex');
const express = fromPlugin('express');
const autocannon = require('autocannon');

const ENTITIES = 1000;
const CONNECTIONS = 100;
const DURATION_S = Number(process.env.BENCH_STATUS_SECONDS ?? 10);
const silent = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent };
const clusterArn = 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eks';
const entities = Array.from({ length: ENTITIES }, (_, i) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: `service-${i}`,
    namespace: 'default',
    annotations: { 'efs-node-identity.io/cluster-arn': clusterArn },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-storage' },
}));
const db = createKnex({
  client: 'better-sqlite3',
  connection: { filename: ':memory:' },
  useNullAsDefault: true,
});
// A stored result per entity, as a refresh leaves them; its size is that of a real one (one finding with a trace).
const outcome = {
  clusterArn,
  fileSystemIds: ['fs-0a1b2c3d4e5f60718'],
  state: 'warnings',
  verifiedAt: new Date(),
  findings: [
    {
      ruleId: 'NR-03',
      severity: 'warning',
      title: 'Mounts on the node instance role',
      message: 'x'.repeat(300),
      remediation: 'y'.repeat(300),
      trace: [{ outcome: 'match', message: 'z'.repeat(200) }],
    },
  ],
  counts: { error: 0, warning: 1, info: 0 },
  notRead: [],
  calls: { aws: 37, kubernetes: 8 },
};
const service = await plugin.EntityStatusService.create({
  logger: silent,
  config: new ConfigReader({ efsNodeIdentity: { statusCacheTtl: { minutes: 10 } } }),
  database: { getClient: async () => db },
  catalog: catalogServiceMock({ entities }),
  verifier: { verify: async () => outcome },
});
for (const e of entities) await service.record(`component:default/${e.metadata.name}`, outcome);
const credentials = {
  $$type: '@backstage/BackstageCredentials',
  principal: { type: 'user', userEntityRef: 'user:default/bench' },
};
const app = express();
app.use(
  await createRouter({
    httpAuth: { credentials: async () => credentials },
    permissions: { authorize: async (requests) => requests.map(() => ({ result: 'ALLOW' })) },
    service,
  }),
);
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address();
const queries = { n: 0 };
db.on('query', () => queries.n++);
// The load generator runs on its own thread (autocannon's worker mode), so it does not take the server's; each
// connection walks the entities in turn (request objects, not functions: they cross to the worker).
const cpuBefore = process.cpuUsage();
const result = await autocannon({
  url: `http://127.0.0.1:${port}`,
  connections: CONNECTIONS,
  duration: DURATION_S,
  workers: 1,
  requests: entities.map((e) => ({
    method: 'GET',
    path: `/entities/default/component/${e.metadata.name}/status`,
  })),
});
// CPU time of this process (the server; autocannon runs on a worker thread of its own, which counts here too, so this
// is an upper bound) per request: less sensitive than latency to what else the machine runs.
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  JSON.stringify({
    connections: CONNECTIONS,
    seconds: DURATION_S,
    entities: ENTITIES,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requestsPerSecond: result.requests.average,
    databaseQueries: queries.n,
    cpuMicrosPerRequest: (cpu.user + cpu.system) / Math.max(1, result.requests.total),
  }) + '\n',
);
server.close();
await db.destroy();

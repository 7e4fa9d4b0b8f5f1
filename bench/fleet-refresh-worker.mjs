// Child process of the fleet refresh figure: one run of the backend plugin's scheduled fleet refresh (FleetRefresh, as
// the scheduler calls it) over 1,000 catalog entities on 20 sandbox clusters (one account each, copies of the
// `healthy` scenario), with throttling injected on every AWS service. The entities alternate between naming the
// cluster's file system and naming none, so 40 distinct targets: entities with the same target share a verification.
// Prints one JSON line with the figures.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
const pluginDir = path.join(root, 'plugins/efs-node-identity-backend');
const requireFromPlugin = createRequire(path.join(pluginDir, 'package.json'));
const sandboxPkg = require(path.join(root, 'packages/sandbox/dist/index.js'));
const plugin = require(path.join(pluginDir, 'dist/index.js'));
const { ConfigReader } = requireFromPlugin('@backstage/config');
const { catalogServiceMock } = requireFromPlugin('@backstage/plugin-catalog-node/testUtils');
const { knex: createKnex } = requireFromPlugin('knex');

const ENTITIES = Number(process.env.BENCH_FLEET_ENTITIES ?? 1000);
const CLUSTERS = Number(process.env.BENCH_FLEET_CLUSTERS ?? 20);
const THROTTLE_PROBABILITY = 0.05;
const PLATFORM = '111122223333';
const FS_ID = 'fs-0a1b2c3d4e5f60718';
const accountId = (n) => `3000000${String(n + 10000).slice(1)}0`;

const text = readFileSync(path.join(sandboxPkg.SCENARIO_DIR, 'healthy.yaml'), 'utf8');
const ids = Array.from({ length: CLUSTERS }, (_, n) => accountId(n));
const copies = ids.map((id) =>
  sandboxPkg.parseScenario(text.replaceAll(PLATFORM, id), `healthy.yaml (${id})`),
);
const sandbox = await sandboxPkg.startSandbox({
  scenario: { ...copies[0], accounts: copies.flatMap((c) => c.accounts) },
  seed: (state) => {
    for (const id of ids) {
      sandboxPkg.addAccessEntry(state, id, 'prod-eks', {
        principalArn: `arn:aws:iam::${id}:user/sandbox-admin`,
      });
    }
  },
});
for (const n of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
  delete process.env[n];
process.env.AWS_ENDPOINT_URL = sandbox.url;
// Each AWS service answers THROTTLE_PROBABILITY of its calls with its own throttling error (seeded, so every run
// sees the same calls fail); the SDK's adaptive retry has to absorb them.
for (const service of ['iam', 'sts', 'eks', 'elasticfilesystem', 'ec2']) {
  sandbox.faults.add({ service, fail: 'throttle', probability: THROTTLE_PROBABILITY });
}

const silent = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent };
const config = new ConfigReader({
  aws: {
    accounts: ids.map((id) => {
      const keys = sandboxPkg.adminCredentials(sandbox.state, id);
      return { accountId: id, accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
    }),
  },
  // Eight verifications at once over the fleet, at most two per account and one per cluster.
  efsNodeIdentity: { refresh: { frequency: { hours: 1 }, timeout: { minutes: 10 }, concurrency: 8 } },
});
const entities = Array.from({ length: ENTITIES }, (_, i) => {
  const id = ids[i % CLUSTERS];
  const clusterArn = sandboxPkg.clusterOf(sandbox.state, id, 'prod-eks').arn;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `service-${i}`,
      namespace: 'default',
      annotations: {
        'efs-node-identity.io/cluster-arn': clusterArn,
        ...(Math.floor(i / CLUSTERS) % 2 === 0 ? { 'efs-node-identity.io/file-system-ids': FS_ID } : {}),
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-storage' },
  };
});
const catalog = catalogServiceMock({ entities });
// SQLite in memory: this figure is about AWS calls and time, not the database.
const db = createKnex({
  client: 'better-sqlite3',
  connection: { filename: ':memory:' },
  useNullAsDefault: true,
});
const service = await plugin.EntityStatusService.create({
  logger: silent,
  config,
  database: { getClient: async () => db },
  catalog,
});
const auth = {
  getOwnServiceCredentials: async () => ({
    $$type: '@backstage/BackstageCredentials',
    principal: { type: 'service', subject: 'plugin:efs-node-identity' },
  }),
};
const settings = plugin.readRefreshSettings(config);
const refresh = new plugin.FleetRefresh({ catalog, auth, service, settings, logger: silent });

sandbox.log.clear();
const started = performance.now();
const summary = await refresh.run();
const ms = Math.round(performance.now() - started);
const calls = sandbox.log.calls;
const throttled = calls.filter((c) => /Throttl|RequestLimitExceeded/.test(c.errorCode ?? '')).length;
const states = await db('efs_node_identity_entity_status').select('state').count({ n: '*' }).groupBy('state');
const byState = Object.fromEntries(states.map((r) => [r.state, Number(r.n)]));
process.stdout.write(
  JSON.stringify({
    entities: ENTITIES,
    clusters: CLUSTERS,
    throttleProbability: THROTTLE_PROBABILITY,
    concurrency: {
      overall: settings.concurrency,
      perAccount: settings.accountConcurrency,
      perCluster: settings.clusterConcurrency,
    },
    ms,
    summary,
    calls: calls.length,
    awsCalls: calls.filter((c) => c.service !== 'kubernetes').length,
    kubernetesCalls: calls.filter((c) => c.service === 'kubernetes').length,
    throttled,
    byState,
    failures: ENTITIES - (byState.ok ?? 0) - (byState.warnings ?? 0) - (byState.failing ?? 0),
  }) + '\n',
);
await db.destroy();
await sandbox.stop();

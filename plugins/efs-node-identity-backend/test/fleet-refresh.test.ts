import { coreServices, createBackendModule, type SchedulerService } from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { knex as createKnex, type Knex } from 'knex';
import efsNodeIdentityPlugin, { FLEET_REFRESH_TASK_ID } from '../src';
import { startFleetWorld, type FleetWorld } from './sandbox-world';

// Two backend instances with the real scheduler of @backstage/backend-defaults (not the mock one startTestBackend
// installs by default), each with its own connection pool to one PostgreSQL database, as two replicas have. They start
// one after the other: on a fresh database, two scheduler services that run their own knex migrations at the same
// moment can fail with MigrationLocked (backend-defaults' migrateBackendTasks does not wait for the lock).
const databases = TestDatabases.create({ ids: ['POSTGRES_18'] });

const STATUS_TABLE = 'efs_node_identity_entity_status';
// The scheduler's own table (@backstage/backend-defaults, database/tables): one row per global task.
const TASKS_TABLE = 'backstage_backend_tasks__tasks';
const ENTITIES = 5;

interface TaskRow {
  current_run_ticket: string | null;
  current_run_expires_at: Date | null;
  last_run_ended_at: Date | null;
  last_run_error_json: string | null;
}

function entitiesOf(world: FleetWorld): Entity[] {
  return world.clusters.map(({ clusterArn }, n) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `service-${n}`,
      namespace: 'default',
      annotations: {
        'efs-node-identity.io/cluster-arn': clusterArn,
        'efs-node-identity.io/file-system-ids': 'fs-0a1b2c3d4e5f60718',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-storage' },
  }));
}

/** A module of the plugin that hands the test the plugin's scheduler (a plugin-scoped service). */
function schedulerHandle() {
  const handle: { scheduler?: SchedulerService } = {};
  const module = createBackendModule({
    pluginId: 'efs-node-identity',
    moduleId: 'test-scheduler-handle',
    register(env) {
      env.registerInit({
        deps: { scheduler: coreServices.scheduler },
        async init({ scheduler }) {
          handle.scheduler = scheduler;
        },
      });
    },
  });
  return { module, handle };
}

async function startInstance(world: FleetWorld, knex: Knex, timeout: { seconds: number }) {
  const { module, handle } = schedulerHandle();
  const backend = await startTestBackend({
    features: [
      efsNodeIdentityPlugin,
      module,
      schedulerServiceFactory,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          aws: { accounts: world.clusters.map((c) => ({ accountId: c.accountId, ...c.keys })) },
          efsNodeIdentity: {
            // One run per hour unless triggered: every run in these tests is one the test asked for or the first.
            refresh: { frequency: { hours: 1 }, timeout, concurrency: 1 },
          },
        },
      }),
      catalogServiceMock.factory({ entities: entitiesOf(world) }),
    ],
  });
  return { backend, scheduler: handle.scheduler! };
}

/** Another pool to the same database (a second replica's connections). */
function poolLike(knex: Knex): Knex {
  return createKnex({ client: knex.client.config.client, connection: knex.client.config.connection });
}

async function waitFor(what: string, condition: () => Promise<boolean>, deadlineMs = 120_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const task = async (knex: Knex) =>
  (await knex(TASKS_TABLE).where('id', FLEET_REFRESH_TASK_ID).first()) as TaskRow | undefined;

const storedRows = (knex: Knex) =>
  knex<{ entity_ref: string; verified_at: Date }>(STATUS_TABLE).select('entity_ref', 'verified_at');

/** Verifications per cluster, in cluster order: each starts with one eks:DescribeCluster in the cluster's account. */
function verificationsPerCluster(world: FleetWorld): number[] {
  return world.clusters.map(
    ({ accountId }) =>
      world.sandbox.log.calls.filter(
        (c) => c.service === 'eks' && c.operation === 'DescribeCluster' && c.accountId === accountId,
      ).length,
  );
}

describe('scheduled fleet refresh on two backend instances sharing one PostgreSQL database', () => {
  let world: FleetWorld | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  const nodeEnv = process.env.NODE_ENV;

  beforeAll(() => {
    // The scheduler's janitor, which releases the lock of a run whose time is up, is not started under NODE_ENV=test
    // (@backstage/backend-defaults DefaultSchedulerService); a deployed backend runs it once a minute.
    process.env.NODE_ENV = 'development';
  });
  afterAll(() => {
    process.env.NODE_ENV = nodeEnv;
  });
  afterEach(async () => {
    // Stopping what a test already stopped (the killed instance) may fail; the rest must still be stopped.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    await world?.stop();
    world = undefined;
  });

  it('verifies each entity once per interval, not once per instance', async () => {
    world = await startFleetWorld(ENTITIES);
    const knexA = await databases.init('POSTGRES_18');
    const knexB = poolLike(knexA);
    cleanups.push(() => knexB.destroy());
    // Both start with the task due (a first run on a fresh database): only one of them may run it.
    const a = await startInstance(world, knexA, { seconds: 60 });
    cleanups.push(() => a.backend.stop());
    const b = await startInstance(world, knexB, { seconds: 60 });
    cleanups.push(() => b.backend.stop());

    const runEnded = async (after: number) => {
      const row = await task(knexA);
      return (
        !!row && !row.current_run_ticket && !!row.last_run_ended_at && row.last_run_ended_at.getTime() > after
      );
    };
    await waitFor('the first run', async () => (await storedRows(knexA)).length === ENTITIES && runEnded(0));
    expect(verificationsPerCluster(world)).toEqual(Array(ENTITIES).fill(1));

    // Two more runs within the interval, one asked of each instance (whichever claims it runs it): nothing is due.
    for (const instance of [b, a]) {
      const ended = (await task(knexA))!.last_run_ended_at!.getTime();
      await instance.scheduler.triggerTask(FLEET_REFRESH_TASK_ID);
      await waitFor('a triggered run', () => runEnded(ended));
    }
    expect(verificationsPerCluster(world)).toEqual(Array(ENTITIES).fill(1));

    // One interval later (the stored times moved back by the frequency instead of waiting an hour), the next run
    // verifies every entity once more.
    await knexA(STATUS_TABLE).update({ verified_at: knexA.raw("verified_at - interval '1 hour'") });
    const ended = (await task(knexA))!.last_run_ended_at!.getTime();
    await a.scheduler.triggerTask(FLEET_REFRESH_TASK_ID);
    await waitFor('the next interval', () => runEnded(ended));
    expect(verificationsPerCluster(world)).toEqual(Array(ENTITIES).fill(2));
  }, 180_000);

  it("has the other instance finish a killed instance's run after the run's timeout", async () => {
    world = await startFleetWorld(ENTITIES);
    // Every AWS and Kubernetes call takes 100 ms longer, so that a run (one verification at a time) lasts seconds
    // and can be caught in the middle.
    world.sandbox.faults.add({ latencyMs: 100 });
    const db = await databases.init('POSTGRES_18');
    const pools = [poolLike(db), poolLike(db)];
    // Which instance stores results: its pool is the one that writes the status table.
    const writes = [0, 0];
    pools.forEach((pool, i) =>
      pool.on('query', (q: { sql: string }) => {
        if (q.sql.startsWith(`insert into "${STATUS_TABLE}"`)) writes[i]!++;
      }),
    );
    cleanups.push(async () => {
      for (const pool of pools) await pool.destroy();
    });
    const instances: Array<Awaited<ReturnType<typeof startInstance>>> = [];
    for (const pool of pools) {
      // Long enough for the other instance's run to verify what is left even on a loaded machine, and short enough to
      // expire before that instance's janitor runs a minute after its start.
      const instance = await startInstance(world, pool, { seconds: 30 });
      instances.push(instance);
      cleanups.push(() => instance.backend.stop());
    }

    await waitFor('a run in the middle', async () => (await storedRows(db)).length >= 2);
    const victim = writes[0]! > 0 ? 0 : 1;
    const survivor = 1 - victim;
    expect(writes[survivor]).toBe(0);

    // The kill: the instance loses its database connections and stops, so its run can neither store more results nor
    // release the lock, as when its process dies.
    await pools[victim]!.destroy();
    await instances[victim]!.backend.stop();

    const held = (await task(db))!;
    expect(held.current_run_ticket).not.toBeNull();
    const doneByVictim = new Map((await storedRows(db)).map((r) => [r.entity_ref, r.verified_at.getTime()]));
    expect(doneByVictim.size).toBeGreaterThanOrEqual(2);
    expect(doneByVictim.size).toBeLessThan(ENTITIES);

    // The survivor's janitor releases the lock once it has expired, and the survivor runs the task again.
    await waitFor(
      'the other instance to finish the fleet',
      async () => (await storedRows(db)).length === ENTITIES,
      200_000,
    );
    await waitFor('its run to end', async () => !(await task(db))!.current_run_ticket);

    const rows = await storedRows(db);
    const released = (await task(db))!;
    expect(released.last_run_error_json).toBeNull(); // the survivor's run ended well
    for (const row of rows) {
      const before = doneByVictim.get(row.entity_ref);
      if (before !== undefined) {
        // Finished by the killed instance: not verified again.
        expect(row.verified_at.getTime()).toBe(before);
      } else {
        // Unfinished: verified by the survivor, after the killed run's lock expired.
        expect(row.verified_at.getTime()).toBeGreaterThanOrEqual(held.current_run_expires_at!.getTime());
      }
    }
    expect(writes[survivor]).toBe(ENTITIES - doneByVictim.size);
    // Every cluster was verified once, except at most the one the killed instance was verifying (one at a time)
    // when it died: that result was lost, and the survivor verified it again.
    const counts = verificationsPerCluster(world);
    expect(counts.every((n) => n === 1 || n === 2)).toBe(true);
    expect(counts.filter((n) => n === 2).length).toBeLessThanOrEqual(1);
  }, 300_000);
});

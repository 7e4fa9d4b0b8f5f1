import { mockServices } from '@backstage/backend-test-utils';
import type { DatabaseService } from '@backstage/backend-plugin-api';
import { LockTimeoutError } from '@efs-node-identity/core';
import knexFactory, { type Knex } from 'knex';
import { startPostgres, type TestPostgres } from '@efs-node-identity/test-postgres';
import { advisoryLockKey, inProcessLock, lockForDatabase, postgresAdvisoryLock } from './advisory-lock';

const FS_ARN = 'arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0a1b2c3d4e5f60718';
const OTHER_ARN = 'arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0c7d8e9f0a1b2c3d4';

/** A few round trips to the database: work done while a lock is held, so an overlap would interleave events. */
async function work(db: Knex, events: string[], name: string) {
  events.push(`${name} start`);
  for (let i = 0; i < 5; i++) await db.raw('select 1');
  events.push(`${name} end`);
}

describe('PostgreSQL advisory lock (a real PostgreSQL 18)', () => {
  let pg: TestPostgres;
  const replicas: Knex[] = [];
  // Each replica of the backend has its own connection pool on the shared database.
  const replica = () => {
    const db = knexFactory({ client: 'pg', connection: pg.connectionString, pool: { min: 0, max: 4 } });
    replicas.push(db);
    return db;
  };
  beforeAll(async () => {
    pg = await startPostgres();
  }, 300_000);
  afterAll(async () => {
    await Promise.all(replicas.map((db) => db.destroy()));
    await pg?.stop();
  });

  it('lets two replicas write one resource in turn, and different resources at once', async () => {
    const [a, b] = [replica(), replica()];
    const lockA = postgresAdvisoryLock(a, { pollMs: 5 });
    const lockB = postgresAdvisoryLock(b, { pollMs: 5 });
    const events: string[] = [];
    const releaseA = await lockA(FS_ARN);
    const waiting = lockB(FS_ARN).then(async (release) => {
      await work(b, events, 'B');
      await release();
    });
    // Another file system's lock is free while A holds the first one.
    const other = await lockB(OTHER_ARN);
    await other();
    await work(a, events, 'A');
    await releaseA();
    await waiting;
    expect(events).toEqual(['A start', 'A end', 'B start', 'B end']);
    const held = await a.raw("select count(*)::int as n from pg_locks where locktype = 'advisory'");
    expect(held.rows[0].n).toBe(0);
  });

  it('frees the lock of a replica that died while holding it (its session ended)', async () => {
    const dying = replica();
    const survivor = replica();
    const releaseDying = await postgresAdvisoryLock(dying)(FS_ARN);
    const during = await survivor.raw(
      "select count(*)::int as n from pg_locks where locktype = 'advisory' and granted",
    );
    expect(during.rows[0].n).toBe(1);
    await expect(postgresAdvisoryLock(survivor, { timeoutMs: 50, pollMs: 5 })(FS_ARN)).rejects.toThrow(
      LockTimeoutError,
    );
    // The holder's session ends, as when its process is killed: the server drops its advisory locks with it.
    await survivor.raw(
      "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted and pid <> pg_backend_pid()",
    );
    const release = await postgresAdvisoryLock(survivor, { pollMs: 5 })(FS_ARN);
    await release();
    // The dead session cannot unlock any more; its connection goes back to the pool to be discarded.
    await releaseDying().catch(() => undefined);
  });

  it('is what lockForDatabase picks on PostgreSQL; SQLite gets the in-process lock and a warning', async () => {
    const db = replica();
    const database: DatabaseService = { getClient: async () => db };
    const logger = mockServices.logger.mock();
    const lock = await lockForDatabase(database, logger);
    const release = await lock(FS_ARN);
    const key = advisoryLockKey(FS_ARN);
    const held = await replica().raw(
      "select count(*)::int as n from pg_locks where locktype = 'advisory' and ((classid::bigint << 32) | objid::bigint) = ?::bigint",
      [key],
    );
    expect(held.rows[0].n).toBe(1);
    await release();
    expect(logger.warn).not.toHaveBeenCalled();

    const sqlite = knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true });
    replicas.push(sqlite);
    await lockForDatabase({ getClient: async () => sqlite }, logger);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/within this backend process only/));
  });
});

describe('in-process lock', () => {
  it('runs the holders of one key in turn, in the order they asked', async () => {
    const lock = inProcessLock();
    const events: string[] = [];
    const tick = () => new Promise((r) => setImmediate(r));
    await Promise.all(
      ['A', 'B', 'C'].map(async (name) => {
        const release = await lock(FS_ARN);
        events.push(`${name} start`);
        await tick();
        events.push(`${name} end`);
        await release();
      }),
    );
    expect(events).toEqual(['A start', 'A end', 'B start', 'B end', 'C start', 'C end']);
  });
});

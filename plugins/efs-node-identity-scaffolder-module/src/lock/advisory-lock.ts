import { createHash } from 'node:crypto';
import type { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import { LockTimeoutError, type LockFn, type Release } from '@efs-node-identity/core';
import type { Knex } from 'knex';

/**
 * Locks for the executor's shared writes (a file system policy, a target role's trust), one key per resource ARN.
 * PutFileSystemPolicy and UpdateAssumeRolePolicy have no conditional write: two read-merge-write cycles that overlap
 * lose a statement. Backend replicas share nothing but the database, so on PostgreSQL the lock is a session-level
 * advisory lock there; the CLI's lock files would only serialise the writers of one machine.
 */

export interface AdvisoryLockOptions {
  /** Give up after this long (default 120 s, like the CLI's lock files). */
  timeoutMs?: number;
  /** First wait between two tries; doubles up to 500 ms. */
  pollMs?: number;
}

/**
 * The 64-bit key of a resource: the first 8 bytes of its SHA-256, as a signed bigint in decimal (what
 * `pg_advisory_lock(bigint)` takes). Namespaced so that our keys do not meet another plugin's in the same database.
 */
export function advisoryLockKey(resource: string): string {
  return createHash('sha256').update(`efs-node-identity:${resource}`).digest().readBigInt64BE(0).toString();
}

/**
 * A {@link LockFn} over PostgreSQL advisory locks. Each lock holds one pooled connection from take to release:
 * a session-level advisory lock belongs to the connection that took it, and PostgreSQL releases it when that
 * session ends, so a replica that dies while holding one does not block the others (no stale-lock takeover needed).
 * It polls `pg_try_advisory_lock` rather than blocking in `pg_advisory_lock`, so that a timeout is ours to enforce.
 */
export function postgresAdvisoryLock(knex: Knex, options: AdvisoryLockOptions = {}): LockFn {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return async (resource: string): Promise<Release> => {
    const key = advisoryLockKey(resource);
    const connection = await knex.client.acquireConnection();
    const deadline = Date.now() + timeoutMs;
    let wait = options.pollMs ?? 25;
    try {
      for (;;) {
        const result = await knex
          .raw('select pg_try_advisory_lock(?::bigint) as locked', [key])
          .connection(connection);
        if ((result.rows as Array<{ locked: boolean }>)[0]?.locked) break;
        if (Date.now() > deadline) throw new LockTimeoutError(resource, timeoutMs);
        await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
        wait = Math.min(wait * 2, 500);
      }
    } catch (error) {
      await knex.client.releaseConnection(connection);
      throw error;
    }
    return async () => {
      try {
        await knex.raw('select pg_advisory_unlock(?::bigint)', [key]).connection(connection);
      } finally {
        await knex.client.releaseConnection(connection);
      }
    };
  };
}

/**
 * Writers of one key in this process take turns (a promise chain per key). The fallback where the database cannot
 * coordinate replicas (SQLite, which Backstage supports for a single instance only).
 */
export function inProcessLock(): LockFn {
  const tails = new Map<string, Promise<void>>();
  return async (resource: string): Promise<Release> => {
    const previous = tails.get(resource) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    tails.set(resource, tail);
    await previous;
    return async () => {
      release();
      if (tails.get(resource) === tail) tails.delete(resource);
    };
  };
}

/**
 * The lock the apply action uses: PostgreSQL advisory locks when the plugin database is PostgreSQL, else the
 * in-process lock, with a warning that replicas are then not coordinated.
 */
export async function lockForDatabase(
  database: DatabaseService,
  logger: LoggerService,
  options: AdvisoryLockOptions = {},
): Promise<LockFn> {
  const knex = await database.getClient();
  const client = String(knex.client.config.client);
  if (client === 'pg' || client === 'postgres' || client === 'postgresql') {
    return postgresAdvisoryLock(knex, options);
  }
  logger.warn(
    `efs-node-identity: the database is ${client}, not PostgreSQL: writers of one policy are serialised within this ` +
      'backend process only; run several scaffolder replicas only on PostgreSQL (advisory locks)',
  );
  return inProcessLock();
}

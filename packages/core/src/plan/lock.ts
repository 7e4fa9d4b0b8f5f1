import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * A lock file per resource, so that writers of one file system policy or one role's policies on one machine take
 * turns. PutFileSystemPolicy, PutRolePolicy and UpdateAssumeRolePolicy have no conditional write (last writer wins),
 * so two read-merge-write cycles that overlap lose one statement; the lock makes them not overlap. Across machines
 * the executor's re-read after the write is what notices a lost statement.
 *
 * The file is created with O_EXCL (`wx`): the create either makes the file or fails because it exists, atomically,
 * on local file systems. A holder that died leaves its file behind: a file older than `staleMs` that is not refreshed
 * is taken over. The holder refreshes it (rewrites its time) while it holds it, so a long write is not mistaken for a
 * dead one.
 */

export interface LockOptions {
  /** Directory of the lock files (default: os.tmpdir()/efs-node-identity-locks). */
  dir?: string;
  /** A lock file not refreshed for this long belongs to a dead holder (default 30 s). */
  staleMs?: number;
  /** Give up after this long (default 120 s). */
  timeoutMs?: number;
}

export type Release = () => Promise<void>;
/** Takes the lock of a resource key (an ARN) and resolves with its release. */
export type LockFn = (key: string) => Promise<Release>;

export class LockTimeoutError extends Error {
  constructor(key: string, ms: number) {
    super(`could not take the lock of ${key} within ${ms} ms (another apply on this machine holds it)`);
    this.name = 'LockTimeoutError';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function lockFilePath(key: string, dir?: string): string {
  // The key is an ARN (colons, slashes): hashed so that it is a valid file name everywhere.
  const name = createHash('sha256').update(key).digest('hex').slice(0, 32);
  return path.join(dir ?? path.join(tmpdir(), 'efs-node-identity-locks'), `${name}.lock`);
}

export function fileLock(options: LockOptions = {}): LockFn {
  const staleMs = options.staleMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 120_000;
  return async (key) => {
    const file = lockFilePath(key, options.dir);
    await mkdir(path.dirname(file), { recursive: true });
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    const deadline = Date.now() + timeoutMs;
    let wait = 5;
    for (;;) {
      try {
        const handle = await open(file, 'wx');
        await handle.writeFile(JSON.stringify({ token, key, pid: process.pid }));
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      try {
        const info = await stat(file);
        if (Date.now() - info.mtimeMs > staleMs || (await holderIsDead(file))) {
          // A dead holder: remove its file and race for a new one (O_EXCL decides the winner).
          await rm(file, { force: true });
          continue;
        }
      } catch {
        continue; // released between the open and the stat
      }
      if (Date.now() > deadline) throw new LockTimeoutError(key, timeoutMs);
      await sleep(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 200);
    }
    const refresh = setInterval(
      () => {
        const now = new Date();
        utimes(file, now, now).catch(() => undefined);
      },
      Math.max(1000, staleMs / 3),
    );
    refresh.unref();
    return async () => {
      clearInterval(refresh);
      try {
        // Only our own file is removed: a holder that was taken over as stale must not delete its successor's.
        const content = JSON.parse(await readFile(file, 'utf8')) as { token?: string };
        if (content.token === token) await rm(file, { force: true });
      } catch {
        // Already gone.
      }
    };
  };
}

/**
 * The lock file names its holder's pid; the directory is local, so a pid that no longer exists (kill(pid, 0) fails
 * with ESRCH) is a holder that was killed: its lock is taken over at once instead of after the stale timeout.
 */
async function holderIsDead(file: string): Promise<boolean> {
  try {
    const { pid } = JSON.parse(await readFile(file, 'utf8')) as { pid?: unknown };
    if (typeof pid !== 'number' || pid === process.pid) return false;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Runs `fn` holding the lock of `key`. */
export async function withLock<T>(lock: LockFn | undefined, key: string, fn: () => Promise<T>): Promise<T> {
  if (!lock) return fn();
  const release = await lock(key);
  try {
    return await fn();
  } finally {
    await release();
  }
}

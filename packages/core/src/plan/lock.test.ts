import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileLock, lockFilePath, LockTimeoutError } from './lock';

const KEY = 'arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0a1b2c3d4e5f60718';

describe('fileLock', () => {
  it('lets one holder at a time write a resource: the second waits for the release', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eni-lock-'));
    const lock = fileLock({ dir });
    const order: string[] = [];
    const release = await lock(KEY);
    const second = lock(KEY).then((r) => {
      order.push('second acquired');
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    order.push('first releases');
    await release();
    await (
      await second
    )();
    expect(order).toEqual(['first releases', 'second acquired']);
    expect(existsSync(lockFilePath(KEY, dir))).toBe(false);
  });

  it('takes over the lock of a holder that was killed at once, without waiting for the stale timeout', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eni-lock-'));
    // A process that has exited: its pid names no process any more.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(
      lockFilePath(KEY, dir),
      JSON.stringify({ token: 'dead', key: KEY, pid: Number(gone.stdout) }),
    );
    // A stale timeout of an hour and a give-up of 2 s: only the dead-holder check can let this through.
    const release = await fileLock({ dir, staleMs: 3_600_000, timeoutMs: 2_000 })(KEY);
    await release();
  });

  it('gives up with a clear error while a live holder keeps the lock', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eni-lock-'));
    const holder = await fileLock({ dir })(KEY);
    await expect(fileLock({ dir, timeoutMs: 100 })(KEY)).rejects.toBeInstanceOf(LockTimeoutError);
    await holder();
  });
});

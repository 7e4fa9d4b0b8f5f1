import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** Runs the built CLI as a process, as a user would (the build runs before the tests). */
export function runCli(
  args: string[],
  options: { cwd?: string; input?: string; env?: Record<string, string> } = {},
) {
  const bin = path.join(__dirname, '..', 'dist', 'bin.js');
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? path.join(__dirname, '..'),
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const SHARED_FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures');
export const REPO_ROOT = path.resolve(__dirname, '../../..');

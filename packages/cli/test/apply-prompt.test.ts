import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { canonicalJson } from '@efs-node-identity/core';
import { startSandbox, type Sandbox } from '@efs-node-identity/sandbox';
import { runCliAsync, sandboxCliEnv } from './run-cli';

/**
 * The confirmation prompt of `apply`, answered through a real pseudo-terminal: util-linux `script` runs the built CLI
 * with its stdin, stdout and stderr on a pty (so `process.stdin.isTTY` and `process.stdout.isTTY` are true, as in a
 * shell), and the test types the answer once the prompt is on the screen. `script` ships with util-linux on Debian
 * (bsdutils) and needs no native build; `-e` returns the child's exit code, `-f` flushes every write, `-q` drops the
 * "Script started" lines, and /dev/null is where the typescript would go.
 */

jest.setTimeout(120_000);

const PLATFORM = '111122223333';
const FS = 'fs-0a1b2c3d4e5f60718';
const PROMPT = /Type yes to continue: $/;
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/** A POSIX shell word for `text` (script runs its command with `sh -c`). */
const shellWord = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the CLI on a pty; `answer` is typed (with Enter) when the prompt appears. Resolves with the exit code and
 * everything the terminal showed (stdout and stderr together, as a terminal shows them, with CR LF line ends).
 */
function runOnTerminal(
  args: string[],
  env: Record<string, string>,
  answer: string,
): Promise<{ code: number | null; screen: string; prompted: boolean }> {
  const bin = path.join(__dirname, '..', 'dist', 'bin.js');
  const command = [process.execPath, bin, ...args].map(shellWord).join(' ');
  const base = { ...process.env };
  for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'KUBECONFIG']) delete base[k];
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...base, NO_COLOR: '1', SHELL: '/bin/sh', ...env },
    });
    let screen = '';
    let prompted = false;
    const onData = (d: Buffer) => {
      screen += d.toString('utf8');
      if (!prompted && PROMPT.test(screen)) {
        prompted = true;
        child.stdin.write(`${answer}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ code, screen, prompted });
    });
  });
}

const READS = /^(Get|List|Describe)/;
/** The writes in the sandbox's call log: AWS calls other than reads and STS, Kubernetes calls other than get/list. */
function writesIn(sandbox: Sandbox): string[] {
  return sandbox.log.calls
    .filter((c) =>
      c.service === 'kubernetes'
        ? !/^(get|list|watch) /.test(c.operation)
        : c.service !== 'sts' && !READS.test(c.operation),
    )
    .map((c) => `${c.service}:${c.operation}`);
}

describe('apply asks for confirmation on a terminal', () => {
  let sandbox: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  let kubeconfig: string;
  beforeAll(() => {
    // bsdutils (util-linux's `script`) is an essential package on Debian; CI and this machine have it.
    if (!hasScript) throw new Error('these tests need util-linux `script` on PATH (Debian: bsdutils)');
  });
  beforeEach(async () => {
    sandbox = await startSandbox({ scenario: 'deny-only-policy' });
    dir = mkdtempSync(path.join(tmpdir(), 'apply-prompt-'));
    ({ kubeconfig, env } = sandboxCliEnv(sandbox, dir, PLATFORM));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sandbox.stop();
  });

  const args = () => [
    'apply',
    '--cluster',
    'prod-eks',
    '--region',
    'eu-west-1',
    '--kubeconfig',
    kubeconfig,
    '--file-system',
    FS,
    '--journal',
    path.join(dir, 'journal.json'),
  ];
  const fsPolicy = () =>
    canonicalJson(sandbox.state.accounts.get(PLATFORM)!.efs.fileSystems.get(FS)!.policy ?? null);

  it.each(['n', 'y', ''])(
    'answer %j: not confirmed, exit 1, nothing written (the prompt asks for the word yes)',
    async (answer) => {
      const before = fsPolicy();
      const r = await runOnTerminal(args(), env, answer);
      expect(r.prompted).toBe(true);
      // The plan is on the screen before the question.
      expect(r.screen).toMatch(
        /Merge the policy of fs-0a1b2c3d4e5f60718[\s\S]*apply: 2 step\(s\) will change prod-eks\./,
      );
      expect(r.screen).toMatch(/apply: not confirmed; nothing was changed/);
      expect(r.code).toBe(1);
      // The run read the account (the log records it) and wrote nothing.
      expect(sandbox.log.count({ operation: 'DescribeFileSystemPolicy' })).toBeGreaterThan(0);
      expect(writesIn(sandbox)).toEqual([]);
      expect(fsPolicy()).toBe(before);
    },
  );

  it('answer yes: the steps run with progress per step, exit 0', async () => {
    const before = fsPolicy();
    const r = await runOnTerminal(args(), env, 'yes');
    expect(r.prompted).toBe(true);
    expect(r.screen).toMatch(/\[1\/2\] Merge the policy of fs-0a1b2c3d4e5f60718/);
    expect(r.screen).toMatch(/verify: 0 error\(s\)/);
    expect(r.code).toBe(0);
    expect(writesIn(sandbox)).toContain('elasticfilesystem:PutFileSystemPolicy');
    expect(fsPolicy()).not.toBe(before);
    expect(fsPolicy()).toMatch(/EfsCsiNode-prod-eks/);
  });

  it('without a terminal and without --yes: no prompt, exit 2, nothing written', async () => {
    const r = await runCliAsync(args(), env);
    expect(r.stderr).not.toMatch(PROMPT);
    expect(r.stderr).toMatch(/no terminal to confirm on: pass --yes/);
    expect(r.code).toBe(2);
    expect(writesIn(sandbox)).toEqual([]);
  });
});

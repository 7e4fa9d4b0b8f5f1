// What every journey under e2e/journeys shares: `ok`/`FAIL` lines per check (as e2e/backstage-demo.mjs prints them),
// an artifacts directory e2e/artifacts/<journey>/ (gitignored), temporary directories and child processes that are
// removed and stopped however the journey ends, and the exit code e2e/run.mjs reads (0 when every check passed).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { clearTimeout, setTimeout } from 'node:timers';

/** The repository root (this file is e2e/lib/journey.mjs). */
export const ROOT = join(import.meta.dirname, '..', '..');
/** The real CLI, as `npm run build` leaves it. */
export const CLI_BIN = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');

/**
 * Starts a journey: `check(what, ok, detail)` prints one line per check, `temp()` makes a directory removed at the end,
 * `spawnLogged(…)` starts a process stopped at the end with its output kept under the artifacts, and `run(body)`
 * runs the journey, cleans up and exits.
 */
export function journey(name) {
  const started = Date.now();
  const artifacts = join(ROOT, 'e2e', 'artifacts', name);
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const failures = [];
  const cleanups = [];
  let processes = 0;

  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  const say = (line) => process.stdout.write(`${name}: ${line}\n`);

  function check(what, ok, detail = '') {
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !detail ? '' : `: ${detail}`}\n`);
    if (!ok) failures.push(what);
    return Boolean(ok);
  }

  function temp(prefix = name) {
    const dir = mkdtempSync(join(tmpdir(), `e2e-${prefix}-`));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Saves text under the artifacts directory and returns its path. */
  function save(file, text) {
    const at = join(artifacts, file);
    mkdirSync(join(at, '..'), { recursive: true });
    writeFileSync(at, text);
    return at;
  }

  /**
   * Starts a long-running process (a sandbox, a backend): its stdout and stderr are collected (`output()`) and written
   * to <log>.log under the artifacts at the end; it is sent SIGTERM at the end (SIGKILL after 10 s) unless it exited.
   */
  function spawnLogged(log, command, args, options = {}) {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      save(`${log}.log`, out);
    });
    return {
      child,
      exited,
      output: () => out,
      /** Resolves with the output so far as soon as it matches; rejects when the process exits first. */
      waitFor(pattern, timeoutMs = 120_000) {
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            done();
            reject(new Error(`${log}: no ${pattern} in its output after ${timeoutMs / 1000} s`));
          }, timeoutMs);
          const test = () => {
            if (pattern.test(out)) {
              done();
              resolve(out);
            }
          };
          const onExit = (code) => {
            done();
            reject(new Error(`${log} exited (${code}) before printing ${pattern}:\n${out.slice(-2000)}`));
          };
          function done() {
            clearTimeout(timer);
            child.stdout.off('data', test);
            child.stderr.off('data', test);
            child.off('exit', onExit);
          }
          child.stdout.on('data', test);
          child.stderr.on('data', test);
          child.once('exit', onExit);
          test();
        });
      },
    };
  }

  /**
   * Runs a short-lived process to its end without blocking this event loop (a sandbox or fake API may answer from it),
   * and keeps what it printed as <log>.log under the artifacts.
   */
  function runProcess(log, command, args, options = {}) {
    processes += 1;
    const file = `${String(processes).padStart(2, '0')}-${log}.log`;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => {
        save(
          file,
          `$ ${[command, ...args].join(' ')}\n--- exit code ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
        );
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Runs the built CLI (`efs-node-identity <args>`) on this Node with only the environment given (plus PATH, HOME). */
  function cli(args, env = {}, options = {}) {
    return runProcess(`cli-${args[0]}`, process.execPath, [CLI_BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
      ...options,
    });
  }

  async function run(body) {
    say(`started; artifacts in ${artifacts.slice(ROOT.length + 1)}/`);
    try {
      await body();
    } catch (error) {
      check(
        'the journey ran to the end',
        false,
        error instanceof Error ? (error.stack ?? error.message) : String(error),
      );
    } finally {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          process.stderr.write(
            `${name}: cleanup: ${error instanceof Error ? error.message : String(error)}\n`,
          );
        }
      }
    }
    say(
      `${failures.length ? `${failures.length} check(s) failed` : 'every check passed'} after ${seconds()} s`,
    );
    process.exit(failures.length ? 1 : 0);
  }

  return {
    name,
    artifacts,
    check,
    say,
    seconds,
    temp,
    save,
    spawnLogged,
    runProcess,
    cli,
    run,
    onCleanup: (fn) => cleanups.push(fn),
  };
}

/** Polls `attempt` every `everyMs` until it returns a truthy value (returned) or `timeoutMs` passes (throws). */
export async function until(what, attempt, { timeoutMs = 120_000, everyMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await attempt();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `gave up waiting for ${what} after ${timeoutMs / 1000} s${last ? ` (${last.message})` : ''}`,
      );
    await delay(everyMs);
  }
}

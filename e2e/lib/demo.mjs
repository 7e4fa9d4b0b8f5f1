// The Backstage demo (`npm start`'s scripts/start.mjs) as a child of a browser journey, and the headless Chromium
// that visits it. The demo runs in a process group of its own, so that stopping it reaches every process it started
// (the backend, an app build) even if start.mjs itself cannot pass the signal on.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const APP_URL = 'http://localhost:3000';
const ROOT = join(import.meta.dirname, '..', '..');

/** Debian's chromium, or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Starts the demo and resolves once it printed that it is ready (the three services verified once).
 *
 * @param options `output(chunk)` receives its stdout (default: this process's stdout); stderr is inherited
 * @returns `{ stop() }`: SIGINT to start.mjs (which stops the backend and the sandbox), then SIGKILL to whatever is
 *   left of its process group after 20 s
 */
export async function startDemo({ output = (chunk) => process.stdout.write(chunk) } = {}) {
  const demo = spawn(process.execPath, [join(ROOT, 'scripts', 'start.mjs')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    // Its own process group: -pid names the demo and every process under it.
    detached: true,
  });
  const exited = new Promise((resolve) => demo.once('exit', resolve));
  const stop = async () => {
    if (demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    }
    try {
      process.kill(-demo.pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is empty, every process of the demo is gone
    }
  };
  // A journey that throws or is interrupted still stops the demo.
  const onSignal = () => void stop().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await new Promise((resolve, reject) => {
    let out = '';
    demo.stdout.on('data', (chunk) => {
      output(chunk);
      out += chunk;
      if (/demo: ready after/.test(out)) resolve();
    });
    demo.once('exit', (code) => reject(new Error(`the demo exited (${code}) before it was ready`)));
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return {
    stop: async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await stop();
    },
  };
}

/** Headless Chromium with the flags the journeys use; exits 2 with a hint when there is none. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(
      `e2e: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)\n`,
    );
    process.exit(2);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

// `npm start`: the demo. Starts the sandbox with the `demo` scenario and the Backstage demo app (demo/backend serving
// the production build of demo/app) on http://localhost:3000, verifies the three demo services once, prints where to
// go, and stops everything on Ctrl-C. `npm run check:examples` checks the bundled examples instead.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (line) => process.stdout.write(`demo: ${line}\n`);

const APP_URL = 'http://localhost:3000';
const REGION = 'eu-west-1';
// The sandbox's `demo` scenario: one account per service (packages/sandbox/scenarios/demo.yaml says why).
const ACCOUNTS = ['111122223333', '222233334444', '333344445555'];
const SERVICES = ['orders-api', 'media-store', 'reports-worker'];

// Every child this script starts (the app build, the backend), so that a SIGINT or SIGTERM sent to this script alone
// (not to its whole process group, as Ctrl-C in a terminal does) reaches them too: without it, the backend was left
// running when only this process got the signal. The handlers are installed before anything starts.
const children = new Set();
/** Set once the sandbox and the backend exist; until then a signal only has to stop the children. */
let cleanUp = async () => {};
let stopping = false;
async function stop(code, signal = 'SIGTERM') {
  if (stopping) return;
  stopping = true;
  await Promise.all([...children].map((child) => stopChild(child, signal)));
  await cleanUp();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void stop(0, signal));
}

/** Sends the signal to a child and waits for it to exit, with SIGKILL after 10 s. */
function stopChild(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** Starts a child, remembered until it exits. */
function startChild(command, args, options) {
  const child = spawn(command, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Newest modification time under a directory (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

// The app's production build (webpack through backstage-cli) takes minutes on 2 cores, so it runs only when the app
// or the frontend plugin changed since the last one; `turbo run build` (before this script) builds everything else.
const appDir = join(root, 'demo', 'app');
const builtAt = existsSync(join(appDir, 'dist', 'index.html'))
  ? statSync(join(appDir, 'dist', 'index.html')).mtimeMs
  : 0;
const sources = Math.max(
  newest(join(appDir, 'src')),
  newest(join(appDir, 'public')),
  newest(join(root, 'plugins', 'efs-node-identity', 'dist')),
  statSync(join(root, 'demo', 'app-config.yaml')).mtimeMs,
);
if (builtAt < sources) {
  say('building the app (production build of demo/app; a few minutes the first time)…');
  // demo/app's `bundle` script, run without npm and its shell in between, which do not pass a signal on to
  // backstage-cli: started directly, it is the child that gets the signal (webpack runs inside it).
  const cli = join(root, 'node_modules', '@backstage', 'cli', 'bin', 'backstage-cli');
  const build = startChild(process.execPath, [cli, 'package', 'build', '--config', '../app-config.yaml'], {
    cwd: appDir,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const [status, signal] = await new Promise((resolve) => build.once('exit', (c, sig) => resolve([c, sig])));
  if (stopping) await new Promise(() => {}); // stop() exits once every child is gone
  if (status !== 0) {
    say(`the app build failed (exit ${status ?? signal})`);
    process.exit(2);
  }
  say(`app built after ${seconds()}`);
}

const require = createRequire(import.meta.url);
const { startSandbox, adminCredentials } = require(join(root, 'packages', 'sandbox', 'dist', 'index.js'));
const sandbox = await startSandbox({ scenario: 'demo' });
cleanUp = () => sandbox.stop();
if (stopping) await new Promise(() => {});
say(`sandbox (scenario demo) on ${sandbox.url}`);

// The backend gets per-account keys through the standard `aws:` config (integration-aws-node), as in production;
// the SDK's AWS_ENDPOINT_URL sends every call to the sandbox. These are the sandbox's dummy keys, never real ones.
const configDir = mkdtempSync(join(tmpdir(), 'efs-node-identity-demo-'));
const sandboxConfig = join(configDir, 'app-config.sandbox.json');
cleanUp = async () => {
  await sandbox.stop();
  rmSync(configDir, { recursive: true, force: true });
};
writeFileSync(
  sandboxConfig,
  JSON.stringify({
    aws: {
      accounts: ACCOUNTS.map((accountId) => ({ accountId, ...adminCredentials(sandbox.state, accountId) })),
    },
  }),
);

const env = { ...process.env, NODE_ENV: 'production', AWS_ENDPOINT_URL: sandbox.url, AWS_REGION: REGION };
for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
  delete env[name];
const backend = startChild(
  process.execPath,
  ['dist/index.js', '--config', '../app-config.yaml', '--config', sandboxConfig],
  { cwd: join(root, 'demo', 'backend'), env, stdio: ['ignore', 'pipe', 'pipe'] },
);
// Backstage logs one JSON line per event in production; only warnings and errors are worth a terminal line.
for (const stream of [backend.stdout, backend.stderr]) {
  let rest = '';
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      // Once stopping, the backend's shutdown messages are expected.
      if (!line.trim() || stopping) continue;
      try {
        const entry = JSON.parse(line);
        // Serving on localhost is the point of the demo: each plugin's warning about a localhost baseUrl is noise here.
        if (/baseUrl is set to a localhost URL/.test(entry.message)) continue;
        // The scaffolder publishes task events to the events backend, which the demo does not install.
        if (/events backend not found/.test(entry.message)) continue;
        if (entry.level === 'warn' || entry.level === 'error') {
          process.stderr.write(
            `backend ${entry.level}: ${entry.plugin ? `[${entry.plugin}] ` : ''}${entry.message}\n`,
          );
        }
      } catch {
        process.stderr.write(`backend: ${line}\n`);
      }
    }
  });
}

backend.on('exit', (code, signal) => {
  if (stopping) return;
  say(`the backend stopped (${signal ?? `exit ${code}`})`);
  void stop(2);
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(what, attempt, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Stopping: no more requests to a backend that is shutting down; stop() exits.
    if (stopping) await new Promise(() => {});
    try {
      const value = await attempt();
      if (value) return value;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      say(`gave up waiting for ${what} after ${seconds()}`);
      await stop(2);
    }
    await sleep(500);
  }
}

await until('the backend', async () => (await fetch(`${APP_URL}/.backstage/health/v1/readiness`)).ok);
say(`backend ready after ${seconds()}`);

// Verify each service once (what "verify now" on its card does), signed in as the demo's guest, so the fleet page and
// the cards have a status on the first visit. The catalog reads demo/catalog/entities.yaml shortly after start-up.
const token = await until('a guest token', async () => {
  const res = await fetch(`${APP_URL}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  return res.ok ? (await res.json()).backstageIdentity?.token : undefined;
});
for (const name of SERVICES) {
  const state = await until(`${name} in the catalog`, async () => {
    const res = await fetch(`${APP_URL}/api/efs-node-identity/entities/default/component/${name}/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    return res.ok ? (await res.json()).state : undefined;
  });
  say(`verified ${name}: ${state}`);
}

say(`ready after ${seconds()}: open ${APP_URL}`);
say(`  fleet:        ${APP_URL}/efs-node-identity`);
for (const name of SERVICES) say(`  ${name.padEnd(16)}${APP_URL}/catalog/default/component/${name}`);
say('Ctrl-C stops the app and the sandbox');

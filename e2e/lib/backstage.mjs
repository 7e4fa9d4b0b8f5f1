// The demo's Backstage backend (demo/backend, serving the production build of demo/app) started for a journey against
// a sandbox the journey holds, the way scripts/start.mjs starts it for `npm start`, but on a free port (so a journey
// never collides with a running demo) and with extra config (e.g. a short fleet refresh interval).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, until } from './journey.mjs';

// Node's global fetch (undici), named so that the linter's globals for .mjs files need not list it.
const { fetch } = globalThis;

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Newest modification time of the files under a directory (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/**
 * Builds demo/app when its production build is missing or older than its sources, the frontend plugin's build or
 * the demo config (the test scripts/start.mjs makes before `npm start`; minutes on 2 cores).
 */
export function ensureDemoAppBuilt(j) {
  const appDir = join(ROOT, 'demo', 'app');
  const index = join(appDir, 'dist', 'index.html');
  const builtAt = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(
    newest(join(appDir, 'src')),
    newest(join(appDir, 'public')),
    newest(join(ROOT, 'plugins', 'efs-node-identity', 'dist')),
    statSync(join(ROOT, 'demo', 'app-config.yaml')).mtimeMs,
  );
  if (builtAt >= sources) return;
  j.say('building demo/app (production build, a few minutes)…');
  // Its output (a line per chunk) goes to the journey's artifacts, not to the terminal.
  const build = spawnSync('npm', ['run', 'bundle', '-w', '@efs-node-identity/demo-app'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  j.save('demo-app-build.log', `${build.stdout ?? ''}${build.stderr ?? ''}`);
  if (build.status !== 0) throw new Error(`the demo app build failed (exit ${build.status ?? build.signal})`);
}

/**
 * Starts demo/backend with demo/app-config.yaml plus a config giving the sandbox's keys per account (the `aws:`
 * section, as in production) and `extraConfig`, on a free port; resolves when it is ready and the guest can sign in.
 * Returns the base URL, a guest token for its API, and `api(path, init)`.
 */
export async function startDemoBackend(j, { sandbox, accounts, extraConfig = {}, region = 'eu-west-1' }) {
  ensureDemoAppBuilt(j);
  const require = (await import('node:module')).createRequire(import.meta.url);
  const { adminCredentials } = require(join(ROOT, 'packages', 'sandbox', 'dist', 'index.js'));
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const configFile = join(j.temp('backstage-config'), 'app-config.e2e.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      app: { baseUrl: url },
      backend: { baseUrl: url, listen: { port, host: '127.0.0.1' }, cors: { origin: url } },
      aws: {
        accounts: accounts.map((accountId) => ({ accountId, ...adminCredentials(sandbox.state, accountId) })),
      },
      ...extraConfig,
    }),
  );
  const env = { ...process.env, NODE_ENV: 'production', AWS_ENDPOINT_URL: sandbox.url, AWS_REGION: region };
  for (const name of [
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'KUBECONFIG',
  ])
    delete env[name];
  const backend = j.spawnLogged(
    'backstage-backend',
    process.execPath,
    ['dist/index.js', '--config', '../app-config.yaml', '--config', configFile],
    { cwd: join(ROOT, 'demo', 'backend'), env },
  );
  const exited = backend.exited.then((code) => {
    throw new Error(`the Backstage backend exited (${code}):\n${backend.output().slice(-3000)}`);
  });
  exited.catch(() => {});
  const ready = until(
    'the Backstage backend',
    async () => (await fetch(`${url}/.backstage/health/v1/readiness`)).ok,
    {
      timeoutMs: 180_000,
    },
  );
  await Promise.race([ready, exited]);
  const token = await until('a guest token', async () => {
    const res = await fetch(`${url}/api/auth/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    return res.ok ? (await res.json()).backstageIdentity?.token : undefined;
  });
  const api = async (path, init = {}) => {
    const res = await fetch(`${url}/api/efs-node-identity${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    });
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return { url, port, token, api, process: backend };
}

/** Headless Chromium (Debian's, via playwright-core) with the flags CI needs; closed at the end of the journey. */
export async function launchBrowser(j) {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  j.onCleanup(() => browser.close());
  return browser;
}

// `npm run e2e`: the Backstage demo in a real headless Chromium (Debian's `chromium`, driven by playwright-core).
// Starts `npm start`'s script, waits until it says it is ready, then checks what a visitor sees: the media-store page
// shows the card with FS-02 and its fix, the fleet page lists the three services with their statuses. Screenshots go
// to e2e/artifacts/. Exit code 0 when every check passes, 1 otherwise.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = join(import.meta.dirname, '..');
const artifacts = join(import.meta.dirname, 'artifacts');
mkdirSync(artifacts, { recursive: true });
const APP_URL = 'http://localhost:3000';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`e2e: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)\n`);
  process.exit(2);
}

const started = Date.now();
const demo = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const ready = new Promise((resolve, reject) => {
  let out = '';
  demo.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    out += chunk;
    if (/demo: ready after/.test(out)) resolve();
  });
  demo.on('exit', (code) => reject(new Error(`the demo exited (${code}) before it was ready`)));
});

const failures = [];
function check(what, ok, detail = '') {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !detail ? '' : `: ${detail}`}\n`);
  if (!ok) failures.push(what);
}

let browser;
try {
  await ready;
  process.stdout.write(`e2e: demo ready after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(60_000);

  // The media-store page: the card names FS-02 and offers its fix.
  await page.goto(`${APP_URL}/catalog/default/component/media-store`);
  const card = page.locator('section[aria-label="Findings"]');
  await card.waitFor();
  const finding = page.locator('li[aria-label^="FS-02 error"]');
  check('media-store: the card lists FS-02 as an error', (await finding.count()) === 1);
  check(
    'media-store: FS-02 comes with its fix',
    (await page.getByRole('button', { name: 'Copy the fix for FS-02' }).count()) === 1 &&
      /Allow statement/.test(await finding.innerText()),
    await finding.innerText().catch(() => ''),
  );
  check('media-store: the status says Failing in words', (await page.getByText('Failing').count()) > 0);
  await page.screenshot({ path: join(artifacts, 'media-store-1280.png'), fullPage: true });

  // The fleet page: the three services with their statuses.
  await page.goto(`${APP_URL}/efs-node-identity`);
  const table = page.locator('table[aria-label="Fleet"]');
  await table.waitFor();
  const expected = { 'orders-api': 'Healthy', 'media-store': 'Failing', 'reports-worker': 'Failing' };
  for (const [name, status] of Object.entries(expected)) {
    const row = table.locator('tr', { hasText: name });
    const text = (await row.count()) === 1 ? await row.innerText() : '';
    check(`fleet: ${name} is listed as ${status}`, text.includes(status), text || 'no row');
  }
  await page.screenshot({ path: join(artifacts, 'fleet-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 400, height: 800 });
  await page.screenshot({ path: join(artifacts, 'fleet-400.png'), fullPage: true });
} catch (error) {
  const pages = browser?.contexts().flatMap((c) => c.pages()) ?? [];
  for (const [i, p] of pages.entries())
    await p.screenshot({ path: join(artifacts, `failure-${i}.png`) }).catch(() => {});
  check('the journey ran to the end', false, error instanceof Error ? error.message : String(error));
} finally {
  await browser?.close();
  demo.kill('SIGINT');
  await new Promise((resolve) => (demo.exitCode === null ? demo.once('exit', resolve) : resolve()));
}
process.stdout.write(
  `e2e: ${failures.length ? `${failures.length} check(s) failed` : 'every check passed'} after ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in e2e/artifacts/\n`,
);
process.exit(failures.length ? 1 : 0);

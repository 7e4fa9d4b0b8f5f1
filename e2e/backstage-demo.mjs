// `npm run e2e`: the Backstage demo in a real headless Chromium (Debian's `chromium`, driven by playwright-core).
// Starts `npm start`'s script, waits until it says it is ready, then checks what a visitor sees: the media-store page
// shows the card with FS-02 and its fix, the fleet page lists the three services with their statuses; the card and
// the fleet are readable at 1280×800 and 400 px wide, reachable from the keyboard and say their status in words.
// Then a developer runs the efs-node-identity template for media-store through the scaffolder's pages (apply now,
// Pod Identity, demo-cluster, its file system), and the card and the fleet say Healthy. Screenshots go to
// e2e/artifacts/. Exit code 0 when every check passes, 1 otherwise.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_URL, launchChromium, startDemo } from './lib/demo.mjs';
import { MEDIA_STORE_FIX, runEfsNodeIdentityTemplate } from './lib/efs-template.mjs';

const artifacts = join(import.meta.dirname, 'artifacts');
mkdirSync(artifacts, { recursive: true });

const failures = [];
function check(what, ok, detail = '') {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !detail ? '' : `: ${detail}`}\n`);
  if (!ok) failures.push(what);
}

/**
 * Elements wider than their box (scrollWidth > clientWidth), i.e. content a visitor would have to scroll sideways
 * to read: the document itself and every element under `selector`, except those that are visually hidden (1 px
 * wide, the screen-reader-only headings) and those that hide their overflow on purpose (an ellipsis).
 */
async function overflowing(page, selector) {
  return page.evaluate((sel) => {
    const found = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth)
      found.push(`the page (${root.scrollWidth} > ${root.clientWidth} px)`);
    for (const container of document.querySelectorAll(sel)) {
      for (const el of [container, ...container.querySelectorAll('*')]) {
        if (el.clientWidth <= 1 || el.scrollWidth <= el.clientWidth) continue;
        if (getComputedStyle(el).overflowX === 'hidden' || getComputedStyle(el).textOverflow === 'ellipsis')
          continue;
        const label = el.getAttribute('aria-label') ?? el.textContent?.slice(0, 40);
        found.push(`<${el.tagName.toLowerCase()}> "${label}" (${el.scrollWidth} > ${el.clientWidth} px)`);
      }
    }
    return found;
  }, selector);
}

/**
 * Resizes the window and waits until the layout has settled: the app shell collapses its sidebar with a transition,
 * so right after a resize the page content is still laid out for the old width. Settled = the boxes of the app
 * (every element under #root) keep their size and position over 300 ms (at most 10 s).
 */
async function resizeTo(page, width) {
  await page.setViewportSize({ width, height: 800 });
  await settled(page);
}

/** Waits until the boxes of the app (under #root) keep their size and position over 300 ms (at most 10 s). */
async function settled(page) {
  const layout = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('#root *')]
        .map((el) => {
          const r = el.getBoundingClientRect();
          return `${r.left},${r.width}`;
        })
        .join(';'),
    );
  const deadline = Date.now() + 10_000;
  let before = await layout();
  while (Date.now() < deadline) {
    await page.waitForTimeout(300);
    const now = await layout();
    if (now === before) return;
    before = now;
  }
}

/** Presses Tab from the top until `isTarget(name)` holds for the focused element (or `max` presses); returns the accessible names passed on the way. */
async function tabUntil(page, isTarget, max = 60) {
  // From the top of the document, as after loading the page.
  await page.evaluate(() => document.activeElement?.blur());
  const reached = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return '';
      const label = el.closest('label');
      return (el.getAttribute('aria-label') ?? (label ? label.textContent : el.textContent) ?? '').trim();
    });
    reached.push(name);
    if (isTarget(name)) break;
  }
  return reached;
}

const started = Date.now();
let demo;
let browser;
try {
  demo = await startDemo();
  process.stdout.write(`e2e: demo ready after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(60_000);
  const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

  // orders-api: the demo backend inspects mounts (efsNodeIdentity.inspectMounts), and its nodes' state files show
  // every volume mounted with the dedicated identity.
  await page.goto(`${APP_URL}/catalog/default/component/orders-api`);
  const mounts = page.locator('section[aria-label="Live mounts"]');
  await mounts.waitFor();
  const mountsText = await mounts.innerText();
  check(
    'orders-api: the card counts the live mounts, all on the dedicated identity',
    /live mounts: [1-9]\d* on the dedicated identity, 0 on the instance role/.test(mountsText) &&
      /Nothing to re-mount/.test(mountsText),
    mountsText,
  );
  check(
    'orders-api: the card says Healthy (the mount count is a note, not a warning)',
    /^Healthy$/m.test(await page.locator('section[aria-label="Verification status"]').innerText()),
  );

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
  // Not by colour alone: each link of the identity chain and each finding says its state in text.
  const chain = await page.locator('section[aria-label="Identity chain"] li').allInnerTexts();
  check(
    'media-store: every identity chain link states ok / warning / failing / unknown in text',
    chain.length > 0 && chain.every((text) => /\b(ok|warning|failing|unknown)\b/.test(text)),
    JSON.stringify(chain),
  );
  check('media-store: the finding says "error" in text', /\berror\b/.test(await finding.innerText()));
  await settled(page);
  const cardOverflow1280 = await overflowing(page, '.MuiCard-root');
  check(
    'media-store at 1280×800: nothing scrolls sideways',
    cardOverflow1280.length === 0,
    cardOverflow1280.join('; '),
  );
  const toVerify = await tabUntil(page, (name) => /^verify now$/i.test(name));
  check(
    'media-store: Tab reaches the fix and then "Verify now"',
    /^verify now$/i.test(toVerify.at(-1) ?? '') && toVerify.includes('Copy the fix for FS-02'),
    toVerify.filter(Boolean).join(' → '),
  );
  await shot('media-store-1280');
  await resizeTo(page, 400);
  await page.locator('section[aria-label="Findings"]').waitFor();
  const cardOverflow400 = await overflowing(page, '.MuiCard-root');
  check(
    'media-store at 400 px: nothing scrolls sideways',
    cardOverflow400.length === 0,
    cardOverflow400.join('; '),
  );
  await shot('media-store-400');

  // The fleet page, reached from the nav bar: the three services with their statuses.
  await resizeTo(page, 1280);
  const navEntry = page.getByRole('link', { name: 'EFS node identity' });
  check('the nav bar has an entry for the fleet page', (await navEntry.count()) === 1);
  if ((await navEntry.count()) === 1) await navEntry.click();
  else await page.goto(`${APP_URL}/efs-node-identity`);
  await page.waitForURL(`${APP_URL}/efs-node-identity`);
  const table = page.locator('table[aria-label="Fleet"]');
  await table.waitFor();
  const expected = { 'orders-api': 'Healthy', 'media-store': 'Failing', 'reports-worker': 'Failing' };
  for (const [name, status] of Object.entries(expected)) {
    const row = table.locator('tr', { hasText: name });
    const text = (await row.count()) === 1 ? await row.innerText() : '';
    check(`fleet: ${name} is listed as ${status}`, text.includes(status), text || 'no row');
  }
  await settled(page);
  const fleetOverflow1280 = await overflowing(page, 'main');
  check(
    'fleet at 1280×800: nothing scrolls sideways',
    fleetOverflow1280.length === 0,
    fleetOverflow1280.join('; '),
  );
  // The entity links in the order the table shows them (sorted by entity).
  const links = await table.getByRole('link').allInnerTexts();
  const toLastLink = await tabUntil(page, (name) => name === links.at(-1));
  const stops = ['Cluster', 'Status', 'Search', 'Sort by', ...links];
  const order = toLastLink.filter((name) => stops.some((stop) => name.startsWith(stop)));
  check(
    'fleet: Tab reaches the cluster, status and text filters, the sort and every entity link, in that order',
    order.length === stops.length && order.every((name, i) => name.startsWith(stops[i])),
    toLastLink.filter(Boolean).join(' → '),
  );
  await shot('fleet-1280');
  await resizeTo(page, 400);
  await table.waitFor();
  const fleetOverflow400 = await overflowing(page, 'main');
  check(
    'fleet at 400 px: nothing scrolls sideways',
    fleetOverflow400.length === 0,
    fleetOverflow400.join('; '),
  );
  // Each cell shows its column heading before the value (the ::before content the narrow layout draws).
  const shown = await table
    .locator('tbody tr', { hasText: 'media-store' })
    .evaluate((row) =>
      [...row.querySelectorAll('td')].map(
        (td) => `${getComputedStyle(td, '::before').content.replace(/^"|"$/g, '')}: ${td.textContent}`,
      ),
    );
  check(
    'fleet at 400 px: each value is shown with its column heading (status in words)',
    shown.includes('Status: Failing') && shown.includes('Cluster: demo-cluster'),
    shown.join(' | '),
  );
  await shot('fleet-400');

  // A developer fixes media-store with the template: apply now, Pod Identity, demo-cluster, its file system.
  await resizeTo(page, 1280);
  const run = await runEfsNodeIdentityTemplate(page, {
    baseUrl: APP_URL,
    values: MEDIA_STORE_FIX,
    screenshot: (name) => shot(name),
  });
  await shot('template-task');
  writeFileSync(join(artifacts, 'template-task.log'), `${run.taskUrl}\n${run.log}\n`);
  check(
    'template: the task for media-store completed',
    run.status === 'completed',
    `${run.status} at ${run.taskUrl}`,
  );
  check(
    'template: the task log shows the status card refreshed to ok',
    /status of component:default\/media-store refreshed: ok/.test(run.log),
    run.log.slice(-800),
  );

  // The card now says Healthy, without a click on Verify now: the template's last step refreshed the status.
  await page.goto(`${APP_URL}/catalog/default/component/media-store`);
  const status = page.locator('section[aria-label="Verification status"]');
  await status.waitFor();
  const statusText = await status.innerText();
  check('media-store after the template: the card says Healthy', /^Healthy\b/m.test(statusText), statusText);
  // Notes may stay (the live mount count, as the demo inspects mounts): no error and no warning.
  const left = await page
    .locator('section[aria-label="Findings"] li')
    .evaluateAll((items) => items.map((li) => li.getAttribute('aria-label') ?? ''));
  check(
    'media-store after the template: no error or warning is left',
    left.every((label) => !/ (error|warning)\b/.test(label)) &&
      !left.some((label) => label.startsWith('FS-02')),
    JSON.stringify(left),
  );
  await shot('media-store-fixed-1280');
  await page.goto(`${APP_URL}/efs-node-identity`);
  await table.waitFor();
  const fixedRow = await table.locator('tr', { hasText: 'media-store' }).innerText();
  check('fleet after the template: media-store is listed as Healthy', /Healthy/.test(fixedRow), fixedRow);
  await shot('fleet-fixed-1280');
} catch (error) {
  const pages = browser?.contexts().flatMap((c) => c.pages()) ?? [];
  for (const [i, p] of pages.entries())
    await p.screenshot({ path: join(artifacts, `failure-${i}.png`) }).catch(() => {});
  check('the journey ran to the end', false, error instanceof Error ? error.message : String(error));
} finally {
  await browser?.close();
  await demo?.stop();
}
process.stdout.write(
  `e2e: ${failures.length ? `${failures.length} check(s) failed` : 'every check passed'} after ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in e2e/artifacts/\n`,
);
process.exit(failures.length ? 1 : 0);

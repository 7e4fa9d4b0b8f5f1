// `npm run e2e`: runs every journey one after another, each in its own Node process (the one running this script):
// the Backstage demo in a browser (e2e/backstage-demo.mjs) first, then every e2e/journeys/*.mjs in name order.
// A journey passes when it exits 0. `npm run e2e -- <name>` runs only the journeys whose file name contains <name>.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const journeysDir = join(here, 'journeys');
const all = [
  join(here, 'backstage-demo.mjs'),
  ...(existsSync(journeysDir)
    ? readdirSync(journeysDir)
        .filter((f) => f.endsWith('.mjs'))
        .sort()
        .map((f) => join(journeysDir, f))
    : []),
];
const only = process.argv.slice(2);
const chosen = only.length ? all.filter((f) => only.some((o) => f.includes(o))) : all;
if (chosen.length === 0) {
  process.stderr.write(`e2e: no journey matches ${only.join(', ')}\n`);
  process.exit(2);
}

const results = [];
for (const file of chosen) {
  const name = file.slice(here.length + 1);
  process.stdout.write(`\n=== ${name}\n`);
  const started = Date.now();
  const run = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ name, ok: run.status === 0, seconds, status: run.status ?? run.signal });
}

process.stdout.write('\n');
for (const r of results) process.stdout.write(`${r.ok ? 'pass' : 'FAIL'}  ${r.name}  (${r.seconds} s)\n`);
const failed = results.filter((r) => !r.ok);
process.stdout.write(`${results.length - failed.length} of ${results.length} journeys passed\n`);
process.exit(failed.length ? 1 : 0);

// Child process of the static-scan figure: times loadStaticSnapshot (parse only, the baseline) and runCheck (parse +
// rules) on the same tree in the same process, alternating, and prints one JSON line per timing so the parent keeps
// every finished measurement even if it has to stop this process at its time budget.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const core = require(path.resolve(import.meta.dirname, '../packages/core/dist/index.js'));
const [root, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const emit = (record) => process.stdout.write(JSON.stringify(record) + '\n');

async function time(kind) {
  const start = performance.now();
  let detail;
  if (kind === 'baseline') {
    const { snapshot, files } = await core.loadStaticSnapshot([root]);
    detail = { files: files.length, notices: snapshot.notices.length };
  } else {
    const report = await core.runCheck([root], { version: 'bench', today: '2026-01-01' });
    detail = { files: report.files, findings: report.findings.length };
  }
  return { kind, ms: performance.now() - start, ...detail };
}

// A warm-up of each first (module loading, JIT, the file cache), not recorded.
emit({ warmup: true, ...(await time('baseline')) });
for (let round = 0; round < rounds; round++) {
  // The order flips every round so a slow drift of the machine does not favour one side.
  const order = round % 2 === 0 ? ['baseline', 'check'] : ['check', 'baseline'];
  for (const kind of order) emit({ round, ...(await time(kind)) });
}
emit({ done: true });

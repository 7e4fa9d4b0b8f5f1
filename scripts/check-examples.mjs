// `npm run check:examples`: checks each bundled example as its own repository and prints the text report.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const examples = join(import.meta.dirname, '..', 'examples');
const bin = join(import.meta.dirname, '..', 'packages', 'cli', 'dist', 'bin.js');
for (const name of readdirSync(examples).sort()) {
  const dir = join(examples, name);
  if (!statSync(dir).isDirectory()) continue;
  process.stdout.write(`\n$ efs-node-identity check examples/${name}\n\n`);
  const result = spawnSync(process.execPath, [bin, 'check', dir, '--format', 'text', '--fail-on', 'never'], {
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 2);
}

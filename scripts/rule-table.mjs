// Prints the README's rule table from the built catalog: `node scripts/rule-table.mjs` after `npm run build`.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { ALL_RULES, SOURCE_RULES } = require('../packages/core/dist/index.js');

const rows = [
  ...ALL_RULES.map((r) => [r.id, r.severity, r.requires.join(', '), r.title]),
  ...Object.entries(SOURCE_RULES).map(([id, r]) => [id, r.severity, 'S', r.title]),
];
console.log('| Rule | Severity | Inputs | Checks |');
console.log('|---|---|---|---|');
for (const [id, severity, inputs, title] of rows) {
  console.log(`| [${id}](docs/rules/${id}.md) | ${severity} | ${inputs} | ${title.replace(/\|/g, '\\|')} |`);
}

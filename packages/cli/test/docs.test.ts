import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ALL_RULES, SOURCE_RULES } from '@efs-node-identity/core';
import { REPO_ROOT } from './run-cli';

// Docs live beside the code: every rule the tool can report has its page and a row in the README.
describe('rule documentation', () => {
  const ids = [...ALL_RULES.map((r) => r.id), ...Object.keys(SOURCE_RULES)];
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

  it.each(ids)('%s has docs/rules/<ID>.md with what, why, fix and sources, and a README row', (id) => {
    const page = path.join(REPO_ROOT, 'docs', 'rules', `${id}.md`);
    expect(existsSync(page)).toBe(true);
    const text = readFileSync(page, 'utf8');
    for (const section of ['## What it checks', '## Why it matters', '## How to fix', '## Sources'])
      expect(text).toContain(section);
    expect(readme).toContain(`[${id}](docs/rules/${id}.md)`);
  });
});

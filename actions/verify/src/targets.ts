import { glob } from 'node:fs/promises';
import * as path from 'node:path';
import { InputError } from './inputs';

const GLOB_CHARACTERS = /[*?[\]{}]/;

/** Expands the `paths` input: plain paths pass through (the core reports a missing one), globs must match something. */
export async function expandPaths(paths: string[], workspace: string): Promise<string[]> {
  const out: string[] = [];
  for (const target of paths) {
    if (!GLOB_CHARACTERS.test(target)) {
      out.push(target);
      continue;
    }
    const pattern = path.relative(workspace, target).split(path.sep).join('/');
    const matches: string[] = [];
    for await (const match of glob(pattern, {
      cwd: workspace,
      exclude: (name) => name === '.git' || name === 'node_modules',
    })) {
      matches.push(path.join(workspace, match));
    }
    if (matches.length === 0) throw new InputError('paths', `the glob '${pattern}' matches no file`);
    out.push(...matches.sort());
  }
  return out;
}

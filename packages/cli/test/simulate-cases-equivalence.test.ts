import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { simulate } from '@efs-node-identity/core';
import { REPO_ROOT, runCli } from './run-cli';

// The throughput benchmark's questions (bench/gen-cases.mjs): pooled and fresh policies, every action, odd mount
// options, both semantics. 3,000 of them are about 3 MB, so the CLI reads them in several 1 MiB chunks.
const QUESTIONS = 3000;

describe('simulate --cases answers as simulate() does in-process', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'eni-sim-equiv-'));
    file = path.join(dir, 'cases.jsonl');
    const generator = path.join(REPO_ROOT, 'bench', 'gen-cases.mjs');
    const generated = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { generateCases } = await import(${JSON.stringify(generator)}); await generateCases(${JSON.stringify(file)}, ${QUESTIONS});`,
      ],
      { encoding: 'utf8' },
    );
    if (generated.status !== 0) throw new Error(`gen-cases.mjs failed: ${generated.stderr}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints, byte for byte, the in-process answers, whatever the order the policy cache saw them in', () => {
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines).toHaveLength(QUESTIONS);
    const { code, stdout, stderr } = runCli(['simulate', '--cases', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // In reverse order here, so the in-process caches fill differently from the CLI's: a cache that answered from the
    // wrong entry would show as a difference.
    const expected = lines
      .slice()
      .reverse()
      .map((line) => JSON.stringify(simulate(JSON.parse(line))))
      .reverse();
    const printed = stdout.split('\n');
    expect(printed.pop()).toBe('');
    expect(printed).toHaveLength(QUESTIONS);
    const firstDifference = printed.findIndex((answer, i) => answer !== expected[i]);
    expect(firstDifference).toBe(-1);
    // Not a degenerate sample: all three decisions occur.
    expect(new Set(printed.map((a) => (JSON.parse(a) as { decision: string }).decision))).toEqual(
      new Set(['allow', 'explicitDeny', 'implicitDeny']),
    );
  });
});

import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadStaticSnapshot } from './load';

// Property: whatever bytes a file holds, loading never throws, every unreadable file becomes a notice naming it,
// and a valid file beside it is still read. Raise FUZZ_RUNS for a longer campaign.
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const FIXTURES = path.join(__dirname, '..', 'rules', '__fixtures__');
const seeds = [
  readFileSync(path.join(FIXTURES, 'FS-02', 'fires-deny-only', 'efs-file-system-policy.json'), 'utf8'),
  readFileSync(path.join(FIXTURES, 'FS-02', 'fires-deny-only', 'storageclass.yaml'), 'utf8'),
  'resource "aws_iam_role" "node" {\n  name = "efs-csi-node"\n  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })\n}\n',
];
const extensions = ['.json', '.yaml', '.tf'];

/** A seed cut, spliced and sprinkled with hostile characters. */
const mutated = fc
  .tuple(
    fc.nat(seeds.length - 1),
    fc.nat(),
    fc.nat(),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('', '\u0000', '{{', '&a *a', ']]]', '\uFFFD', '"'),
  )
  .map(([seed, cut, at, insert, hostile]) => {
    const text = seeds[seed];
    const c = cut % (text.length + 1);
    const a = at % (c + 1);
    return text.slice(0, a) + insert + hostile + text.slice(a, c);
  });

const content = fc.oneof(
  mutated,
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.nat({ max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n % 7 === 0 ? 0 : n)),
  fc.string({ maxLength: 200 }),
);

describe('the static sources on generated malformed files', () => {
  it('never throw and report each unreadable file by name', async () => {
    await fc.assert(
      fc.asyncProperty(content, fc.constantFrom(...extensions), async (body, ext) => {
        const dir = mkdtempSync(path.join(tmpdir(), 'eni-fuzz-'));
        try {
          writeFileSync(path.join(dir, `input${ext}`), body);
          writeFileSync(path.join(dir, 'good.json'), seeds[0]);
          const { snapshot, files } = await loadStaticSnapshot([dir]);
          // The valid policy beside it is always read.
          expect(
            snapshot.fileSystems.some((f) => f.origin.kind === 'file' && f.origin.file === 'good.json'),
          ).toBe(true);
          for (const notice of snapshot.notices) expect(files.concat(['input' + ext])).toContain(notice.file);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS },
    );
    // A hang guard, not a speed limit: a few seconds on an idle machine, far more on two shared, busy cores.
  }, 300_000);
});

import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { loadStaticSnapshot, MAX_FILE_BYTES } from './load';

/**
 * Property tests of the static loader against malformed input: whatever is in a scanned repository, loading never
 * throws, a file that cannot be read becomes a notice naming it (SRC-01/SRC-02), and the good files beside it are
 * still read. FUZZ_RUNS raises the number of generated trees (default 300, about ten seconds); FUZZ_SEED replays one.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

// Real inputs to truncate and mutate: every fixture the sources and rules are tested with.
const FIXTURE_ROOTS = [
  path.join(__dirname, '__fixtures__'),
  path.join(__dirname, '..', 'rules', '__fixtures__'),
];
const FIXTURES = FIXTURE_ROOTS.flatMap((root) => listFiles(root)).filter((f) => /\.(json|ya?ml|tf)$/.test(f));

function listFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) =>
    e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

// The good files every generated tree also holds, each with what reading it must produce.
const GOOD_POLICY = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: '*',
        Resource: 'arn:aws:elasticfilesystem:eu-west-1:210987654321:file-system/fs-0d2c4b6a8e1f3a5b7',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  },
  null,
  2,
);
const GOOD_STORAGE_CLASS = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: efs-good
provisioner: efs.csi.aws.com
mountOptions:
  - tls
  - iam
parameters:
  provisioningMode: efs-ap
  fileSystemId: fs-0d2c4b6a8e1f3a5b7
`;
// An address no fixture uses: a mutated fixture .tf beside it must not redefine it (the loader keeps the last).
const GOOD_TERRAFORM = `resource "aws_iam_role" "good_node_for_fuzz" {
  name = "good-efs-csi-node"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "pods.eks.amazonaws.com" }
        Action    = ["sts:AssumeRole", "sts:TagSession"]
      }
    ]
  })
}
`;

/** A generated bad file: its bytes, its extension, and whether the loader must report it. */
interface BadFile {
  kind: string;
  ext: string;
  bytes: Uint8Array;
}

const enc = (text: string) => new TextEncoder().encode(text);
const fixtureText = fc.constantFrom(...FIXTURES).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
const extOf = (file: string) => path.extname(file);
const SYNTAX = [
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '"',
  "'",
  '-',
  '&',
  '*',
  '!',
  '|',
  '>',
  '#',
  '\n',
  '\t',
  ' ',
  '\\',
  '<<',
  '${',
  '%',
  '@',
  '`',
  '\u0000',
  '\uFFFD',
  '{{',
];

const randomBytes = fc
  .tuple(
    fc.uint8Array({ minLength: 0, maxLength: 2048 }),
    fc.constantFrom('.json', '.yaml', '.yml', '.tf', '.template'),
  )
  .map(([bytes, ext]): BadFile => ({ kind: 'random bytes', ext, bytes }));

const truncated = fc
  .tuple(fixtureText, fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([{ file, text }, at]): BadFile => ({
    kind: `truncated ${path.basename(file)}`,
    ext: extOf(file),
    bytes: enc(text.slice(0, Math.floor(text.length * at))),
  }));

const mutated = fc
  .tuple(
    fixtureText,
    fc.array(
      fc.tuple(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(...SYNTAX),
      ),
      { minLength: 1, maxLength: 8 },
    ),
  )
  .map(([{ file, text }, edits]): BadFile => {
    let out = text;
    for (const [where, op, piece] of edits) {
      const i = Math.floor(out.length * where);
      if (op === 0) out = out.slice(0, i) + piece + out.slice(i);
      else if (op === 1) out = out.slice(0, i) + out.slice(i + 1 + piece.length);
      else if (op === 2) out = out.slice(0, i) + piece + out.slice(i + piece.length);
      else out = out.slice(0, i) + out.slice(i, i + 40).repeat(3) + out.slice(i + 40);
    }
    return { kind: `mutated ${path.basename(file)}`, ext: extOf(file), bytes: enc(out) };
  });

const deepNesting = fc
  .tuple(
    fc.integer({ min: 300, max: 60_000 }),
    fc.constantFrom('json-array', 'json-object', 'yaml-flow', 'yaml-block'),
    fc.boolean(),
  )
  .map(([depth, style, closed]): BadFile => {
    if (style === 'json-array')
      return {
        kind: 'deep JSON',
        ext: '.json',
        bytes: enc('['.repeat(depth) + (closed ? ']'.repeat(depth) : '')),
      };
    if (style === 'json-object')
      return {
        kind: 'deep JSON',
        ext: '.json',
        bytes: enc('{"a":'.repeat(depth) + '1' + (closed ? '}'.repeat(depth) : '')),
      };
    if (style === 'yaml-flow')
      return {
        kind: 'deep YAML',
        ext: '.yaml',
        bytes: enc('k: ' + '['.repeat(depth) + (closed ? ']'.repeat(depth) : '')),
      };
    const lines = Math.min(depth, 4000); // block nesting costs indentation², so it stays bounded
    return {
      kind: 'deep YAML',
      ext: '.yaml',
      bytes: enc(Array.from({ length: lines }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n'),
    };
  });

const aliasBomb = fc
  .tuple(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 2, max: 12 }))
  .map(([levels, width]): BadFile => {
    let text = `l0: &l0 [${Array(width).fill('"lol"').join(', ')}]\n`;
    for (let i = 1; i < levels; i++)
      text += `l${i}: &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(', ')}]\n`;
    // Small ones are legitimate anchors and aliases; only a real bomb (far over the 10,000 expansions accepted) must
    // be reported.
    return {
      kind: width ** (levels - 1) > 50_000 ? 'alias bomb' : 'aliases',
      ext: '.yaml',
      bytes: enc(text),
    };
  });

const hugeString = fc
  .tuple(fc.integer({ min: 100_000, max: 2_000_000 }), fc.constantFrom('.json', '.yaml'), fc.boolean())
  .map(([size, ext, closed]): BadFile => {
    const body = 'x'.repeat(size);
    const text =
      ext === '.json'
        ? `{"Statement": "${body}${closed ? '"}' : ''}`
        : `key: ${closed ? body : `"${body}`}\n`;
    return { kind: 'huge string', ext, bytes: enc(text) };
  });

const invalidUtf8 = fc
  .tuple(
    fixtureText,
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.constantFrom([0xc3, 0x28], [0xff], [0x80], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0xbc], [0xed, 0xa0, 0x80]),
  )
  .map(([{ file, text }, where, bad]): BadFile => {
    const bytes = Buffer.from(text, 'utf8');
    const i = Math.floor(bytes.length * where);
    return {
      kind: 'invalid UTF-8',
      ext: extOf(file),
      bytes: Buffer.concat([bytes.subarray(0, i), Buffer.from(bad), bytes.subarray(i)]),
    };
  });

const nulBytes = fc
  .tuple(fixtureText, fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([{ file, text }, where]): BadFile => {
    const i = Math.floor(Math.min(text.length, 7000) * where);
    return { kind: 'NUL byte', ext: extOf(file), bytes: enc(text.slice(0, i) + '\u0000' + text.slice(i)) };
  });

const HCL_TOKENS = [
  'resource',
  'data',
  'locals',
  'variable',
  'module',
  '"aws_iam_role"',
  '"x"',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '=',
  '"',
  '${',
  '%{',
  '<<EOF\n',
  'EOF\n',
  'jsonencode(',
  'var.x',
  'each.value',
  'for',
  'in',
  ':',
  '=>',
  '...',
  ',',
  '\n',
  '# c\n',
  '/*',
  '*/',
  '1e999',
  'true',
  'null',
  '?',
];
const hclFragment = fc.array(fc.constantFrom(...HCL_TOKENS), { minLength: 1, maxLength: 120 }).map(
  // A block opened and never closed at the end: whatever came before, the file is not valid HCL.
  (tokens): BadFile => ({
    kind: 'HCL fragment',
    ext: '.tf',
    bytes: enc(tokens.join(' ') + '\nresource "a" "b" {\n'),
  }),
);

const badFile: fc.Arbitrary<BadFile> = fc.oneof(
  randomBytes,
  truncated,
  mutated,
  deepNesting,
  aliasBomb,
  hugeString,
  invalidUtf8,
  nulBytes,
  hclFragment,
);

/** Must the loader report this file? Only where the answer follows from the bytes alone. */
function mustBeReported(file: BadFile): boolean {
  const buffer = Buffer.from(file.bytes);
  if (buffer.subarray(0, 8000).includes(0)) return true;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return true;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (file.kind === 'alias bomb' || file.kind === 'HCL fragment') return true;
  if (file.kind === 'deep JSON' || file.kind === 'deep YAML') return true; // deeper than the 256 levels accepted
  if (file.ext === '.tf') return false; // random or empty text may be a valid (empty) HCL body
  if (text.trim() === '') return true; // "empty file" (SRC-02)
  const isJson = file.ext === '.json' || /^\s*[{[]/.test(text);
  if (isJson) {
    try {
      JSON.parse(text);
    } catch {
      return true;
    }
    return false;
  }
  // YAML: reported when the YAML library itself finds an error, read with the loader's options (duplicate keys are
  // accepted on purpose); a Helm template is reported as skipped.
  try {
    return parseAllDocuments(text, { uniqueKeys: false }).some((d) => d.errors.length > 0);
  } catch {
    return true;
  }
}

async function withTree<T>(
  files: Record<string, Uint8Array | string>,
  body: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'efs-fuzz-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await fs.writeFile(path.join(dir, name), content);
    }
    return await body(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const GOOD_FILES = {
  'efs-policy.json': GOOD_POLICY,
  'storageclass.yaml': GOOD_STORAGE_CLASS,
  'infra/main.tf': GOOD_TERRAFORM,
};

describe('the static loader on malformed input (property)', () => {
  it('has fixtures to mutate', () => {
    expect(FIXTURES.length).toBeGreaterThan(10);
  });

  it(
    'never throws, reports each bad file by name, and still reads the good files beside it',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(badFile, { minLength: 1, maxLength: 3 }), async (bad) => {
          const files: Record<string, Uint8Array | string> = { ...GOOD_FILES };
          // Bad .tf files go into the good module's directory: one broken file must not hide its neighbours.
          bad.forEach(
            (b, i) => (files[b.ext === '.tf' ? `infra/bad-${i}.tf` : `bad-${i}${b.ext}`] = b.bytes),
          );
          await withTree(files, async (dir) => {
            const { snapshot } = await loadStaticSnapshot([dir]);
            const named = new Set(snapshot.notices.map((n) => n.file));
            // Every notice names a file of the tree, never a good one.
            for (const notice of snapshot.notices) {
              expect(Object.keys(files)).toContain(notice.file);
              expect(Object.keys(GOOD_FILES)).not.toContain(notice.file);
              if (notice.line !== undefined) {
                expect(Number.isInteger(notice.line) && notice.line >= 1).toBe(true);
              }
            }
            bad.forEach((b, i) => {
              const name = b.ext === '.tf' ? `infra/bad-${i}.tf` : `bad-${i}${b.ext}`;
              if (mustBeReported(b))
                expect({ file: name, kind: b.kind, reported: named.has(name) }).toEqual({
                  file: name,
                  kind: b.kind,
                  reported: true,
                });
            });
            // The good files were read.
            expect(snapshot.fileSystems.map((f) => f.id)).toContain('fs-0d2c4b6a8e1f3a5b7');
            expect(snapshot.storageClasses.map((s) => s.name)).toContain('efs-good');
            expect(snapshot.roles.map((r) => r.name)).toContain('good-efs-csi-node');
          });
        }),
        { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) },
      );
      // About 30 ms a tree on an idle machine; the Jest timeout is a hang guard with room for busy shared cores, and
      // grows with FUZZ_RUNS so a long campaign is not cut short.
    },
    Math.max(400_000, RUNS * 600),
  );
});

describe('the static loader on known-bad files (examples)', () => {
  const cases: Array<[string, string, Uint8Array | string]> = [
    ['random binary', 'blob.json', Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x00, 0x7b])],
    ['invalid UTF-8', 'latin1.yaml', Buffer.from('name: caf\xe9\n', 'latin1')],
    ['a NUL byte in YAML', 'nul.yaml', 'a: 1\n\u0000b: 2\n'],
    ['deep JSON (valid, 5,000 levels)', 'deep.json', '['.repeat(5000) + ']'.repeat(5000)],
    ['deep JSON (unclosed, 100,000 levels)', 'deeper.json', '['.repeat(100_000)],
    ['deep flow YAML', 'deep.yaml', 'k: ' + '['.repeat(50_000)],
    [
      'deep block YAML',
      'block.yaml',
      Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
    ],
    [
      'a YAML alias bomb',
      'bomb.yaml',
      (() => {
        let t = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
        const l = 'abcdefghi';
        for (let i = 1; i < 9; i++)
          t += `${l[i]}: &${l[i]} [${Array(9)
            .fill(`*${l[i - 1]}`)
            .join(',')}]\n`;
        return t;
      })(),
    ],
    ['an empty file', 'empty.yaml', ''],
    ['unbalanced HCL', 'infra/broken.tf', 'resource "aws_iam_role" "x" {\n  name = "${(((((\n'],
    ['deep HCL', 'infra/deep.tf', 'locals { a = ' + '['.repeat(20_000) + ' }\n'],
  ];
  it.each(cases)('%s: a notice naming %s, the good files still read', async (_label, name, content) => {
    await withTree({ ...GOOD_FILES, [name]: content }, async (dir) => {
      const { snapshot } = await loadStaticSnapshot([dir]);
      expect(snapshot.notices.map((n) => n.file)).toContain(name);
      expect(snapshot.fileSystems.map((f) => f.id)).toContain('fs-0d2c4b6a8e1f3a5b7');
      expect(snapshot.storageClasses.map((s) => s.name)).toContain('efs-good');
      expect(snapshot.roles.map((r) => r.name)).toContain('good-efs-csi-node');
    });
  });

  it('a file over the size limit is skipped with a notice, not read', async () => {
    await withTree({ ...GOOD_FILES, 'huge.json': 'x'.repeat(MAX_FILE_BYTES + 1) }, async (dir) => {
      const { snapshot } = await loadStaticSnapshot([dir]);
      expect(snapshot.notices).toContainEqual(
        expect.objectContaining({ kind: 'skipped', file: 'huge.json' }),
      );
      expect(snapshot.storageClasses.map((s) => s.name)).toContain('efs-good');
    });
  });
});

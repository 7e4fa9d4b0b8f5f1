// Bundles the action into one ESM file plus the WebAssembly files the core loads at run time:
//   node scripts/bundle.mjs <outdir>
// The runner executes dist/index.js with no node_modules beside it, so everything it needs must be in <outdir>.
// The test that compares the committed dist/ with a fresh build runs this same script into a temp directory.
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageDir = path.resolve(here, '..');
const outdir = path.resolve(packageDir, process.argv[2] ?? 'dist');
const require = createRequire(import.meta.url);

// Files that bundled code opens by path, and the source text that names them; each rewrite must apply, else the
// bundle would look for them in a node_modules the runner does not have.
const RUNTIME_FILES = [
  {
    from: require.resolve('web-tree-sitter/tree-sitter.wasm'),
    // web-tree-sitter finds it itself, next to the module (`new URL('tree-sitter.wasm', import.meta.url)`).
    rewrites: [],
  },
  {
    from: require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm'),
    rewrites: [
      {
        file: /packages[\\/]core[\\/]src[\\/]sources[\\/]terraform-hcl\.ts$/,
        text: "require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-terraform.wasm')",
        by: "__bundledFile('tree-sitter-terraform.wasm')",
      },
    ],
  },
  {
    from: path.join(path.dirname(require.resolve('@cdktf/hcl2json')), '..', 'main.wasm.gz'),
    rewrites: [
      {
        file: /@cdktf[\\/]hcl2json[\\/]lib[\\/]bridge\.js$/,
        text: '(0, path_1.join)(__dirname, "..", "main.wasm.gz")',
        by: "__bundledFile('main.wasm.gz')",
      },
    ],
  },
];
const rewrites = RUNTIME_FILES.flatMap((f) => f.rewrites);
const applied = new Set();

const runtimeFilesPlugin = {
  name: 'runtime-files',
  setup(build) {
    build.onLoad({ filter: /\.(ts|js)$/ }, async (args) => {
      const mine = rewrites.filter((r) => r.file.test(args.path));
      if (mine.length === 0) return undefined;
      let contents = await readFile(args.path, 'utf8');
      for (const r of mine) {
        if (!contents.includes(r.text)) throw new Error(`bundle: '${r.text}' not found in ${args.path}`);
        contents = contents.replace(r.text, r.by);
        applied.add(r);
      }
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await esbuild.build({
  absWorkingDir: packageDir,
  entryPoints: ['src/index.ts'],
  outdir,
  // Live mode's module (the AWS SDK and @kubernetes/client-node, most of the bytes) is a dynamic import: with
  // splitting it becomes its own file that a static run never reads or parses.
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  // The core's sources, not its build: the bundle then depends only on source files, and tree-shaking drops what
  // the action does not use.
  alias: {
    '@efs-node-identity/core': path.resolve(packageDir, '../../packages/core/src/index.ts'),
    '@efs-node-identity/aws': path.resolve(packageDir, '../../packages/aws/src/index.ts'),
  },
  // Optional at run time (`require("performance")` only when the global is missing, which Node 24 never is).
  external: ['performance'],
  plugins: [runtimeFilesPlugin],
  // Bundled CommonJS calls require(); an ESM file has none, so one is made for it.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { dirname as __dirnameOf, join as __joinPath } from 'node:path';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      'const require = __createRequire(import.meta.url);',
      'const __bundledFile = (name) => __joinPath(__dirnameOf(__fileURLToPath(import.meta.url)), name);',
    ].join('\n'),
  },
  legalComments: 'none',
  logLevel: 'warning',
});
for (const r of rewrites) if (!applied.has(r)) throw new Error(`bundle: no module matched ${r.file}`);
for (const f of RUNTIME_FILES) await copyFile(f.from, path.join(outdir, path.basename(f.from)));

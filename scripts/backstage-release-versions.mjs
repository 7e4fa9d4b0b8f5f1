#!/usr/bin/env node
// Aligns every @backstage/* dependency of the workspaces to one Backstage release without versions.backstage.io
// (what `backstage-cli versions:bump` needs). The fact relied on: Backstage publishes all packages of a release from
// one monorepo commit, replacing each `workspace:^` range with `^<version in that commit>`; so the dependency ranges
// of a few big packages of the release name the release's version of every package they use. Anchors from one
// release agree on every package they share; the script refuses to go on when they do not.
//
//   node scripts/backstage-release-versions.mjs                # print the release's versions and what would change
//   node scripts/backstage-release-versions.mjs --write        # rewrite the workspaces' @backstage/* ranges
//   node scripts/backstage-release-versions.mjs --anchor @backstage/cli@0.36.8 --anchor ...   # another release
//
// See docs/backstage-versions.md.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    anchor: { type: 'string', multiple: true, default: [] },
    write: { type: 'boolean', default: false },
  },
});

// Packages of every release that depend on most of the backend libraries and on the test utilities, and the scaffolder
// modules the plugins use that none of them depends on.
const anchors = values.anchor.length
  ? values.anchor
  : [
      '@backstage/cli@latest',
      '@backstage/backend-defaults@latest',
      '@backstage/plugin-catalog-backend@latest',
      '@backstage/plugin-scaffolder-backend@latest',
      // The frontend plugin's packages (core-components, frontend-plugin-api, catalog-react, the test utilities).
      '@backstage/plugin-catalog@latest',
      // The template's publish:github:pull-request: no other anchor depends on it.
      '@backstage/plugin-scaffolder-backend-module-github@latest',
    ];

function npmView(spec, fields) {
  const out = execFileSync('npm', ['view', spec, ...fields, '--json'], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : undefined;
}

/** name -> { version, from } */
const release = new Map();
const disagreements = [];
for (const anchor of anchors) {
  const meta = npmView(anchor, ['name', 'version', 'dependencies', 'devDependencies', 'peerDependencies']);
  const label = `${meta.name}@${meta.version}`;
  release.set(meta.name, { version: meta.version, from: `${label} itself` });
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(meta[field] ?? {})) {
      const exact = /^\^(\d+\.\d+\.\d+)$/.exec(range);
      if (!name.startsWith('@backstage/') || !exact) continue;
      const seen = release.get(name);
      if (seen && seen.version !== exact[1]) {
        disagreements.push(`${name}: ${seen.version} (${seen.from}) vs ${exact[1]} (${label})`);
      } else if (!seen) {
        release.set(name, { version: exact[1], from: label });
      }
    }
  }
}
if (disagreements.length) {
  console.error('The anchors are not from one release:\n  ' + disagreements.join('\n  '));
  process.exit(1);
}

const manifests = [];
for (const dir of ['packages', 'plugins', 'actions']) {
  const base = path.join(root, dir);
  if (!existsSync(base)) continue;
  for (const name of readdirSync(base)) {
    const file = path.join(base, name, 'package.json');
    if (existsSync(file)) manifests.push(file);
  }
}

let problems = 0;
const published = new Map();
function isPublished(name, version) {
  if (!published.has(name)) published.set(name, new Set(npmView(name, ['versions']) ?? []));
  return published.get(name).has(version);
}

for (const file of manifests) {
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  let changed = false;
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    for (const [name, range] of Object.entries(pkg[field] ?? {})) {
      if (!name.startsWith('@backstage/')) continue;
      const entry = release.get(name);
      const where = `${path.relative(root, file)} ${field} ${name}`;
      if (!entry) {
        console.log(`?  ${where} ${range}: no anchor names it; add an anchor that depends on it`);
        problems++;
        continue;
      }
      if (!isPublished(name, entry.version)) {
        // A release can name a version the registry does not have (yet): keep the newest one and let the root
        // package.json's overrides pull its dependencies onto the release.
        console.log(
          `!  ${where}: the release's ${entry.version} is not published; keeping ${range} (see overrides)`,
        );
        continue;
      }
      const wanted = `^${entry.version}`;
      if (range !== wanted) {
        console.log(`~  ${where}: ${range} -> ${wanted}`);
        if (values.write) {
          pkg[field][name] = wanted;
          changed = true;
        } else problems++;
      } else console.log(`=  ${where} ${range}`);
    }
  }
  if (changed) writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
}
console.log(`\nanchors: ${anchors.join(', ')}`);
if (!values.write && problems) process.exit(1);

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The plugins must install into a Backstage app of one release without second copies of core packages
 * (docs/backstage-versions.md). This walks the installed tree, every nested node_modules included, the way npm lays
 * it out: a second copy of a package is a second folder somewhere.
 */
const root = path.resolve(__dirname, '../../..');

function backstageCopies(): Map<string, Set<string>> {
  const copies = new Map<string, Set<string>>();
  const walk = (modules: string): void => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@')
        ? readdirSync(path.join(modules, entry)).map((n) => path.join(entry, n))
        : [entry];
      for (const name of names) {
        const dir = path.join(modules, name);
        const manifest = path.join(dir, 'package.json');
        if (name.startsWith('@backstage/') && existsSync(manifest)) {
          const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
          copies.set(name, (copies.get(name) ?? new Set()).add(version));
        }
        walk(path.join(dir, 'node_modules'));
      }
    }
  };
  walk(path.join(root, 'node_modules'));
  return copies;
}

function pluginManifests(): Array<{ file: string; deps: Record<string, string> }> {
  return readdirSync(path.join(root, 'plugins'))
    .map((dir) => path.join(root, 'plugins', dir, 'package.json'))
    .filter((file) => existsSync(file))
    .map((file) => {
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      return { file, deps: { ...pkg.dependencies, ...pkg.devDependencies } };
    });
}

describe('Backstage release alignment', () => {
  const copies = backstageCopies();

  it('installs exactly one version of every @backstage package', () => {
    expect(copies.get('@backstage/backend-plugin-api')).toBeDefined();
    const duplicated = [...copies].filter(([, versions]) => versions.size > 1);
    expect(duplicated.map(([name, versions]) => `${name}: ${[...versions].join(', ')}`)).toEqual([]);
  });

  it('resolves each plugin dependency on @backstage/* to the version its range starts at', () => {
    const drift: string[] = [];
    for (const { file, deps } of pluginManifests()) {
      for (const [name, range] of Object.entries(deps)) {
        if (!name.startsWith('@backstage/')) continue;
        const installed = [...(copies.get(name) ?? [])];
        if (installed.length !== 1 || `^${installed[0]}` !== range) {
          drift.push(
            `${path.relative(root, file)} ${name} ${range} installed ${installed.join(', ') || 'none'}`,
          );
        }
      }
    }
    expect(drift).toEqual([]);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ACTION_DIR } from './action-harness';

// turbo.json beside package.json runs `test` without this package's `build`, so dist/ here is the committed one.
describe('the committed dist/', () => {
  it('matches a fresh build of the sources (run `npm run build -w @efs-node-identity/action-verify` and commit dist/)', () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'eni-action-dist-'));
    const build = spawnSync(process.execPath, [path.join(ACTION_DIR, 'scripts', 'bundle.mjs'), fresh], {
      encoding: 'utf8',
    });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const committed = path.join(ACTION_DIR, 'dist');
    try {
      expect(readdirSync(committed).sort()).toEqual(readdirSync(fresh).sort());
      for (const name of readdirSync(fresh)) {
        // Not toEqual on buffers: a mismatch of a 3 MB file would print both.
        const same = readFileSync(path.join(fresh, name)).equals(readFileSync(path.join(committed, name)));
        expect({ file: name, same }).toEqual({ file: name, same: true });
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});

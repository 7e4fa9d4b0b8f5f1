import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadStaticSnapshot } from './load';

/**
 * The loader reads files concurrently (siblings examined at once, reads ahead of the parser) but must give the same
 * snapshot as one file at a time: files in sorted order, notices in the same order, every file read once.
 */
describe('loadStaticSnapshot with concurrent reads', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'eni-load-'));
    // More files than the read-ahead window, in nested directories, with empty files (a notice each) among them.
    for (let i = 0; i < 120; i++) {
      const sub = path.join(dir, `team-${i % 7}`, `env-${i % 3}`);
      mkdirSync(sub, { recursive: true });
      const name = `sc-${String(i).padStart(3, '0')}.yaml`;
      writeFileSync(
        path.join(sub, name),
        i % 10 === 0
          ? ''
          : `apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: efs-${i}\nprovisioner: efs.csi.aws.com\nmountOptions: [tls, iam]\nparameters:\n  fileSystemId: fs-0123456789abcdef0\n`,
      );
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every file once, sorted, and the same snapshot on every run', async () => {
    const first = await loadStaticSnapshot([dir]);
    expect(first.files).toHaveLength(120);
    expect(first.files).toEqual([...first.files].sort());
    expect(first.snapshot.storageClasses).toHaveLength(108);
    // The empty files, in the order of the sorted file list.
    const empty = first.snapshot.notices.filter((n) => n.message === 'empty file').map((n) => n.file);
    expect(empty).toHaveLength(12);
    expect(empty).toEqual(first.files.filter((f) => empty.includes(f)));
    for (let run = 0; run < 3; run++) {
      const again = await loadStaticSnapshot([dir]);
      expect(again.files).toEqual(first.files);
      expect(again.snapshot.notices).toEqual(first.snapshot.notices);
      expect(again.snapshot.storageClasses.map((s) => s.name)).toEqual(
        first.snapshot.storageClasses.map((s) => s.name),
      );
    }
  });

  it('fails on a path that does not exist, naming it', async () => {
    await expect(loadStaticSnapshot([path.join(dir, 'missing')])).rejects.toThrow(
      /^no such file or directory: .*missing$/,
    );
  });
});

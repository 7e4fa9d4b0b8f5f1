import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkFixture, only } from './testing';

// A repository that describes two clusters, each in its own folder with its own node role and file system.
describe('a repository with several clusters', () => {
  it("pairs each node role with its own cluster's file system only", async () => {
    const findings = await checkFixture('multi-cluster');
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it("still finds the file system policy that does not allow its own cluster's role, once", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eni-multi-'));
    cpSync(path.join(__dirname, '__fixtures__', 'multi-cluster'), dir, { recursive: true });
    const policy = path.join(dir, 'clusters', 'beta', 'file-system-policy.json');
    // beta's policy allows an application role instead of beta's node role.
    writeFileSync(
      policy,
      readFileSync(policy, 'utf8').replace(
        '222222222222:role/efs-csi-node-beta',
        '222222222222:role/reporting-app',
      ),
    );
    const fs02 = only(await checkFixture(dir), 'FS-02');
    expect(fs02).toHaveLength(1);
    expect(fs02[0].message).toContain('role/efs-csi-node-beta');
    expect(fs02[0].origin).toMatchObject({ file: 'clusters/beta/file-system-policy.json' });
  });
});

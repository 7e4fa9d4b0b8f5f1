import { FS01 } from './FS-01-no-file-system-policy';
import { checkLive, FS_ARN, FS_ID, healthyLiveSnapshot, NODE_ROLE_ARN } from './live-testing';

const run = (s: ReturnType<typeof healthyLiveSnapshot>) => checkLive(s, [FS01]);

describe('FS-01', () => {
  it('flags an in-scope file system known to have no policy, with the Allow for the node role', () => {
    const s = healthyLiveSnapshot();
    s.fileSystems[0].policy = null;
    const findings = run(s);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      resource: FS_ID,
      origin: { kind: 'aws', arn: FS_ARN },
    });
    expect(findings[0].message).toContain(`${FS_ID} has no file system policy (PolicyNotFound)`);
    expect(findings[0].message).toContain(
      `the node role ${NODE_ROLE_ARN} is never consulted (used by StorageClass/efs-sc, PersistentVolume/efs-static)`,
    );
    expect(findings[0].fix).toContain(`aws efs put-file-system-policy --file-system-id ${FS_ID}`);
    expect(findings[0].fix).toContain('"Sid":"EfsCsiNode-prod"');
    expect(findings[0].fix).toContain(`"Principal":{"AWS":"${NODE_ROLE_ARN}"}`);
  });

  it('asks for `iam` on the volumes that lack it before a policy is added', () => {
    const s = healthyLiveSnapshot();
    s.fileSystems[0].policy = null;
    s.persistentVolumes[0].mountOptions = [];
    expect(run(s)[0].fix).toContain('First add the `iam` mount option to PersistentVolume/efs-static');
  });

  it('stays silent for a file system with a policy, one whose policy is not known, and one no volume uses', () => {
    expect(run(healthyLiveSnapshot())).toEqual([]);
    const unknownPolicy = healthyLiveSnapshot();
    delete unknownPolicy.fileSystems[0].policy;
    expect(run(unknownPolicy)).toEqual([]);
    const unused = healthyLiveSnapshot();
    unused.fileSystems.push({
      ...unused.fileSystems[0],
      id: 'fs-0fedcba9876543210',
      arn: FS_ARN.replace(FS_ID, 'fs-0fedcba9876543210'),
      policy: null,
    });
    expect(run(unused)).toEqual([]);
  });

  it('judges every file system the collector read when the snapshot has no driver volumes', () => {
    const s = healthyLiveSnapshot();
    s.storageClasses = [];
    s.persistentVolumes = [];
    s.fileSystems[0].policy = null;
    expect(run(s)).toHaveLength(1);
  });
});

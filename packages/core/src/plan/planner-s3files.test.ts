import { normalizePolicy } from '../policy/normalize';
import type { Snapshot } from '../model/snapshot';
import {
  ACCOUNT,
  aws,
  CLUSTER,
  healthyLiveSnapshot,
  k8s,
  NODE_ROLE_ARN,
  REGION,
} from '../rules/live-testing';
import { planSteps } from './planner';
import { emptyPolicyTexts, fileSystemPolicyKey } from './raw';
import { OWNERSHIP_TAG, parseDesiredSpec, SpecError, type DesiredSpecInput } from './spec';
import type { Step } from './steps';

/** The planner on a live snapshot with an Amazon S3 Files file system (driver v3 `s3files:` volumes). */

const S3FS = 'fs-0c1d2e3f4a5b6c7d8e9f';
const S3FS_ARN = `arn:aws:s3files:${REGION}:${ACCOUNT}:file-system/${S3FS}`;
const BUCKET_ARN = 'arn:aws:s3:::media-archive';
const managed = (name: string) => {
  const arn = `arn:aws:iam::aws:policy/${name}`;
  return { arn, name, origin: aws(arn) };
};

/** The healthy EFS world plus an S3 file system in use by a PV, its policy (text as stored) and the managed policies. */
function world(options: { policy?: object | null; bucket?: boolean; otherVolume?: boolean } = {}) {
  const s: Snapshot = healthyLiveSnapshot();
  const text =
    options.policy === undefined || options.policy === null ? null : JSON.stringify(options.policy);
  s.fileSystems.push({
    type: 's3files',
    id: S3FS,
    arn: S3FS_ARN,
    accountId: ACCOUNT,
    region: REGION,
    policy: text === null ? null : normalizePolicy(options.policy, aws(S3FS_ARN), { size: text.length }),
    ...(options.bucket === false ? {} : { bucket: BUCKET_ARN, bucketPrefix: 'media/' }),
    origin: aws(S3FS_ARN),
  });
  const volume = (name: string, handle: string) => ({
    name,
    driver: 'efs.csi.aws.com',
    volumeHandle: handle,
    volumeAttributes: {},
    mountOptions: [],
    accessModes: ['ReadWriteMany'],
    origin: k8s(`PersistentVolume/${name}`),
  });
  s.persistentVolumes.push(volume('media', `s3files:${S3FS}`));
  if (options.otherVolume) s.persistentVolumes.push(volume('scratch', 's3files:fs-0aaaaaaaaaaaaaaaaaaa'));
  const role = s.roles.find((r) => r.arn === NODE_ROLE_ARN)!;
  role.managedPolicies.push(managed('AmazonS3ReadOnlyAccess'), managed('AmazonS3FilesClientFullAccess'));
  // Owned by this tool, so the plan may change it without --adopt.
  role.tags = { [OWNERSHIP_TAG.key]: OWNERSHIP_TAG.value };
  const texts = emptyPolicyTexts();
  for (const f of s.fileSystems)
    if (f.policy === null) texts.fileSystemPolicies.set(fileSystemPolicyKey(f.type, String(f.id)), null);
  texts.fileSystemPolicies.set(fileSystemPolicyKey('s3files', S3FS), text);
  return { s, texts };
}

const spec = (extra: Partial<DesiredSpecInput> = {}) =>
  parseDesiredSpec({
    cluster: CLUSTER,
    region: REGION,
    roleName: 'efs-csi-node',
    fileSystems: [{ id: 'fs-0123456789abcdef0' }, { id: S3FS, type: 's3files' }],
    ...extra,
  });
const kinds = (steps: Step[]) => steps.map((st) => st.kind);

const ALLOW_NODE = {
  Sid: 'EfsCsiNode-prod',
  Effect: 'Allow',
  Principal: { AWS: NODE_ROLE_ARN },
  Action: ['s3files:ClientMount', 's3files:ClientWrite'],
  Resource: S3FS_ARN,
};
const OTHERS = {
  Sid: 'MediaTeam',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/media-team` },
  Action: 's3files:ClientMount',
  Resource: S3FS_ARN,
};

describe('planSteps with an S3 Files file system', () => {
  it('puts the scoped policy first, then detaches the S3 Files client policy and the S3 read policy, then merges our Allow', () => {
    const { s, texts } = world({ policy: { Version: '2012-10-17', Statement: [OTHERS] } });
    const p = planSteps(spec(), s, { texts });
    expect(p.refusals).toEqual([]);
    expect(kinds(p.steps)).toEqual([
      'put-role-policy',
      'detach-role-policy',
      'detach-role-policy',
      'merge-file-system-policy',
      'verify',
    ]);
    const [put, detachClient, detachRead, merge] = p.steps;
    if (put?.kind !== 'put-role-policy' || merge?.kind !== 'merge-file-system-policy')
      throw new Error('kinds');
    expect(put.policyName).toBe(`efs-node-identity-${S3FS}`);
    expect(put.policy.Statement.map((st) => st.Resource)).toEqual([
      [S3FS_ARN],
      [`${BUCKET_ARN}/media/*`],
      [BUCKET_ARN],
    ]);
    expect(put.reason).toMatch(/S3F-01, S3F-03/);
    expect([detachClient, detachRead].map((st) => st?.kind === 'detach-role-policy' && st.policyArn)).toEqual(
      [
        'arn:aws:iam::aws:policy/AmazonS3FilesClientFullAccess',
        'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
      ],
    );
    expect(merge).toMatchObject({ fileSystemType: 's3files', firstPolicy: false, fileSystemArn: S3FS_ARN });
    // The others' statement is kept as it is; ours has no EFS-only condition.
    expect(JSON.parse(merge.diff!.after!).Statement).toEqual([OTHERS, ALLOW_NODE]);
  });

  it('merges nothing when the S3 file system policy already allows the node role', () => {
    const { s, texts } = world({ policy: { Version: '2012-10-17', Statement: [OTHERS, ALLOW_NODE] } });
    expect(kinds(planSteps(spec(), s, { texts }).steps)).not.toContain('merge-file-system-policy');
  });

  it('refuses when the S3 file system policy explicitly denies the node role (a merged Allow would not help)', () => {
    const deny = { ...ALLOW_NODE, Sid: 'NoNodes', Effect: 'Deny' };
    const { s, texts } = world({ policy: { Version: '2012-10-17', Statement: [deny] } });
    const p = planSteps(spec(), s, { texts });
    expect(p.refusals.map((r) => r.resource)).toEqual([S3FS_ARN]);
    expect(p.refusals[0]!.reason).toMatch(/explicitly denies .* s3files:ClientMount, s3files:ClientWrite/);
  });

  it('creates a first policy without the EFS warnings: an Allow-only policy restricts no S3 Files client', () => {
    const { s, texts } = world({ policy: null });
    const merge = planSteps(spec(), s, { texts }).steps.find((st) => st.kind === 'merge-file-system-policy');
    expect(merge).toMatchObject({ firstPolicy: true, fileSystemType: 's3files' });
    expect(merge!.warnings!.join(' ')).toMatch(/restricts no other client/);
    expect(merge!.warnings!.join(' ')).not.toMatch(/anonymous/);
  });

  it('keeps the S3 read policy, with a note, while the linked bucket is unknown', () => {
    const { s, texts } = world({ policy: null, bucket: false });
    const p = planSteps(spec(), s, { texts });
    const detached = p.steps.flatMap((st) => (st.kind === 'detach-role-policy' ? [st.policyArn] : []));
    expect(detached).toEqual(['arn:aws:iam::aws:policy/AmazonS3FilesClientFullAccess']);
    expect(p.notes.join('\n')).toMatch(
      /AmazonS3ReadOnlyAccess stays on efs-csi-node: the linked bucket of fs-0c1d/,
    );
    // With the bucket in the spec, it goes too.
    const given = planSteps(
      spec({
        fileSystems: [
          { id: 'fs-0123456789abcdef0' },
          { id: S3FS, type: 's3files', bucket: 'media-archive', prefix: 'media/' },
        ],
      }),
      s,
      { texts },
    );
    expect(given.steps.filter((st) => st.kind === 'detach-role-policy')).toHaveLength(2);
  });

  it('keeps both managed policies, with a note, while another s3files: volume uses a file system the spec leaves out', () => {
    const { s, texts } = world({ policy: null, otherVolume: true });
    const p = planSteps(spec(), s, { texts });
    expect(kinds(p.steps)).not.toContain('detach-role-policy');
    expect(p.notes.join('\n')).toMatch(
      /PersistentVolume\/scratch mounts S3 file systems the spec does not name/,
    );
  });

  it('validates S3 Files IDs in the spec: fs- and 17–40 hex digits', () => {
    expect(() => spec({ fileSystems: [{ id: 'fs-0123abcd', type: 's3files' }] })).toThrow(SpecError);
    expect(() => spec({ fileSystems: [{ id: 'fs-0123abcd', type: 's3files' }] })).toThrow(/17–40/);
  });
});

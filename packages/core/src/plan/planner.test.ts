import { normalizePolicy } from '../policy/normalize';
import type { Snapshot } from '../model/snapshot';
import {
  ACCOUNT,
  aws,
  CLUSTER,
  CONTROLLER_ROLE_ARN,
  FS_ARN,
  FS_ID,
  healthyIrsaSnapshot,
  healthyLiveSnapshot,
  k8s,
  NODE_ROLE_ARN,
  nodePod,
  REGION,
} from '../rules/live-testing';
import { planSteps, type PlanOptions } from './planner';
import { emptyPolicyTexts } from './raw';
import { OWNERSHIP_TAG, parseDesiredSpec, type DesiredSpecInput } from './spec';
import { EXTERNAL_ID_PLACEHOLDER, renderPlanText, type Step } from './steps';

const spec = (extra: Partial<DesiredSpecInput> = {}) =>
  parseDesiredSpec({
    cluster: CLUSTER,
    region: REGION,
    roleName: 'efs-csi-node',
    fileSystems: [{ id: FS_ID, access: 'write' }],
    ...extra,
  });

/** Plans with the policy texts as the collector would have recorded them (from the snapshot's own documents). */
function plan(
  s: Snapshot,
  specInput: Partial<DesiredSpecInput> = {},
  options: PlanOptions = {},
  fsText?: string | null,
) {
  const texts = emptyPolicyTexts();
  for (const f of s.fileSystems) {
    if (f.policy === null) texts.fileSystemPolicies.set(String(f.id), null);
  }
  if (fsText !== undefined) texts.fileSystemPolicies.set(FS_ID, fsText);
  return planSteps(spec(specInput), s, { texts, ...options });
}
const kinds = (steps: Step[]) => steps.map((s) => s.kind);

const DENY = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: '*',
  Resource: FS_ARN,
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
function setFsPolicy(s: Snapshot, doc: object | null): string | null {
  const text = doc === null ? null : JSON.stringify(doc);
  s.fileSystems[0]!.policy = doc === null ? null : normalizePolicy(doc, aws(FS_ARN), { size: text!.length });
  return text;
}

describe('planSteps', () => {
  it('plans nothing on a converged snapshot (Pod Identity and IRSA)', () => {
    expect(plan(healthyLiveSnapshot())).toEqual({ steps: [], refusals: [], notes: [] });
    const irsa = plan(healthyIrsaSnapshot(), { mode: 'irsa' });
    expect(irsa.steps).toEqual([]);
    expect(irsa.refusals).toEqual([]);
  });

  it('Deny-only policy: one merge step adding our Allow, the Deny kept', () => {
    const s = healthyLiveSnapshot();
    const text = setFsPolicy(s, { Version: '2012-10-17', Id: 'keep', Statement: [DENY] });
    const p = plan(s, {}, {}, text);
    expect(kinds(p.steps)).toEqual(['merge-file-system-policy', 'verify']);
    const step = p.steps[0]!;
    if (step.kind !== 'merge-file-system-policy') throw new Error();
    expect(step.statement).toMatchObject({ Sid: `EfsCsiNode-${CLUSTER}`, Principal: { AWS: NODE_ROLE_ARN } });
    const after = JSON.parse(step.diff!.after!);
    expect(after.Id).toBe('keep');
    expect(after.Statement).toEqual([DENY, step.statement]);
    expect(step.diff!.before).toBe(text);
    expect(renderPlanText(p)).toMatch(/1\. Merge the policy of fs-0123456789abcdef0/);
  });

  it('refuses a merge when the policy text was not read, or is not JSON', () => {
    const s = healthyLiveSnapshot();
    setFsPolicy(s, { Version: '2012-10-17', Statement: [DENY] });
    expect(planSteps(spec(), s).refusals[0]!.reason).toMatch(/not read as stored/);
    expect(plan(s, {}, {}, '{"Version": ').refusals[0]!.reason).toMatch(/not valid JSON/);
  });

  it('refuses a first file system policy while a volume mounts without iam, unless force', () => {
    const s = healthyLiveSnapshot();
    setFsPolicy(s, null);
    s.storageClasses[0]!.mountOptions = ['tls'];
    const refused = plan(s);
    expect(refused.steps).toEqual([]);
    expect(refused.refusals).toHaveLength(1);
    expect(refused.refusals[0]!.reason).toMatch(
      /StorageClass\/efs-sc.*without the iam option.*cut off.*--force/,
    );
    const forced = plan(s, {}, { force: true });
    expect(forced.refusals).toEqual([]);
    const step = forced.steps[0]!;
    expect(step).toMatchObject({ kind: 'merge-file-system-policy', firstPolicy: true });
    expect(step.diff!.before).toBeNull();
    expect(step.warnings!.join(' ')).toMatch(/--force/);
    // With iam everywhere, the first policy is planned without force.
    s.storageClasses[0]!.mountOptions = ['tls', 'iam'];
    expect(kinds(plan(s).steps)).toEqual(['merge-file-system-policy', 'verify']);
  });

  it('refuses when a Deny matches the node role itself (an Allow beside it would not help)', () => {
    const s = healthyLiveSnapshot();
    const text = setFsPolicy(s, {
      Version: '2012-10-17',
      Statement: [{ ...DENY, Condition: undefined, Principal: { AWS: NODE_ROLE_ARN } }],
    });
    expect(plan(s, {}, {}, text).refusals[0]!.reason).toMatch(/explicitly denies/);
  });

  it('never modifies a role without the ownership tag, unless adopt (which tags it first)', () => {
    const s = healthyLiveSnapshot();
    s.roles[0]!.inlinePolicies = [];
    const refused = plan(s);
    expect(refused.steps).toEqual([]);
    expect(refused.refusals[0]).toMatchObject({ resource: NODE_ROLE_ARN });
    expect(refused.refusals[0]!.reason).toMatch(/ownership tag.*--adopt/);
    const adopted = plan(s, { adopt: true });
    expect(kinds(adopted.steps)).toEqual(['tag-role', 'put-role-policy', 'verify']);
    expect(adopted.steps[0]).toMatchObject({ tags: { [OWNERSHIP_TAG.key]: OWNERSHIP_TAG.value } });
    const put = adopted.steps[1]!;
    if (put.kind !== 'put-role-policy') throw new Error();
    expect(put.policy.Statement[0]!.Resource).toEqual([FS_ARN]);
    expect(JSON.stringify(put.policy)).not.toMatch(/"\*"/);
    // Once tagged, no --adopt is needed.
    s.roles[0]!.tags = { [OWNERSHIP_TAG.key]: OWNERSHIP_TAG.value };
    expect(kinds(plan(s).steps)).toEqual(['put-role-policy', 'verify']);
  });

  it('creates a missing role with the ownership tag, its trust and its scoped inline policy', () => {
    const s = healthyLiveSnapshot();
    const text = setFsPolicy(s, { Version: '2012-10-17', Statement: [DENY] });
    const p = plan(s, { roleName: 'prod-efs-node-new', tags: { team: 'storage' } }, {}, text);
    const create = p.steps[0]!;
    if (create.kind !== 'create-role') throw new Error(create.kind);
    expect(create.tags).toEqual({ team: 'storage', [OWNERSHIP_TAG.key]: OWNERSHIP_TAG.value });
    expect(create.trustPolicy.Statement[0]).toMatchObject({
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    });
    // The file system policy must name the new role, and the add-on's list is updated in full.
    expect(kinds(p.steps)).toEqual([
      'create-role',
      'put-role-policy',
      'merge-file-system-policy',
      'update-addon-associations',
      'restart-daemonset',
      'verify',
    ]);
  });

  it('add-on path: UpdateAddon always carries the full list (the controller kept)', () => {
    const s = healthyLiveSnapshot();
    s.roles[0]!.tags = { [OWNERSHIP_TAG.key]: OWNERSHIP_TAG.value };
    s.podIdentityAssociations = s.podIdentityAssociations.filter(
      (a) => a.serviceAccount !== 'efs-csi-node-sa',
    );
    s.addons[0]!.podIdentityAssociations = [
      { serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE_ARN },
    ];
    const p = plan(s);
    expect(kinds(p.steps)).toEqual(['update-addon-associations', 'restart-daemonset', 'verify']);
    expect(p.steps[0]).toMatchObject({
      addonName: 'aws-efs-csi-driver',
      associations: [
        { serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE_ARN },
        { serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE_ARN },
      ],
    });
  });

  it('refuses an add-on update when the owned list is not fully known (a partial list would delete)', () => {
    const s = healthyLiveSnapshot();
    s.podIdentityAssociations = s.podIdentityAssociations.filter(
      (a) => a.serviceAccount !== 'efs-csi-node-sa',
    );
    s.addons[0]!.podIdentityAssociations = [
      { serviceAccount: 'efs-csi-controller-sa', roleArn: { unknown: true, expression: 'x' } },
    ];
    expect(plan(s).refusals[0]!.reason).toMatch(/full list/);
  });

  it('migrates a manual association to a capable add-on explicitly (delete, then the full list)', () => {
    const s = healthyLiveSnapshot();
    const node = s.podIdentityAssociations[1]!;
    delete node.ownerAddon;
    s.addons[0]!.podIdentityAssociations = [
      { serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE_ARN },
    ];
    const p = plan(s);
    expect(kinds(p.steps)).toEqual([
      'delete-pod-identity-association',
      'update-addon-associations',
      'restart-daemonset',
      'verify',
    ]);
    expect(p.steps[0]!.reason).toMatch(/migration to the add-on, said so/);
  });

  it('keeps a manual association where the add-on cannot own the node SA, and says why', () => {
    const s = healthyLiveSnapshot();
    delete s.podIdentityAssociations[1]!.ownerAddon;
    s.addons[0]!.podIdentityAssociations = [
      { serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE_ARN },
    ];
    s.addons[0]!.podIdentityCapableServiceAccounts = ['efs-csi-controller-sa'];
    s.addons[0]!.version = 'v2.1.15-eksbuild.1';
    const p = plan(s);
    expect(p.steps).toEqual([]);
    expect(p.notes.join('\n')).toMatch(/cannot own an association for efs-csi-node-sa/);
    // Without any association: a manual one is created (not an UpdateAddon the add-on would refuse).
    s.podIdentityAssociations = s.podIdentityAssociations.filter(
      (a) => a.serviceAccount !== 'efs-csi-node-sa',
    );
    expect(kinds(plan(s).steps)).toEqual(['create-pod-identity-association', 'restart-daemonset', 'verify']);
  });

  describe('a session policy on the kept association', () => {
    /** The healthy snapshot with the node SA's association manual (an add-on that cannot own it) and this policy. */
    function withSessionPolicy(doc: object | null) {
      const s = healthyLiveSnapshot();
      const node = s.podIdentityAssociations[1]!;
      delete node.ownerAddon;
      s.addons[0]!.podIdentityAssociations = [
        { serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE_ARN },
      ];
      s.addons[0]!.podIdentityCapableServiceAccounts = ['efs-csi-controller-sa'];
      const text = doc === null ? null : JSON.stringify(doc);
      node.sessionPolicy = doc === null ? null : normalizePolicy(doc, aws('arn:aws:eks:session'));
      const texts = emptyPolicyTexts();
      texts.associationPolicies.set(String(node.associationId), text);
      return { s, text, texts, id: String(node.associationId) };
    }
    const MOUNT_ONLY = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Mine', Effect: 'Allow', Action: 'elasticfilesystem:ClientMount', Resource: FS_ARN },
      ],
    };

    it('merges our statement by Sid when it leaves out what the spec grants, keeping the rest', () => {
      const { s, text, texts, id } = withSessionPolicy(MOUNT_ONLY);
      const p = planSteps(spec(), s, { texts });
      expect(kinds(p.steps)).toEqual(['update-pod-identity-association', 'restart-daemonset', 'verify']);
      const step = p.steps[0]!;
      if (step.kind !== 'update-pod-identity-association') throw new Error();
      expect(step.associationId).toBe(id);
      expect(step.roleArn).toBe(NODE_ROLE_ARN);
      expect(step.sessionStatements).toEqual([
        {
          Sid: `EfsNodeIdentity${FS_ID.replace('-', '')}`,
          Effect: 'Allow',
          Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          Resource: [FS_ARN],
        },
      ]);
      expect(step.reason).toMatch(/session policy does not allow .*ClientWrite on fs-/);
      expect(JSON.parse(step.diff!.before!).policy).toEqual(JSON.parse(text!));
      const after = JSON.parse(step.diff!.after!).policy;
      expect(after.Statement).toEqual([MOUNT_ONLY.Statement[0], step.sessionStatements![0]]);
    });

    it('plans nothing when the session policy already allows it, or when there is none', () => {
      const allows = withSessionPolicy({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'elasticfilesystem:Client*', Resource: FS_ARN }],
      });
      expect(planSteps(spec(), allows.s, { texts: allows.texts }).steps).toEqual([]);
      const none = withSessionPolicy(null);
      expect(planSteps(spec(), none.s, { texts: none.texts }).steps).toEqual([]);
    });

    it('refuses when it denies the access (a merged Allow would not help) or its text was not read', () => {
      const denies = withSessionPolicy({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'elasticfilesystem:*', Resource: '*' },
          { Effect: 'Deny', Action: 'elasticfilesystem:ClientWrite', Resource: '*' },
        ],
      });
      const refused = planSteps(spec(), denies.s, { texts: denies.texts });
      expect(refused.steps).toEqual([]);
      expect(refused.refusals[0]!.reason).toMatch(/denies .*ClientWrite.*explicit Deny wins/);
      const unread = withSessionPolicy(MOUNT_ONLY);
      const p = planSteps(spec(), unread.s, { texts: emptyPolicyTexts() });
      expect(p.steps).toEqual([]);
      expect(p.refusals[0]!.reason).toMatch(/session policy text .* was not read as stored/);
    });

    it('warns that a migration to the add-on drops the session policy', () => {
      const { s, texts } = withSessionPolicy(MOUNT_ONLY);
      s.addons[0]!.podIdentityCapableServiceAccounts = ['efs-csi-controller-sa', 'efs-csi-node-sa'];
      const p = planSteps(spec(), s, { texts });
      expect(p.steps[0]!.kind).toBe('delete-pod-identity-association');
      expect(p.steps[0]!.warnings?.join('\n')).toMatch(
        /has a session policy .* the node gets every permission of its role/,
      );
      expect(JSON.parse(p.steps[0]!.diff!.before!).policy).toEqual(MOUNT_ONLY);
    });
  });

  it('targetRoleArn: API path only, add-on list without the node SA, target trust after the association', () => {
    const s = healthyLiveSnapshot();
    s.roles[0]!.tags = { [OWNERSHIP_TAG.key]: OWNERSHIP_TAG.value };
    const target = 'arn:aws:iam::444455556666:role/storage-efs-node';
    const p = plan(s, { targetRoleArn: target, fileSystems: [{ id: FS_ID, accountId: '444455556666' }] });
    const order = kinds(p.steps);
    expect(order).toEqual([
      'put-role-policy',
      'update-addon-associations',
      'create-pod-identity-association',
      'update-target-trust',
      'restart-daemonset',
      'verify',
    ]);
    expect(p.steps[1]).toMatchObject({
      associations: [{ serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE_ARN }],
    });
    expect(p.steps[2]).toMatchObject({ targetRoleArn: target, roleArn: NODE_ROLE_ARN });
    const trust = p.steps[3]!;
    if (trust.kind !== 'update-target-trust') throw new Error();
    expect(trust).toMatchObject({ externalIdKnown: false, externalId: EXTERNAL_ID_PLACEHOLDER });
    expect(trust.statement.Condition).toEqual({
      StringEquals: { 'sts:ExternalId': EXTERNAL_ID_PLACEHOLDER },
    });
    expect(trust.statement.Principal).toEqual({ AWS: NODE_ROLE_ARN });
    expect(p.notes.join('\n')).toMatch(/only on the Pod Identity association API/);
    // The file system is in the other account and was not read.
    expect(p.refusals.map((r) => r.resource)).toContain(
      'arn:aws:elasticfilesystem:eu-west-1:444455556666:file-system/fs-0123456789abcdef0',
    );
  });

  it('restarts the DaemonSet only when pods predate the association or lack the env', () => {
    const s = healthyLiveSnapshot();
    s.pods = [nodePod(0, {}, '2026-05-01T00:00:00Z'), nodePod(1, {}, '2026-05-01T00:00:00Z')];
    const p = plan(s);
    expect(kinds(p.steps)).toEqual(['restart-daemonset', 'verify']);
    expect(p.steps[0]).toMatchObject({
      waitForRollout: true,
      namespace: 'kube-system',
      name: 'efs-csi-node',
    });
    expect(p.steps[0]!.warnings!.join(' ')).toMatch(/TLS mounts/);
    expect(p.steps[0]!.reason).toMatch(/PI-06.*PI-07/);
  });

  it('IRSA: annotation, trust and restart; an association for the node SA is removed explicitly', () => {
    const s = healthyIrsaSnapshot();
    s.roles[0]!.tags = { [OWNERSHIP_TAG.key]: OWNERSHIP_TAG.value };
    s.serviceAccounts[0]!.annotations = {};
    const trustBroken = JSON.parse(JSON.stringify(s.roles[0]!.trustPolicy));
    trustBroken.statements[0].conditions[0].values = [
      'system:serviceaccount:kube-system:efs-csi-controller-sa',
    ];
    s.roles[0]!.trustPolicy = trustBroken;
    const p = plan(s, { mode: 'irsa' });
    expect(kinds(p.steps)).toEqual([
      'update-trust',
      'annotate-service-account',
      'restart-daemonset',
      'verify',
    ]);
    expect(p.steps[1]).toMatchObject({ annotation: 'eks.amazonaws.com/role-arn', value: NODE_ROLE_ARN });
    // Pod Identity wins over IRSA: an add-on-owned node association is taken out of the full list.
    const both = healthyLiveSnapshot();
    both.oidcProviders = healthyIrsaSnapshot().oidcProviders;
    both.roles[0] = healthyIrsaSnapshot().roles[0]!;
    both.serviceAccounts[0]!.annotations['eks.amazonaws.com/role-arn'] = NODE_ROLE_ARN;
    const q = plan(both, { mode: 'irsa' });
    expect(kinds(q.steps)).toEqual(['update-addon-associations', 'restart-daemonset', 'verify']);
    expect(q.steps[0]).toMatchObject({
      associations: [{ serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE_ARN }],
    });
  });

  it('refuses IRSA without the OIDC provider, and an unknown cluster', () => {
    const s = healthyLiveSnapshot();
    expect(plan(s, { mode: 'irsa' }).refusals[0]!.reason).toMatch(/OIDC provider/);
    expect(planSteps(spec({ cluster: 'other' }), s).refusals[0]!.reason).toMatch(/not in the live state/);
  });

  it('never writes a wildcard principal or resource', () => {
    const s = healthyLiveSnapshot();
    setFsPolicy(s, null);
    const p = plan(s, { roleName: 'fresh-role', adopt: true });
    for (const step of p.steps) {
      const written = JSON.stringify(
        'statement' in step
          ? step.statement
          : 'policy' in step
            ? step.policy
            : 'trustPolicy' in step
              ? step.trustPolicy
              : {},
      );
      expect(written).not.toMatch(/"(Principal|Resource)":\s*"\*"|"AWS":\s*"\*"/);
    }
    expect(ACCOUNT).toBe('111122223333');
    expect(k8s('x')).toEqual({ kind: 'k8s', ref: 'x' });
  });
});

describe('plan for an S3 file system', () => {
  const S3_ID = 'fs-0a1b2c3d4e5f6a7b8c9d0';
  const S3_ARN = `arn:aws:s3files:${REGION}:${ACCOUNT}:file-system/${S3_ID}`;
  const withS3 = () => {
    const s = healthyLiveSnapshot();
    s.roles.find((r) => r.arn === NODE_ROLE_ARN)!.tags = { [OWNERSHIP_TAG.key]: OWNERSHIP_TAG.value };
    const doc = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: `EfsCsiNode-${CLUSTER}`,
          Effect: 'Allow',
          Principal: { AWS: NODE_ROLE_ARN },
          Action: ['s3files:ClientMount', 's3files:ClientWrite'],
          Resource: S3_ARN,
        },
      ],
    };
    s.fileSystems.push({
      type: 's3files',
      id: S3_ID,
      arn: S3_ARN,
      accountId: ACCOUNT,
      region: REGION,
      bucket: 'arn:aws:s3:::media-archive',
      bucketPrefix: 'published/',
      policy: normalizePolicy(doc, aws(S3_ARN), { size: JSON.stringify(doc).length }),
      origin: aws(S3_ARN),
    });
    return s;
  };
  const fileSystems = [
    { id: FS_ID, access: 'write' as const },
    { id: S3_ID, access: 'write' as const, type: 's3files' as const },
  ];

  it('grants the client actions on the file system ARN and the direct reads from its linked bucket, never "*"', () => {
    const s = withS3();
    const result = plan(s, { fileSystems });
    const puts = result.steps.filter((st) => st.kind === 'put-role-policy');
    expect(puts).toHaveLength(1);
    const put = puts[0]!;
    if (put.kind !== 'put-role-policy') throw new Error();
    expect(put.policy.Statement).toEqual([
      expect.objectContaining({ Action: ['s3files:ClientMount', 's3files:ClientWrite'], Resource: [S3_ARN] }),
      expect.objectContaining({
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::media-archive/published/*'],
      }),
      expect.objectContaining({ Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::media-archive'] }),
    ]);
    expect(JSON.stringify(put.policy)).not.toMatch(/"\*"/);
    // Once the role has it, a second plan is empty.
    const role = s.roles.find((r) => r.arn === NODE_ROLE_ARN)!;
    role.inlinePolicies.push({
      name: put.policyName,
      document: normalizePolicy(put.policy, aws(NODE_ROLE_ARN)),
    });
    expect(plan(s, { fileSystems }).steps).toEqual([]);
  });

  it('takes the bucket from the spec when given, and refuses one on an EFS file system', () => {
    const s = withS3();
    const put = plan(s, {
      fileSystems: [{ id: S3_ID, type: 's3files', bucket: 'media-archive-v2' }],
    }).steps.find((st) => st.kind === 'put-role-policy');
    if (put?.kind !== 'put-role-policy') throw new Error('a put-role-policy step');
    expect(JSON.stringify(put.policy)).toContain('"arn:aws:s3:::media-archive-v2/published/*"');
    expect(() => spec({ fileSystems: [{ id: FS_ID, bucket: 'media-archive' }] })).toThrow(
      'bucket belongs to S3 file systems',
    );
    expect(() => spec({ fileSystems: [{ id: S3_ID, type: 's3files', bucket: 'arn:aws:s3:::*' }] })).toThrow(
      'an S3 bucket ARN',
    );
  });
});

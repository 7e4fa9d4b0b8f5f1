import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  defaultConfig,
  evaluatePolicy,
  evaluateSnapshot,
  executePlan,
  normalizePolicy,
  parseDesiredSpec,
  rollbackJournal,
  type Finding,
  type Journal,
  type Plan,
} from '@efs-node-identity/core';
import {
  addAccount,
  addPersistentVolume,
  adminCredentials,
  clusterOf,
  type Sandbox,
} from '@efs-node-identity/sandbox';
import {
  assumeRolePorts,
  clusterAccountOf,
  collectAndPlan,
  collectLiveSnapshot,
  liveExecutorPorts,
  verifyLive,
  type CollectResult,
} from '../src';
import { fastOptions, openWorld, type World } from './apply-harness';
import { CLUSTER, PLATFORM_ACCOUNT, REGION, sandboxEnv, useEnv, type SandboxEnv } from './sandbox-env';

/**
 * Amazon S3 Files live: the collector reads the S3 file system of an `s3files:` volume, its policy and the linked
 * bucket's policy through the real @aws-sdk/client-s3files and @aws-sdk/client-s3 over HTTP; plan, apply, verify and
 * rollback go through the same live path as the CLI (collectAndPlan, liveExecutorPorts, verifyLive).
 */

const S3FS = 'fs-0c1d2e3f4a5b6c7d8e9f';
const S3FS_ARN = `arn:aws:s3files:${REGION}:${PLATFORM_ACCOUNT}:file-system/${S3FS}`;
const BUCKET = 'prod-eks-media-archive';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const NODE_ROLE = 'prod-eks-efs-csi-node';
const NODE_ROLE_ARN = `arn:aws:iam::${PLATFORM_ACCOUNT}:role/${NODE_ROLE}`;
const FS_ROLE_ARN = `arn:aws:iam::${PLATFORM_ACCOUNT}:role/prod-eks-media-s3files`;
const BROAD = [
  'arn:aws:iam::aws:policy/AmazonS3FilesClientFullAccess',
  'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
];

async function collect(s: SandboxEnv): Promise<CollectResult> {
  const restore = useEnv(s.env);
  try {
    return await collectLiveSnapshot({
      cluster: CLUSTER,
      region: REGION,
      kube: { kind: 'kubeconfig', path: s.kubeconfig },
    });
  } finally {
    restore();
  }
}

const findingsOf = (r: CollectResult): Finding[] => evaluateSnapshot(r.snapshot, defaultConfig()).findings;
const lines = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.ruleId}: ${f.message}`);

describe('the collector reads S3 file systems like the static sources describe them', () => {
  it('s3files-healthy: type, ARN, linked bucket ARN, prefix, the file system role, both policies; no S3F finding', async () => {
    const s = await sandboxEnv('s3files-healthy');
    try {
      const result = await collect(s);
      const fs = result.snapshot.fileSystems.find((f) => f.id === S3FS);
      expect(fs).toMatchObject({
        type: 's3files',
        arn: S3FS_ARN,
        accountId: PLATFORM_ACCOUNT,
        region: REGION,
        bucket: BUCKET_ARN,
        bucketPrefix: 'media/',
        roleArn: FS_ROLE_ARN,
      });
      expect(fs?.policy?.statements.map((st) => st.sid)).toEqual([
        'EfsCsiNode-prod-eks',
        'MediaTeamReadOnly',
      ]);
      expect(fs?.bucketPolicy?.statements.map((st) => st.sid)).toEqual(['DenyInsecureTransport']);
      // The EFS API is not asked about an s3files: volume's file system.
      expect(s.sandbox.log.count({ service: 'elasticfilesystem' })).toBe(0);
      expect(result.stats.byOperation).toMatchObject({
        's3files:GetFileSystem': 1,
        's3files:GetFileSystemPolicy': 1,
        's3:GetBucketPolicy': 1,
      });
      expect(result.unread).toEqual([]);
      const findings = findingsOf(result);
      expect(lines(findings.filter((f) => f.ruleId.startsWith('S3F-')))).toEqual([]);
      expect(lines(findings.filter((f) => f.severity === 'error'))).toEqual([]);
    } finally {
      await s.stop();
    }
  });

  it('s3files-bucket-deny: S3F-04 names the bucket, the node role and the statement, not the file system role', async () => {
    const s = await sandboxEnv('s3files-bucket-deny');
    try {
      const all = findingsOf(await collect(s));
      // S3F-03 says the direct reads are off, and that the bucket policy, not the role, is what to change.
      const s3f03 = all.filter((f) => f.ruleId === 'S3F-03');
      expect(s3f03).toHaveLength(1);
      expect(s3f03[0]!.message).toContain("the linked bucket's policy explicitly denies it");
      expect(s3f03[0]!.fix).toMatch(
        /^Exempt .* from the Deny in the bucket policy of arn:aws:s3:::prod-eks-media-archive/,
      );
      const findings = all.filter((f) => f.ruleId === 'S3F-04');
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ severity: 'error', resource: BUCKET_ARN });
      expect(findings[0]!.message).toContain(
        `denies the node role ${NODE_ROLE_ARN} s3:GetObject, s3:ListBucket`,
      );
      expect(findings[0]!.message).toContain('OnlyTheFileSystemRole');
      expect(findings[0]!.message).not.toContain(FS_ROLE_ARN);
    } finally {
      await s.stop();
    }
  });

  it('s3files-broad-managed-policies: S3F-02 for both managed policies; mount and direct reads allowed (S3F-01/03 silent)', async () => {
    const s = await sandboxEnv('s3files-broad-managed-policies');
    try {
      const findings = findingsOf(await collect(s));
      const s3f = findings.filter((f) => f.ruleId.startsWith('S3F-'));
      expect(s3f.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['S3F-02']));
      expect(s3f.filter((f) => f.ruleId !== 'S3F-02')).toEqual([]);
      const text = s3f.map((f) => f.message).join('\n');
      expect(text).toContain('AmazonS3FilesClientFullAccess');
      expect(text).toContain('AmazonS3ReadOnlyAccess');
    } finally {
      await s.stop();
    }
  });

  it('a linked bucket of another account: its policy is unread (said so), the rest is still judged', async () => {
    const s = await sandboxEnv('s3files-bucket-deny', (state) => {
      // The bucket moves to a data account the verifier has no access to: S3 answers AccessDenied.
      const bucket = state.accounts.get(PLATFORM_ACCOUNT)!.s3.buckets.get(BUCKET)!;
      state.accounts.get(PLATFORM_ACCOUNT)!.s3.buckets.delete(BUCKET);
      addAccount(state, '777788889999').account.s3.buckets.set(BUCKET, bucket);
    });
    try {
      const result = await collect(s);
      expect(result.unread).toEqual([
        { kind: 'bucket-policy', id: BUCKET_ARN, reason: 's3:GetBucketPolicy was refused (AccessDenied)' },
      ]);
      const fs = result.snapshot.fileSystems.find((f) => f.id === S3FS);
      expect(fs?.bucketPolicy).toBeUndefined();
      expect(fs?.policy?.statements).toHaveLength(2);
      expect(findingsOf(result).filter((f) => f.ruleId === 'S3F-04')).toEqual([]);
    } finally {
      await s.stop();
    }
  });

  it('an s3files: volume on a file system S3 Files does not know is unread, not an error', async () => {
    const s = await sandboxEnv('s3files-healthy', (state) => {
      state.accounts.get(PLATFORM_ACCOUNT)!.s3files.fileSystems.delete(S3FS);
    });
    try {
      const result = await collect(s);
      expect(result.unread).toEqual([
        expect.objectContaining({
          kind: 'file-system',
          id: S3FS,
          reason: expect.stringContaining('no S3 file system'),
        }),
      ]);
      expect(result.snapshot.fileSystems.filter((f) => f.type === 's3files')).toEqual([]);
    } finally {
      await s.stop();
    }
  });
});

/** What apply changes and rollback must restore, read from the sandbox's own state. */
function worldState(sandbox: Sandbox) {
  const account = sandbox.state.accounts.get(PLATFORM_ACCOUNT)!;
  const role = account.iam.roles.get(NODE_ROLE)!;
  return {
    inline: Object.fromEntries([...role.inlinePolicies].sort()),
    managed: [...role.attachedPolicyArns].sort(),
    tags: Object.fromEntries([...role.tags].sort()),
    fileSystemPolicy: account.s3files.fileSystems.get(S3FS)!.policy ?? null,
    bucketPolicy: account.s3.buckets.get(BUCKET)!.policy ?? null,
  };
}

describe('plan → apply → verify → rollback on s3files-broad-managed-policies', () => {
  let w: World;
  let plan: Plan;
  let journal: Journal;
  let before: ReturnType<typeof worldState>;
  const spec = parseDesiredSpec({
    cluster: CLUSTER,
    region: REGION,
    fileSystems: [{ id: S3FS, type: 's3files' }],
    // The driver's docs create the node role with eksctl: it does not carry this tool's ownership tag.
    adopt: true,
  });
  const live = () => ({
    ports: w.ports,
    others: [],
    kube: { kind: 'kubeconfig' as const, path: w.s.kubeconfig },
  });

  beforeAll(async () => {
    w = await openWorld('s3files-broad-managed-policies');
    before = worldState(w.sandbox);
    const planned = await collectAndPlan(spec, live());
    plan = planned.plan;
    const ports = liveExecutorPorts({
      ports: w.ports,
      others: [],
      otherAccountIds: [],
      account: clusterAccountOf(planned.collected, CLUSTER),
      cluster: CLUSTER,
      kube: w.kube,
    });
    journal = await executePlan(plan.steps, ports, { ...fastOptions(w) });
  });
  afterAll(() => w.stop());

  it('plans the scoped inline policy, then the two detaches, then the Allow in the file system policy', () => {
    expect(plan.refusals).toEqual([]);
    expect(plan.steps.map((st) => st.kind)).toEqual([
      'tag-role',
      'put-role-policy',
      'detach-role-policy',
      'detach-role-policy',
      'merge-file-system-policy',
      'verify',
    ]);
    expect(plan.steps.filter((st) => st.kind === 'detach-role-policy').map((st) => st.policyArn)).toEqual(
      BROAD,
    );
    const merge = plan.steps.find((st) => st.kind === 'merge-file-system-policy');
    expect(merge).toMatchObject({ fileSystemType: 's3files', firstPolicy: true, fileSystemArn: S3FS_ARN });
  });

  it('apply writes the scoped permissions instead of the managed policies and leaves the bucket policy alone', () => {
    const after = worldState(w.sandbox);
    expect(after.managed).toEqual([]);
    expect(Object.keys(after.inline)).toEqual([`efs-node-identity-${S3FS}`]);
    expect(after.bucketPolicy).toBe(before.bucketPolicy);
    const fsPolicy = JSON.parse(after.fileSystemPolicy!) as { Statement: Array<Record<string, unknown>> };
    expect(fsPolicy.Statement).toEqual([
      {
        Sid: 'EfsCsiNode-prod-eks',
        Effect: 'Allow',
        Principal: { AWS: NODE_ROLE_ARN },
        Action: ['s3files:ClientMount', 's3files:ClientWrite'],
        Resource: S3FS_ARN,
      },
    ]);
    expect(journal.entries.map((e) => e.undo.kind)).toEqual([
      'restore-tags',
      'restore-role-policy',
      'reattach-role-policy',
      'reattach-role-policy',
      'unmerge-file-system-policy',
    ]);
  });

  it('verify is clean afterwards (no S3F finding, no error) and a second plan is empty', async () => {
    const { findings } = await verifyLive(
      { cluster: CLUSTER, region: REGION, fileSystemIds: [], s3FileSystemIds: [S3FS] },
      live(),
    );
    expect(lines(findings.filter((f) => f.ruleId.startsWith('S3F-') || f.severity === 'error'))).toEqual([]);
    const again = await collectAndPlan(spec, live());
    expect(again.plan.steps).toEqual([]);
    expect(again.plan.refusals).toEqual([]);
  });

  it('the generated node policy grants nothing outside the named file system and bucket prefix (core evaluator)', () => {
    const text = worldState(w.sandbox).inline[`efs-node-identity-${S3FS}`]!;
    const raw = JSON.parse(text) as {
      Statement: Array<{ Resource: string | string[]; Principal?: unknown }>;
    };
    for (const st of raw.Statement) {
      for (const r of [st.Resource].flat()) expect(r).not.toMatch(/^\*$|:\*$|^arn:aws:s3:::\*/);
      expect(st.Principal).toBeUndefined();
    }
    const document = normalizePolicy(JSON.parse(text), { kind: 'aws', arn: NODE_ROLE_ARN });
    const ask = (action: string, resource: string) =>
      evaluatePolicy(
        document,
        {
          principal: { kind: 'aws', arn: NODE_ROLE_ARN },
          action,
          resource,
          context: { 'aws:securetransport': 'true', 'aws:principalarn': NODE_ROLE_ARN },
        },
        { name: 'node policy', hasPrincipals: false },
      ).allows;
    expect(ask('s3files:ClientMount', S3FS_ARN)).toBe(true);
    expect(ask('s3files:ClientWrite', S3FS_ARN)).toBe(true);
    expect(ask('s3:GetObject', `${BUCKET_ARN}/media/renders/frame-0001.exr`)).toBe(true);
    expect(ask('s3:ListBucket', BUCKET_ARN)).toBe(true);
    // Another file system, another bucket, another prefix of the same bucket, root access, writes to S3: no.
    const otherFs = `arn:aws:s3files:${REGION}:${PLATFORM_ACCOUNT}:file-system/fs-0aaaaaaaaaaaaaaaaaaa`;
    expect(ask('s3files:ClientMount', otherFs)).not.toBe(true);
    expect(ask('s3files:ClientRootAccess', S3FS_ARN)).not.toBe(true);
    expect(ask('s3:GetObject', 'arn:aws:s3:::payroll-exports/media/salaries.csv')).not.toBe(true);
    expect(ask('s3:ListBucket', 'arn:aws:s3:::payroll-exports')).not.toBe(true);
    expect(ask('s3:GetObject', `${BUCKET_ARN}/finance/q3.csv`)).not.toBe(true);
    expect(ask('s3:PutObject', `${BUCKET_ARN}/media/x`)).not.toBe(true);
  });

  it('rollback restores the role, its managed policies and the file system policy as they were', async () => {
    const ports = liveExecutorPorts({
      ports: w.ports,
      others: [],
      otherAccountIds: [],
      account: PLATFORM_ACCOUNT,
      cluster: CLUSTER,
      kube: w.kube,
    });
    await rollbackJournal(journal, ports, { ...fastOptions(w) });
    expect(worldState(w.sandbox)).toEqual(before);
    // And the world reports what it reported before apply.
    const { findings } = await verifyLive(
      { cluster: CLUSTER, region: REGION, fileSystemIds: [], s3FileSystemIds: [S3FS] },
      live(),
    );
    expect([...new Set(findings.filter((f) => f.ruleId.startsWith('S3F-')).map((f) => f.ruleId))]).toEqual([
      'S3F-02',
    ]);
  });
});

describe('plan keeps what other S3 Files volumes need', () => {
  it('does not detach the managed policies while a volume mounts a file system the spec leaves out', async () => {
    const w = await openWorld('s3files-broad-managed-policies', {
      seed: (state) => {
        addPersistentVolume(clusterOf(state, PLATFORM_ACCOUNT, CLUSTER), {
          name: 'scratch-pv',
          volumeHandle: 's3files:fs-0aaaaaaaaaaaaaaaaaaa',
        });
      },
    });
    try {
      const { plan } = await collectAndPlan(
        parseDesiredSpec({
          cluster: CLUSTER,
          region: REGION,
          fileSystems: [{ id: S3FS, type: 's3files' }],
          adopt: true,
        }),
        { ports: w.ports, others: [], kube: { kind: 'kubeconfig', path: w.s.kubeconfig } },
      );
      expect(plan.steps.filter((st) => st.kind === 'detach-role-policy')).toEqual([]);
      expect(plan.notes.join('\n')).toMatch(
        /AmazonS3FilesClientFullAccess and AmazonS3ReadOnlyAccess stay on prod-eks-efs-csi-node: PersistentVolume\/scratch-pv/,
      );
    } finally {
      await w.stop();
    }
  });
});

const POLICIES = path.join(__dirname, '..', '..', '..', 'docs', 'policies');
const policyText = (name: string) => readFileSync(path.join(POLICIES, name), 'utf8');

/** A policy document without the given actions (a statement left with none is dropped). */
function withoutActions(text: string, actions: string[]): string {
  const p = JSON.parse(text) as { Statement: Array<{ Action: string | string[] }> };
  p.Statement = p.Statement.flatMap((st) => {
    const kept = [st.Action].flat().filter((a) => !actions.includes(a));
    return kept.length > 0 ? [{ ...st, Action: kept }] : [];
  });
  return JSON.stringify(p);
}

/** Creates a role the platform admin may assume, with `policy` as its only policy; returns its ARN. */
async function roleWithPolicy(sandbox: Sandbox, name: string, policy: string): Promise<string> {
  const iam = new IAMClient({
    endpoint: sandbox.url,
    region: REGION,
    credentials: adminCredentials(sandbox.state, PLATFORM_ACCOUNT)!,
  });
  try {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT}:root` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({ RoleName: name, PolicyName: 'policy', PolicyDocument: policy }),
    );
    return created.Role!.Arn!;
  } finally {
    iam.destroy();
  }
}

describe('docs/policies/verifier-policy.json reads S3 Files under permission enforcement', () => {
  let s: SandboxEnv;
  let restore: () => void;
  let verifier: string;
  const collectAs = async (roleArn: string) => {
    const ports = await assumeRolePorts({
      roleArn,
      region: REGION,
      credentials: adminCredentials(s.sandbox.state, PLATFORM_ACCOUNT)!,
    });
    try {
      return await collectLiveSnapshot({
        cluster: CLUSTER,
        region: REGION,
        kube: { kind: 'kubeconfig', path: s.kubeconfig },
        ports,
      });
    } finally {
      ports.destroy();
    }
  };
  const setPolicy = (text: string) =>
    s.sandbox.state.accounts
      .get(PLATFORM_ACCOUNT)!
      .iam.roles.get('verifier')!
      .inlinePolicies.set('policy', text);

  beforeAll(async () => {
    s = await sandboxEnv('s3files-bucket-deny', (state) => void (state.settings.enforcePermissions = true));
    restore = useEnv(s.env);
    verifier = await roleWithPolicy(s.sandbox, 'verifier', policyText('verifier-policy.json'));
  });
  afterAll(async () => {
    restore();
    await s.stop();
  });

  it('collects the S3 file system and both policies as the administrator does, with the S3 Files and S3 actions', async () => {
    const admin = await collect(s);
    s.sandbox.log.clear();
    const run = await collectAs(verifier);
    expect(run.snapshot.fileSystems).toEqual(admin.snapshot.fileSystems);
    expect(lines(findingsOf(run)).sort()).toEqual(lines(findingsOf(admin)).sort());
    expect(run.unread).toEqual([]);
    expect(s.sandbox.log.calls.filter((c) => c.status === 403)).toEqual([]);
    const called = new Set(
      s.sandbox.log.calls
        .filter((c) => c.service === 's3files' || c.service === 's3')
        .map((c) => `${c.service}:${c.operation}`),
    );
    expect([...called].sort()).toEqual([
      's3:GetBucketPolicy',
      's3files:GetFileSystem',
      's3files:GetFileSystemPolicy',
    ]);
  });

  it.each(['s3files:GetFileSystem', 's3files:GetFileSystemPolicy'])(
    'without %s the run fails with the S3 Files AccessDeniedException naming it',
    async (action) => {
      setPolicy(withoutActions(policyText('verifier-policy.json'), [action]));
      try {
        const failure = await collectAs(verifier).then(
          () => new Error('collected without the action'),
          (e: unknown) => e as Error,
        );
        expect(failure.name).toBe('AccessDeniedException');
        expect(failure.message).toContain(`not authorized to perform: ${action} on resource: ${S3FS_ARN}`);
      } finally {
        setPolicy(policyText('verifier-policy.json'));
      }
    },
  );

  it('without s3:GetBucketPolicy the run goes on: the bucket policy is unread and S3F-04 silent', async () => {
    setPolicy(withoutActions(policyText('verifier-policy.json'), ['s3:GetBucketPolicy']));
    try {
      const run = await collectAs(verifier);
      expect(run.unread).toEqual([
        { kind: 'bucket-policy', id: BUCKET_ARN, reason: 's3:GetBucketPolicy was refused (AccessDenied)' },
      ]);
      expect(findingsOf(run).filter((f) => f.ruleId === 'S3F-04')).toEqual([]);
    } finally {
      setPolicy(policyText('verifier-policy.json'));
    }
  });
});

describe('docs/policies/provisioner-policy.json applies and rolls back S3 Files under permission enforcement', () => {
  const spec = parseDesiredSpec({
    cluster: CLUSTER,
    region: REGION,
    fileSystems: [{ id: S3FS, type: 's3files' }],
    adopt: true,
  });

  async function asProvisioner(policy: string) {
    const w = await openWorld('s3files-broad-managed-policies', {
      seed: (state) => void (state.settings.enforcePermissions = true),
    });
    const roleArn = await roleWithPolicy(w.sandbox, 'efs-node-identity-provisioner', policy);
    const admin = w.ports;
    w.ports = await assumeRolePorts({ roleArn, region: REGION, credentials: admin.credentials });
    const ports = liveExecutorPorts({
      ports: w.ports,
      others: [],
      otherAccountIds: [],
      account: PLATFORM_ACCOUNT,
      cluster: CLUSTER,
      kube: w.kube,
    });
    const live = { ports: w.ports, others: [], kube: { kind: 'kubeconfig' as const, path: w.s.kubeconfig } };
    return {
      w,
      ports,
      live,
      async stop() {
        w.ports.destroy();
        w.ports = admin;
        await w.stop();
      },
    };
  }

  it('plan → apply → verify → rollback as the provisioner role', async () => {
    const p = await asProvisioner(policyText('provisioner-policy.json'));
    try {
      const before = worldState(p.w.sandbox);
      const { plan } = await collectAndPlan(spec, p.live);
      expect(plan.refusals).toEqual([]);
      const journal = await executePlan(plan.steps, p.ports, { ...fastOptions(p.w) });
      expect(worldState(p.w.sandbox).managed).toEqual([]);
      const { findings } = await verifyLive(
        { cluster: CLUSTER, region: REGION, fileSystemIds: [], s3FileSystemIds: [S3FS] },
        p.live,
      );
      expect(lines(findings.filter((f) => f.ruleId.startsWith('S3F-') || f.severity === 'error'))).toEqual(
        [],
      );
      expect((await collectAndPlan(spec, p.live)).plan.steps).toEqual([]);
      await rollbackJournal(journal, p.ports, { ...fastOptions(p.w) });
      expect(worldState(p.w.sandbox)).toEqual(before);
      expect(p.w.sandbox.log.calls.filter((c) => c.status === 403)).toEqual([]);
    } finally {
      await p.stop();
    }
  });

  it('without the statement that swaps the managed policies, apply stops at the detach with AccessDenied', async () => {
    const document = JSON.parse(policyText('provisioner-policy.json')) as {
      Statement: Array<{ Sid?: string }>;
    };
    document.Statement = document.Statement.filter(
      (st) => st.Sid !== 'SwapBroadS3ManagedPoliciesOnOwnedRoles',
    );
    const p = await asProvisioner(JSON.stringify(document));
    try {
      const { plan } = await collectAndPlan(spec, p.live);
      const failure = await executePlan(plan.steps, p.ports, { ...fastOptions(p.w) }).then(
        () => new Error('applied without the statement'),
        (e: unknown) => e as Error,
      );
      expect(failure.message).toMatch(/not authorized to perform: iam:DetachRolePolicy/);
      // The scoped inline policy is in place; nothing was detached.
      const state = worldState(p.w.sandbox);
      expect(state.managed).toEqual(BROAD);
      expect(Object.keys(state.inline)).toEqual([`efs-node-identity-${S3FS}`]);
    } finally {
      await p.stop();
    }
  });
});

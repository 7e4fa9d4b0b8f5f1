import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { defaultConfig, evaluateSnapshot, normalizePolicy, type Finding } from '@efs-node-identity/core';
import { adminCredentials, type Sandbox } from '@efs-node-identity/sandbox';
import { parseAllDocuments } from 'yaml';
import {
  assumeRolePorts,
  collectLiveSnapshot,
  createAwsPorts,
  type AwsPorts,
  type CollectResult,
} from '../src';
import {
  CLUSTER,
  PLATFORM_ACCOUNT,
  REGION,
  sandboxEnv,
  STORAGE_ACCOUNT,
  useEnv,
  type SandboxEnv,
} from './sandbox-env';

/**
 * The published least-privilege documents (docs/policies/) against the sandbox with permission enforcement on: a
 * role whose only policy is verifier-policy.json, read from disk, must collect exactly what the administrator
 * collects, every action it allows must be one the run called, and removing any one action must fail the run with an
 * AccessDenied naming that action.
 */
const POLICIES = path.join(__dirname, '..', '..', '..', 'docs', 'policies');
const VERIFIER_POLICY_TEXT = readFileSync(path.join(POLICIES, 'verifier-policy.json'), 'utf8');
const PROVISIONER_POLICY_TEXT = readFileSync(path.join(POLICIES, 'provisioner-policy.json'), 'utf8');
const ROLE = 'efs-node-identity-verifier';
const POLICY_NAME = 'efs-node-identity-verifier';
const EXTERNAL_ID = 'efs-node-identity-verify-1';
/**
 * In the policy for real AWS, not asked for by the sandbox (it checks only each operation's own action, README
 * "Permission enforcement"): DescribeMountTargetSecurityGroups also needs it on the mount target's network interface.
 */
const NOT_MODELLED = ['ec2:DescribeNetworkInterfaceAttribute'];

type PolicyJson = { Statement: Array<{ Sid?: string; Action: string | string[] } & Record<string, unknown>> };
const actionsOf = (p: PolicyJson) =>
  p.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
const verifierActions = actionsOf(JSON.parse(VERIFIER_POLICY_TEXT) as PolicyJson);

/** The verifier policy without one action (a statement left with none is dropped). */
function without(action: string): string {
  const p = JSON.parse(VERIFIER_POLICY_TEXT) as PolicyJson;
  p.Statement = p.Statement.flatMap((s) => {
    const actions = (Array.isArray(s.Action) ? s.Action : [s.Action]).filter((a) => a !== action);
    return actions.length ? [{ ...s, Action: actions }] : [];
  });
  return JSON.stringify(p);
}

interface World {
  s: SandboxEnv;
  admin: CollectResult;
  adminFindings: string[];
  verifierArn: string;
  storageVerifierArn?: string;
}

const findingLines = (r: CollectResult): string[] =>
  evaluateSnapshot(r.snapshot, defaultConfig())
    .findings.map((f: Finding) => `${f.severity} ${f.ruleId}: ${f.message}`)
    .sort();

/** Creates the verifier role through the IAM API as the account's administrator, with the policy from disk. */
async function createVerifierRole(
  sandbox: Sandbox,
  accountId: string,
  trust: Record<string, unknown>,
): Promise<string> {
  const iam = new IAMClient({
    endpoint: sandbox.url,
    region: REGION,
    credentials: adminCredentials(sandbox.state, accountId)!,
  });
  try {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: ROLE,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...trust }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE,
        PolicyName: POLICY_NAME,
        PolicyDocument: VERIFIER_POLICY_TEXT,
      }),
    );
    return created.Role!.Arn!;
  } finally {
    iam.destroy();
  }
}

let restoreEnv: (() => void) | undefined;

async function world(scenario: string): Promise<World> {
  // The sandbox helper's seed runs after the scenario: the same switch as startSandbox({ enforcePermissions: true }).
  const s = await sandboxEnv(scenario, (state) => {
    state.settings.enforcePermissions = true;
  });
  expect(s.sandbox.state.settings.enforcePermissions).toBe(true);
  // The ports find the sandbox through AWS_ENDPOINT_URL, as in production through the SDK's environment.
  restoreEnv = useEnv(s.env);
  const verifierArn = await createVerifierRole(s.sandbox, PLATFORM_ACCOUNT, {
    Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT}:root` },
  });
  const cross = !!adminCredentials(s.sandbox.state, STORAGE_ACCOUNT);
  const storageVerifierArn = cross
    ? await createVerifierRole(s.sandbox, STORAGE_ACCOUNT, {
        Principal: { AWS: verifierArn },
        Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
      })
    : undefined;
  const admin = await collectAs(s, adminCredentials(s.sandbox.state, PLATFORM_ACCOUNT)!, cross);
  return {
    s,
    admin,
    adminFindings: findingLines(admin),
    verifierArn,
    ...(storageVerifierArn ? { storageVerifierArn } : {}),
  };
}

/** The administrators of both accounts: the reference run. */
async function collectAs(
  s: SandboxEnv,
  credentials: { accessKeyId: string; secretAccessKey: string },
  cross: boolean,
): Promise<CollectResult> {
  const ports = createAwsPorts({ region: REGION, credentials });
  const storage = cross
    ? [createAwsPorts({ region: REGION, credentials: adminCredentials(s.sandbox.state, STORAGE_ACCOUNT)! })]
    : [];
  try {
    return await collectLiveSnapshot({
      cluster: CLUSTER,
      region: REGION,
      kube: { kind: 'kubeconfig', path: s.kubeconfig },
      ports,
      otherAccounts: storage,
    });
  } finally {
    for (const p of [ports, ...storage]) p.destroy();
  }
}

/**
 * As the verifier: the administrator assumes the verifier role (standing in for whoever runs verify), and for the
 * storage account the verifier itself assumes that account's verifier role with the external ID, as `verify
 * --efs-role-arn` does.
 */
async function collectAsVerifier(w: World): Promise<CollectResult> {
  const { sandbox } = w.s;
  const opened: AwsPorts[] = [];
  try {
    const ports = await assumeRolePorts({
      roleArn: w.verifierArn,
      region: REGION,
      credentials: adminCredentials(sandbox.state, PLATFORM_ACCOUNT)!,
    });
    opened.push(ports);
    if (w.storageVerifierArn) {
      opened.push(
        await assumeRolePorts({
          roleArn: w.storageVerifierArn,
          externalId: EXTERNAL_ID,
          region: REGION,
          credentials: await ports.credentials(),
        }),
      );
    }
    return await collectLiveSnapshot({
      cluster: CLUSTER,
      region: REGION,
      kube: { kind: 'kubeconfig', path: w.s.kubeconfig },
      ports,
      otherAccounts: opened.slice(1),
    });
  } finally {
    for (const p of opened) p.destroy();
  }
}

/** Sets the verifier roles' only policy (both accounts), straight in the sandbox state. */
function setVerifierPolicy(w: World, text: string) {
  for (const id of [PLATFORM_ACCOUNT, STORAGE_ACCOUNT]) {
    w.s.sandbox.state.accounts.get(id)?.iam.roles.get(ROLE)?.inlinePolicies.set(POLICY_NAME, text);
  }
}

/** `service:Operation` of every call the verifier roles made (the administrators' reference run excluded). */
function verifierCalls(sandbox: Sandbox): Set<string> {
  return new Set(
    sandbox.log.calls
      .filter((c) => c.service !== 'kubernetes' && (c.principalArn ?? '').includes(`:assumed-role/${ROLE}/`))
      .map((c) => `${c.service}:${c.operation}`),
  );
}

describe.each(['healthy', 'cross-account'])(
  'verifier-policy.json on %s, permissions enforced',
  (scenario) => {
    let w: World;
    let run: CollectResult;
    beforeAll(async () => {
      w = await world(scenario);
      w.s.sandbox.log.clear();
      run = await collectAsVerifier(w);
    });
    afterAll(async () => {
      restoreEnv?.();
      await w?.s.stop();
    });

    it('collects the same snapshot and findings as the administrator', () => {
      expect(findingLines(run)).toEqual(w.adminFindings);
      expect(run.snapshot.roles.map((r) => r.arn).sort()).toEqual(
        w.admin.snapshot.roles.map((r) => r.arn).sort(),
      );
      expect(run.snapshot.fileSystems).toEqual(w.admin.snapshot.fileSystems);
      expect(run.snapshot.network).toEqual(w.admin.snapshot.network);
      expect(run.unread).toEqual([]);
      // Nothing was refused along the way.
      expect(w.s.sandbox.log.calls.filter((c) => c.status === 403)).toEqual([]);
    });

    if (scenario === 'cross-account') {
      it('reads the storage account through its verifier role (ExternalId)', () => {
        const fs = run.snapshot.fileSystems.find((f) => f.id === 'fs-0c7d8e9f0a1b2c3d4');
        expect(fs?.accountId).toBe(STORAGE_ACCOUNT);
        expect(fs?.policy).not.toBeNull();
        const storageCalls = w.s.sandbox.log.calls.filter(
          (c) => c.accountId === STORAGE_ACCOUNT && c.principalArn?.includes(`assumed-role/${ROLE}/`),
        );
        expect(storageCalls.map((c) => `${c.service}:${c.operation}`)).toContain(
          'elasticfilesystem:DescribeFileSystemPolicy',
        );
      });

      it('every action the policy allows was called (the call log of both runs), except those the sandbox does not model', () => {
        // The healthy run's calls are a subset of these (same collector, fewer facts): the cross-account run is the union.
        const called = verifierCalls(w.s.sandbox);
        // The S3 Files and S3 reads are called for s3files: volumes, which this world has none of: the verifier's
        // run on an S3 Files world is in s3files-live.test.ts.
        const allowed = verifierActions.filter(
          (a) => !NOT_MODELLED.includes(a) && !a.startsWith('s3files:') && !a.startsWith('s3:'),
        );
        expect([...called].filter((c) => c !== 'sts:GetCallerIdentity').sort()).toEqual([...allowed].sort());
      });

      it.each(
        verifierActions.filter(
          (a) => !NOT_MODELLED.includes(a) && !a.startsWith('s3files:') && !a.startsWith('s3:'),
        ),
      )('without %s the run fails with an AccessDenied naming it', async (action) => {
        setVerifierPolicy(w, without(action));
        try {
          const failure = await collectAsVerifier(w).then(
            () => new Error('collected without the action'),
            (e: unknown) => e as Error & { name: string },
          );
          expect(failure.name).toMatch(/^(AccessDenied|AccessDeniedException|UnauthorizedOperation)$/);
          expect(failure.message).toContain(`not authorized to perform: ${action}`);
        } finally {
          setVerifierPolicy(w, VERIFIER_POLICY_TEXT);
        }
      });
    } else {
      it('a healthy run calls a subset of the allowed actions', () => {
        for (const c of verifierCalls(w.s.sandbox)) {
          if (c !== 'sts:GetCallerIdentity') expect(verifierActions).toContain(c);
        }
      });
    }
  },
);

describe('provisioner-policy.json (validated as a policy here; run under enforcement in apply.test.ts)', () => {
  const raw = JSON.parse(PROVISIONER_POLICY_TEXT) as PolicyJson;
  const doc = normalizePolicy(raw, { kind: 'file', file: 'docs/policies/provisioner-policy.json' });

  it('is a well-formed identity policy: no problems, no Principal, explicit Sids', () => {
    expect(doc.problems).toEqual([]);
    expect(doc.statements.length).toBe(raw.Statement.length);
    for (const s of raw.Statement) {
      expect(s).not.toHaveProperty('Principal');
      expect(s).not.toHaveProperty('NotPrincipal');
      expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
    }
    expect(PROVISIONER_POLICY_TEXT).not.toMatch(/"Principal"\s*:\s*"\*"/);
  });

  it("holds the verifier's reads (minus its AssumeRole) and the writes of issue 5, every write scoped", () => {
    const actions = actionsOf(raw);
    for (const a of verifierActions.filter((x) => x !== 'sts:AssumeRole')) expect(actions).toContain(a);
    for (const a of [
      'iam:CreateRole',
      'iam:TagRole',
      'iam:UpdateAssumeRolePolicy',
      'iam:PutRolePolicy',
      'iam:DeleteRolePolicy',
      'eks:CreatePodIdentityAssociation',
      'eks:UpdatePodIdentityAssociation',
      'eks:DeletePodIdentityAssociation',
      'eks:UpdateAddon',
      'eks:DescribeUpdate',
      'elasticfilesystem:PutFileSystemPolicy',
      'elasticfilesystem:DeleteFileSystemPolicy',
    ]) {
      expect(actions).toContain(a);
    }
    const reads = new Set(verifierActions);
    for (const s of raw.Statement) {
      const own = Array.isArray(s.Action) ? s.Action : [s.Action];
      if (own.every((a) => reads.has(a))) continue;
      // A write never has Resource "*"; IAM writes are conditioned on the ownership tag or the passed-to service.
      expect(s.Resource).not.toBe('*');
      expect([s.Resource].flat()).not.toContain('*');
      if (own.some((a) => a.startsWith('iam:'))) expect(s).toHaveProperty('Condition');
    }
  });
});

describe('rbac.yaml', () => {
  const documents = parseAllDocuments(readFileSync(path.join(POLICIES, 'rbac.yaml'), 'utf8')).map(
    (d) => d.toJS() as Record<string, unknown>,
  );
  interface Rule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
  }
  const rulesOf = (name: string) =>
    documents
      .filter(
        (d) =>
          (d.kind === 'Role' || d.kind === 'ClusterRole') && (d.metadata as { name: string }).name === name,
      )
      .flatMap((d) => (d.rules as Rule[]).map((r) => ({ ...r, kind: d.kind as string })));
  const GROUP: Record<string, string> = { daemonsets: 'apps', storageclasses: 'storage.k8s.io' };

  it('binds every Role and ClusterRole it defines', () => {
    const roles = documents.filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole');
    expect(roles.length).toBe(4);
    for (const r of roles) {
      const name = (r.metadata as { name: string }).name;
      const binding = documents.find(
        (d) =>
          (d.kind === 'RoleBinding' || d.kind === 'ClusterRoleBinding') &&
          (d.roleRef as { kind: string; name: string }).name === name &&
          (d.roleRef as { kind: string }).kind === r.kind,
      );
      expect(binding).toBeDefined();
    }
    // Secrets are readable only by name (StorageClass provisioner secrets), never the whole namespace.
    for (const rule of documents.flatMap((d) => (d.rules as Rule[] | undefined) ?? [])) {
      if (rule.resources.includes('secrets')) expect(rule.resourceNames?.length).toBeGreaterThan(0);
      expect(rule.verbs).not.toContain('*');
      expect(rule.resources).not.toContain('*');
    }
  });

  it("the verifier's rules are exactly the Kubernetes calls of the cross-account run", async () => {
    const w = await world('cross-account');
    try {
      w.s.sandbox.log.clear();
      await collectAsVerifier(w);
      const calls = new Set(
        w.s.sandbox.log.calls.filter((c) => c.service === 'kubernetes').map((c) => c.operation),
      );
      const rules = rulesOf('efs-node-identity-verifier');
      const granted = new Set(
        rules.flatMap((r) => r.verbs.flatMap((v) => r.resources.map((res) => `${v} ${res}`))),
      );
      expect([...calls].sort()).toEqual([...granted].sort());
      for (const r of rules) for (const res of r.resources) expect(r.apiGroups).toEqual([GROUP[res] ?? '']);
    } finally {
      restoreEnv?.();
      await w.s.stop();
    }
  });

  it('the node inspector adds exactly the calls of verify --inspect-mounts: exec and log of the node pods', async () => {
    const s = await sandboxEnv('healthy');
    const restore = useEnv(s.env);
    try {
      await collectLiveSnapshot({
        cluster: CLUSTER,
        region: REGION,
        kube: { kind: 'kubeconfig', path: s.kubeconfig },
      });
      const plain = new Set(
        s.sandbox.log.calls.filter((c) => c.service === 'kubernetes').map((c) => c.operation),
      );
      s.sandbox.log.clear();
      await collectLiveSnapshot({
        cluster: CLUSTER,
        region: REGION,
        kube: { kind: 'kubeconfig', path: s.kubeconfig },
        inspectMounts: true,
      });
      const extra = new Set(
        s.sandbox.log.calls
          .filter((c) => c.service === 'kubernetes' && !plain.has(c.operation))
          .map((c) => c.operation),
      );
      expect([...extra].sort()).toEqual(['create pods/exec', 'get pods/log']);
      const rules = rulesOf('efs-node-identity-node-inspector');
      const granted = new Set(
        rules.flatMap((r) => r.verbs.flatMap((v) => r.resources.map((res) => `${v} ${res}`))),
      );
      for (const call of extra) expect(granted).toContain(call);
      // Only the two subresources, only in the driver's namespace; `get pods/exec` is the WebSocket GET on older servers.
      expect([...granted].sort()).toEqual(['create pods/exec', 'get pods/exec', 'get pods/log']);
      const role = documents.find(
        (d) =>
          (d.metadata as { name: string }).name === 'efs-node-identity-node-inspector' && d.kind === 'Role',
      );
      expect((role?.metadata as { namespace: string }).namespace).toBe('kube-system');
    } finally {
      restore();
      await s.stop();
    }
  });

  it('the provisioner may patch only the efs-csi-node DaemonSet and the node ServiceAccount', () => {
    expect(rulesOf('efs-node-identity-provisioner')).toEqual([
      {
        kind: 'Role',
        apiGroups: ['apps'],
        resources: ['daemonsets'],
        resourceNames: ['efs-csi-node'],
        verbs: ['patch'],
      },
      {
        kind: 'Role',
        apiGroups: [''],
        resources: ['serviceaccounts'],
        resourceNames: ['efs-csi-node-sa'],
        verbs: ['patch'],
      },
    ]);
  });
});

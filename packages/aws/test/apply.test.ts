import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  ExecutionError,
  ExecutionStopped,
  executePlan,
  type Journal,
  fileLock,
  rollbackJournal,
  type DesiredSpecInput,
  type MergeFileSystemPolicyStep,
} from '@efs-node-identity/core';
import { adminCredentials, readScenario } from '@efs-node-identity/sandbox';
import { assumeRolePorts } from '../src';
import {
  applyWorld,
  CLUSTER,
  errorsAbout,
  executorPorts,
  fastOptions,
  FS,
  openWorld,
  planWorld,
  PLATFORM_ACCOUNT,
  REGION,
  stateOf,
  STORAGE_ACCOUNT,
  STORAGE_FS,
  TARGET_ROLE,
  verifyWorld,
  type World,
} from './apply-harness';

/**
 * apply and rollback on the sandbox scenarios (real SDK clients and client-node over HTTP): plan → apply → verify
 * has no error the scenario is about, a second plan is empty, and rollback returns the state to what it was.
 */

jest.setTimeout(120_000);

const NODE_ROLE = `arn:aws:iam::${PLATFORM_ACCOUNT}:role/prod-eks-efs-csi-node`;

interface Case {
  scenario: string;
  input: Partial<DesiredSpecInput>;
  roles: string[];
  fileSystems: Array<[string, string]>;
}

const CASES: Case[] = [
  { scenario: 'deny-only-policy', input: {}, roles: [NODE_ROLE], fileSystems: [[PLATFORM_ACCOUNT, FS]] },
  { scenario: 'never-restarted', input: {}, roles: [NODE_ROLE], fileSystems: [[PLATFORM_ACCOUNT, FS]] },
  {
    scenario: 'wrong-irsa-sub',
    input: { mode: 'irsa', adopt: true },
    roles: [NODE_ROLE],
    fileSystems: [[PLATFORM_ACCOUNT, FS]],
  },
  {
    scenario: 'cross-account',
    input: {
      fileSystems: [{ id: STORAGE_FS, accountId: STORAGE_ACCOUNT }],
      targetRoleArn: TARGET_ROLE,
      adopt: true,
    },
    roles: [NODE_ROLE, TARGET_ROLE],
    fileSystems: [[STORAGE_ACCOUNT, STORAGE_FS]],
  },
  { scenario: 'old-addon', input: {}, roles: [NODE_ROLE], fileSystems: [[PLATFORM_ACCOUNT, FS]] },
];

const fsIds = (c: Case) => c.fileSystems.map(([, id]) => id);

describe('apply and rollback on the sandbox scenarios', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  it.each(CASES.map((c) => [c.scenario, c] as const))(
    '%s: plan → apply → verify clean, second plan empty, rollback restores',
    async (_name, c) => {
      w = await openWorld(c.scenario);
      const rules = readScenario(c.scenario).rules ?? [];
      const before = await stateOf(w, c.roles, c.fileSystems);
      const plan = await planWorld(w, c.input);
      expect(plan.refusals).toEqual([]);
      const progress: string[] = [];
      const journal = await applyWorld(w, plan, {
        onProgress: (e) => progress.push(`${e.index + 1}/${e.total} ${e.phase}`),
      });
      expect(journal.complete).toBe(true);
      expect(journal.entries).toHaveLength(plan.steps.filter((s) => s.kind !== 'verify').length);
      const findings = await verifyWorld(w, fsIds(c));
      // No error at all, the scenario's rules included (old-addon: AD-04 stays a warning, the add-on version is not
      // apply's to change; the plan says why).
      expect(errorsAbout(findings, rules)).toEqual([]);
      expect(findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId}: ${f.message}`)).toEqual(
        [],
      );
      // With a target role, the live external ID lets PI-11 judge the target's trust: no undecidable warning left.
      expect(findings.filter((f) => f.ruleId === 'PI-11').map((f) => f.message)).toEqual([]);
      if (process.env.DEBUG_APPLY)
        console.log(findings.map((f) => `${f.severity} ${f.ruleId}: ${f.message}`));
      expect((await planWorld(w, c.input)).steps).toEqual([]);

      await rollbackJournal(journal, executorPorts(w).ports, fastOptions(w));
      expect(await stateOf(w, c.roles, c.fileSystems)).toEqual(before);
    },
  );

  it('wrong-irsa-sub journal: each entry has the value read at run time and what was written', async () => {
    w = await openWorld('wrong-irsa-sub');
    const plan = await planWorld(w, { mode: 'irsa', adopt: true });
    const journal = await applyWorld(w, plan);
    const trust = journal.entries.find((e) => e.step === 'update-trust')!;
    expect(String(trust.previous)).toMatch(/efs-csi-controller-sa/);
    expect(String(trust.wrote)).toMatch(/efs-csi-node-sa/);
    expect(trust.undo.kind).toBe('restore-trust');
    expect(Date.parse(trust.at)).not.toBeNaN();
    expect(JSON.parse(JSON.stringify(journal))).toEqual(journal);
  });
});

describe('faults', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  it('throttling and 5xx on eks/iam/elasticfilesystem (p=0.3), SDK retries off: the executor converges', async () => {
    w = await openWorld('cross-account');
    const c = CASES.find((x) => x.scenario === 'cross-account')!;
    const plan = await planWorld(w, c.input);
    for (const service of ['eks', 'iam', 'elasticfilesystem']) {
      w.sandbox.faults.add({ service, fail: 'throttle', probability: 0.3 });
      w.sandbox.faults.add({ service, fail: 'server', probability: 0.3 });
    }
    const retries: string[] = [];
    const journal = await applyWorld(w, plan, {
      maxAttempts: 1,
      retry: { attempts: 20, baseMs: 5, maxMs: 50 },
      onProgress: (e) => {
        if (e.phase === 'retry') retries.push(e.message ?? '');
      },
    });
    expect(journal.complete).toBe(true);
    expect(retries.length).toBeGreaterThan(0);
    w.sandbox.faults.clear();
    expect(
      errorsAbout(await verifyWorld(w, [STORAGE_FS]), readScenario('cross-account').rules ?? []),
    ).toEqual([]);
    expect((await planWorld(w, c.input)).steps).toEqual([]);
  });

  it.each(CASES.map((c) => [c.scenario, c] as const))(
    '%s: a kill between any two steps, then plan → apply again converges, nothing lost',
    async (_name, c) => {
      w = await openWorld(c.scenario);
      const total = (await planWorld(w, c.input)).steps.length;
      await w.stop();
      w = undefined;
      for (let k = 1; k < total; k++) {
        w = await openWorld(c.scenario);
        const before = await stateOf(w, c.roles, c.fileSystems);
        const first = await planWorld(w, c.input);
        const stopped = (await applyWorld(w, first, { stopAfterSteps: k }).catch(
          (e: unknown) => e,
        )) as ExecutionStopped;
        expect(stopped).toBeInstanceOf(ExecutionStopped);
        const again = await planWorld(w, c.input);
        expect(again.refusals).toEqual([]);
        const second = await applyWorld(w, again);
        expect((await verifyWorld(w, fsIds(c))).filter((f) => f.severity === 'error')).toEqual([]);
        expect((await planWorld(w, c.input)).steps).toEqual([]);
        // Nothing lost: the two journals together roll back to the state before the first run.
        await rollbackJournal(second, executorPorts(w).ports, fastOptions(w));
        await rollbackJournal(stopped.journal, executorPorts(w).ports, fastOptions(w));
        expect(await stateOf(w, c.roles, c.fileSystems)).toEqual(before);
        await w.stop();
        w = undefined;
      }
    },
  );
});

describe('concurrency', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  it('20 applies at once, 20 different roles merged into one file system policy: all 20 Allow statements present', async () => {
    w = await openWorld('deny-only-policy');
    const plan = await planWorld(w, {});
    const template = plan.steps.find(
      (s) => s.kind === 'merge-file-system-policy',
    ) as MergeFileSystemPolicyStep;
    // Our Sid is per cluster (one node identity per cluster): 20 roles on one file system are 20 clusters' node
    // roles, each with its own Sid. Each apply runs with its own lock instance, as 20 processes would.
    const roles = Array.from(
      { length: 20 },
      (_, i) => `arn:aws:iam::${PLATFORM_ACCOUNT}:role/cluster-${i}-efs-csi-node`,
    );
    const steps = roles.map((arn, i) => ({
      ...template,
      sid: `EfsCsiNode-cluster-${i}`,
      statement: { ...template.statement, Sid: `EfsCsiNode-cluster-${i}`, Principal: { AWS: arn } },
    }));
    const { ports, destroy } = executorPorts(w);
    try {
      await Promise.all(
        steps.map((step) =>
          executePlan([step], ports, { ...fastOptions(w!), lock: fileLock({ dir: w!.lockDir }) }),
        ),
      );
    } finally {
      destroy();
    }
    const policy = JSON.parse((await w.ports.efs.describeFileSystemPolicy(FS))!) as {
      Statement: Array<{ Sid?: string; Effect: string }>;
    };
    const sids = policy.Statement.map((s) => s.Sid);
    for (let i = 0; i < 20; i++) expect(sids).toContain(`EfsCsiNode-cluster-${i}`);
    // The Deny that was there is kept.
    expect(policy.Statement.filter((s) => s.Effect === 'Deny')).toHaveLength(1);
  });

  it('20 applies at once without a shared lock (20 machines), 30 ms on every EFS call: they collide, merge again, and all 20 statements and the Deny are there', async () => {
    w = await openWorld('deny-only-policy');
    const plan = await planWorld(w, {});
    const template = plan.steps.find(
      (s) => s.kind === 'merge-file-system-policy',
    ) as MergeFileSystemPolicyStep;
    const steps = Array.from({ length: 20 }, (_, i) => ({
      ...template,
      sid: `X${i}`,
      statement: {
        ...template.statement,
        Sid: `X${i}`,
        Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT}:role/r${i}` },
      },
    }));
    // Latency widens every read-to-write window, so the writers really overlap; PutFileSystemPolicy is last-writer-
    // wins in the sandbox as in EFS. The settle wait is real time here (the other waits stay short).
    w.sandbox.faults.add({ service: 'elasticfilesystem', latencyMs: 30 });
    const { lock: _unused, sleep: _virtual, ...noLock } = fastOptions(w);
    const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 1000)));
    const { ports, destroy } = executorPorts(w);
    const retries: string[] = [];
    try {
      await Promise.all(
        steps.map((step) =>
          executePlan([step], ports, {
            ...noLock,
            sleep: realSleep,
            sharedPolicySettleMs: 1000,
            onProgress: (e) => e.phase === 'retry' && retries.push(e.message ?? ''),
          }),
        ),
      );
    } finally {
      destroy();
    }
    w.sandbox.faults.clear();
    const policy = JSON.parse((await w.ports.efs.describeFileSystemPolicy(FS))!) as {
      Statement: Array<{ Sid?: string; Effect: string }>;
    };
    const present = policy.Statement.map((s) => s.Sid);
    for (let i = 0; i < 20; i++) expect(present).toContain(`X${i}`);
    expect(policy.Statement.filter((s) => s.Effect === 'Deny')).toHaveLength(1);
    // The writers did collide: some found their statement replaced and merged it back.
    expect(retries.some((r) => /another writer|concurrent writer/.test(r))).toBe(true);
  });

  it('20 applies at once, 20 file systems added to one shared role: all 20 inline policies and fs statements present', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `fs-0f00000000000${String(i).padStart(4, '0')}`);
    w = await openWorld('healthy', {
      seed: (state) => {
        const efs = state.accounts.get(PLATFORM_ACCOUNT)!.efs;
        const base = efs.fileSystems.get(FS)!;
        for (const id of ids) {
          efs.fileSystems.set(id, {
            ...base,
            fileSystemId: id,
            fileSystemArn: base.fileSystemArn.replace(FS, id),
            creationToken: id,
            name: id,
            tags: {},
            policy: undefined,
          } as typeof base);
        }
      },
    });
    const plans = await Promise.all(ids.map((id) => planWorld(w!, { fileSystems: [{ id }], adopt: true })));
    for (const p of plans) expect(p.refusals).toEqual([]);
    await Promise.all(plans.map((p) => applyWorld(w!, p, { lock: fileLock({ dir: w!.lockDir }) })));
    const names = await w.ports.iam.listRolePolicyNames('prod-eks-efs-csi-node');
    for (const id of ids) {
      expect(names).toContain(`efs-node-identity-${id}`);
      expect(await w.ports.efs.describeFileSystemPolicy(id)).toMatch(/EfsCsiNode-prod-eks/);
    }
    for (const id of ids)
      expect((await planWorld(w, { fileSystems: [{ id }], adopt: true })).steps).toEqual([]);
  });
});

const PROVISIONER = 'efs-node-identity-provisioner';
const PROVISIONER_POLICY = readFileSync(
  path.join(__dirname, '..', '..', '..', 'docs', 'policies', 'provisioner-policy.json'),
  'utf8',
);

/** The provisioner policy without one statement, as a text. */
function policyWithout(sid: string): string {
  const document = JSON.parse(PROVISIONER_POLICY) as { Statement: Array<{ Sid?: string }> };
  const kept = document.Statement.filter((s) => s.Sid !== sid);
  expect(kept).toHaveLength(document.Statement.length - 1);
  return JSON.stringify({ ...document, Statement: kept });
}

/**
 * Creates `efs-node-identity-provisioner` in `account` (by that account's sandbox admin) with `policy` as its only
 * policy, trusting `trustedPrincipal`.
 */
async function createProvisionerRole(
  w: World,
  account: string,
  policy: string,
  trustedPrincipal: string,
): Promise<void> {
  const admin = new IAMClient({
    endpoint: w.sandbox.url,
    region: REGION,
    credentials: adminCredentials(w.sandbox.state, account)!,
  });
  try {
    await admin.send(
      new CreateRoleCommand({
        RoleName: PROVISIONER,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: trustedPrincipal }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await admin.send(
      new PutRolePolicyCommand({ RoleName: PROVISIONER, PolicyName: 'provisioner', PolicyDocument: policy }),
    );
  } finally {
    admin.destroy();
  }
}

const enforcing = {
  seed: (state: World['sandbox']['state']) => void (state.settings.enforcePermissions = true),
};
const PLATFORM_PROVISIONER = `arn:aws:iam::${PLATFORM_ACCOUNT}:role/${PROVISIONER}`;
const STORAGE_PROVISIONER = `arn:aws:iam::${STORAGE_ACCOUNT}:role/${PROVISIONER}`;

/**
 * Makes `w` act as the platform account's provisioner role (assumed with the platform admin of the environment, as
 * the default credential chain would) and, on a cross-account world, as the storage account's provisioner role
 * assumed by the platform one (what `--efs-role-arn` does). Returns what puts the administrator's ports back.
 */
async function actAsProvisioners(w: World): Promise<() => void> {
  const platform = await assumeRolePorts({ roleArn: PLATFORM_PROVISIONER, region: REGION });
  const storage = w.storage
    ? await assumeRolePorts({
        roleArn: STORAGE_PROVISIONER,
        region: REGION,
        credentials: platform.credentials,
      })
    : undefined;
  const [main, other] = [w.ports, w.storage];
  w.ports = platform;
  if (storage) w.storage = storage;
  return () => {
    w.ports = main;
    if (other) w.storage = other;
    platform.destroy();
    storage?.destroy();
  };
}

describe('the provisioner policy (docs/policies/provisioner-policy.json) with permissions enforced', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  it.each([
    ['deny-only-policy', {}],
    ['wrong-irsa-sub', { mode: 'irsa', adopt: true }],
    ['never-restarted', {}],
    // A new role: CreateRole with the ownership tag, its inline policy, the add-on's list, and rollback deletes it.
    ['healthy', { roleName: 'prod-eks-efs-node-v2' }],
  ] as const)('%s: plan → apply → rollback as the provisioner role', async (scenario, input) => {
    const roles = [
      NODE_ROLE,
      ...('roleName' in input ? [`arn:aws:iam::${PLATFORM_ACCOUNT}:role/${input.roleName}`] : []),
    ];
    w = await openWorld(scenario, enforcing);
    await createProvisionerRole(
      w,
      PLATFORM_ACCOUNT,
      PROVISIONER_POLICY,
      `arn:aws:iam::${PLATFORM_ACCOUNT}:root`,
    );
    const restore = await actAsProvisioners(w);
    try {
      const before = await stateOf(w, roles, [[PLATFORM_ACCOUNT, FS]]);
      const plan = await planWorld(w, input);
      expect(plan.refusals).toEqual([]);
      expect(plan.steps.length).toBeGreaterThan(0);
      const journal = await applyWorld(w, plan);
      expect((await planWorld(w, input)).steps).toEqual([]);
      await rollbackJournal(journal, executorPorts(w).ports, fastOptions(w));
      expect(await stateOf(w, roles, [[PLATFORM_ACCOUNT, FS]])).toEqual(before);
    } finally {
      restore();
    }
  });

  it('cross-account: plan → apply → verify → rollback as a provisioner role in the platform account and one in the storage account', async () => {
    const c = CASES.find((x) => x.scenario === 'cross-account')!;
    w = await openWorld('cross-account', enforcing);
    await createProvisionerRole(
      w,
      PLATFORM_ACCOUNT,
      PROVISIONER_POLICY,
      `arn:aws:iam::${PLATFORM_ACCOUNT}:root`,
    );
    // The storage side trusts only the platform provisioner role, which assumes it for the storage-side writes.
    await createProvisionerRole(w, STORAGE_ACCOUNT, PROVISIONER_POLICY, PLATFORM_PROVISIONER);
    const restore = await actAsProvisioners(w);
    try {
      const before = await stateOf(w, c.roles, c.fileSystems);
      const plan = await planWorld(w, c.input);
      expect(plan.refusals).toEqual([]);
      const journal = await applyWorld(w, plan);
      expect(journal.complete).toBe(true);
      // Who wrote what: the EKS association by the platform role; the file system policy and the target role's
      // tag, trust and inline policy by the storage role; nothing refused.
      const writes = w.sandbox.log.calls
        .filter((call) => !/^(Get|List|Describe)/.test(call.operation) && call.service !== 'kubernetes')
        .map(
          (call) => `${call.principalArn?.split('/')[1]} ${call.service}:${call.operation} ${call.status}`,
        );
      expect(writes.filter((x) => !x.endsWith(' 200'))).toEqual([]);
      expect(writes).toEqual(
        expect.arrayContaining([
          `${PROVISIONER} eks:CreatePodIdentityAssociation 200`,
          `${PROVISIONER} elasticfilesystem:PutFileSystemPolicy 200`,
          `${PROVISIONER} iam:UpdateAssumeRolePolicy 200`,
        ]),
      );
      const byAccount = (operation: string) =>
        w!.sandbox.log.calls.filter((call) => call.operation === operation).map((call) => call.accountId);
      expect(new Set(byAccount('CreatePodIdentityAssociation'))).toEqual(new Set([PLATFORM_ACCOUNT]));
      expect(new Set(byAccount('PutFileSystemPolicy'))).toEqual(new Set([STORAGE_ACCOUNT]));
      expect(new Set(byAccount('UpdateAssumeRolePolicy'))).toEqual(new Set([STORAGE_ACCOUNT]));

      const findings = await verifyWorld(w, fsIds(c));
      expect(findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId}: ${f.message}`)).toEqual(
        [],
      );
      expect((await planWorld(w, c.input)).steps).toEqual([]);
      await rollbackJournal(journal, executorPorts(w).ports, fastOptions(w));
      expect(await stateOf(w, c.roles, c.fileSystems)).toEqual(before);
      // Nothing was refused in the whole run (plan, apply, verify, rollback).
      expect(w.sandbox.log.calls.filter((call) => call.status === 403)).toEqual([]);
    } finally {
      restore();
    }
  });

  it('cross-account: a storage-side role with only the file system writes and reads is refused at the target role', async () => {
    const c = CASES.find((x) => x.scenario === 'cross-account')!;
    w = await openWorld('cross-account', enforcing);
    await createProvisionerRole(
      w,
      PLATFORM_ACCOUNT,
      PROVISIONER_POLICY,
      `arn:aws:iam::${PLATFORM_ACCOUNT}:root`,
    );
    // The target role lives in the storage account: its tag (adoption), trust and inline policy are storage-side
    // IAM writes, so the storage role needs the role statements too, not only WriteFileSystemPolicies.
    const document = JSON.parse(PROVISIONER_POLICY) as { Statement: Array<{ Sid?: string }> };
    const withoutRoleWrites = JSON.stringify({
      ...document,
      Statement: document.Statement.filter(
        (s) => s.Sid !== 'ChangeOnlyOwnedRoles' && s.Sid !== 'CreateRolesOnlyWithTheOwnershipTag',
      ),
    });
    await createProvisionerRole(w, STORAGE_ACCOUNT, withoutRoleWrites, PLATFORM_PROVISIONER);
    const restore = await actAsProvisioners(w);
    try {
      const plan = await planWorld(w, c.input);
      expect(plan.refusals).toEqual([]);
      const index = plan.steps.findIndex((s) => s.resource === TARGET_ROLE);
      expect(index).toBeGreaterThanOrEqual(0);
      const error = (await applyWorld(w, plan, { retry: { attempts: 2, baseMs: 1, maxMs: 2 } }).catch(
        (e: unknown) => e,
      )) as ExecutionError;
      expect(error).toBeInstanceOf(ExecutionError);
      expect(error.stepIndex).toBe(index);
      expect(error.message).toContain(
        `User: arn:aws:sts::${STORAGE_ACCOUNT}:assumed-role/${PROVISIONER}/efs-node-identity-verify is not authorized to perform: iam:TagRole on resource: ${TARGET_ROLE}`,
      );
    } finally {
      restore();
    }
  });

  const CONTROLLER_ROLE = `arn:aws:iam::${PLATFORM_ACCOUNT}:role/prod-eks-efs-csi-controller`;
  const CROSS_ACCOUNT_INPUT = CASES.find((x) => x.scenario === 'cross-account')!.input;
  /** The provisioner policy with PassRole allowed only on the controller's role (still only to Pod Identity). */
  const passRoleOnlyFor = (roleArn: string) => {
    const document = JSON.parse(PROVISIONER_POLICY) as {
      Statement: Array<{ Sid?: string; Resource?: unknown }>;
    };
    const statement = document.Statement.find((s) => s.Sid === 'PassRolesOnlyToEksPodIdentity')!;
    statement.Resource = roleArn;
    return JSON.stringify(document);
  };

  it.each([
    // UpdateAddon with the add-on's full list (the controller's role and the new node role).
    [
      'healthy, no PassRole',
      'healthy',
      { roleName: 'prod-eks-efs-node-v2' },
      policyWithout('PassRolesOnlyToEksPodIdentity'),
      'update-addon-associations',
      CONTROLLER_ROLE,
    ],
    // The node SA leaves the add-on's list (UpdateAddon with the controller's role alone) before its own association.
    [
      'cross-account, no PassRole',
      'cross-account',
      CROSS_ACCOUNT_INPUT,
      policyWithout('PassRolesOnlyToEksPodIdentity'),
      'update-addon-associations',
      CONTROLLER_ROLE,
    ],
    // PassRole on the controller's role only: UpdateAddon passes, CreatePodIdentityAssociation with the node role
    // (and the storage account's target role, which is not passed) is refused.
    [
      'cross-account, PassRole on the controller role only',
      'cross-account',
      CROSS_ACCOUNT_INPUT,
      passRoleOnlyFor(CONTROLLER_ROLE),
      'create-pod-identity-association',
      NODE_ROLE,
    ],
  ] as const)(
    '%s: the run stops at the association step with AccessDeniedException on iam:PassRole naming the role',
    async (_label, scenario, input, policy, associationStep, refusedRole) => {
      w = await openWorld(scenario, enforcing);
      await createProvisionerRole(w, PLATFORM_ACCOUNT, policy, `arn:aws:iam::${PLATFORM_ACCOUNT}:root`);
      if (w.storage) await createProvisionerRole(w, STORAGE_ACCOUNT, policy, PLATFORM_PROVISIONER);
      const scope = CASES.find((x) => x.scenario === scenario) ?? {
        roles: [NODE_ROLE, `arn:aws:iam::${PLATFORM_ACCOUNT}:role/prod-eks-efs-node-v2`],
        fileSystems: [[PLATFORM_ACCOUNT, FS]] as Array<[string, string]>,
      };
      const before = await stateOf(w, scope.roles, scope.fileSystems);
      let journal: Journal | undefined;
      const restore = await actAsProvisioners(w);
      try {
        const plan = await planWorld(w, input);
        expect(plan.refusals).toEqual([]);
        const index = plan.steps.findIndex((s) => s.kind === associationStep);
        expect(index).toBeGreaterThanOrEqual(0);
        const error = (await applyWorld(w, plan, { retry: { attempts: 2, baseMs: 1, maxMs: 2 } }).catch(
          (e: unknown) => e,
        )) as ExecutionError;
        expect(error).toBeInstanceOf(ExecutionError);
        expect(error.stepIndex).toBe(index);
        expect(error.message).toMatch(
          new RegExp(
            `^step ${index + 1} \\(.*\\) failed: User: arn:aws:sts::${PLATFORM_ACCOUNT}:assumed-role/${PROVISIONER}/[^ ]+ is not authorized to perform: iam:PassRole on resource: ${refusedRole} because no identity-based policy allows the iam:PassRole action$`,
          ),
        );
        // The steps before it ran and are in the journal; nothing after it did.
        expect(error.journal.entries.map((e) => e.index)).toEqual(
          plan.steps.slice(0, index).flatMap((s, i) => (s.kind === 'verify' ? [] : [i])),
        );
        journal = error.journal;
      } finally {
        restore();
      }
      // Rolled back by the administrator: restoring the add-on's list passes the node role again, which the
      // narrowed policies do not all allow (rollback needs the same PassRole as apply).
      await rollbackJournal(journal!, executorPorts(w).ports, fastOptions(w));
      expect(await stateOf(w, scope.roles, scope.fileSystems)).toEqual(before);
    },
  );
});

void CLUSTER;

import { mkdtempSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AssociationInfo, RoleInfo } from '../ports';
import { canonicalJson, ExecutionError, executePlan, rollbackJournal, type ExecutorPorts } from './execute';
import { fileLock, lockFilePath } from './lock';
import { EXTERNAL_ID_PLACEHOLDER, type Step } from './steps';

/** The executor over in-memory ports: the orchestration rules, without a sandbox. */

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/node`;
const TARGET = `arn:aws:iam::444455556666:role/target`;

function memory() {
  const roles = new Map<string, RoleInfo>();
  const inline = new Map<string, string>();
  const fsPolicies = new Map<string, string>();
  const associations = new Map<string, AssociationInfo>();
  const addonList: Array<{ serviceAccount: string; roleArn: string }> = [];
  const calls: string[] = [];
  let failCreateAssociation = 0;
  const ports = {
    account: ACCOUNT,
    iam: {
      getRole: async (n: string) => roles.get(n),
      getRolePolicy: async (r: string, p: string) => inline.get(`${r}/${p}`),
      listRolePolicyNames: async (r: string) =>
        [...inline.keys()].filter((k) => k.startsWith(`${r}/`)).map((k) => k.slice(r.length + 1)),
      createRole: async (i: { roleName: string; trustPolicy: string; tags: Record<string, string> }) => {
        calls.push(`CreateRole ${i.roleName}`);
        const r: RoleInfo = {
          name: i.roleName,
          arn: `arn:aws:iam::${ACCOUNT}:role/${i.roleName}`,
          roleId: 'AROA',
          trustPolicy: i.trustPolicy,
          tags: i.tags,
        };
        roles.set(i.roleName, r);
        return r;
      },
      updateAssumeRolePolicy: async (n: string, p: string) => {
        calls.push(`UpdateAssumeRolePolicy ${n}`);
        roles.get(n)!.trustPolicy = p;
      },
      putRolePolicy: async (r: string, p: string, d: string) => void inline.set(`${r}/${p}`, d),
      deleteRolePolicy: async (r: string, p: string) => void inline.delete(`${r}/${p}`),
      deleteRole: async (n: string) => void roles.delete(n),
    },
    efs: {
      describeFileSystemPolicy: async (id: string) => fsPolicies.get(id) ?? null,
      putFileSystemPolicy: async (id: string, p: string) => void fsPolicies.set(id, p),
      deleteFileSystemPolicy: async (id: string) => void fsPolicies.delete(id),
    },
    eks: {
      listPodIdentityAssociationIds: async () => [...associations.keys()],
      describePodIdentityAssociation: async (_c: string, id: string) => associations.get(id),
      createPodIdentityAssociation: async (i: {
        namespace: string;
        serviceAccount: string;
        roleArn: string;
        targetRoleArn?: string;
      }) => {
        calls.push('CreatePodIdentityAssociation');
        if (failCreateAssociation-- > 0) {
          throw Object.assign(new Error(`Role ${i.roleArn} cannot be assumed by pods.eks.amazonaws.com`), {
            name: 'InvalidParameterException',
          });
        }
        const a: AssociationInfo = {
          associationId: `a-${associations.size + 1}`,
          associationArn: 'arn',
          namespace: i.namespace,
          serviceAccount: i.serviceAccount,
          roleArn: i.roleArn,
          ...(i.targetRoleArn ? { targetRoleArn: i.targetRoleArn, externalId: 'ext-123' } : {}),
        };
        associations.set(a.associationId, a);
        return a;
      },
      deletePodIdentityAssociation: async (_c: string, id: string) => void associations.delete(id),
      describeAddon: async () => ({
        name: 'aws-efs-csi-driver',
        arn: 'arn',
        healthIssues: [],
        podIdentityAssociationArns: addonList.map((_, i) => `arn:x/addon-${i}`),
      }),
      updateAddonAssociations: async () => {
        calls.push('UpdateAddon');
        return 'u-1';
      },
      describeUpdate: async () => ({ id: 'u-1', status: 'Successful', errors: [] }),
    },
  } as unknown as ExecutorPorts;
  const targetPorts = {
    iam: ports.iam,
    efs: ports.efs,
  };
  ports.otherAccounts = { '444455556666': targetPorts };
  return {
    ports,
    roles,
    inline,
    fsPolicies,
    associations,
    addonList,
    calls,
    failAssociation(n: number) {
      failCreateAssociation = n;
    },
  };
}

const fast = { retry: { attempts: 6, baseMs: 1, maxMs: 2 }, pollMs: 1, associationSettleMs: 0 };

describe('executePlan', () => {
  it('creates a role, retries an association refused while the new role propagates, fills the externalId into the target trust; rollback undoes all', async () => {
    const m = memory();
    m.roles.set('target', {
      name: 'target',
      arn: TARGET,
      roleId: 'x',
      trustPolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Other', Effect: 'Allow' }] }),
      tags: {},
    });
    const before = canonicalJson(m.roles.get('target')!.trustPolicy);
    m.failAssociation(2);
    const steps = [
      {
        kind: 'create-role',
        roleName: 'node',
        roleArn: ROLE,
        trustPolicy: { Version: '2012-10-17', Statement: [] },
        tags: { k: 'v' },
        description: 'd',
        title: 'create',
        resource: ROLE,
        reason: 'r',
      },
      {
        kind: 'create-pod-identity-association',
        cluster: 'c',
        namespace: 'kube-system',
        serviceAccount: 'sa',
        roleArn: ROLE,
        targetRoleArn: TARGET,
        disableSessionTags: false,
        tags: {},
        title: 'assoc',
        resource: 'c',
        reason: 'r',
      },
      {
        kind: 'update-target-trust',
        targetRoleArn: TARGET,
        associationRoleArn: ROLE,
        sid: 'Chain',
        statement: {
          Sid: 'Chain',
          Effect: 'Allow',
          Principal: { AWS: ROLE },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID_PLACEHOLDER } },
        },
        externalId: EXTERNAL_ID_PLACEHOLDER,
        externalIdKnown: false,
        title: 'trust',
        resource: TARGET,
        reason: 'r',
      },
    ] as Step[];
    const progress: string[] = [];
    const journal = await executePlan(steps, m.ports, {
      ...fast,
      onProgress: (e) => progress.push(`${e.phase} ${e.message ?? ''}`),
    });
    expect(m.calls.filter((c) => c === 'CreatePodIdentityAssociation')).toHaveLength(3);
    expect(progress.some((p) => /a new role propagating in IAM/.test(p))).toBe(true);
    expect(m.roles.get('target')!.trustPolicy).toContain('"sts:ExternalId": "ext-123"');
    expect(journal.entries.map((e) => e.undo.kind)).toEqual([
      'delete-role',
      'delete-association',
      'unmerge-trust',
    ]);

    await rollbackJournal(journal, m.ports, fast);
    expect(m.roles.has('node')).toBe(false);
    expect(m.associations.size).toBe(0);
    expect(canonicalJson(m.roles.get('target')!.trustPolicy)).toBe(before);
  });

  it('refuses UpdateAddon when the live list is not the one the plan was made from', async () => {
    const m = memory();
    m.addonList.push({ serviceAccount: 'someone-else', roleArn: ROLE });
    m.associations.set('addon-0', {
      associationId: 'addon-0',
      associationArn: 'arn:x/addon-0',
      namespace: 'kube-system',
      serviceAccount: 'someone-else',
      roleArn: ROLE,
    });
    const step = {
      kind: 'update-addon-associations',
      cluster: 'c',
      addonName: 'aws-efs-csi-driver',
      currentAssociations: [],
      associations: [{ serviceAccount: 'efs-csi-node-sa', roleArn: ROLE }],
      title: 'addon',
      resource: 'x',
      reason: 'r',
    } as Step;
    await expect(executePlan([step], m.ports, fast)).rejects.toThrow(
      /not the \[\] the plan was made from.*plan again/,
    );
    expect(m.calls).not.toContain('UpdateAddon');
  });

  it('a file system policy that did not exist is deleted again by rollback; a failing step keeps the journal', async () => {
    const m = memory();
    const merge = {
      kind: 'merge-file-system-policy',
      fileSystemId: 'fs-1',
      fileSystemArn: 'arn:fs-1',
      accountId: ACCOUNT,
      sid: 'Ours',
      statement: {
        Sid: 'Ours',
        Effect: 'Allow',
        Principal: { AWS: ROLE },
        Action: 'elasticfilesystem:ClientMount',
      },
      firstPolicy: true,
      title: 'merge',
      resource: 'arn:fs-1',
      reason: 'r',
    } as Step;
    const broken = { ...merge, kind: 'annotate-service-account', title: 'needs kube' } as unknown as Step;
    const error = (await executePlan([merge, broken], m.ports, fast).catch(
      (e: unknown) => e,
    )) as ExecutionError;
    expect(error).toBeInstanceOf(ExecutionError);
    expect(error.journal.entries).toHaveLength(1);
    expect(error.journal.entries[0]!.previous).toBeNull();
    expect(m.fsPolicies.get('fs-1')).toContain('Ours');
    await rollbackJournal(error.journal, m.ports, fast);
    expect(m.fsPolicies.has('fs-1')).toBe(false);
  });
});

describe('fileLock', () => {
  it('serialises holders of one key, and takes over a stale lock file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lock-test-'));
    // A generous timeout: ten holders in turn with backoff must not time out on a loaded machine; the test is about order.
    const lock = fileLock({ dir, staleMs: 1000, timeoutMs: 60_000 });
    let inside = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const release = await lock('k');
        inside++;
        max = Math.max(max, inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
        await release();
      }),
    );
    expect(max).toBe(1);
    const file = lockFilePath('stale', dir);
    writeFileSync(file, '{"token":"dead"}');
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const release = await lock('stale');
    await release();
    expect(existsSync(file)).toBe(false);
    // A fresh file whose holder process is gone is taken over at once (pid 2^22 + 1 is above Linux's pid_max).
    const dead = lockFilePath('dead', dir);
    writeFileSync(dead, JSON.stringify({ token: 'dead', pid: 4194305 }));
    const started = Date.now();
    await (
      await fileLock({ dir, staleMs: 60_000, timeoutMs: 5000 })('dead')
    )();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('shared policies and concurrent writers (mergeUntilPresent)', () => {
  const mergeStep = {
    kind: 'merge-file-system-policy',
    fileSystemId: 'fs-1',
    fileSystemArn: 'arn:fs-1',
    accountId: ACCOUNT,
    sid: 'Ours',
    statement: {
      Sid: 'Ours',
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: 'elasticfilesystem:ClientMount',
    },
    firstPolicy: false,
    title: 'merge',
    resource: 'arn:fs-1',
    reason: 'r',
  } as Step;
  const before = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Keep', Effect: 'Deny', Principal: { AWS: '*' }, Action: '*' }],
  };
  const theirs = JSON.stringify({
    ...before,
    Statement: [
      ...before.Statement,
      {
        Sid: 'Theirs',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/other` },
        Action: '*',
      },
    ],
  });
  const sids = (text: string | undefined) =>
    (JSON.parse(text!) as { Statement: Array<{ Sid: string }> }).Statement.map((s) => s.Sid).sort();

  /**
   * Another writer read the policy before our write and writes its merge (without ours) right after our re-read:
   * the interleaving a lock would prevent and no conditional write exists for.
   */
  function lateWriter(m: ReturnType<typeof memory>, afterRead: number) {
    m.fsPolicies.set('fs-1', JSON.stringify(before));
    let reads = 0;
    const read = m.ports.efs.describeFileSystemPolicy;
    m.ports.efs.describeFileSystemPolicy = async (id: string) => {
      const text = await read(id);
      if (++reads === afterRead) m.fsPolicies.set(id, theirs);
      return text;
    };
  }

  it('the settle re-read finds our statement replaced by a late writer and merges it back; theirs and the Deny kept', async () => {
    const m = memory();
    lateWriter(m, 2); // read 1: before our write; read 2: our re-read, then the late write lands
    const progress: string[] = [];
    await executePlan([mergeStep], m.ports, {
      ...fast,
      sharedPolicySettleMs: 1,
      onProgress: (e) => e.message && progress.push(e.message),
    });
    expect(sids(m.fsPolicies.get('fs-1'))).toEqual(['Keep', 'Ours', 'Theirs']);
    expect(progress.some((p) => /replaced by a concurrent writer/.test(p))).toBe(true);
  });

  it('without the settle re-read the same interleaving loses our statement (what the settle time is for)', async () => {
    const m = memory();
    lateWriter(m, 2);
    await executePlan([mergeStep], m.ports, { ...fast, sharedPolicySettleMs: 0 });
    expect(sids(m.fsPolicies.get('fs-1'))).toEqual(['Keep', 'Theirs']);
  });

  it('a throttled write is not re-sent: the policy is read and merged again, so a statement added meanwhile is kept', async () => {
    const m = memory();
    m.fsPolicies.set('fs-1', JSON.stringify(before));
    const put = m.ports.efs.putFileSystemPolicy;
    let throttled = false;
    m.ports.efs.putFileSystemPolicy = async (id: string, text: string) => {
      if (!throttled) {
        throttled = true;
        // While we back off, another writer adds its statement.
        m.fsPolicies.set(id, theirs);
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return put(id, text);
    };
    await executePlan([mergeStep], m.ports, { ...fast, sharedPolicySettleMs: 1 });
    expect(sids(m.fsPolicies.get('fs-1'))).toEqual(['Keep', 'Ours', 'Theirs']);
  });
});

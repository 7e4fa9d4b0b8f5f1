import type { JsonStatement } from '../policy/generate';
import type {
  AssociationInfo,
  EfsPort,
  EfsWriter,
  EksPort,
  EksWriter,
  IamPort,
  IamWriter,
  KubePort,
  KubeWriter,
  S3FilesPort,
  S3FilesWriter,
} from '../ports';
import { withLock, type LockFn } from './lock';
import { mergeAllowStatement, removeStatement } from './merge';
import {
  EXTERNAL_ID_PLACEHOLDER,
  policyText,
  type AddonAssociation,
  type Step,
  type StepKind,
} from './steps';

/**
 * The executor: runs a plan's steps through the write ports, in order, and journals each one with the value it
 * read right before writing (not the plan's `before`, which may be minutes old). Pure orchestration: every call goes
 * through a port, so the same code runs against AWS, the sandbox, or memory.
 *
 * Rules it keeps (issue 5, "rules of the road"):
 * - shared documents (a file system policy, a target role's trust) are re-read and re-merged by Sid right before the
 *   write, under a per-resource lock, and re-read after it until our statement is there: neither
 *   PutFileSystemPolicy nor UpdateAssumeRolePolicy has a conditional write, the last writer wins;
 * - UpdateAddon is refused when the add-on's live list is not the list the plan was made from (it replaces the
 *   whole list, so writing a stale one would drop an association someone added since);
 * - IAM is eventually consistent: calls naming a role created in this run are retried with backoff on the errors
 *   such a role gives while it propagates (EKS InvalidParameterException about the role, AccessDenied from STS);
 *   throttling and 5xx are retried with backoff everywhere.
 */

export interface AccountWritePorts {
  iam: IamPort & IamWriter;
  efs: EfsPort & EfsWriter;
}

/** The file system policy calls of one service, so EFS and S3 Files policies are merged by the same code. */
interface FileSystemPolicyAccess {
  read(fileSystemId: string): Promise<string | null>;
  put(fileSystemId: string, policy: string): Promise<void>;
  remove(fileSystemId: string): Promise<void>;
  /** Names for retries and messages. */
  names: { read: string; put: string; remove: string };
}

export interface ExecutorPorts extends AccountWritePorts {
  /** The cluster's account (the main ports' account). */
  account: string;
  /** The cluster: lets the restart find when the node SA's association last changed (an earlier, killed run). */
  cluster?: string;
  eks: EksPort & EksWriter;
  kube?: KubePort & KubeWriter;
  /**
   * Amazon S3 Files of the cluster's account (S3 file systems are mounted in their own account only: the driver
   * refuses `crossaccount` for them). Needed only by plans that merge into an S3 file system policy.
   */
  s3files?: S3FilesPort & S3FilesWriter;
  /** Ports of other accounts (a cross-account file system, a target role), by account ID. */
  otherAccounts?: Record<string, AccountWritePorts>;
}

/** What a rollback does for one entry: the inverse of the write, from the value read before it. */
export type Undo =
  | { kind: 'none'; why: string }
  | { kind: 'delete-role'; account: string; roleName: string }
  | { kind: 'restore-tags'; account: string; roleName: string; previous: Record<string, string | null> }
  | { kind: 'restore-trust'; account: string; roleName: string; trust: string }
  | {
      kind: 'restore-role-policy';
      account: string;
      roleName: string;
      policyName: string;
      previous: string | null;
    }
  | { kind: 'delete-association'; cluster: string; associationId: string }
  | {
      kind: 'restore-association';
      cluster: string;
      associationId: string;
      roleArn: string;
      targetRoleArn: string | null;
      disableSessionTags: boolean;
      /** The session policy text before the step, when the step changed it (null: it had none). */
      policy?: string | null;
    }
  | {
      kind: 'recreate-association';
      cluster: string;
      namespace: string;
      serviceAccount: string;
      roleArn: string;
      targetRoleArn?: string;
      disableSessionTags: boolean;
      /** The deleted association's session policy: it comes back with it. */
      policy?: string;
    }
  | { kind: 'restore-addon'; cluster: string; addon: string; associations: AddonAssociation[] }
  | { kind: 'reattach-role-policy'; account: string; roleName: string; policyArn: string }
  | {
      kind: 'unmerge-file-system-policy';
      account: string;
      fileSystemId: string;
      /** `s3files`: the policy of an Amazon S3 Files file system; absent: EFS. */
      fileSystemType?: 's3files';
      sid: string;
      /** The statement with our Sid before the step (it is put back), or null (ours is removed). */
      previousStatement: JsonStatement | null;
    }
  | {
      kind: 'unmerge-trust';
      account: string;
      roleName: string;
      sid: string;
      previousStatement: JsonStatement | null;
      previousText: string;
    }
  | {
      kind: 'restore-annotation';
      namespace: string;
      name: string;
      annotation: string;
      previous: string | null;
    }
  | { kind: 'restart-daemonset'; namespace: string; name: string };

export interface JournalEntry {
  index: number;
  step: StepKind;
  title: string;
  resource: string;
  /** The value read at run time right before the write (null: absent). */
  previous: unknown;
  /** What was written (null: nothing, the live state already matched). */
  wrote: unknown;
  at: string;
  undo: Undo;
}

export interface Journal {
  version: 1;
  tool: 'efs-node-identity';
  /** Where the run wrote (rollback builds its ports from these). */
  cluster?: string;
  region?: string;
  account?: string;
  startedAt: string;
  finishedAt?: string;
  /** False while running, and forever when the run stopped early. */
  complete: boolean;
  entries: JournalEntry[];
}

export interface ProgressEvent {
  index: number;
  total: number;
  step: Step;
  phase: 'start' | 'done' | 'unchanged' | 'retry' | 'waiting';
  message?: string;
}

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
}

export interface ExecuteOptions {
  onProgress?: (event: ProgressEvent) => void;
  /** Called with the journal after every entry, so that a killed run leaves what it did on disk. */
  onJournal?: (journal: Journal) => void | Promise<void>;
  /** Runs the final verify step (the CLI passes a live verify); without it that step is reported and skipped. */
  verify?: () => Promise<string>;
  lock?: LockFn;
  retry?: RetryOptions;
  /** Polling of waits (UpdateAddon, DaemonSet rollout). */
  pollMs?: number;
  rolloutTimeoutMs?: number;
  /**
   * How long a new or changed Pod Identity association needs before pods admitted from then on get its credentials:
   * associations are eventually consistent, "it can take several seconds" (EKS user guide, Pod Identity
   * associations). The restart waits for it so the new pods are admitted with the association (default 15 s).
   */
  associationSettleMs?: number;
  /**
   * After our statement is in a shared policy (file system policy, target role trust), how long to wait before the
   * last re-read that confirms no concurrent writer replaced it (default 2 s; see mergeUntilPresent).
   */
  sharedPolicySettleMs?: number;
  /** Recorded in the journal for rollback. */
  meta?: { cluster?: string; region?: string };
  /** Tests: stop (as if killed) after this many steps. */
  stopAfterSteps?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export class ExecutionError extends Error {
  constructor(
    message: string,
    readonly journal: Journal,
    readonly stepIndex: number,
  ) {
    super(message);
    this.name = 'ExecutionError';
  }
}

/** Thrown by `stopAfterSteps`: the run stopped between two steps. */
export class ExecutionStopped extends Error {
  constructor(readonly journal: Journal) {
    super('stopped between two steps');
    this.name = 'ExecutionStopped';
  }
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServerException',
  'RequestTimeout',
  'TimeoutError',
]);

function errorStatus(error: unknown): number | undefined {
  const e = error as { $metadata?: { httpStatusCode?: number }; code?: unknown; statusCode?: number };
  if (typeof e?.$metadata?.httpStatusCode === 'number') return e.$metadata.httpStatusCode;
  if (typeof e?.code === 'number') return e.code; // client-node's ApiException
  return e?.statusCode;
}

/** Throttling and server-side failures: worth another attempt with the same request. */
export function isTransient(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  const status = errorStatus(error);
  if (THROTTLING.has(name)) return true;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  const code = (error as { code?: string })?.code;
  return code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'ECONNREFUSED';
}

const accountOf = (arn: string) => arn.split(':')[4] ?? '';
const roleNameOf = (arn: string) => arn.split('/').pop() ?? arn;

/** Sorted-keys JSON, to compare policy texts by meaning of layout (whitespace and key order do not matter). */
export function canonicalJson(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return text;
  }
}

function statementWithSid(text: string | null, sid: string): JsonStatement | null {
  if (text === null) return null;
  try {
    const doc = JSON.parse(text) as { Statement?: unknown };
    const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
    const found = list.find(
      (s) => typeof s === 'object' && s !== null && (s as { Sid?: unknown }).Sid === sid,
    );
    return (found as JsonStatement | undefined) ?? null;
  } catch {
    return null;
  }
}

function hasStatement(text: string | null, statement: JsonStatement): boolean {
  if (text === null) return false;
  try {
    return (
      mergeAllowStatement(text, statement, { maxLength: Number.MAX_SAFE_INTEGER }).action === 'unchanged'
    );
  } catch {
    return false;
  }
}

type RuntimeOptions = Omit<ExecuteOptions, 'onProgress' | 'onJournal'>;

interface Runtime {
  ports: ExecutorPorts;
  options: RuntimeOptions;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  /** Role ARNs created in this run: errors naming them may be IAM propagation, retried. */
  createdRoles: Set<string>;
  externalId?: string;
  /** When this run last created, changed or deleted an association (ms since epoch, by `now`). */
  associationChangedAt?: number;
  report: (phase: ProgressEvent['phase'], message?: string) => void;
}

function accountPorts(rt: Runtime, account: string): AccountWritePorts {
  if (account === rt.ports.account || account === '') return rt.ports;
  const other = rt.ports.otherAccounts?.[account];
  if (!other) throw new Error(`no credentials for account ${account}: give a role in it (--efs-role-arn)`);
  return other;
}

function fileSystemPolicyAccess(
  rt: Runtime,
  account: string,
  type: 's3files' | undefined,
): FileSystemPolicyAccess {
  if (type === 's3files') {
    const s3files = rt.ports.s3files;
    if (!s3files)
      throw new Error('no S3 Files ports were given: the S3 file system policy cannot be written');
    if (account !== rt.ports.account && account !== '')
      throw new Error(
        `the S3 file system of account ${account} is not in the cluster's account ${rt.ports.account}`,
      );
    return {
      read: (id) => s3files.getFileSystemPolicy(id),
      put: (id, policy) => s3files.putFileSystemPolicy(id, policy),
      remove: (id) => s3files.deleteFileSystemPolicy(id),
      names: { read: 'GetFileSystemPolicy', put: 'PutFileSystemPolicy', remove: 'DeleteFileSystemPolicy' },
    };
  }
  const { efs } = accountPorts(rt, account);
  return {
    read: (id) => efs.describeFileSystemPolicy(id),
    put: (id, policy) => efs.putFileSystemPolicy(id, policy),
    remove: (id) => efs.deleteFileSystemPolicy(id),
    names: { read: 'DescribeFileSystemPolicy', put: 'PutFileSystemPolicy', remove: 'DeleteFileSystemPolicy' },
  };
}

/** The delay before attempt `attempt + 1`: exponential backoff with full jitter. */
function backoff(rt: Runtime, attempt: number): number {
  const base = rt.options.retry?.baseMs ?? 200;
  const max = rt.options.retry?.maxMs ?? 8000;
  return Math.random() * Math.min(max, base * 2 ** attempt);
}

/** Retry with exponential backoff and full jitter (the AWS Architecture Blog's "Exponential Backoff And Jitter"). */
async function retrying<T>(rt: Runtime, what: string, fn: () => Promise<T>): Promise<T> {
  const attempts = rt.options.retry?.attempts ?? 8;
  const base = rt.options.retry?.baseMs ?? 200;
  const max = rt.options.retry?.maxMs ?? 8000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const propagating = isPropagation(rt, error);
      if (attempt >= attempts || !(isTransient(error) || propagating)) throw error;
      const delay = Math.random() * Math.min(max, base * 2 ** attempt);
      rt.report(
        'retry',
        `${what}: ${(error as { name?: string }).name ?? 'error'}${propagating ? ' (a new role propagating in IAM)' : ''}, retry ${attempt} in ${Math.round(delay)} ms`,
      );
      await rt.sleep(delay);
    }
  }
}

/**
 * A role created seconds ago is not yet usable everywhere: EKS answers InvalidParameterException ("role … cannot be
 * assumed" / does not exist) and STS AccessDenied until IAM has propagated it (IAM User Guide, "Troubleshooting: changes
 * I make are not always immediately visible"). Only errors that name a role created in this run count, so a real
 * permission problem is not retried for minutes.
 */
function isPropagation(rt: Runtime, error: unknown): boolean {
  if (rt.createdRoles.size === 0) return false;
  const e = error as { name?: string; message?: string };
  if (!['InvalidParameterException', 'AccessDenied', 'AccessDeniedException'].includes(e?.name ?? ''))
    return false;
  const message = e.message ?? '';
  return [...rt.createdRoles].some((arn) => message.includes(arn) || message.includes(roleNameOf(arn)));
}

async function findAssociations(
  rt: Runtime,
  cluster: string,
  namespace: string,
  serviceAccount: string,
): Promise<AssociationInfo[]> {
  const eks = rt.ports.eks;
  const ids = await retrying(rt, 'ListPodIdentityAssociations', () =>
    eks.listPodIdentityAssociationIds(cluster),
  );
  const all = await Promise.all(
    ids.map((id) =>
      retrying(rt, 'DescribePodIdentityAssociation', () => eks.describePodIdentityAssociation(cluster, id)),
    ),
  );
  return all.filter(
    (a): a is AssociationInfo => !!a && a.namespace === namespace && a.serviceAccount === serviceAccount,
  );
}

/** The add-on's owned associations as the list UpdateAddon takes. */
async function addonAssociations(rt: Runtime, cluster: string, addon: string): Promise<AddonAssociation[]> {
  const eks = rt.ports.eks;
  const info = await retrying(rt, 'DescribeAddon', () => eks.describeAddon(cluster, addon));
  if (!info) throw new Error(`the add-on ${addon} of ${cluster} does not exist`);
  const list = await Promise.all(
    info.podIdentityAssociationArns.map(async (arn) => {
      const id = arn.split('/').pop()!;
      const a = await retrying(rt, 'DescribePodIdentityAssociation', () =>
        eks.describePodIdentityAssociation(cluster, id),
      );
      if (!a?.roleArn) throw new Error(`the add-on's association ${arn} could not be read`);
      return { serviceAccount: a.serviceAccount, roleArn: a.roleArn };
    }),
  );
  return sortAssociations(list);
}

const sortAssociations = (l: AddonAssociation[]) =>
  [...l]
    .map((a) => ({ serviceAccount: a.serviceAccount, roleArn: a.roleArn }))
    .sort((a, b) => a.serviceAccount.localeCompare(b.serviceAccount));
const sameList = (a: AddonAssociation[], b: AddonAssociation[]) =>
  JSON.stringify(sortAssociations(a)) === JSON.stringify(sortAssociations(b));

async function waitForAddonUpdate(rt: Runtime, cluster: string, addon: string, updateId: string) {
  const poll = rt.options.pollMs ?? 2000;
  for (let i = 0; i < 300; i++) {
    const u = await retrying(rt, 'DescribeUpdate', () =>
      rt.ports.eks.describeUpdate(cluster, updateId, addon),
    );
    if (u.status === 'Successful') return;
    if (u.status === 'Failed' || u.status === 'Cancelled')
      throw new Error(`UpdateAddon ${updateId} ${u.status}: ${u.errors.join('; ')}`);
    rt.report('waiting', `UpdateAddon ${updateId}: ${u.status}`);
    await rt.sleep(poll);
  }
  throw new Error(`UpdateAddon ${updateId} did not finish`);
}

/**
 * Merge our statement into a shared document: read, merge by Sid, write, re-read until it is there, then re-read once
 * more after `sharedPolicySettleMs` and merge again if it went missing. Returns the text read first.
 *
 * Neither PutFileSystemPolicy nor UpdateAssumeRolePolicy has a conditional write (no version or ETag to send), so
 * this is the optimistic part of the concurrency control; the per-resource lock serialises writers that share it.
 * Without a shared lock, a writer that read before our write and writes after our last re-read replaces our
 * statement. Two things keep that window small: a failed write is never re-sent with the text merged before the
 * failure (the round starts again from a fresh read, so a throttled writer does not write minutes-old text), and
 * the settle re-read catches every writer whose read-to-write time is shorter than the settle time (one request,
 * normally). A writer slower than that can still win; `verify` reports the lost statement (FS-02) and the next
 * apply restores it (docs/concurrency.md).
 */
async function mergeUntilPresent(
  rt: Runtime,
  what: string,
  read: () => Promise<string | null>,
  write: (text: string) => Promise<void>,
  statement: JsonStatement,
  maxLength?: number,
): Promise<{ first: string | null; wrote: string | null }> {
  let first: string | null | undefined;
  let wrote: string | null = null;
  const settleMs = rt.options.sharedPolicySettleMs ?? 2000;
  const attempts = rt.options.retry?.attempts ?? 8;
  let failedWrites = 0;
  let settled = false;
  for (let round = 0; round < 10; round++) {
    const current = await retrying(rt, `read ${what}`, read);
    if (first === undefined) first = current;
    const merged = mergeAllowStatement(current, statement, maxLength ? { maxLength } : {});
    if (merged.action !== 'unchanged') {
      try {
        await write(merged.text);
      } catch (error) {
        // Not retried with the same text: by the next attempt another writer may have changed the policy.
        if (!isTransient(error) || ++failedWrites >= attempts) throw error;
        const delay = backoff(rt, failedWrites);
        rt.report(
          'retry',
          `write ${what}: ${(error as { name?: string }).name ?? 'error'}, read and merge again in ${Math.round(delay)} ms`,
        );
        await rt.sleep(delay);
        round--;
        continue;
      }
      wrote = merged.text;
      settled = false;
      const after = await retrying(rt, `re-read ${what}`, read);
      if (!hasStatement(after, statement)) {
        rt.report('retry', `${what}: another writer replaced the policy after our write; merging again`);
        await rt.sleep(Math.random() * 100 * (round + 1));
        continue;
      }
    }
    // Present (written now, or already there). Once more after the settle time, unless nothing was written in this
    // run (then no writer of ours is racing anyone) or this is that second look.
    if (wrote === null || settled || settleMs <= 0) return { first, wrote };
    settled = true;
    await rt.sleep(settleMs);
    const later = await retrying(rt, `re-read ${what}`, read);
    if (hasStatement(later, statement)) return { first, wrote };
    rt.report('retry', `${what}: our statement was replaced by a concurrent writer; merging again`);
  }
  throw new Error(`${what}: our statement ${statement.Sid} did not stay in the policy after 10 writes`);
}

function fillExternalId(statement: JsonStatement, externalId: string): JsonStatement {
  return JSON.parse(
    JSON.stringify(statement).split(JSON.stringify(EXTERNAL_ID_PLACEHOLDER).slice(1, -1)).join(externalId),
  ) as JsonStatement;
}

async function waitForRollout(rt: Runtime, namespace: string, name: string, generation: number) {
  const kube = rt.ports.kube!;
  const poll = rt.options.pollMs ?? 2000;
  const deadline = Date.now() + (rt.options.rolloutTimeoutMs ?? 600_000);
  for (;;) {
    const ds = await retrying(rt, 'get daemonset', () => kube.getDaemonSet(namespace, name));
    const status = (ds?.raw.status ?? {}) as Record<string, number | undefined>;
    const desired = status.desiredNumberScheduled ?? 0;
    // The DaemonSet controller has seen our generation, every scheduled pod runs the new template, and all of them
    // are available: what `kubectl rollout status` waits for (kubectl's DaemonSetStatusViewer).
    if (
      (status.observedGeneration ?? 0) >= generation &&
      (status.updatedNumberScheduled ?? 0) >= desired &&
      (status.numberAvailable ?? 0) >= desired
    ) {
      return;
    }
    if (Date.now() > deadline)
      throw new Error(`DaemonSet ${namespace}/${name}: rollout did not finish in time`);
    rt.report(
      'waiting',
      `rollout ${namespace}/${name}: ${status.updatedNumberScheduled ?? 0}/${desired} updated, ${status.numberAvailable ?? 0} available`,
    );
    await rt.sleep(poll);
  }
}

type StepResult = { previous: unknown; wrote: unknown; undo: Undo };
const unchanged = (previous: unknown, why: string): StepResult => ({
  previous,
  wrote: null,
  undo: { kind: 'none', why },
});

async function runStep(rt: Runtime, step: Step): Promise<StepResult | undefined> {
  switch (step.kind) {
    case 'create-role': {
      const account = accountOf(step.roleArn);
      const { iam } = accountPorts(rt, account);
      const existing = await retrying(rt, 'GetRole', () => iam.getRole(step.roleName));
      if (existing)
        return unchanged({ exists: true, tags: existing.tags }, 'the role existed before this step');
      try {
        await retrying(rt, 'CreateRole', () =>
          iam.createRole({
            roleName: step.roleName,
            trustPolicy: policyText(step.trustPolicy),
            description: step.description,
            tags: step.tags,
          }),
        );
      } catch (error) {
        // Another apply created it between our read and our create (20 applies sharing one role).
        if ((error as { name?: string }).name === 'EntityAlreadyExists')
          return unchanged({ exists: true }, 'another writer created the role first');
        throw error;
      }
      rt.createdRoles.add(step.roleArn);
      return {
        previous: null,
        wrote: { trustPolicy: step.trustPolicy, tags: step.tags },
        undo: { kind: 'delete-role', account, roleName: step.roleName },
      };
    }
    case 'tag-role': {
      const account = accountOf(step.roleArn);
      const { iam } = accountPorts(rt, account);
      const role = await retrying(rt, 'GetRole', () => iam.getRole(step.roleName));
      if (!role) throw new Error(`the role ${step.roleName} does not exist`);
      const previous = Object.fromEntries(Object.keys(step.tags).map((k) => [k, role.tags[k] ?? null]));
      if (Object.entries(step.tags).every(([k, v]) => role.tags[k] === v))
        return unchanged(previous, 'the tags were already there');
      await retrying(rt, 'TagRole', () => iam.tagRole(step.roleName, step.tags));
      return {
        previous,
        wrote: step.tags,
        undo: { kind: 'restore-tags', account, roleName: step.roleName, previous },
      };
    }
    case 'update-trust': {
      const account = accountOf(step.roleArn);
      const { iam } = accountPorts(rt, account);
      return withLock(rt.options.lock, `trust:${step.roleArn}`, async () => {
        const role = await retrying(rt, 'GetRole', () => iam.getRole(step.roleName));
        if (!role?.trustPolicy) throw new Error(`the role ${step.roleName} does not exist`);
        const text = policyText(step.trustPolicy);
        if (canonicalJson(role.trustPolicy) === canonicalJson(text))
          return unchanged(role.trustPolicy, 'the trust was already the desired one');
        await retrying(rt, 'UpdateAssumeRolePolicy', () => iam.updateAssumeRolePolicy(step.roleName, text));
        return {
          previous: role.trustPolicy,
          wrote: text,
          undo: { kind: 'restore-trust', account, roleName: step.roleName, trust: role.trustPolicy },
        };
      });
    }
    case 'put-role-policy': {
      const account = accountOf(step.roleArn);
      const { iam } = accountPorts(rt, account);
      const text = policyText(step.policy);
      // One lock per role: PutRolePolicy of one document has no conditional write either.
      return withLock(rt.options.lock, `role-policy:${step.roleArn}/${step.policyName}`, async () => {
        const previous =
          (await retrying(rt, 'GetRolePolicy', () => iam.getRolePolicy(step.roleName, step.policyName))) ??
          null;
        if (canonicalJson(previous) === canonicalJson(text))
          return unchanged(previous, 'the policy was already the desired one');
        for (let round = 0; ; round++) {
          await retrying(rt, 'PutRolePolicy', () => iam.putRolePolicy(step.roleName, step.policyName, text));
          const after = await retrying(rt, 'GetRolePolicy', () =>
            iam.getRolePolicy(step.roleName, step.policyName),
          );
          if (canonicalJson(after ?? null) === canonicalJson(text)) break;
          if (round >= 5) throw new Error(`${step.policyName}: another writer keeps replacing it`);
        }
        return {
          previous,
          wrote: text,
          undo: {
            kind: 'restore-role-policy',
            account,
            roleName: step.roleName,
            policyName: step.policyName,
            previous,
          },
        };
      });
    }
    case 'create-pod-identity-association': {
      const found = await findAssociations(rt, step.cluster, step.namespace, step.serviceAccount);
      const same = found.find(
        (a) => a.roleArn === step.roleArn && (a.targetRoleArn ?? undefined) === step.targetRoleArn,
      );
      if (same) {
        if (same.externalId) rt.externalId = same.externalId;
        return unchanged(same, 'the association existed before this step (an earlier, interrupted run?)');
      }
      if (found.length > 0)
        throw new Error(
          `${step.namespace}/${step.serviceAccount} has an association since the plan was made (${found.map((a) => a.associationId).join(', ')}): plan again`,
        );
      const created = await retrying(rt, 'CreatePodIdentityAssociation', () =>
        rt.ports.eks.createPodIdentityAssociation({
          cluster: step.cluster,
          namespace: step.namespace,
          serviceAccount: step.serviceAccount,
          roleArn: step.roleArn,
          ...(step.targetRoleArn ? { targetRoleArn: step.targetRoleArn } : {}),
          disableSessionTags: step.disableSessionTags,
          tags: step.tags,
        }),
      );
      if (created.externalId) rt.externalId = created.externalId;
      rt.associationChangedAt = rt.now().getTime();
      return {
        previous: null,
        wrote: created,
        undo: { kind: 'delete-association', cluster: step.cluster, associationId: created.associationId },
      };
    }
    case 'update-pod-identity-association': {
      const current = await retrying(rt, 'DescribePodIdentityAssociation', () =>
        rt.ports.eks.describePodIdentityAssociation(step.cluster, step.associationId),
      );
      if (!current) throw new Error(`the association ${step.associationId} no longer exists: plan again`);
      // Merged into the session policy as it is now (not as planned), so an edit made since is kept.
      let policy: string | undefined;
      if (step.sessionStatements) {
        let text = current.policy ?? null;
        for (const statement of step.sessionStatements) text = mergeAllowStatement(text, statement).text;
        if (text !== (current.policy ?? null)) policy = text ?? undefined;
      }
      const updated = await retrying(rt, 'UpdatePodIdentityAssociation', () =>
        rt.ports.eks.updatePodIdentityAssociation({
          cluster: step.cluster,
          associationId: step.associationId,
          roleArn: step.roleArn,
          targetRoleArn: step.targetRoleArn ?? '',
          disableSessionTags: step.disableSessionTags,
          ...(policy !== undefined ? { policy } : {}),
        }),
      );
      if (updated.externalId) rt.externalId = updated.externalId;
      rt.associationChangedAt = rt.now().getTime();
      return {
        previous: current,
        wrote: updated,
        undo: {
          kind: 'restore-association',
          cluster: step.cluster,
          associationId: step.associationId,
          roleArn: current.roleArn ?? step.roleArn,
          targetRoleArn: current.targetRoleArn ?? null,
          disableSessionTags: current.disableSessionTags === true,
          ...(policy !== undefined ? { policy: current.policy ?? null } : {}),
        },
      };
    }
    case 'delete-pod-identity-association': {
      const current = await retrying(rt, 'DescribePodIdentityAssociation', () =>
        rt.ports.eks.describePodIdentityAssociation(step.cluster, step.associationId),
      );
      if (!current) return unchanged(null, 'the association was already gone');
      await retrying(rt, 'DeletePodIdentityAssociation', () =>
        rt.ports.eks.deletePodIdentityAssociation(step.cluster, step.associationId),
      );
      rt.associationChangedAt = rt.now().getTime();
      return {
        previous: current,
        wrote: null,
        undo: {
          kind: 'recreate-association',
          cluster: step.cluster,
          namespace: current.namespace,
          serviceAccount: current.serviceAccount,
          roleArn: current.roleArn ?? '',
          ...(current.targetRoleArn ? { targetRoleArn: current.targetRoleArn } : {}),
          disableSessionTags: current.disableSessionTags === true,
          ...(current.policy ? { policy: current.policy } : {}),
        },
      };
    }
    case 'update-addon-associations': {
      const live = await addonAssociations(rt, step.cluster, step.addonName);
      if (sameList(live, step.associations)) return unchanged(live, 'the add-on already owns this list');
      if (!sameList(live, step.currentAssociations)) {
        throw new Error(
          `the add-on ${step.addonName} owns ${JSON.stringify(live)} now, not the ${JSON.stringify(sortAssociations(step.currentAssociations))} the plan was made from; UpdateAddon replaces the whole list, so it is not sent: plan again`,
        );
      }
      const updateId = await retrying(rt, 'UpdateAddon', () =>
        rt.ports.eks.updateAddonAssociations(step.cluster, step.addonName, step.associations),
      );
      await waitForAddonUpdate(rt, step.cluster, step.addonName, updateId);
      rt.associationChangedAt = rt.now().getTime();
      return {
        previous: live,
        wrote: step.associations,
        undo: { kind: 'restore-addon', cluster: step.cluster, addon: step.addonName, associations: live },
      };
    }
    case 'detach-role-policy': {
      const account = accountOf(step.roleArn);
      const { iam } = accountPorts(rt, account);
      const attached = await retrying(rt, 'ListAttachedRolePolicies', () =>
        iam.listAttachedRolePolicies(step.roleName),
      );
      if (!attached.some((p) => p.arn === step.policyArn))
        return unchanged(null, 'the policy was not attached (an earlier, interrupted run?)');
      await retrying(rt, 'DetachRolePolicy', () => iam.detachRolePolicy(step.roleName, step.policyArn));
      // `wrote: null` would read as "nothing written" in the progress and the journal: the detach is the write.
      return {
        previous: { attached: step.policyArn },
        wrote: { detached: step.policyArn },
        undo: { kind: 'reattach-role-policy', account, roleName: step.roleName, policyArn: step.policyArn },
      };
    }
    case 'merge-file-system-policy': {
      const access = fileSystemPolicyAccess(rt, step.accountId, step.fileSystemType);
      const lockPrefix = step.fileSystemType === 's3files' ? 's3files-policy' : 'file-system-policy';
      return withLock(rt.options.lock, `${lockPrefix}:${step.accountId}:${step.fileSystemId}`, async () => {
        const r = await mergeUntilPresent(
          rt,
          `the policy of ${step.fileSystemId}`,
          () => access.read(step.fileSystemId),
          (text) => access.put(step.fileSystemId, text),
          step.statement,
        );
        if (r.wrote === null) return unchanged(r.first, 'our statement was already in the policy');
        return {
          previous: r.first,
          wrote: r.wrote,
          undo: {
            kind: 'unmerge-file-system-policy',
            account: step.accountId,
            fileSystemId: step.fileSystemId,
            ...(step.fileSystemType ? { fileSystemType: step.fileSystemType } : {}),
            sid: step.sid,
            previousStatement: statementWithSid(r.first, step.sid),
          },
        };
      });
    }
    case 'update-target-trust': {
      const externalId = step.externalIdKnown ? step.externalId : rt.externalId;
      if (!externalId)
        throw new Error(
          "the association's externalId is not known (no association step ran in this apply): plan again",
        );
      const statement = fillExternalId(step.statement, externalId);
      const account = accountOf(step.targetRoleArn);
      const roleName = roleNameOf(step.targetRoleArn);
      const { iam } = accountPorts(rt, account);
      return withLock(rt.options.lock, `trust:${step.targetRoleArn}`, async () => {
        const r = await mergeUntilPresent(
          rt,
          `the trust of ${step.targetRoleArn}`,
          async () => {
            const role = await iam.getRole(roleName);
            if (!role?.trustPolicy) throw new Error(`the target role ${step.targetRoleArn} does not exist`);
            return role.trustPolicy;
          },
          (text) => iam.updateAssumeRolePolicy(roleName, text),
          statement,
          4096,
        );
        if (r.wrote === null) return unchanged(r.first, 'the statement was already in the trust');
        return {
          previous: r.first,
          wrote: r.wrote,
          undo: {
            kind: 'unmerge-trust',
            account,
            roleName,
            sid: step.sid,
            previousStatement: statementWithSid(r.first, step.sid),
            previousText: r.first ?? '',
          },
        };
      });
    }
    case 'annotate-service-account': {
      const kube = requireKube(rt);
      const sa = await retrying(rt, 'get serviceaccount', () =>
        kube.getServiceAccount(step.namespace, step.name),
      );
      if (!sa) throw new Error(`ServiceAccount ${step.namespace}/${step.name} does not exist`);
      const annotations = ((sa.raw.metadata as { annotations?: Record<string, string> })?.annotations ??
        {}) as Record<string, string>;
      const previous = annotations[step.annotation] ?? null;
      if (previous === step.value) return unchanged(previous, 'the annotation was already set');
      await retrying(rt, 'patch serviceaccount', () =>
        kube.patchServiceAccountAnnotations(step.namespace, step.name, { [step.annotation]: step.value }),
      );
      return {
        previous,
        wrote: step.value,
        undo: {
          kind: 'restore-annotation',
          namespace: step.namespace,
          name: step.name,
          annotation: step.annotation,
          previous,
        },
      };
    }
    case 'restart-daemonset': {
      const kube = requireKube(rt);
      const ds = await retrying(rt, 'get daemonset', () => kube.getDaemonSet(step.namespace, step.name));
      if (!ds) throw new Error(`DaemonSet ${step.namespace}/${step.name} does not exist`);
      const template = (ds.raw.spec as { template?: { metadata?: { annotations?: Record<string, string> } } })
        ?.template;
      const previous = template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? null;
      // The association may have changed in an earlier run that was stopped before its restart: its own times say.
      const saName = (ds.raw.spec as { template?: { spec?: { serviceAccountName?: string } } })?.template
        ?.spec?.serviceAccountName;
      if (rt.ports.cluster && saName) {
        for (const a of await findAssociations(rt, rt.ports.cluster, step.namespace, saName)) {
          const t = Date.parse(a.modifiedAt ?? a.createdAt ?? '');
          if (!Number.isNaN(t) && t > (rt.associationChangedAt ?? 0)) rt.associationChangedAt = t;
        }
      }
      await settleAssociations(rt);
      const at = rt.now().toISOString();
      const generation = await retrying(rt, 'patch daemonset', () =>
        kube.restartDaemonSet(step.namespace, step.name, at),
      );
      await waitForRollout(rt, step.namespace, step.name, generation);
      return {
        previous,
        wrote: at,
        // A restart cannot be undone; after a rollback the pods must be restarted again to drop the new credentials.
        undo: { kind: 'restart-daemonset', namespace: step.namespace, name: step.name },
      };
    }
    case 'verify': {
      if (rt.options.verify) rt.report('done', await rt.options.verify());
      return undefined;
    }
  }
}

/** Waits until the association changes of this run have had time to take effect for new pods. */
async function settleAssociations(rt: Runtime): Promise<void> {
  if (rt.associationChangedAt === undefined) return;
  const left = (rt.options.associationSettleMs ?? 15_000) - (rt.now().getTime() - rt.associationChangedAt);
  if (left <= 0) return;
  rt.report(
    'waiting',
    `${Math.ceil(left / 1000)} s for the Pod Identity association to take effect before the restart`,
  );
  await rt.sleep(left);
}

function requireKube(rt: Runtime): KubePort & KubeWriter {
  if (!rt.ports.kube) throw new Error('this step needs the Kubernetes API, and no access was given');
  return rt.ports.kube;
}

function makeRuntime(ports: ExecutorPorts, options: RuntimeOptions, report: Runtime['report']): Runtime {
  return {
    ports,
    options,
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    now: options.now ?? (() => new Date()),
    createdRoles: new Set(),
    report,
  };
}

/** Runs the steps in order; resolves with the journal. On failure, throws ExecutionError carrying the journal. */
export async function executePlan(
  steps: Step[],
  ports: ExecutorPorts,
  options: ExecuteOptions = {},
): Promise<Journal> {
  const now = options.now ?? (() => new Date());
  const journal: Journal = {
    version: 1,
    tool: 'efs-node-identity',
    ...(options.meta?.cluster ? { cluster: options.meta.cluster } : {}),
    ...(options.meta?.region ? { region: options.meta.region } : {}),
    account: ports.account,
    startedAt: now().toISOString(),
    complete: false,
    entries: [],
  };
  let current = 0;
  const rt = makeRuntime(ports, options, (phase, message) =>
    options.onProgress?.({
      index: current,
      total: steps.length,
      step: steps[current]!,
      phase,
      ...(message ? { message } : {}),
    }),
  );
  await options.onJournal?.(journal);
  for (current = 0; current < steps.length; current++) {
    if (options.stopAfterSteps !== undefined && current >= options.stopAfterSteps) {
      throw new ExecutionStopped(journal);
    }
    const step = steps[current]!;
    rt.report('start');
    let result: StepResult | undefined;
    try {
      result = await runStep(rt, step);
    } catch (error) {
      await options.onJournal?.(journal);
      throw new ExecutionError(
        `step ${current + 1} (${step.title}) failed: ${(error as Error).message}`,
        journal,
        current,
      );
    }
    if (result) {
      journal.entries.push({
        index: current,
        step: step.kind,
        title: step.title,
        resource: step.resource,
        previous: result.previous,
        wrote: result.wrote,
        at: now().toISOString(),
        undo: result.undo,
      });
      await options.onJournal?.(journal);
      rt.report(result.wrote === null ? 'unchanged' : 'done');
    } else if (step.kind !== 'verify') {
      rt.report('done');
    }
  }
  journal.complete = true;
  journal.finishedAt = now().toISOString();
  await options.onJournal?.(journal);
  return journal;
}

export interface RollbackProgress {
  entry: JournalEntry;
  phase: 'start' | 'done' | 'skipped' | 'failed' | 'retry' | 'waiting';
  message?: string;
}

export interface RollbackOptions extends Omit<ExecuteOptions, 'onProgress' | 'onJournal' | 'verify'> {
  onProgress?: (event: RollbackProgress) => void;
}

/**
 * Restores each entry's previous value, last entry first. A failed entry does not stop the others (each restores
 * one resource); the errors are thrown together at the end.
 */
export async function rollbackJournal(
  journal: Journal,
  ports: ExecutorPorts,
  options: RollbackOptions = {},
): Promise<void> {
  let entry: JournalEntry | undefined;
  const rt = makeRuntime(ports, options, (phase, message) => {
    if (entry && (phase === 'retry' || phase === 'waiting'))
      options.onProgress?.({ entry, phase, ...(message ? { message } : {}) });
  });
  const failures: string[] = [];
  for (const e of [...journal.entries].reverse()) {
    entry = e;
    if (e.undo.kind === 'none') {
      options.onProgress?.({ entry: e, phase: 'skipped', message: e.undo.why });
      continue;
    }
    options.onProgress?.({ entry: e, phase: 'start' });
    try {
      await undo(rt, e.undo);
      if (
        ['delete-association', 'restore-association', 'recreate-association', 'restore-addon'].includes(
          e.undo.kind,
        )
      )
        rt.associationChangedAt = rt.now().getTime();
      options.onProgress?.({ entry: e, phase: 'done' });
    } catch (error) {
      failures.push(`${e.title}: ${(error as Error).message}`);
      options.onProgress?.({ entry: e, phase: 'failed', message: (error as Error).message });
    }
  }
  if (failures.length > 0) throw new Error(`rollback incomplete:\n${failures.join('\n')}`);
}

async function undo(rt: Runtime, u: Undo): Promise<void> {
  const eks = rt.ports.eks;
  switch (u.kind) {
    case 'none':
      return;
    case 'delete-role': {
      const { iam } = accountPorts(rt, u.account);
      // The role was created by this run: inline policies added to it since are removed with it.
      const names = await retrying(rt, 'ListRolePolicies', () =>
        iam.listRolePolicyNames(u.roleName).catch(() => []),
      );
      for (const n of names)
        await retrying(rt, 'DeleteRolePolicy', () => iam.deleteRolePolicy(u.roleName, n));
      await retrying(rt, 'DeleteRole', () => iam.deleteRole(u.roleName));
      return;
    }
    case 'restore-tags': {
      const { iam } = accountPorts(rt, u.account);
      const retag = Object.fromEntries(
        Object.entries(u.previous).filter((e): e is [string, string] => e[1] !== null),
      );
      const untag = Object.keys(u.previous).filter((k) => u.previous[k] === null);
      if (untag.length > 0) await retrying(rt, 'UntagRole', () => iam.untagRole(u.roleName, untag));
      if (Object.keys(retag).length > 0) await retrying(rt, 'TagRole', () => iam.tagRole(u.roleName, retag));
      return;
    }
    case 'restore-trust': {
      const { iam } = accountPorts(rt, u.account);
      await retrying(rt, 'UpdateAssumeRolePolicy', () => iam.updateAssumeRolePolicy(u.roleName, u.trust));
      return;
    }
    case 'restore-role-policy': {
      const { iam } = accountPorts(rt, u.account);
      const previous = u.previous;
      if (previous === null)
        await retrying(rt, 'DeleteRolePolicy', () => iam.deleteRolePolicy(u.roleName, u.policyName));
      else await retrying(rt, 'PutRolePolicy', () => iam.putRolePolicy(u.roleName, u.policyName, previous));
      return;
    }
    case 'delete-association':
      await retrying(rt, 'DeletePodIdentityAssociation', () =>
        eks.deletePodIdentityAssociation(u.cluster, u.associationId),
      );
      return;
    case 'restore-association':
      await retrying(rt, 'UpdatePodIdentityAssociation', () =>
        eks.updatePodIdentityAssociation({
          cluster: u.cluster,
          associationId: u.associationId,
          roleArn: u.roleArn,
          targetRoleArn: u.targetRoleArn ?? '',
          disableSessionTags: u.disableSessionTags,
          // '' removes a session policy the step added to an association that had none.
          ...(u.policy !== undefined ? { policy: u.policy ?? '' } : {}),
        }),
      );
      return;
    case 'recreate-association':
      // A new association gets a new ID (and a new externalId with a target role): what was deleted comes back
      // with the same binding, not the same identity.
      await retrying(rt, 'CreatePodIdentityAssociation', () =>
        eks.createPodIdentityAssociation({
          cluster: u.cluster,
          namespace: u.namespace,
          serviceAccount: u.serviceAccount,
          roleArn: u.roleArn,
          ...(u.targetRoleArn ? { targetRoleArn: u.targetRoleArn } : {}),
          disableSessionTags: u.disableSessionTags,
          ...(u.policy ? { policy: u.policy } : {}),
        }),
      );
      return;
    case 'restore-addon': {
      const id = await retrying(rt, 'UpdateAddon', () =>
        eks.updateAddonAssociations(u.cluster, u.addon, u.associations),
      );
      await waitForAddonUpdate(rt, u.cluster, u.addon, id);
      return;
    }
    case 'reattach-role-policy': {
      const { iam } = accountPorts(rt, u.account);
      await retrying(rt, 'AttachRolePolicy', () => iam.attachRolePolicy(u.roleName, u.policyArn));
      return;
    }
    case 'unmerge-file-system-policy': {
      const access = fileSystemPolicyAccess(rt, u.account, u.fileSystemType);
      const lockPrefix = u.fileSystemType === 's3files' ? 's3files-policy' : 'file-system-policy';
      await withLock(rt.options.lock, `${lockPrefix}:${u.account}:${u.fileSystemId}`, async () => {
        const current = await retrying(rt, access.names.read, () => access.read(u.fileSystemId));
        if (current === null) return;
        // Only our statement is undone: statements others merged since stay.
        const next = u.previousStatement
          ? mergeAllowStatement(current, u.previousStatement).text
          : removeStatement(current, u.sid);
        if (next === null) await retrying(rt, access.names.remove, () => access.remove(u.fileSystemId));
        else if (next !== current)
          await retrying(rt, access.names.put, () => access.put(u.fileSystemId, next));
      });
      return;
    }
    case 'unmerge-trust': {
      const { iam } = accountPorts(rt, u.account);
      const role = await retrying(rt, 'GetRole', () => iam.getRole(u.roleName));
      if (!role?.trustPolicy) return;
      const current = role.trustPolicy;
      const next = u.previousStatement
        ? mergeAllowStatement(current, u.previousStatement, { maxLength: 4096 }).text
        : // A trust cannot be empty: when ours was the only statement, the text read before is put back.
          (removeStatement(current, u.sid) ?? u.previousText);
      if (next !== current)
        await retrying(rt, 'UpdateAssumeRolePolicy', () => iam.updateAssumeRolePolicy(u.roleName, next));
      return;
    }
    case 'restore-annotation': {
      const kube = requireKube(rt);
      await retrying(rt, 'patch serviceaccount', () =>
        kube.patchServiceAccountAnnotations(u.namespace, u.name, { [u.annotation]: u.previous }),
      );
      return;
    }
    case 'restart-daemonset': {
      const kube = requireKube(rt);
      await settleAssociations(rt);
      const generation = await retrying(rt, 'patch daemonset', () =>
        kube.restartDaemonSet(u.namespace, u.name, rt.now().toISOString()),
      );
      await waitForRollout(rt, u.namespace, u.name, generation);
      return;
    }
  }
}

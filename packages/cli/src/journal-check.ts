import { ACCOUNT_ID, FILE_SYSTEM_ID, ROLE_ARN, ROLE_NAME } from '@efs-node-identity/core';

/**
 * A journal file is input like any other: rollback acts on what it names (it deletes roles and associations, rewrites
 * policies), and a tampered or truncated file must be refused before any call, naming the entry, rather than fail
 * half-way with a runtime error or act on a name no apply could have written.
 */

const CLUSTER = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const ASSOCIATION_ID = /^a-[0-9a-z]{1,64}$/;
const SID = /^[\w-]{1,128}$/;
// The kinds of core's `Undo` (packages/core/src/plan/execute.ts).
const UNDO_KINDS = new Set([
  'none',
  'delete-role',
  'restore-tags',
  'restore-trust',
  'restore-role-policy',
  'delete-association',
  'restore-association',
  'recreate-association',
  'restore-addon',
  'unmerge-file-system-policy',
  'unmerge-trust',
  'restore-annotation',
  'restart-daemonset',
  'reattach-role-policy',
]);

/** Fields an undo may name, each with the shape the executor writes for it. */
const FIELD_SHAPES: Record<string, RegExp> = {
  account: ACCOUNT_ID,
  roleName: ROLE_NAME,
  roleArn: ROLE_ARN,
  fileSystemId: FILE_SYSTEM_ID,
  cluster: CLUSTER,
  associationId: ASSOCIATION_ID,
  namespace: K8S_NAME,
  serviceAccount: K8S_NAME,
  name: K8S_NAME,
  addon: K8S_NAME,
  sid: SID,
  policyName: ROLE_NAME,
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** What is wrong with a parsed journal, or undefined when rollback may act on it. */
export function journalProblem(journal: unknown): string | undefined {
  if (
    !isObject(journal) ||
    journal.tool !== 'efs-node-identity' ||
    journal.version !== 1 ||
    !Array.isArray(journal.entries)
  )
    return 'not a journal written by efs-node-identity apply';
  if (typeof journal.cluster !== 'string' || !CLUSTER.test(journal.cluster))
    return 'cluster: not an EKS cluster name';
  if (typeof journal.account !== 'string' || !ACCOUNT_ID.test(journal.account))
    return 'account: not a 12-digit account ID';
  if (
    journal.region !== undefined &&
    (typeof journal.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(journal.region))
  )
    return 'region: not an AWS region';
  for (const [i, entry] of journal.entries.entries()) {
    const at = `entry ${i + 1}`;
    if (!isObject(entry) || typeof entry.title !== 'string') return `${at}: not a journal entry`;
    if (Object.hasOwn(entry, '__proto__')) return `${at}: a __proto__ key`;
    const undo = entry.undo;
    if (!isObject(undo) || typeof undo.kind !== 'string' || !UNDO_KINDS.has(undo.kind))
      return `${at}: no undo this version of apply writes`;
    for (const [field, shape] of Object.entries(FIELD_SHAPES)) {
      if (!(field in undo)) continue;
      const value = undo[field];
      if (typeof value !== 'string' || !shape.test(value))
        return `${at}: undo.${field} is not one apply writes`;
    }
  }
  return undefined;
}

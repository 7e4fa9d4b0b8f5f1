import type { JsonPolicy, JsonStatement } from '../policy/generate';

/**
 * The steps of a plan: each one names one resource, says why, and shows a before/after diff a reviewer can read. Each
 * maps to one write call (or one wait) so the executor can run it through a write port and journal the previous
 * value (`before`), which is also what `rollback` restores (a `before` of null: the resource did not exist, delete it).
 */

/** Placeholder the executor replaces with the `externalId` that CreatePodIdentityAssociation returned. */
export const EXTERNAL_ID_PLACEHOLDER = '${association.externalId}';

/** A before/after pair of texts (policy JSON, lists, annotation values); null: absent. */
export interface Diff {
  before: string | null;
  after: string | null;
}

interface StepBase {
  /** One line: what is done to which resource. */
  title: string;
  /** The resource written: an ARN, or `Kind/namespace/name` for Kubernetes objects. */
  resource: string;
  /** Why the step is needed (the fact in the live state that differs from the spec). */
  reason: string;
  diff?: Diff;
  /** What the reviewer must know before applying (interruptions, credential gaps). */
  warnings?: string[];
}

/** CreateRole with the trust policy and the ownership tag (and the spec's tags). */
export interface CreateRoleStep extends StepBase {
  kind: 'create-role';
  roleName: string;
  roleArn: string;
  trustPolicy: JsonPolicy;
  tags: Record<string, string>;
  description: string;
}

/** TagRole: the ownership tag on an adopted role (so the next run needs no --adopt), or the spec's tags. */
export interface TagRoleStep extends StepBase {
  kind: 'tag-role';
  roleName: string;
  roleArn: string;
  tags: Record<string, string>;
}

/** UpdateAssumeRolePolicy with the whole trust document (on a role we own). */
export interface UpdateTrustStep extends StepBase {
  kind: 'update-trust';
  roleName: string;
  roleArn: string;
  trustPolicy: JsonPolicy;
}

/** PutRolePolicy: the inline client policy scoped to the file system ARNs. */
export interface PutRolePolicyStep extends StepBase {
  kind: 'put-role-policy';
  roleName: string;
  roleArn: string;
  policyName: string;
  policy: JsonPolicy;
}

/**
 * DetachRolePolicy: a broad AWS managed policy (AmazonS3FilesClientFullAccess, AmazonS3ReadOnlyAccess, …) that the
 * scoped inline policy of the same plan replaces. Always after that put-role-policy step, so access never lapses.
 */
export interface DetachRolePolicyStep extends StepBase {
  kind: 'detach-role-policy';
  roleName: string;
  roleArn: string;
  policyArn: string;
}

/** CreatePodIdentityAssociation (the association API: the only one with targetRoleArn / disableSessionTags). */
export interface CreateAssociationStep extends StepBase {
  kind: 'create-pod-identity-association';
  cluster: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  disableSessionTags: boolean;
  tags: Record<string, string>;
}

/** UpdatePodIdentityAssociation of a manual association. */
export interface UpdateAssociationStep extends StepBase {
  kind: 'update-pod-identity-association';
  cluster: string;
  associationId: string;
  roleArn: string;
  /** Absent: no target role (an existing one is removed). */
  targetRoleArn?: string;
  disableSessionTags: boolean;
  /**
   * Statements merged by Sid into the association's session policy (every other statement kept), when it does not
   * allow what the node needs. Absent: the session policy is left as it is.
   */
  sessionStatements?: JsonStatement[];
}

/** DeletePodIdentityAssociation: a manual association migrated to the add-on, or one IRSA would lose to. */
export interface DeleteAssociationStep extends StepBase {
  kind: 'delete-pod-identity-association';
  cluster: string;
  associationId: string;
  namespace: string;
  serviceAccount: string;
  roleArn?: string;
}

export interface AddonAssociation {
  serviceAccount: string;
  roleArn: string;
}

/**
 * UpdateAddon with `podIdentityAssociations`: always the FULL list. EKS replaces every association the add-on owns
 * with the list sent (an omitted list leaves them, `[]` deletes them all), so the controller's entry is carried over.
 */
export interface UpdateAddonAssociationsStep extends StepBase {
  kind: 'update-addon-associations';
  cluster: string;
  addonName: string;
  /** What the add-on owns now (the executor re-reads it and refuses to write if it changed since the plan). */
  currentAssociations: AddonAssociation[];
  associations: AddonAssociation[];
}

/** PutFileSystemPolicy with our statement merged by Sid (mergeAllowStatement), every other statement kept. */
export interface MergeFileSystemPolicyStep extends StepBase {
  kind: 'merge-file-system-policy';
  fileSystemId: string;
  fileSystemArn: string;
  /** The account that owns the file system (cross-account: the executor writes with that account's ports). */
  accountId: string;
  sid: string;
  statement: JsonStatement;
  /** True when the file system has no policy today: this step introduces its first one. */
  firstPolicy: boolean;
  /** `s3files`: an Amazon S3 Files file system (written through the S3 Files API); absent: EFS. */
  fileSystemType?: 's3files';
}

/** IRSA: the role-arn annotation on the node ServiceAccount (merge patch). */
export interface AnnotateServiceAccountStep extends StepBase {
  kind: 'annotate-service-account';
  namespace: string;
  name: string;
  annotation: string;
  value: string;
}

/** A rollout restart of the node DaemonSet, then a wait until every pod is replaced and ready. */
export interface RestartDaemonSetStep extends StepBase {
  kind: 'restart-daemonset';
  namespace: string;
  name: string;
  waitForRollout: true;
}

/**
 * Cross-account with a target role: merge into the target role's trust a statement naming the association role,
 * with `sts:ExternalId` = the association's externalId. EKS generates that ID when the association is created, so
 * this step comes after the association step and carries EXTERNAL_ID_PLACEHOLDER until the executor fills it in.
 */
export interface UpdateTargetTrustStep extends StepBase {
  kind: 'update-target-trust';
  targetRoleArn: string;
  associationRoleArn: string;
  sid: string;
  /** The statement, with the external ID (or the placeholder). */
  statement: JsonStatement;
  /** The external ID is known (association exists) or the executor takes it from the association step's result. */
  externalId: string;
  externalIdKnown: boolean;
}

/** Re-read the live state and run the rules (`verify`). */
export interface VerifyStep extends StepBase {
  kind: 'verify';
  cluster: string;
  region: string;
}

export type Step =
  | CreateRoleStep
  | TagRoleStep
  | UpdateTrustStep
  | PutRolePolicyStep
  | DetachRolePolicyStep
  | CreateAssociationStep
  | UpdateAssociationStep
  | DeleteAssociationStep
  | UpdateAddonAssociationsStep
  | MergeFileSystemPolicyStep
  | AnnotateServiceAccountStep
  | RestartDaemonSetStep
  | UpdateTargetTrustStep
  | VerifyStep;

export type StepKind = Step['kind'];

/** Why the planner will not write something: apply stops; the reason says what to do. */
export interface Refusal {
  resource: string;
  reason: string;
}

export interface Plan {
  steps: Step[];
  refusals: Refusal[];
  /** Facts the reviewer should know that need no step (e.g. why the association is manual). */
  notes: string[];
}

/** Pretty JSON for diffs. */
export function policyText(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A plan as numbered text: title, reason, warnings, and a line diff of each before/after. */
export function renderPlanText(plan: Plan): string {
  const out: string[] = [];
  if (plan.steps.length === 0) out.push('No changes: the live state matches the spec.');
  plan.steps.forEach((step, i) => {
    out.push(`${i + 1}. ${step.title}`);
    out.push(`   resource: ${step.resource}`);
    out.push(`   why: ${step.reason}`);
    for (const w of step.warnings ?? []) out.push(`   WARNING: ${w}`);
    if (step.diff) out.push(...renderDiff(step.diff).map((l) => `   ${l}`));
  });
  if (plan.notes.length > 0) {
    out.push('', 'Notes:');
    for (const n of plan.notes) out.push(`  - ${n}`);
  }
  if (plan.refusals.length > 0) {
    out.push('', 'Refused:');
    for (const r of plan.refusals) out.push(`  - ${r.resource}: ${r.reason}`);
  }
  return `${out.join('\n')}\n`;
}

/** A line diff (longest common subsequence), `-` before, `+` after, unchanged lines indented. */
export function renderDiff(diff: Diff): string[] {
  const a = diff.before === null ? [] : diff.before.split('\n');
  const b = diff.after === null ? [] : diff.after.split('\n');
  const out: string[] = [];
  if (diff.before === null) out.push('(absent before)');
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`- ${a[i]}`);
      i++;
    } else {
      out.push(`+ ${b[j]}`);
      j++;
    }
  }
  if (diff.after === null) out.push('(deleted)');
  return out;
}

import { defaultConfig } from '../config/config';
import type { PolicyDocument } from '../model/policy';
import type { Addon, Pod, PodIdentityAssociation, Role, Snapshot } from '../model/snapshot';
import { isKnown, isUnknown } from '../model/unknown';
import { fileSystemArn } from '../policy/arn';
import {
  decideClientAccess,
  decideTrust,
  mountContext,
  podIdentityContext,
  webIdentityContext,
  type NamedPolicy,
} from '../policy/decisions';
import { evaluatePolicy, type ContextValue, type RequestPrincipal } from '../policy/evaluate';
import {
  allowStatementSid,
  clientActions,
  fileSystemAllowStatement,
  irsaTrustPolicy,
  nodePermissionsPolicy,
  podIdentityTrustPolicy,
  type JsonPolicy,
  type JsonStatement,
} from '../policy/generate';
import { normalizePolicy } from '../policy/normalize';
import { S3FILES_MANAGED_POLICIES, s3FilesVolumes } from '../rules/s3files-support';
import { NodeIdentityView } from '../rules/view';
import { mergeAllowStatement, PolicyMergeError } from './merge';
import { fileSystemPolicyKey, type PolicyTexts } from './raw';
import { nodeRoleName, OWNERSHIP_TAG, type DesiredSpec } from './spec';
import {
  EXTERNAL_ID_PLACEHOLDER,
  policyText,
  type AddonAssociation,
  type Plan,
  type Refusal,
  type Step,
} from './steps';

/**
 * The planner: desired spec vs a live Snapshot → ordered steps. Pure (no I/O). Whatever the evaluator says is already
 * right produces no step, so a converged snapshot plans nothing and `apply` twice in a row is a no-op the second time.
 */

export interface PlanOptions {
  /** Introduce a first file system policy even though volumes mount without `iam` (they lose access). */
  force?: boolean;
  /** Policy texts as stored (see recordingIamPort / recordingEfsPort); a merge needs the exact text. */
  texts?: Partial<PolicyTexts>;
}

const EFS_ADDON = 'aws-efs-csi-driver';
const NODE_DAEMONSET = 'efs-csi-node';
const NODE_CONTAINER = 'efs-plugin';
const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';
const PODS_SERVICE = 'pods.eks.amazonaws.com';
/** IAM's largest trust policy (the default quota is 2,048; IAM itself refuses above the account's quota). */
const MAX_TRUST_POLICY_LENGTH = 4096;
const POD_IDENTITY_ENV = ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE'];
const TLS_WARNING =
  'a rollout restart replaces the efs-csi-node pod of each node in turn: TLS mounts on that node (their stunnel / ' +
  'efs-proxy runs in the pod) stall until the new pod is ready; workloads see I/O hang, not fail, for that time';

/** Inline policy names: one per file system, so two specs adding different file systems never write one document. */
export function clientPolicyName(fileSystemId: string): string {
  return `efs-node-identity-${fileSystemId}`;
}
export const ASSUME_TARGET_POLICY_NAME = 'efs-node-identity-assume-target';

/** Sid of the statement we merge into a target role's trust. */
export function targetTrustSid(cluster: string): string {
  return `${allowStatementSid(cluster)}-Chain`.replace(/-/g, '');
}

interface Ctx {
  spec: DesiredSpec;
  snapshot: Snapshot;
  options: PlanOptions;
  steps: Step[];
  refusals: Refusal[];
  notes: string[];
}

const isOwned = (role: Role) => role.tags?.[OWNERSHIP_TAG.key] === OWNERSHIP_TAG.value;

function identityPolicies(role: Role): NamedPolicy[] {
  return [...role.inlinePolicies, ...role.managedPolicies]
    .filter((p) => p.document !== undefined)
    .map((p) => ({ name: isKnown(p.name) ? p.name : 'policy', document: p.document as PolicyDocument }));
}

/** Do the role's identity policies allow every action on the resource (an Allow and no Deny)? */
function identityAllows(
  role: Role,
  actions: string[],
  resource: string,
  context: Record<string, ContextValue>,
): boolean {
  const principal: RequestPrincipal = { kind: 'aws', arn: String(role.arn) };
  const policies = identityPolicies(role);
  return actions.every((action) => {
    const outcomes = policies.map((p) =>
      evaluatePolicy(
        p.document,
        { principal, action, resource, context },
        { name: p.name, hasPrincipals: false },
      ),
    );
    return outcomes.some((o) => o.allows === true) && outcomes.every((o) => o.denies === false);
  });
}

function findRole(snapshot: Snapshot, arn: string): Role | undefined {
  return snapshot.roles.find((r) => r.arn === arn);
}

export function planSteps(spec: DesiredSpec, snapshot: Snapshot, options: PlanOptions = {}): Plan {
  const ctx: Ctx = { spec, snapshot, options, steps: [], refusals: [], notes: [] };
  const cluster = snapshot.clusters.find((c) => c.name === spec.cluster);
  if (!cluster || !isKnown(cluster.accountId) || !isKnown(cluster.arn)) {
    ctx.refusals.push({
      resource: `eks:${spec.region}:${spec.cluster}`,
      reason: `the cluster ${spec.cluster} is not in the live state read (or its account is unknown): nothing can be planned`,
    });
    return { steps: [], refusals: ctx.refusals, notes: [] };
  }
  const account = cluster.accountId;
  const clusterArn = cluster.arn;
  const partition = clusterArn.split(':')[1] ?? 'aws';
  const roleName = nodeRoleName(spec);
  const roleArn = `arn:${partition}:iam::${account}:role/${roleName}`;
  const sa = spec.nodeServiceAccount;
  const target = spec.targetRoleArn;
  /** Whose credentials the node pods end up with: the target role when Pod Identity chains into one. */
  const mountPrincipal = target ?? roleArn;

  const fileSystems = spec.fileSystems.map((f) => {
    // Without an account in the spec, the file system is wherever the collector found that ID (IDs are unique).
    const found = snapshot.fileSystems.find(
      (x) => x.id === f.id && x.type === f.type && isKnown(x.accountId),
    );
    const owner = f.accountId ?? (found && isKnown(found.accountId) ? found.accountId : account);
    // S3 Files: the linked bucket from the spec, else the one the collector read with the file system.
    const liveS3 =
      f.type === 's3files'
        ? snapshot.fileSystems.find((x) => x.id === f.id && x.type === 's3files')
        : undefined;
    const bucket = f.bucket ?? (liveS3 && isKnown(liveS3.bucket) ? liveS3.bucket : undefined);
    const prefix = f.prefix ?? (liveS3 && isKnown(liveS3.bucketPrefix) ? liveS3.bucketPrefix : undefined);
    return {
      ...f,
      ...(bucket ? { bucket } : {}),
      ...(prefix ? { prefix } : {}),
      owner,
      arn: fileSystemArn(f.type, f.region ?? spec.region, owner, f.id),
    };
  });
  // A file system whose account is neither given nor found has no ARN we could grant on: its refusal says why.
  const grantable = fileSystems.filter(
    (f) => f.accountId !== undefined || snapshot.fileSystems.some((x) => x.id === f.id && x.type === f.type),
  );
  const view = new NodeIdentityView(snapshot, defaultConfig());

  // ---- 1. The node role: trust and identity policies (never on a role we do not own unless adopt). ----
  let oidcProviderArn: string | undefined;
  let issuerHost: string | undefined;
  if (spec.mode === 'irsa') {
    issuerHost = isKnown(cluster.oidcIssuer) ? cluster.oidcIssuer.replace(/^https:\/\//, '') : undefined;
    oidcProviderArn = issuerHost ? `arn:${partition}:iam::${account}:oidc-provider/${issuerHost}` : undefined;
    if (!oidcProviderArn || !snapshot.oidcProviders.some((p) => p.arn === oidcProviderArn)) {
      ctx.refusals.push({
        resource: oidcProviderArn ?? clusterArn,
        reason:
          "IRSA needs the IAM OIDC provider of the cluster's issuer (IR-01), and it does not exist: create it (eksctl utils associate-iam-oidc-provider) or use mode pod-identity",
      });
      return { steps: [], refusals: ctx.refusals, notes: ctx.notes };
    }
  }
  const desiredTrust: JsonPolicy =
    spec.mode === 'pod-identity'
      ? podIdentityTrustPolicy({ accountId: account, clusterArn })
      : irsaTrustPolicy({
          oidcProviderArn: oidcProviderArn!,
          namespace: sa.namespace,
          serviceAccount: sa.name,
        });
  const trustPrincipal: RequestPrincipal =
    spec.mode === 'pod-identity'
      ? { kind: 'service', service: PODS_SERVICE }
      : { kind: 'federated', provider: oidcProviderArn! };
  const trustActions =
    spec.mode === 'pod-identity' ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRoleWithWebIdentity'];
  const trustContext =
    spec.mode === 'pod-identity'
      ? podIdentityContext({
          clusterName: spec.cluster,
          clusterArn,
          namespace: sa.namespace,
          serviceAccount: sa.name,
          accountId: account,
          sessionTags: !spec.disableSessionTags,
        })
      : webIdentityContext(issuerHost!, sa.namespace, sa.name);

  /** The node role's inline policies: client access per file system, or (chained) the right to assume the target. */
  const nodePolicies: Array<{ name: string; policy: JsonPolicy; ok: (role: Role) => boolean; why?: string }> =
    target
      ? [
          {
            name: ASSUME_TARGET_POLICY_NAME,
            policy: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'AssumeTargetRole',
                  Effect: 'Allow',
                  Action: ['sts:AssumeRole', 'sts:TagSession'],
                  Resource: target,
                },
              ],
            },
            ok: (role) => identityAllows(role, ['sts:AssumeRole', 'sts:TagSession'], target, {}),
          },
        ]
      : grantable.map((f) => clientPolicy(f, roleArn));

  const foundRole = findRole(snapshot, roleArn);
  // S3 Files: the broad managed policies the driver docs attach give way to the scoped inline ones. The role is
  // judged without them, so the inline policy is put first and the detach steps follow it.
  const detach =
    foundRole && !target
      ? broadS3ManagedPolicies(
          ctx,
          view,
          foundRole,
          grantable.filter((f) => f.type === 's3files'),
        )
      : [];
  const role =
    foundRole && detach.length > 0
      ? {
          ...foundRole,
          managedPolicies: foundRole.managedPolicies.filter((p) => !detach.some((d) => d.arn === p.arn)),
        }
      : foundRole;
  planRole(ctx, {
    roleArn,
    roleName,
    role,
    detach,
    create: {
      trust: desiredTrust,
      description: `EFS CSI node identity of ${spec.cluster} (${spec.mode}), created by efs-node-identity`,
    },
    trustOk: (r) =>
      r.trustPolicy !== undefined &&
      decideTrust({
        trustPolicy: r.trustPolicy,
        principal: trustPrincipal,
        actions: trustActions,
        context: trustContext,
      }).decision === 'allow',
    policies: nodePolicies,
  });

  // The target role (file system account): its client permissions, when we can read it.
  const targetRole = target ? findRole(snapshot, target) : undefined;
  if (target && targetRole) {
    planRole(ctx, {
      roleArn: target,
      roleName: target.split('/').pop()!,
      role: targetRole,
      policies: grantable.map((f) => clientPolicy(f, target)),
    });
  } else if (target) {
    ctx.notes.push(
      `the target role ${target} was not read (its account's credentials were not given): its client permissions are not checked, and its trust is merged by the executor from the text it reads then`,
    );
  }

  // ---- 2. File system policies: our Allow merged by Sid. ----
  for (const f of fileSystems) planFileSystem(ctx, view, f, mountPrincipal);

  // ---- 3. The binding of the node SA: association (add-on or API) or IRSA annotation. ----
  const nodeAssociations = snapshot.podIdentityAssociations.filter(
    (a) =>
      a.namespace === sa.namespace &&
      a.serviceAccount === sa.name &&
      (a.cluster === undefined || a.cluster === spec.cluster),
  );
  const addon = snapshot.addons.find(
    (a) => a.name === EFS_ADDON && (a.cluster === undefined || a.cluster === spec.cluster),
  );
  let bindingChanged: boolean;
  let externalId: { value: string; known: boolean } = { value: EXTERNAL_ID_PLACEHOLDER, known: false };
  if (spec.mode === 'pod-identity') {
    const sessionNeeds = grantable.map((f) => ({
      id: f.id,
      arn: f.arn,
      access: f.access,
      actions: clientActions(f.access, f.type === 's3files' ? 's3files' : 'elasticfilesystem'),
    }));
    const r = planAssociation(ctx, {
      addon,
      nodeAssociations,
      roleArn,
      clusterArn,
      session: { principalArn: mountPrincipal, needs: sessionNeeds },
    });
    bindingChanged = r.changed;
    if (r.externalId) externalId = { value: r.externalId, known: true };
    const saObject = snapshot.serviceAccounts.find((s) => s.namespace === sa.namespace && s.name === sa.name);
    if (saObject?.annotations[IRSA_ANNOTATION] !== undefined) {
      ctx.notes.push(
        `${sa.namespace}/${sa.name} also carries the IRSA annotation ${IRSA_ANNOTATION}: Pod Identity wins (PI-10); remove the annotation when the Pod Identity setup is verified`,
      );
    }
  } else {
    bindingChanged = planIrsa(ctx, { addon, nodeAssociations, roleArn, clusterArn });
  }

  // ---- 4. Cross-account target trust: after the association, whose externalId it names. ----
  if (target) planTargetTrust(ctx, { target, targetRole, roleArn, externalId, clusterArn, account });

  // ---- 5. Restart the node pods when they cannot have the new credentials env. ----
  planRestart(ctx, { bindingChanged, nodeAssociations, roleArn });

  if (ctx.steps.length > 0) {
    ctx.steps.push({
      kind: 'verify',
      cluster: spec.cluster,
      region: spec.region,
      title: `Verify ${spec.cluster}: re-read the live state and run every rule`,
      resource: clusterArn,
      reason: 'the plan is only done when verify is clean and a second plan is empty',
    });
  }
  return { steps: ctx.steps, refusals: ctx.refusals, notes: ctx.notes };
}

function clientPolicy(
  f: {
    id: string;
    arn: string;
    access: 'read' | 'write' | 'root';
    type: 'efs' | 's3files';
    bucket?: string;
    prefix?: string;
  },
  principalArn: string,
): { name: string; policy: JsonPolicy; ok: (role: Role) => boolean; why?: string } {
  const service = f.type === 's3files' ? 's3files' : 'elasticfilesystem';
  // S3 Files with a known linked bucket: the direct reads too (scoped replacement of AmazonS3ReadOnlyAccess).
  const linked =
    f.type === 's3files' && f.bucket ? [{ bucket: f.bucket, ...(f.prefix ? { prefix: f.prefix } : {}) }] : [];
  const policy = nodePermissionsPolicy({ fileSystemArns: [f.arn], access: f.access, linkedBuckets: linked });
  const context = mountContext({ tls: true, iam: true }, { arn: principalArn });
  const reads = policy.Statement.filter(
    (s) => s.Sid === 'S3FilesDirectRead' || s.Sid === 'S3FilesDirectReadList',
  );
  return {
    name: clientPolicyName(f.id),
    policy,
    ...(f.type === 's3files'
      ? {
          why: `the role's own policies (the broad AWS managed ones left aside) do not allow the S3 Files client actions on ${f.id}${reads.length > 0 ? ' and the direct reads from its linked bucket' : ''} (S3F-01, S3F-03)`,
        }
      : {}),
    ok: (role) =>
      identityAllows(role, clientActions(f.access, service), f.arn, context) &&
      // Each read statement's own resource, with a sample key under an object pattern (`<bucket>/<prefix>*`).
      reads.every((s) =>
        (Array.isArray(s.Resource) ? s.Resource : [s.Resource ?? '']).every((resource) =>
          identityAllows(
            role,
            Array.isArray(s.Action) ? s.Action : [s.Action],
            resource.endsWith('*') ? `${resource.slice(0, -1)}efs-node-identity-sample-object` : resource,
            context,
          ),
        ),
      ),
  };
}

function planRole(
  ctx: Ctx,
  input: {
    roleArn: string;
    roleName: string;
    role: Role | undefined;
    create?: { trust: JsonPolicy; description: string };
    trustOk?: (role: Role) => boolean;
    policies: Array<{ name: string; policy: JsonPolicy; ok: (role: Role) => boolean; why?: string }>;
    /** Managed policies to detach after the inline ones are in place (broadS3ManagedPolicies). */
    detach?: BroadPolicy[];
  },
): void {
  const { spec, options } = ctx;
  const { roleArn, roleName, role } = input;
  const putPolicy = (name: string, policy: JsonPolicy, reason: string): Step => ({
    kind: 'put-role-policy',
    roleName,
    roleArn,
    policyName: name,
    policy,
    title: `Put inline policy ${name} on role ${roleName}`,
    resource: roleArn,
    reason,
    diff: {
      before: options.texts?.rolePolicies?.get(`${roleName}/${name}`) ?? null,
      after: policyText(policy),
    },
  });
  if (!role) {
    if (!input.create) return;
    const tags = { ...spec.tags, [OWNERSHIP_TAG.key]: OWNERSHIP_TAG.value };
    ctx.steps.push({
      kind: 'create-role',
      roleName,
      roleArn,
      trustPolicy: input.create.trust,
      tags,
      description: input.create.description,
      title: `Create role ${roleName} (tagged ${OWNERSHIP_TAG.key}=${OWNERSHIP_TAG.value})`,
      resource: roleArn,
      reason: `the role ${roleName} does not exist`,
      diff: { before: null, after: policyText(input.create.trust) },
      warnings: [
        'IAM is eventually consistent: a new role may not be assumable for a few seconds; later steps retry with backoff',
      ],
    });
    for (const p of input.policies)
      ctx.steps.push(putPolicy(p.name, p.policy, `the new role needs ${p.name}`));
    return;
  }
  const changes: Step[] = [];
  if (input.create && input.trustOk && !input.trustOk(role)) {
    const before = ctx.options.texts?.trustPolicies?.get(roleArn);
    changes.push({
      kind: 'update-trust',
      roleName,
      roleArn,
      trustPolicy: input.create.trust,
      title: `Replace the trust policy of role ${roleName}`,
      resource: roleArn,
      reason:
        spec.mode === 'pod-identity'
          ? `the trust does not let ${PODS_SERVICE} sts:AssumeRole and sts:TagSession for ${spec.nodeServiceAccount.namespace}/${spec.nodeServiceAccount.name} (PI-04/PI-05)`
          : `the trust does not let the cluster's OIDC provider assume the role for system:serviceaccount:${spec.nodeServiceAccount.namespace}:${spec.nodeServiceAccount.name} (IR-03)`,
      diff: { before: before ?? null, after: policyText(input.create.trust) },
    });
  }
  for (const p of input.policies) {
    if (!p.ok(role)) {
      changes.push(
        putPolicy(
          p.name,
          p.policy,
          p.why ?? `the role's identity policies do not allow what ${p.name} grants (NI-01/PI-11)`,
        ),
      );
    }
  }
  for (const d of input.detach ?? []) {
    changes.push({
      kind: 'detach-role-policy',
      roleName,
      roleArn,
      policyArn: d.arn,
      title: `Detach the AWS managed policy ${d.name} from role ${roleName}`,
      resource: roleArn,
      reason: d.reason,
      diff: { before: d.arn, after: null },
    });
  }
  const owned = isOwned(role);
  const missingTags = Object.entries(spec.tags).filter(([k, v]) => role.tags?.[k] !== v);
  if (changes.length > 0 && !owned && !spec.adopt) {
    ctx.refusals.push({
      resource: roleArn,
      reason:
        `the role ${roleName} exists without the ownership tag ${OWNERSHIP_TAG.key}=${OWNERSHIP_TAG.value}: it was not created by ` +
        `this tool, so it is not modified (needed: ${changes.map((c) => c.title.toLowerCase()).join('; ')}). ` +
        'Pass --adopt (spec adopt: true) to take it over, or choose another --role-name',
    });
    return;
  }
  if ((changes.length > 0 && !owned) || (owned && missingTags.length > 0)) {
    const tags: Record<string, string> = Object.fromEntries(missingTags);
    if (!owned) tags[OWNERSHIP_TAG.key] = OWNERSHIP_TAG.value;
    ctx.steps.push({
      kind: 'tag-role',
      roleName,
      roleArn,
      tags,
      title: owned ? `Tag role ${roleName}` : `Adopt role ${roleName}: add the ownership tag`,
      resource: roleArn,
      reason: owned
        ? "the spec's tags are missing"
        : 'adopt: the role was not created by this tool; tagged so later runs may modify it without --adopt',
      diff: { before: JSON.stringify(role.tags ?? {}), after: JSON.stringify({ ...role.tags, ...tags }) },
    });
  }
  ctx.steps.push(...changes);
}

/** A managed policy the plan detaches, and why. */
interface BroadPolicy {
  arn: string;
  name: string;
  reason: string;
}

/**
 * The AWS managed policies for S3 reads (the direct reads from the linked bucket); the other S3FILES_MANAGED_POLICIES
 * are the S3 Files client policies.
 */
const S3_READ_MANAGED = ['AmazonS3ReadOnlyAccess', 'AmazonS3FullAccess'];

/**
 * The broad managed policies on the node role that the plan's scoped S3 Files policies replace (S3F-02):
 * AmazonS3FilesClient*Access when every S3 Files volume of the cluster is on a file system of the spec (the others
 * would lose their mount), AmazonS3ReadOnlyAccess / AmazonS3FullAccess when, besides, the linked bucket of every such
 * file system is known (the direct reads are then granted on it). Whatever is kept is said in a note.
 */
function broadS3ManagedPolicies(
  ctx: Ctx,
  view: NodeIdentityView,
  role: Role,
  specs: Array<{ id: string; bucket?: string }>,
): BroadPolicy[] {
  if (specs.length === 0) return [];
  const attached = role.managedPolicies.flatMap((p) => {
    const name = isKnown(p.arn)
      ? /^arn:aws[\w-]*:iam::aws:policy\/([\w+=,.@-]+)$/.exec(p.arn)?.[1]
      : undefined;
    return name && name in S3FILES_MANAGED_POLICIES ? [{ arn: p.arn as string, name }] : [];
  });
  if (attached.length === 0) return [];
  const roleName = isKnown(role.name) ? role.name : String(role.arn);
  const ids = specs.map((f) => f.id);
  const outside = s3FilesVolumes(view).filter(
    (v) => !isKnown(v.fileSystemId) || !ids.includes(v.fileSystemId),
  );
  if (outside.length > 0) {
    ctx.notes.push(
      `${attached.map((a) => a.name).join(' and ')} stay${attached.length === 1 ? 's' : ''} on ${roleName}: ${outside.map((v) => v.resource).join(', ')} mount${outside.length === 1 ? 's' : ''} S3 file systems the spec does not name, which would lose access (add them with --file-system s3files:fs-…)`,
    );
    return [];
  }
  const unknownBucket = specs.filter((f) => !f.bucket).map((f) => f.id);
  const out: BroadPolicy[] = [];
  for (const a of attached) {
    const read = S3_READ_MANAGED.includes(a.name);
    if (read && unknownBucket.length > 0) {
      ctx.notes.push(
        `${a.name} stays on ${roleName}: the linked bucket of ${unknownBucket.join(', ')} is not known, so the direct reads cannot be scoped to it (give bucket in the spec)`,
      );
      continue;
    }
    out.push({
      arn: a.arn,
      name: a.name,
      reason: read
        ? `it lets the node role read every object of every bucket the account can read (S3F-02); the inline policies of this plan grant s3:GetObject and s3:ListBucket on the linked bucket${specs.length === 1 ? '' : 's'} of ${ids.join(', ')} only`
        : `it lets the node role mount every S3 file system of the account (S3F-02); the inline policies of this plan grant the client actions on ${ids.join(', ')} only`,
    });
  }
  // The client policies first: a stop between two steps then leaves the reads, never the other way round.
  return out.sort(
    (x, y) => Number(S3_READ_MANAGED.includes(x.name)) - Number(S3_READ_MANAGED.includes(y.name)),
  );
}

function planFileSystem(
  ctx: Ctx,
  view: NodeIdentityView,
  f: { id: string; arn: string; owner: string; access: 'read' | 'write' | 'root'; type: 'efs' | 's3files' },
  principalArn: string,
): void {
  const { spec, snapshot, options } = ctx;
  // The same ID in another account is another file system.
  const live = snapshot.fileSystems.find(
    (x) => x.id === f.id && x.type === f.type && (!isKnown(x.accountId) || x.accountId === f.owner),
  );
  if (!live || live.policy === undefined) {
    ctx.refusals.push({
      resource: f.arn,
      reason: `the file system ${f.id} was not found in the live state read${f.owner !== snapshot.clusters[0]?.accountId ? ` (it belongs to account ${f.owner}: give that account's credentials)` : ''}`,
    });
    return;
  }
  const arn = isKnown(live.arn) ? live.arn : f.arn;
  const service = f.type === 's3files' ? 's3files' : 'elasticfilesystem';
  const statement = fileSystemAllowStatement({
    cluster: spec.cluster,
    roleArn: principalArn,
    fileSystemArn: arn,
    access: f.access,
  });
  const principal: RequestPrincipal = { kind: 'aws', arn: principalArn };
  const s3files = f.type === 's3files';
  if (s3files && live.policy !== null && live.policy.problems.length === 0) {
    // S3 Files allows a mount that either policy allows (S3 User Guide, "How S3 Files works with IAM"), so the
    // identity policy alone would do; our statement is still merged, as for EFS, so the grant is visible on the file
    // system itself and survives a change to the role's policies. Only an explicit Allow of the principal in the
    // file system policy counts here; a Deny there cannot be outweighed by any Allow.
    const outcomes = clientActions(f.access, 's3files').map((action) =>
      evaluatePolicy(
        live.policy as PolicyDocument,
        {
          principal,
          action,
          resource: arn,
          context: mountContext({ tls: true, iam: true }, { arn: principalArn }),
        },
        { name: 'file system policy', hasPrincipals: true },
      ),
    );
    if (outcomes.some((o) => o.denies === true)) {
      ctx.refusals.push({
        resource: arn,
        reason: `the policy of the S3 file system ${f.id} explicitly denies ${principalArn} ${clientActions(f.access, 's3files').join(', ')}: an Allow merged beside it would not help (explicit Deny wins); change that Deny first`,
      });
      return;
    }
    if (outcomes.every((o) => o.allows === true)) return;
  } else if (!s3files && live.policy !== null && live.policy.problems.length === 0) {
    // The identity side is what we grant (or already granted): only the file system policy is in question here.
    const desiredIdentity = normalizePolicy(
      nodePermissionsPolicy({ fileSystemArns: [arn], access: f.access }),
      {
        kind: 'aws',
        arn: principalArn,
      },
    );
    const decisions = clientActions(f.access, service).map(
      (action) =>
        decideClientAccess({
          principal,
          action,
          fileSystemArn: arn,
          identityPolicies: [{ name: 'planned identity policy', document: desiredIdentity }],
          fileSystemPolicy: live.policy as PolicyDocument,
          context: mountContext({ tls: true, iam: true }, { arn: principalArn }),
          semantics: 'strict',
        }).decision,
    );
    if (decisions.every((d) => d === 'allow')) return;
    if (decisions.includes('explicitDeny')) {
      ctx.refusals.push({
        resource: arn,
        reason: `the policy of ${f.id} explicitly denies ${principalArn} a TLS + iam mount through a mount target: an Allow merged beside it would not help (explicit Deny wins); change that Deny first`,
      });
      return;
    }
  }
  const first = live.policy === null;
  const warnings: string[] = [];
  const previous = live.policy?.statements.find((st) => st.sid === statement.Sid);
  const previousPrincipals = (previous?.principal?.AWS ?? []).filter(isKnown);
  if (previousPrincipals.some((p) => p !== principalArn)) {
    warnings.push(
      `our statement named ${previousPrincipals.join(', ')}: from this step on, mounts by that principal are no longer allowed by it (with a target role, until the association chains to it)`,
    );
  }
  if (first && s3files) {
    warnings.push(
      'this is the first policy of the S3 file system; it holds only this Allow, which restricts no other client (S3 Files allows a mount that either the identity policy or the file system policy allows)',
    );
  } else if (first) {
    const anonymous = view.volumes.filter((v) => v.fileSystemId === f.id && !v.iam);
    if (anonymous.length > 0) {
      const names = anonymous.map((v) => v.resource).join(', ');
      if (!options.force) {
        ctx.refusals.push({
          resource: arn,
          reason:
            `${f.id} has no file system policy, and ${names} mount${anonymous.length === 1 ? 's' : ''} it without the iam option: ` +
            'with a first policy, EFS denies every client it does not allow, so those anonymous mounts would be cut off (FS-03). ' +
            'Add iam to their mount options first, or pass --force',
        });
        return;
      }
      warnings.push(`--force: ${names} mount without iam and lose access when this first policy is written`);
    }
    warnings.push(
      'this is the first policy of the file system: from now on only the clients it allows can mount (anonymous mounts are denied)',
    );
  }
  const before = first ? null : options.texts?.fileSystemPolicies?.get(fileSystemPolicyKey(f.type, f.id));
  if (before === undefined) {
    ctx.refusals.push({
      resource: arn,
      reason: `the policy text of ${f.id} was not read as stored, so it cannot be merged without risking the other statements`,
    });
    return;
  }
  let merged;
  try {
    merged = mergeAllowStatement(before, statement);
  } catch (error) {
    if (!(error instanceof PolicyMergeError)) throw error;
    ctx.refusals.push({ resource: arn, reason: `${f.id}: ${error.message}` });
    return;
  }
  if (merged.action === 'unchanged') {
    ctx.notes.push(
      `${f.id}: our statement ${statement.Sid} is already in its policy, yet the evaluator does not find the access allowed: check the other statements (verify says which)`,
    );
    return;
  }
  ctx.steps.push({
    kind: 'merge-file-system-policy',
    fileSystemId: f.id,
    fileSystemArn: arn,
    accountId: f.owner,
    sid: statement.Sid!,
    statement,
    firstPolicy: first,
    ...(s3files ? { fileSystemType: 's3files' as const } : {}),
    title: `${first ? 'Create' : 'Merge'} the policy of ${s3files ? 'the S3 file system ' : ''}${f.id}: ${merged.action === 'replaced' ? 'replace' : 'add'} statement ${statement.Sid} allowing ${principalArn}`,
    resource: arn,
    reason: s3files
      ? first
        ? `the S3 file system ${f.id} has no policy: our Allow puts the grant of ${principalArn} on the file system itself (S3F-01)`
        : `the policy of the S3 file system ${f.id} does not allow ${principalArn} ${clientActions(f.access, 's3files').join(', ')}: our Allow puts the grant on the file system itself (S3F-01); every other statement is kept as it is`
      : first
        ? `${f.id} has no file system policy (FS-01)`
        : `the policy of ${f.id} does not explicitly allow ${principalArn} ${clientActions(f.access, service).join(', ')} (FS-02/XA-05); every other statement is kept as it is`,
    diff: { before, after: merged.text },
    ...(warnings.length > 0 ? { warnings } : {}),
  });
}

function addonList(addon: Addon): AddonAssociation[] | undefined {
  const list: AddonAssociation[] = [];
  for (const a of addon.podIdentityAssociations ?? []) {
    if (!isKnown(a.serviceAccount) || !isKnown(a.roleArn)) return undefined;
    list.push({ serviceAccount: a.serviceAccount, roleArn: a.roleArn });
  }
  return list;
}

/**
 * UpdateAddon replaces every association the add-on owns with the list it is sent (EKS user guide, add-ons-iam), so
 * the step always carries the full list: what the add-on owns today, with only the node SA's entry changed.
 */
function addonStep(
  ctx: Ctx,
  addon: Addon,
  clusterArn: string,
  change: (list: AddonAssociation[]) => AddonAssociation[],
  reason: string,
): boolean {
  const current = addonList(addon);
  const name = String(addon.name);
  const resource = addon.origin.kind === 'aws' ? addon.origin.arn : clusterArn;
  if (!current) {
    ctx.refusals.push({
      resource,
      reason: `the associations the add-on ${name} owns are not all known, so the full list UpdateAddon needs cannot be built (a partial list would delete the others)`,
    });
    return false;
  }
  const next = change(current);
  const dropped = current.filter((c) => !next.some((n) => n.serviceAccount === c.serviceAccount));
  ctx.steps.push({
    kind: 'update-addon-associations',
    cluster: ctx.spec.cluster,
    addonName: name,
    currentAssociations: current,
    associations: next,
    title: `Update add-on ${name}: podIdentityAssociations = the full list (${next.map((n) => n.serviceAccount).join(', ') || 'none'})`,
    resource,
    reason,
    diff: { before: policyText(current), after: policyText(next) },
    warnings: [
      'UpdateAddon replaces every association the add-on owns with this list: it is the complete list, the others are carried over' +
        (dropped.length > 0
          ? `; removed on purpose: ${dropped.map((d) => d.serviceAccount).join(', ')}`
          : ''),
    ],
  });
  return true;
}

function describe(a: PodIdentityAssociation): string {
  return `${String(a.associationId ?? '?')} (${String(a.namespace)}/${String(a.serviceAccount)} → ${String(a.roleArn)})`;
}

function planAssociation(
  ctx: Ctx,
  input: {
    addon: Addon | undefined;
    nodeAssociations: PodIdentityAssociation[];
    roleArn: string;
    clusterArn: string;
    /** What the node's credentials must be allowed (a session policy on the kept association may narrow it). */
    session: SessionNeeds;
  },
): { changed: boolean; externalId?: string } {
  const { spec } = ctx;
  const { addon, nodeAssociations, roleArn, clusterArn } = input;
  const sa = spec.nodeServiceAccount;
  const owned = nodeAssociations.filter((a) => a.ownerAddon !== undefined);
  const manual = nodeAssociations.filter((a) => a.ownerAddon === undefined);
  const capable = addon?.podIdentityCapableServiceAccounts?.includes(sa.name) ?? false;
  const apiOnly = spec.targetRoleArn !== undefined || spec.disableSessionTags;
  const associationArn = (a: PodIdentityAssociation) => (a.origin.kind === 'aws' ? a.origin.arn : clusterArn);
  const deleteStep = (a: PodIdentityAssociation, reason: string, warnings: string[] = []): Step => {
    const all = a.sessionPolicy
      ? [
          ...warnings,
          `${describe(a)} has a session policy that narrows the node's credentials; the association that replaces it has none (the add-on's podIdentityAssociations cannot carry one): the node gets every permission of its role`,
        ]
      : warnings;
    return {
      kind: 'delete-pod-identity-association',
      cluster: spec.cluster,
      associationId: String(a.associationId),
      namespace: sa.namespace,
      serviceAccount: sa.name,
      ...(isKnown(a.roleArn) ? { roleArn: a.roleArn } : {}),
      title: `Delete the manual Pod Identity association ${describe(a)}`,
      resource: associationArn(a),
      reason,
      diff: { before: policyText(associationView(a, ctx.options.texts)), after: null },
      ...(all.length > 0 ? { warnings: all } : {}),
    };
  };
  const unknownIds = manual.filter((a) => a.associationId === undefined);
  if (unknownIds.length > 0) {
    ctx.refusals.push({ resource: clusterArn, reason: 'an association of the node SA has no known ID' });
    return { changed: false };
  }

  if (addon && capable && !apiOnly) {
    // The add-on path: the add-on owns the node SA's association.
    const good = owned.length === 1 && owned[0]!.roleArn === roleArn && manual.length === 0;
    if (good) return { changed: false };
    for (const m of manual) {
      ctx.steps.push(
        deleteStep(
          m,
          `migration to the add-on, said so: ${String(addon.name)} ${String(addon.version)} can own ${sa.name} (DescribeAddonConfiguration), and EKS allows one association per service account, so the manual one goes before the add-on's is created`,
          [
            'between this step and the UpdateAddon the node SA has no association: pods started in between get no Pod Identity env (the restart below comes after both)',
          ],
        ),
      );
    }
    if (!(owned.length === 1 && owned[0]!.roleArn === roleArn)) {
      addonStep(
        ctx,
        addon,
        clusterArn,
        (list) => [...list.filter((e) => e.serviceAccount !== sa.name), { serviceAccount: sa.name, roleArn }],
        owned.length === 0
          ? `the add-on does not own an association for ${sa.name} with ${roleArn}`
          : `the add-on's association for ${sa.name} names ${String(owned[0]!.roleArn)}, not ${roleArn}`,
      );
    }
    return { changed: true };
  }

  // The association API: no add-on, an add-on that cannot own the node SA, or targetRoleArn / disableSessionTags.
  if (addon && !capable) {
    ctx.notes.push(
      `the add-on ${String(addon.name)} ${String(addon.version)} cannot own an association for ${sa.name} (DescribeAddonConfiguration does not list it): the association is made with the Pod Identity API; re-verify after every add-on update (AD-04)`,
    );
  } else if (addon && apiOnly) {
    ctx.notes.push(
      `${spec.targetRoleArn ? 'targetRoleArn' : 'disableSessionTags'} exists only on the Pod Identity association API, not on the add-on's podIdentityAssociations: the node SA's association is made with the API`,
    );
  }
  let changed = false;
  if (addon && owned.length > 0) {
    if (
      !addonStep(
        ctx,
        addon,
        clusterArn,
        (list) => list.filter((e) => e.serviceAccount !== sa.name),
        `migration from the add-on to the association API, said so: the add-on's association for ${sa.name} is removed from its list so the API can create one`,
      )
    ) {
      return { changed: false };
    }
    changed = true;
  }
  const desired = {
    roleArn,
    ...(spec.targetRoleArn ? { targetRoleArn: spec.targetRoleArn } : {}),
    disableSessionTags: spec.disableSessionTags,
  };
  const [keep, ...extra] = owned.length > 0 && changed ? [] : manual;
  for (const e of extra) {
    ctx.steps.push(deleteStep(e, `one association per service account (PI-02): ${describe(e)} is an extra`));
    changed = true;
  }
  if (!keep) {
    ctx.steps.push({
      kind: 'create-pod-identity-association',
      cluster: spec.cluster,
      namespace: sa.namespace,
      serviceAccount: sa.name,
      ...desired,
      tags: { ...spec.tags, [OWNERSHIP_TAG.key]: OWNERSHIP_TAG.value },
      title: `Create the Pod Identity association ${sa.namespace}/${sa.name} → ${roleArn}${spec.targetRoleArn ? ` (target ${spec.targetRoleArn})` : ''}`,
      resource: clusterArn,
      reason: `no association binds ${sa.namespace}/${sa.name} to ${roleArn} (PI-02)`,
      diff: {
        before: null,
        after: policyText({ namespace: sa.namespace, serviceAccount: sa.name, ...desired }),
      },
    });
    return { changed: true };
  }
  const current = {
    roleArn: keep.roleArn,
    ...(keep.targetRoleArn !== undefined ? { targetRoleArn: keep.targetRoleArn } : {}),
    disableSessionTags: keep.disableSessionTags === true,
  };
  const session = sessionPolicyMerge(ctx, keep, input.session, associationArn(keep));
  if (session === 'refused') return { changed };
  const bindingDiffers = JSON.stringify(current) !== JSON.stringify(desired);
  if (bindingDiffers || session) {
    const withPolicy = (view: object, text: string | null | undefined) =>
      text ? { ...view, policy: JSON.parse(text) as unknown } : view;
    ctx.steps.push({
      kind: 'update-pod-identity-association',
      cluster: spec.cluster,
      associationId: String(keep.associationId),
      ...desired,
      ...(session ? { sessionStatements: session.statements } : {}),
      title: `Update the Pod Identity association ${describe(keep)}${session ? (bindingDiffers ? ' and merge into its session policy' : ': merge into its session policy') : ''}`,
      resource: associationArn(keep),
      reason: [
        ...(bindingDiffers ? ['its role, target role or session tags differ from the spec'] : []),
        ...(session ? [session.reason] : []),
      ].join('; '),
      diff: {
        before: policyText(withPolicy(current, session?.before)),
        after: policyText(withPolicy(desired, session?.after)),
      },
    });
    // A session policy change alone needs no new env either, but PI-07 cannot tell it from a role change (both
    // move the association's modifiedAt), and mounts keep the credentials they were made with: restart too.
    // A new target role means a new chain: the external ID is re-read after the update.
    return { changed: true };
  }
  return { changed, ...(keep.externalId ? { externalId: keep.externalId } : {}) };
}

interface SessionNeeds {
  /** Whose credentials mount: the association role, or the target role it chains into. */
  principalArn: string;
  needs: Array<{ id: string; arn: string; access: 'read' | 'write' | 'root'; actions: string[] }>;
}

/**
 * A session policy on the association caps what the node's credentials may do, whatever the roles and the file
 * system policies allow (IAM user guide, "Session policies"). When it leaves out what the spec grants, our
 * statements are merged into it by Sid, every other statement kept; an explicit Deny in it is not ours to undo.
 */
function sessionPolicyMerge(
  ctx: Ctx,
  keep: PodIdentityAssociation,
  session: SessionNeeds,
  resource: string,
): { statements: JsonStatement[]; before: string; after: string; reason: string } | 'refused' | undefined {
  const document = keep.sessionPolicy;
  if (!document) return undefined;
  const principal: RequestPrincipal = { kind: 'aws', arn: session.principalArn };
  const context = mountContext({ tls: true, iam: true }, { arn: session.principalArn });
  const missing: typeof session.needs = [];
  for (const need of session.needs) {
    const outcomes = need.actions.map((action) =>
      evaluatePolicy(
        document,
        { principal, action, resource: need.arn, context },
        { name: 'session policy', hasPrincipals: false },
      ),
    );
    if (outcomes.some((o) => o.denies !== false)) {
      ctx.refusals.push({
        resource,
        reason: `the session policy of ${describe(keep)} denies ${need.actions.join(', ')} on ${need.arn}${outcomes.some((o) => o.denies === 'unknown') ? ' (or may: a value in it is unknown)' : ''}: an Allow merged beside it would not help (explicit Deny wins); change that Deny first`,
      });
      return 'refused';
    }
    if (outcomes.some((o) => o.allows !== true)) missing.push(need);
  }
  if (missing.length === 0) return undefined;
  const before = ctx.options.texts?.associationPolicies?.get(String(keep.associationId));
  if (before === undefined || before === null) {
    ctx.refusals.push({
      resource,
      reason: `the session policy text of ${describe(keep)} was not read as stored, so it cannot be merged without risking its other statements`,
    });
    return 'refused';
  }
  const statements = missing.map((need) => ({
    ...nodePermissionsPolicy({ fileSystemArns: [need.arn], access: need.access }).Statement[0]!,
    Sid: sessionStatementSid(need.id),
  }));
  let text = before;
  try {
    // STS caps inline session policies far below a file system policy's 20,000 characters; EKS checks its own limit.
    for (const statement of statements) text = mergeAllowStatement(text, statement).text;
  } catch (error) {
    if (!(error instanceof PolicyMergeError)) throw error;
    ctx.refusals.push({ resource, reason: `the session policy of ${describe(keep)}: ${error.message}` });
    return 'refused';
  }
  return {
    statements,
    before,
    after: text,
    reason: `its session policy does not allow ${missing.map((n) => `${n.actions.join(', ')} on ${n.id}`).join('; ')} (NI-01): the node's credentials may do only what it allows`,
  };
}

/** The Sid of our statement in a session policy: one per file system, so access levels never mix. */
export function sessionStatementSid(fileSystemId: string): string {
  return `EfsNodeIdentity${fileSystemId.replace(/[^A-Za-z0-9]/g, '')}`;
}

function associationView(a: PodIdentityAssociation, texts?: Partial<PolicyTexts>): Record<string, unknown> {
  const policy = a.associationId !== undefined ? texts?.associationPolicies?.get(a.associationId) : undefined;
  return {
    namespace: a.namespace,
    serviceAccount: a.serviceAccount,
    roleArn: a.roleArn,
    ...(a.targetRoleArn !== undefined ? { targetRoleArn: a.targetRoleArn } : {}),
    disableSessionTags: a.disableSessionTags === true,
    ...(policy ? { policy: JSON.parse(policy) as unknown } : {}),
  };
}

function planIrsa(
  ctx: Ctx,
  input: {
    addon: Addon | undefined;
    nodeAssociations: PodIdentityAssociation[];
    roleArn: string;
    clusterArn: string;
  },
): boolean {
  const { spec, snapshot } = ctx;
  const sa = spec.nodeServiceAccount;
  let changed = false;
  // Pod Identity wins over IRSA for the same service account (PI-10): an association left in place would make the
  // annotation useless, so it is removed explicitly.
  const owned = input.nodeAssociations.filter((a) => a.ownerAddon !== undefined);
  const manual = input.nodeAssociations.filter((a) => a.ownerAddon === undefined);
  if (owned.length > 0 && input.addon) {
    changed =
      addonStep(
        ctx,
        input.addon,
        input.clusterArn,
        (list) => list.filter((e) => e.serviceAccount !== sa.name),
        `mode irsa: the add-on's Pod Identity association for ${sa.name} would win over the annotation (PI-10)`,
      ) || changed;
  }
  for (const m of manual) {
    ctx.steps.push({
      kind: 'delete-pod-identity-association',
      cluster: spec.cluster,
      associationId: String(m.associationId),
      namespace: sa.namespace,
      serviceAccount: sa.name,
      ...(isKnown(m.roleArn) ? { roleArn: m.roleArn } : {}),
      title: `Delete the Pod Identity association ${describe(m)}`,
      resource: m.origin.kind === 'aws' ? m.origin.arn : input.clusterArn,
      reason: `mode irsa: a Pod Identity association for ${sa.name} would win over the annotation (PI-10)`,
      diff: { before: policyText(associationView(m, ctx.options.texts)), after: null },
    });
    changed = true;
  }
  if (!snapshot.inputs.includes('K')) {
    ctx.refusals.push({
      resource: `ServiceAccount/${sa.namespace}/${sa.name}`,
      reason: 'mode irsa needs the Kubernetes API (the annotation lives on the ServiceAccount)',
    });
    return changed;
  }
  const saObject = snapshot.serviceAccounts.find((s) => s.namespace === sa.namespace && s.name === sa.name);
  if (!saObject) {
    ctx.refusals.push({
      resource: `ServiceAccount/${sa.namespace}/${sa.name}`,
      reason: 'the node ServiceAccount does not exist: install the EFS CSI driver first',
    });
    return changed;
  }
  const current = saObject.annotations[IRSA_ANNOTATION];
  if (current !== input.roleArn) {
    ctx.steps.push({
      kind: 'annotate-service-account',
      namespace: sa.namespace,
      name: sa.name,
      annotation: IRSA_ANNOTATION,
      value: input.roleArn,
      title: `Annotate ServiceAccount ${sa.namespace}/${sa.name} with ${IRSA_ANNOTATION}=${input.roleArn}`,
      resource: `ServiceAccount/${sa.namespace}/${sa.name}`,
      reason:
        current === undefined
          ? 'the annotation is missing (IR-02)'
          : 'the annotation names another role (IR-02)',
      diff: {
        before: current === undefined ? null : isUnknown(current) ? current.expression : current,
        after: input.roleArn,
      },
    });
    changed = true;
  }
  return changed;
}

/** The statement in the target role's trust: the association role, with the association's external ID. */
export function targetTrustStatement(input: {
  cluster: string;
  associationRoleArn: string;
  externalId: string;
}): JsonStatement {
  return {
    Sid: targetTrustSid(input.cluster),
    Effect: 'Allow',
    Principal: { AWS: input.associationRoleArn },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
    Condition: { StringEquals: { 'sts:ExternalId': input.externalId } },
  };
}

function planTargetTrust(
  ctx: Ctx,
  input: {
    target: string;
    targetRole: Role | undefined;
    roleArn: string;
    externalId: { value: string; known: boolean };
    clusterArn: string;
    account: string;
  },
): void {
  const { spec } = ctx;
  const { target, targetRole, roleArn, externalId } = input;
  const sa = spec.nodeServiceAccount;
  if (targetRole?.trustPolicy && externalId.known) {
    const decision = decideTrust({
      trustPolicy: targetRole.trustPolicy,
      principal: { kind: 'aws', arn: roleArn, accountId: input.account },
      actions: ['sts:AssumeRole', 'sts:TagSession'],
      context: {
        ...podIdentityContext({
          clusterName: spec.cluster,
          clusterArn: input.clusterArn,
          namespace: sa.namespace,
          serviceAccount: sa.name,
          sessionTags: !spec.disableSessionTags,
        }),
        'sts:externalid': externalId.value,
      },
    }).decision;
    if (decision === 'allow') return;
  }
  if (targetRole && !isOwned(targetRole) && !spec.adopt) {
    ctx.refusals.push({
      resource: target,
      reason: `the target role's trust must name ${roleArn} with the association's external ID, but ${target} has no ownership tag ${OWNERSHIP_TAG.key}: pass --adopt to let this tool merge its statement into that trust`,
    });
    return;
  }
  const statement = targetTrustStatement({
    cluster: spec.cluster,
    associationRoleArn: roleArn,
    externalId: externalId.value,
  });
  const before = ctx.options.texts?.trustPolicies?.get(target);
  let after: string | null = null;
  if (before !== undefined) {
    try {
      after = mergeAllowStatement(before, statement, { maxLength: MAX_TRUST_POLICY_LENGTH }).text;
    } catch (error) {
      if (!(error instanceof PolicyMergeError)) throw error;
      ctx.refusals.push({ resource: target, reason: `the trust of ${target}: ${error.message}` });
      return;
    }
  }
  ctx.steps.push({
    kind: 'update-target-trust',
    targetRoleArn: target,
    associationRoleArn: roleArn,
    sid: statement.Sid!,
    statement,
    externalId: externalId.value,
    externalIdKnown: externalId.known,
    title: `Merge statement ${statement.Sid} into the trust of the target role ${target}: allow ${roleArn} with sts:ExternalId`,
    resource: target,
    reason: externalId.known
      ? "the target trust does not let the association role assume it with the association's external ID (PI-11)"
      : `the association's external ID is generated by EKS when it is created: the executor replaces ${EXTERNAL_ID_PLACEHOLDER} with the externalId the association step returned`,
    diff: {
      before: before ?? null,
      after: after ?? `(merged at apply time into the trust read then)\n${policyText(statement)}`,
    },
  });
}

function planRestart(
  ctx: Ctx,
  input: { bindingChanged: boolean; nodeAssociations: PodIdentityAssociation[]; roleArn: string },
): void {
  const { spec, snapshot } = ctx;
  if (!snapshot.inputs.includes('K')) {
    ctx.notes.push(
      'the Kubernetes API was not read: whether the efs-csi-node pods need a restart is not known',
    );
    return;
  }
  const ds = snapshot.daemonSets.find((d) => d.name === NODE_DAEMONSET);
  if (!ds) {
    ctx.notes.push(
      `DaemonSet ${NODE_DAEMONSET} not found: nothing to restart (is the EFS CSI driver installed?)`,
    );
    return;
  }
  const pods = snapshot.pods.filter(
    (p) => p.ownerDaemonSet === NODE_DAEMONSET && (p.phase === undefined || p.phase === 'Running'),
  );
  const reasons: string[] = [];
  if (input.bindingChanged) {
    reasons.push(
      "this plan changes the node SA's binding, and EKS injects the credentials env only when a pod is admitted",
    );
  }
  const env = (p: Pod) => p.containers.find((c) => c.name === NODE_CONTAINER)?.env ?? {};
  const seconds = (t: string | undefined) => (t ? Date.parse(t) : NaN);
  if (!input.bindingChanged && pods.length > 0) {
    if (spec.mode === 'pod-identity') {
      const lacking = pods.filter((p) => POD_IDENTITY_ENV.some((k) => env(p)[k] === undefined));
      if (lacking.length > 0) reasons.push(`${lacking.length} pod(s) lack the Pod Identity env (PI-06)`);
      const since = Math.max(
        ...input.nodeAssociations
          .map((a) => seconds(a.modifiedAt ?? a.createdAt))
          .filter((n) => !Number.isNaN(n)),
      );
      const older = pods.filter((p) => seconds(p.createdAt) < since);
      if (older.length > 0) reasons.push(`${older.length} pod(s) predate the association (PI-07)`);
    } else {
      const lacking = pods.filter(
        (p) => env(p).AWS_ROLE_ARN !== input.roleArn || env(p).AWS_WEB_IDENTITY_TOKEN_FILE === undefined,
      );
      if (lacking.length > 0)
        reasons.push(`${lacking.length} pod(s) lack AWS_ROLE_ARN=${input.roleArn} (IR-04)`);
      const sa = snapshot.serviceAccounts.find(
        (s) => s.namespace === spec.nodeServiceAccount.namespace && s.name === spec.nodeServiceAccount.name,
      );
      const since = seconds(sa?.annotationsUpdatedAt);
      const older = Number.isNaN(since) ? [] : pods.filter((p) => seconds(p.createdAt) < since);
      if (older.length > 0) reasons.push(`${older.length} pod(s) predate the annotation (IR-04)`);
    }
  }
  if (reasons.length === 0) return;
  const namespace = isKnown(ds.namespace) ? ds.namespace : 'kube-system';
  ctx.steps.push({
    kind: 'restart-daemonset',
    namespace,
    name: NODE_DAEMONSET,
    waitForRollout: true,
    title: `Restart DaemonSet ${namespace}/${NODE_DAEMONSET} and wait for the rollout`,
    resource: `DaemonSet/${namespace}/${NODE_DAEMONSET}`,
    reason: reasons.join('; '),
    warnings: [TLS_WARNING],
    diff: {
      before: pods.map((p) => `${p.name} created ${p.createdAt ?? '?'}`).join('\n') || null,
      after: 'every pod recreated (kubectl.kubernetes.io/restartedAt), rollout complete',
    },
  });
}

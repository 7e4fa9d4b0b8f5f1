import type { TraceStep } from '../model/finding';
import type { ConditionEntry, Statement } from '../model/policy';
import { fileOrigin, type Origin } from '../model/origin';
import type { AttachedPolicy, Container, Pod, PodIdentityAssociation, Role } from '../model/snapshot';
import { isKnown, isUnknown, show, type Maybe } from '../model/unknown';
import { fileSystemArn, parseFileSystemArn } from '../policy/arn';
import type { NamedPolicy } from '../policy/decisions';
import type { Tri } from '../policy/match';
import { normalizePolicy } from '../policy/normalize';
import { arnOf, at, namesService, nodeTrusts, PODS_SERVICE, statementsFor } from './support';
import { NODE_CONTAINER, NODE_DAEMONSET, type DriverVolume, type NodeIdentityView } from './view';

/** Helpers shared by the Pod Identity, IRSA, node-role and add-on rules (PI-*, IR-*, NI-*, AD-*). */

export const EFS_ADDON = 'aws-efs-csi-driver';
export const CONTROLLER_SA = 'efs-csi-controller-sa';

/** Pod Identity is in use for the node SA (rules.md intro): an association for it, or a trust of pods.eks.amazonaws.com. */
export function podIdentityInUse(view: NodeIdentityView): boolean {
  return view.nodeAssociations.length > 0 || nodeTrusts(view, 'pod-identity').length > 0;
}

/** IRSA is in use for the node SA: a role-arn annotation on it, or a web identity trust written for it. */
export function irsaInUse(view: NodeIdentityView): boolean {
  return view.usesIrsa || nodeTrusts(view, 'irsa').length > 0;
}

/** `v2.1.8`, `2.1.8`, `v3.0.0-eksbuild.1`, an image reference `…/aws-efs-csi-driver:v2.1.8` → [2, 1, 8]. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const tag = text.includes('/') || text.includes('@') ? imageTag(text) : text;
  if (tag === undefined) return undefined;
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** The tag of an image reference (`registry:5000/repo:tag@sha256:…` → `tag`), undefined for a digest-only one. */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? withoutDigest.slice(colon + 1) : undefined;
}

export function versionBelow(version: [number, number, number], minimum: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (version[i] !== minimum[i]) return version[i] < minimum[i];
  return false;
}

/** `manual association (role …) at file:line` / `association through add-on X …`, for messages. */
export function describeAssociation(association: PodIdentityAssociation): string {
  const how = association.ownerAddon
    ? `association through add-on ${association.ownerAddon}`
    : 'manual association';
  return `${how} (role ${show(association.roleArn)}) at ${at(association.origin)}`;
}

/** Do two facts belong to the same cluster? Absent clusters (a manifest) match any; unknown ones may. */
export function sameCluster(a: Maybe<string> | undefined, b: Maybe<string> | undefined): Tri {
  if (a === undefined || b === undefined) return true;
  if (isUnknown(a) && isUnknown(b) && a.expression === b.expression) return true;
  if (isUnknown(a) || isUnknown(b)) return 'unknown';
  return a === b;
}

/** The cluster name an association (or the snapshot) names, when known. */
export function clusterNameOf(
  view: NodeIdentityView,
  association?: PodIdentityAssociation,
): string | undefined {
  if (association && isKnown(association.cluster)) return association.cluster;
  const names = [...new Set(view.snapshot.clusters.map((c) => c.name).filter(isKnown))];
  return names.length === 1 ? names[0] : undefined;
}

/** A role label for messages: ARN, else name, else snapshot id. */
export function roleName(role: Role): string {
  return isKnown(role.arn) ? role.arn : isKnown(role.name) ? `role ${role.name}` : role.id;
}

/** Does a role look like the node role: trusts pods.eks.amazonaws.com and grants ClientMount, or is named so? */
export function looksLikePodIdentityNodeRole(role: Role): boolean {
  const trusted = (role.trustPolicy?.statements ?? []).some(
    (s) => s.effect === 'Allow' && namesService(s, PODS_SERVICE),
  );
  if (!trusted) return false;
  const grantsMount = [...role.inlinePolicies, ...role.managedPolicies].some(
    (p) => p.document && statementsFor(p.document, 'Allow', 'elasticfilesystem:ClientMount').length > 0,
  );
  const named = isKnown(role.name) && /efs/i.test(role.name) && /node/i.test(role.name);
  return grantsMount || named;
}

/** One evaluator condition result as a trace step. */
export function conditionStep(
  result: { match: Tri; reason: string },
  statement: Statement,
  policy: string,
): TraceStep {
  return {
    outcome: result.match === true ? 'allow' : result.match === false ? 'no-match' : 'unknown',
    message: result.reason,
    policy,
    ...(statement.sid ? { sid: statement.sid } : {}),
    origin: statement.origin,
  };
}

/** Session-tag condition keys EKS Pod Identity sets (pod-id-abac). */
export const SESSION_TAG_KEY =
  /^aws:(requesttag|principaltag)\/(eks-cluster-name|eks-cluster-arn|kubernetes-namespace|kubernetes-service-account|kubernetes-pod-name|kubernetes-pod-uid)$/i;

export function sessionTagConditions(statement: Statement): ConditionEntry[] {
  return statement.conditions.filter((c) => SESSION_TAG_KEY.test(c.key) || /^aws:tagkeys$/i.test(c.key));
}

/**
 * AWS managed policies whose client grants are public and stable (IAM console, "AWS managed policies for Amazon
 * EFS"): every EFS client action they allow, on `Resource: "*"`. `[]` for ones that allow no client action.
 */
export const MANAGED_CLIENT_GRANTS: Record<string, string[]> = {
  AmazonElasticFileSystemClientFullAccess: ['ClientMount', 'ClientWrite', 'ClientRootAccess'],
  AmazonElasticFileSystemClientReadWriteAccess: ['ClientMount', 'ClientWrite'],
  AmazonElasticFileSystemClientReadOnlyAccess: ['ClientMount'],
  AmazonElasticFileSystemsUtils: [],
  // The S3 Files client and S3 read policies the driver's docs attach for S3 Files grant no EFS client action
  // (AWS Managed Policy Reference): known, not opaque, for the EFS rules. S3F-02 judges them.
  AmazonS3FilesClientFullAccess: [],
  AmazonS3FilesClientReadWriteAccess: [],
  AmazonS3FilesClientReadOnlyAccess: [],
  AmazonS3ReadOnlyAccess: [],
};

/** The name of a managed policy from its ARN or name. */
export function managedName(policy: AttachedPolicy): Maybe<string> | undefined {
  if (isKnown(policy.arn)) return policy.arn.split('/').pop();
  return policy.name ?? policy.arn;
}

/**
 * A role's managed policies that no source gave a document for: the well-known client policies as documents the
 * evaluator can read, and the names of the others (their grants are unknown).
 */
export function managedWithoutDocument(role: Role | undefined): {
  documents: NamedPolicy[];
  opaque: string[];
} {
  const documents: NamedPolicy[] = [];
  const opaque: string[] = [];
  for (const policy of role?.managedPolicies ?? []) {
    if (policy.document) continue;
    const name = managedName(policy);
    const grants = isKnown(name) ? MANAGED_CLIENT_GRANTS[name] : undefined;
    if (!grants) {
      opaque.push(isKnown(name) ? name : `(unknown: ${name?.expression ?? 'unnamed'})`);
      continue;
    }
    if (grants.length === 0) continue;
    const raw = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: grants.map((g) => `elasticfilesystem:${g}`), Resource: '*' }],
    };
    documents.push({
      name: `managed policy ${name}`,
      document: normalizePolicy(raw, role?.origin ?? fileOrigin('(managed policy)')),
    });
  }
  return { documents, opaque };
}

/**
 * The ARN of an in-scope file system: a file system fact, else a policy in the files naming it exactly, else built
 * from the cluster's region and the node role's account (same account unless the volume is cross-account).
 */
export function fileSystemArnFor(
  view: NodeIdentityView,
  id: string,
  account: string | undefined,
  volume?: DriverVolume,
): string | undefined {
  for (const fs of view.fileSystemsWithId(id)) {
    const arn = arnOf(fs);
    if (arn) return arn;
  }
  const documents = [
    ...view.snapshot.loosePolicies.map((p) => p.document),
    ...view.snapshot.roles
      .flatMap((r) => [...r.inlinePolicies, ...r.managedPolicies])
      .flatMap((p) => (p.document ? [p.document] : [])),
  ];
  for (const doc of documents) {
    for (const s of doc.statements) {
      const named = (s.resource ?? []).find(
        (r): r is string => typeof r === 'string' && parseFileSystemArn(r)?.id === id,
      );
      if (named) return named;
    }
  }
  const crossAccount =
    volume &&
    Object.entries(volume.attributes).some(([k, v]) => k.toLowerCase() === 'crossaccount' && v === 'true');
  const regions = [...new Set(view.snapshot.clusters.map((c) => c.region).filter(isKnown))];
  if (!crossAccount && account && regions.length === 1) return fileSystemArn('efs', regions[0], account, id);
  return undefined;
}

// ---- Helpers for the live rules (PI-01, PI-06, PI-07, PI-09, IR-01, IR-04, AD-03, AD-04, FS-01, FS-06). ----

/** Running pods of the node DaemonSet (live). A pod without a phase counts as running. */
export function runningNodePods(view: NodeIdentityView): Pod[] {
  const names = new Set<string>([
    NODE_DAEMONSET,
    ...view.driverDaemonSets.map((d) => d.name).filter(isKnown),
  ]);
  return view.snapshot.pods.filter(
    (p) =>
      p.ownerDaemonSet !== undefined &&
      names.has(p.ownerDaemonSet) &&
      (p.phase === undefined || p.phase === 'Running'),
  );
}

/** The `efs-plugin` container of a node pod. */
export function pluginContainer(pod: Pod): Container | undefined {
  return pod.containers.find((c) => c.name === NODE_CONTAINER);
}

/** `Pod/kube-system/efs-csi-node-7xk2p`: the resource of a pod finding (suppressions glob on it). */
export function podResource(pod: Pod): string {
  return `Pod/${pod.namespace}/${pod.name}`;
}

/** `pod kube-system/efs-csi-node-7xk2p (node ip-10-0-1-10…, created 2026-05-20T08:01:12Z)`, for messages. */
export function describePod(pod: Pod): string {
  const facts = [
    pod.nodeName ? `node ${pod.nodeName}` : undefined,
    pod.createdAt ? `created ${pod.createdAt}` : undefined,
  ].filter(Boolean);
  return `pod ${pod.namespace}/${pod.name}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
}

/** `kubectl rollout restart daemonset efs-csi-node -n kube-system` for the pods' DaemonSet. */
export function rolloutRestart(pods: Pod[]): string {
  const pod = pods[0];
  const name = pod?.ownerDaemonSet ?? NODE_DAEMONSET;
  const namespace = pod?.namespace ?? 'kube-system';
  return `kubectl rollout restart daemonset ${name} -n ${namespace}\nkubectl rollout status daemonset ${name} -n ${namespace}`;
}

/**
 * An API timestamp in whole seconds, or undefined if it does not parse. Kubernetes creation timestamps have
 * second precision, so comparisons with EKS times (milliseconds) are made at that precision.
 */
export function epochSeconds(time: string | undefined): number | undefined {
  if (time === undefined) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** The cluster as a finding resource: its ARN, else `cluster/<name>`; the first cluster's origin. */
export function clusterResource(view: NodeIdentityView): {
  resource: string;
  origin?: Origin;
  name?: string;
} {
  const cluster = view.snapshot.clusters[0];
  if (!cluster) return { resource: 'cluster' };
  const name = isKnown(cluster.name) ? cluster.name : undefined;
  const resource = isKnown(cluster.arn) ? cluster.arn : `cluster/${name ?? show(cluster.name)}`;
  return { resource, origin: cluster.origin, ...(name ? { name } : {}) };
}

/** The ARN an AWS origin names, for the resource of a finding about a live object; the fallback otherwise. */
export function awsResource(origin: Origin, fallback: string): string {
  return origin.kind === 'aws' ? origin.arn : fallback;
}

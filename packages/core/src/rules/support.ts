import type { Origin } from '../model/origin';
import type { PolicyDocument, Statement } from '../model/policy';
import type { AttachedPolicy, FileSystem, Role, Secret } from '../model/snapshot';
import { isKnown, isUnknown, type Maybe } from '../model/unknown';
import { fileSystemArn, parseRoleArn } from '../policy/arn';
import type { MountFacts } from '../policy/decisions';
import type { RequestPrincipal } from '../policy/evaluate';
import { globMatch } from '../policy/match';
import type { DriverVolume, NodeIdentityView, NodeRoleBinding } from './view';
import { directoryOf, isNear } from './view';

/** Shared helpers for rules: small questions many rules ask of the view. */

export const CLIENT_MOUNT = 'elasticfilesystem:ClientMount';
export const CLIENT_WRITE = 'elasticfilesystem:ClientWrite';
export const CLIENT_ROOT = 'elasticfilesystem:ClientRootAccess';

/** Node role bindings whose role ARN is known, as evaluator principals. */
const principalsOfView = new WeakMap<
  NodeIdentityView,
  Array<{ binding: NodeRoleBinding; principal: RequestPrincipal & { kind: 'aws' } }>
>();

export function knownNodePrincipals(
  view: NodeIdentityView,
): Array<{ binding: NodeRoleBinding; principal: RequestPrincipal & { kind: 'aws' } }> {
  const cached = principalsOfView.get(view);
  if (cached) return cached;
  const computed = computeNodePrincipals(view);
  principalsOfView.set(view, computed);
  return computed;
}

function computeNodePrincipals(
  view: NodeIdentityView,
): Array<{ binding: NodeRoleBinding; principal: RequestPrincipal & { kind: 'aws' } }> {
  // One entry per role: a repository often binds the same role in several places (clusters, environments).
  const byArn = new Map<
    string,
    { binding: NodeRoleBinding; principal: RequestPrincipal & { kind: 'aws' } }
  >();
  for (const binding of view.nodeRoles) {
    const arn = isKnown(binding.arn)
      ? binding.arn
      : isKnown(binding.role?.arn)
        ? (binding.role?.arn as string)
        : undefined;
    if (!arn || !parseRoleArn(arn) || byArn.has(arn)) continue;
    byArn.set(arn, { binding, principal: { kind: 'aws', arn, accountId: parseRoleArn(arn)?.accountId } });
  }
  return [...byArn.values()];
}

/**
 * The node principals to pair with a file system (or a volume on it). A repository that describes one cluster has
 * one node role and it is paired with everything. A repository that describes several clusters binds several node
 * roles, and pairing each with every file system would report, for every cluster, the file systems of all the others.
 * There a role is paired only with what something connects it to: its identity policy or the file system policy
 * names the other, or their files sit in the same directory or one below the other (a cluster's folder).
 */
export function nodePrincipalsFor(
  view: NodeIdentityView,
  target: { fileSystem?: FileSystem; volume?: DriverVolume },
): Array<{ binding: NodeRoleBinding; principal: RequestPrincipal & { kind: 'aws' } }> {
  const all = knownNodePrincipals(view);
  if (all.length <= 1) return all;
  const cache = pairingCache(view);
  const key = (target.volume ?? target.fileSystem) as object | undefined;
  const cached = key ? cache.results.get(key) : undefined;
  if (cached) return cached;
  const fileSystem = target.fileSystem;
  const fsId =
    fileSystem && isKnown(fileSystem.id)
      ? fileSystem.id
      : target.volume && isKnown(target.volume.fileSystemId)
        ? target.volume.fileSystemId
        : undefined;
  // The directories of the target (its files, and for a file system alone the files of its volumes). A live origin
  // is near everything.
  const targetDirs = new Set<string>();
  let live = false;
  const addOrigin = (origin: Origin | undefined) => {
    if (!origin) return;
    if (origin.kind !== 'file') live = true;
    else targetDirs.add(directoryOf(origin));
  };
  addOrigin(fileSystem?.origin);
  addOrigin(fileSystem?.policy?.origin);
  addOrigin(target.volume?.origin);
  // File systems that share an ID share the list of volumes on it: the roles near those volumes are found once.
  const nearVolumes =
    fileSystem && !target.volume ? volumesNear(cache, all, view.volumesOn(fileSystem)) : undefined;
  let result: typeof all;
  if (live || nearVolumes === 'live') result = [...all];
  else {
    // Each kind of connection is worked out once per policy, file system ID or directory, for every node role at
    // once: many targets share them, and a target is paired with a role when any one of them connects the two.
    const lists = [cache.liveRoles];
    if (fileSystem?.policy) lists.push(namedByPolicy(cache, all, fileSystem.policy));
    if (fsId) lists.push(namingFileSystem(cache, view, all, fsId));
    for (const dir of targetDirs) lists.push(nearDirectory(cache, all, dir));
    if (nearVolumes) lists.push(nearVolumes);
    result = union(all, lists);
  }
  if (key) cache.results.set(key, result);
  return result;
}

type NodePrincipal = { binding: NodeRoleBinding; principal: RequestPrincipal & { kind: 'aws' } };

/** Positions in the list of node roles, ascending: the roles one kind of connection pairs (usually none). */
type Positions = number[];

/** The items (node roles, or their positions) at any of the positions, in their order. */
function union<T>(all: T[], lists: Positions[]): T[] {
  const filled = lists.filter((list) => list.length > 0);
  if (filled.length === 0) return [];
  if (filled.length === 1) return filled[0].map((i) => all[i]);
  const marked = new Uint8Array(all.length);
  for (const list of filled) for (const i of list) marked[i] = 1;
  return all.filter((_, i) => marked[i] === 1);
}

/** The node roles near any volume of a list (as volumesOn gives it), or `live` when a volume is live (near all). */
function volumesNear(cache: PairingCache, all: NodePrincipal[], volumes: DriverVolume[]): Positions | 'live' {
  let found = cache.volumesNear.get(volumes);
  if (!found) {
    const dirs = new Set<string>();
    for (const volume of volumes) {
      if (volume.origin.kind !== 'file') {
        found = 'live';
        break;
      }
      dirs.add(directoryOf(volume.origin));
    }
    found ??= union(
      all.map((_, i) => i),
      [...dirs].map((dir) => nearDirectory(cache, all, dir)),
    );
    cache.volumesNear.set(volumes, found);
  }
  return found;
}

/** Per node role: the file system policy names its ARN or `role/<name>`. */
function namedByPolicy(cache: PairingCache, all: NodePrincipal[], policy: PolicyDocument): Positions {
  let positions = cache.byPolicy.get(policy);
  if (!positions) {
    const text = policyText(cache, policy);
    positions = [];
    // Every node role ARN contains `role/`, and so does every `role/<name>`: a policy without it names none.
    if (text.includes('role/')) {
      for (let i = 0; i < all.length; i++) {
        const entry = all[i];
        if (text.includes(entry.principal.arn) || text.includes(principalFacts(cache, entry).roleRef))
          positions.push(i);
      }
    }
    cache.byPolicy.set(policy, positions);
  }
  return positions;
}

/** Per node role: its identity policies name the file system ID. */
function namingFileSystem(
  cache: PairingCache,
  view: NodeIdentityView,
  all: NodePrincipal[],
  fsId: string,
): Positions {
  let positions = cache.byFileSystemId.get(fsId);
  if (!positions) {
    positions = [];
    for (let i = 0; i < all.length; i++)
      if (identityText(cache, view, all[i].binding).includes(fsId)) positions.push(i);
    cache.byFileSystemId.set(fsId, positions);
  }
  return positions;
}

/**
 * Per node role: one of its directories is this directory or above it, or this directory is above one of its
 * directories.
 */
function nearDirectory(cache: PairingCache, all: NodePrincipal[], dir: string): Positions {
  let positions = cache.byDirectory.get(dir);
  if (!positions) {
    const above = new Set(ancestry(dir));
    positions = [];
    for (let i = 0; i < all.length; i++) {
      const facts = principalFacts(cache, all[i]);
      if (facts.dirs.some((d) => above.has(d)) || facts.ancestors.includes(dir)) positions.push(i);
    }
    cache.byDirectory.set(dir, positions);
  }
  return positions;
}

interface PrincipalFacts {
  /** `role/<name>`, as policies that name the role by ARN pattern contain it. */
  roleRef: string;
  /** Directories of the binding and the role definition, and every directory above them. */
  dirs: string[];
  ancestors: string[];
  /** Bound or defined outside files (live): near everything. */
  live: boolean;
}

function principalFacts(cache: PairingCache, entry: NodePrincipal): PrincipalFacts {
  let facts = cache.principals.get(entry.binding);
  if (!facts) {
    const origins = [entry.binding.origin, entry.binding.role?.origin].filter((o): o is Origin => !!o);
    const dirs = origins.filter((o) => o.kind === 'file').map((o) => directoryOf(o));
    facts = {
      roleRef: `role/${parseRoleArn(entry.principal.arn)?.name ?? '\u0000'}`,
      dirs,
      ancestors: dirs.flatMap((d) => ancestry(d)),
      live: origins.some((o) => o.kind !== 'file'),
    };
    cache.principals.set(entry.binding, facts);
  }
  return facts;
}

interface PairingCache {
  principals: Map<NodeRoleBinding, PrincipalFacts>;
  /** The node roles bound or defined live (near everything). */
  liveRoles: Positions;
  byPolicy: WeakMap<PolicyDocument, Positions>;
  byFileSystemId: Map<string, Positions>;
  byDirectory: Map<string, Positions>;
  results: WeakMap<object, NodePrincipal[]>;
  volumesNear: WeakMap<DriverVolume[], Positions | 'live'>;
  texts: WeakMap<PolicyDocument, string>;
  identity: Map<NodeRoleBinding, string>;
}

const pairingCaches = new WeakMap<NodeIdentityView, PairingCache>();

function pairingCache(view: NodeIdentityView): PairingCache {
  let cache = pairingCaches.get(view);
  if (!cache) {
    const all = knownNodePrincipals(view);
    cache = {
      principals: new Map(),
      liveRoles: [],
      byPolicy: new WeakMap(),
      byFileSystemId: new Map(),
      byDirectory: new Map(),
      results: new WeakMap(),
      volumesNear: new WeakMap(),
      texts: new WeakMap(),
      identity: new Map(),
    };
    const made = cache;
    all.forEach((entry, i) => {
      if (principalFacts(made, entry).live) made.liveRoles.push(i);
    });
    pairingCaches.set(view, cache);
  }
  return cache;
}

/** Every string of a policy (principals, resources, condition values), joined: what it names. */
function policyText(cache: PairingCache, policy: PolicyDocument): string {
  let text = cache.texts.get(policy);
  if (text === undefined) {
    const values: string[] = [];
    // As `.flat()` reads them: the values of an array, or the value itself.
    const add = (list: unknown) => {
      if (!Array.isArray(list)) {
        if (typeof list === 'string') values.push(list);
        return;
      }
      for (const value of list) if (typeof value === 'string') values.push(value);
    };
    for (const statement of policy.statements) {
      for (const list of Object.values(statement.principal ?? {})) add(list);
      for (const value of statement.resource ?? []) if (typeof value === 'string') values.push(value);
      for (const condition of statement.conditions) add(condition.values);
    }
    text = values.join('\n');
    cache.texts.set(policy, text);
  }
  return text;
}

/** Everything the identity policies of a binding's role name. */
function identityText(cache: PairingCache, view: NodeIdentityView, binding: NodeRoleBinding): string {
  let text = cache.identity.get(binding);
  if (text === undefined) {
    text = view
      .identityPoliciesOf(binding.role, binding)
      .map((p) => policyText(cache, p.document))
      .join('\n');
    cache.identity.set(binding, text);
  }
  return text;
}

/** `a/b` → [`a/b`, `a`, ``]: the directory and every directory above it (the root `` is above everything). */
function ancestry(dir: string): string[] {
  const out = [dir];
  for (let i = dir.lastIndexOf('/'); i > 0; i = dir.lastIndexOf('/', i - 1)) out.push(dir.slice(0, i));
  if (dir !== '') out.push('');
  return out;
}

/** The mount a volume makes, for the request context. */
export function mountOf(volume: DriverVolume, fileSystem?: FileSystem): MountFacts {
  const region = fileSystem && isKnown(fileSystem.region) ? fileSystem.region : undefined;
  const account = fileSystem && isKnown(fileSystem.accountId) ? fileSystem.accountId : undefined;
  const accessPointArn =
    volume.accessPointId && region && account
      ? `arn:aws:elasticfilesystem:${region}:${account}:access-point/${volume.accessPointId}`
      : undefined;
  return { tls: volume.tls !== false, iam: volume.iam, ...(accessPointArn ? { accessPointArn } : {}) };
}

/** The ARN of a file system when it is known or can be built from its parts. */
export function arnOf(fileSystem: FileSystem): string | undefined {
  if (isKnown(fileSystem.arn)) return fileSystem.arn;
  if (isKnown(fileSystem.id) && isKnown(fileSystem.region) && isKnown(fileSystem.accountId)) {
    return fileSystemArn(fileSystem.type, fileSystem.region, fileSystem.accountId, fileSystem.id);
  }
  return undefined;
}

/** Does some statement with this effect name the action (ignoring principal, resource and conditions)? */
export function statementsFor(policy: PolicyDocument, effect: 'Allow' | 'Deny', action: string): Statement[] {
  return policy.statements.filter((s) => {
    if (s.effect !== effect) return false;
    if (s.action) return s.action.some((a) => isUnknown(a) || globMatch(a, action, true));
    if (s.notAction) return !s.notAction.some((a) => !isUnknown(a) && globMatch(a, action, true));
    return false;
  });
}

/** A statement's principals as text. */
export function principalsOf(statement: Statement): string[] {
  const block = statement.principal ?? {};
  return Object.values(block)
    .flat()
    .map((v) => (isUnknown(v) ? `(${v.expression})` : (v as string)));
}

export function isStarPrincipal(statement: Statement): boolean {
  return (statement.principal?.AWS ?? []).includes('*');
}

/** `file.json:12` for a message. */
export function at(origin: Origin | undefined): string {
  if (!origin) return '';
  if (origin.kind === 'file') return origin.line ? `${origin.file}:${origin.line}` : origin.file;
  return origin.kind === 'aws' ? origin.arn : origin.ref;
}

/** A name for a statement in messages: its Sid, else its position. */
export function statementName(policy: PolicyDocument, statement: Statement): string {
  return statement.sid ? `\`${statement.sid}\`` : `#${policy.statements.indexOf(statement) + 1}`;
}

/** Display ID of a file system. */
export function fileSystemName(fileSystem: FileSystem): string {
  return isKnown(fileSystem.id) ? fileSystem.id : `file system (${fileSystem.id.expression})`;
}

/** A trust policy that governs the node SA's role, with the binding that makes it so when known. */
export interface NodeTrust {
  document: PolicyDocument;
  binding?: NodeRoleBinding;
  /** For messages: the role's name/ARN, or the file of a loose trust policy. */
  label: string;
}

const PODS_SERVICE = 'pods.eks.amazonaws.com';

function namesService(statement: Statement, service: string): boolean {
  return (statement.principal?.Service ?? []).some((s) => s === service);
}

function isWebIdentityStatement(statement: Statement): boolean {
  return (
    (statement.principal?.Federated ?? []).length > 0 &&
    (statement.action ?? []).some(
      (a) => typeof a === 'string' && globMatch(a, 'sts:AssumeRoleWithWebIdentity', true),
    )
  );
}

/** `sub` values of a web identity statement. */
export function subValues(statement: Statement): string[] {
  return statement.conditions
    .filter((c) => /:sub$/i.test(c.key))
    .flatMap((c) => c.values.filter((v): v is string => typeof v === 'string'));
}

/**
 * Trust policies of the node role for one mechanism: the trust of every role bound to the node SA that way, and
 * loose trust policy files of that kind (Pod Identity: trusting pods.eks.amazonaws.com; IRSA: a web identity
 * trust whose `sub` names the node SA).
 */
export function nodeTrusts(view: NodeIdentityView, mechanism: 'pod-identity' | 'irsa'): NodeTrust[] {
  const out: NodeTrust[] = [];
  const seen = new Set<PolicyDocument>();
  for (const binding of view.nodeRoles) {
    if (binding.via !== mechanism || !binding.role?.trustPolicy) continue;
    if (seen.has(binding.role.trustPolicy)) continue;
    seen.add(binding.role.trustPolicy);
    const label = isKnown(binding.role.arn)
      ? binding.role.arn
      : isKnown(binding.role.name)
        ? `role ${binding.role.name}`
        : binding.role.id;
    out.push({ document: binding.role.trustPolicy, binding, label });
  }
  const sa = view.nodeServiceAccount;
  const subject = `system:serviceaccount:${sa.namespace}:${sa.name}`;
  for (const loose of view.snapshot.loosePolicies) {
    if (loose.kind !== 'trust' || seen.has(loose.document)) continue;
    const statements = loose.document.statements;
    const relevant =
      mechanism === 'pod-identity'
        ? statements.some((s) => namesService(s, PODS_SERVICE))
        : statements.some(
            (s) =>
              isWebIdentityStatement(s) &&
              (subValues(s).some((v) => v.includes(sa.name) || globMatch(v, subject)) || view.usesIrsa),
          );
    if (!relevant) continue;
    out.push({
      document: loose.document,
      label: `the node role (trust policy in ${at(loose.document.origin)})`,
    });
  }
  return out;
}

export { isWebIdentityStatement, namesService, PODS_SERVICE };

// ---- Helpers for the volume, cross-account and node instance role rules (K8-*, XA-*, NR-*, FS-03/09). ----

/**
 * The mount options a volume passes, as driver v3 sees them: each entry lower-cased (NodePublishVolume lower-cases
 * every mount flag) and split on commas, since an entry `tls,iam` reaches the mount helper as two options.
 */
const optionNames = new WeakMap<DriverVolume, string[]>();

export function mountOptionNames(volume: DriverVolume): string[] {
  let names = optionNames.get(volume);
  if (!names) {
    names = volume.mountOptions.flatMap((o) => o.toLowerCase().split(',')).map((o) => o.trim().split('=')[0]);
    optionNames.set(volume, names);
  }
  return names;
}

export function hasMountOption(volume: DriverVolume, name: string): boolean {
  return mountOptionNames(volume).includes(name.toLowerCase());
}

/** The mountOptions entry that carries an option (for its origin), e.g. `iam` or `tls,iam`. */
export function mountOptionEntry(volume: DriverVolume, name: string): string | undefined {
  return volume.mountOptions.find((o) =>
    o
      .toLowerCase()
      .split(',')
      .some((p) => p.trim().split('=')[0] === name.toLowerCase()),
  );
}

/**
 * An S3 Files volume: an `s3files:` volume handle, or a StorageClass with `provisioningMode: s3files-ap` (driver v3
 * `pkg/driver/controller.go`; its `fileSystemId` carries no prefix). efs-utils always adds `iam` and `tls` to them.
 */
export function isS3FilesVolume(volume: DriverVolume): boolean {
  return (
    volume.type === 's3files' ||
    (volume.kind === 'StorageClass' && volume.attributes.provisioningMode === 's3files-ap')
  );
}

/** Go's strconv.ParseBool, which the driver uses for `encryptInTransit` and `crossaccount`: undefined if invalid. */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** A volume attribute by case-insensitive key (the driver lower-cases volume context keys). */
export function attributeOf(
  volume: DriverVolume,
  key: string,
): { key: string; value: Maybe<string> } | undefined {
  const actual = Object.keys(volume.attributes).find((k) => k.toLowerCase() === key.toLowerCase());
  return actual === undefined ? undefined : { key: actual, value: volume.attributes[actual] };
}

/** The cluster's account: a cluster fact, else the account of a known node role ARN. */
const clusterAccounts = new WeakMap<NodeIdentityView, Map<string, string | undefined>>();

export function clusterAccountOf(view: NodeIdentityView, near?: Origin): string | undefined {
  // Everything in one directory belongs to the same cluster: answer once per directory.
  const key = near ? (near.kind === 'file' ? directoryOf(near) : '\u0000live') : '\u0000all';
  let cache = clusterAccounts.get(view);
  if (!cache) clusterAccounts.set(view, (cache = new Map()));
  if (cache.has(key)) return cache.get(key);
  const account = computeClusterAccount(view, near);
  cache.set(key, account);
  return account;
}

function computeClusterAccount(view: NodeIdentityView, near?: Origin): string | undefined {
  // With several clusters in one repository, the cluster of a volume is the one defined near it.
  const clusters = view.snapshot.clusters.filter(
    (c) => !near || view.snapshot.clusters.length <= 1 || isNear(c.origin, near),
  );
  for (const cluster of clusters) {
    if (isKnown(cluster.accountId)) return cluster.accountId;
    if (isKnown(cluster.arn)) {
      const account = cluster.arn.split(':')[4];
      if (account) return account;
    }
  }
  const principals = knownNodePrincipals(view);
  const nearby =
    near && principals.length > 1 ? principals.filter((p) => isNear(p.binding.origin, near)) : principals;
  const accounts = new Set(nearby.map((p) => p.principal.accountId));
  return accounts.size === 1 ? [...accounts][0] : undefined;
}

export const PROVISIONER_SECRET_NAME = 'csi.storage.k8s.io/provisioner-secret-name';
export const PROVISIONER_SECRET_NAMESPACE = 'csi.storage.k8s.io/provisioner-secret-namespace';

/** The provisioner secret a StorageClass names (cross-account provisioning), and the Secret when the files hold it. */
export interface ProvisionerSecretRef {
  name: Maybe<string> | undefined;
  namespace: Maybe<string> | undefined;
  secret?: Secret;
  origin: Origin;
}

export function provisionerSecretOf(
  view: NodeIdentityView,
  volume: DriverVolume,
): ProvisionerSecretRef | undefined {
  if (volume.kind !== 'StorageClass') return undefined;
  const name = volume.attributes[PROVISIONER_SECRET_NAME];
  const namespace = volume.attributes[PROVISIONER_SECRET_NAMESPACE];
  if (name === undefined && namespace === undefined) return undefined;
  const secret =
    isKnown(name) && isKnown(namespace) && !/\$\{/.test(name + namespace)
      ? view.snapshot.secrets.find((s) => s.name === name && s.namespace === namespace)
      : undefined;
  return {
    name,
    namespace,
    ...(secret ? { secret } : {}),
    origin: volume.attributeOrigin(
      name !== undefined ? PROVISIONER_SECRET_NAME : PROVISIONER_SECRET_NAMESPACE,
    ),
  };
}

export const CONTROLLER_SERVICE_ACCOUNT = 'efs-csi-controller-sa';

/**
 * Roles bound to the controller SA (`kube-system/efs-csi-controller-sa`, Helm `controller.serviceAccount.name`):
 * by a Pod Identity association or an IRSA annotation, with the ARN when known.
 */
export function controllerRoles(
  view: NodeIdentityView,
): Array<{ arn: Maybe<string>; role?: Role; origin: Origin }> {
  const isController = (namespace: Maybe<string> | undefined, name: Maybe<string>) =>
    name === CONTROLLER_SERVICE_ACCOUNT && (namespace === undefined || namespace === 'kube-system');
  return [
    ...view.snapshot.podIdentityAssociations
      .filter((a) => isController(a.namespace, a.serviceAccount))
      .map((a) => ({ arn: a.roleArn, role: view.findRole(a.roleId, a.roleArn), origin: a.origin })),
    ...view.snapshot.serviceAccounts
      .filter(
        (sa) =>
          isController(sa.namespace, sa.name) && sa.annotations['eks.amazonaws.com/role-arn'] !== undefined,
      )
      .map((sa) => {
        const arn = sa.annotations['eks.amazonaws.com/role-arn'];
        return {
          arn,
          role: view.findRole(undefined, arn),
          origin: sa.annotationOrigins?.['eks.amazonaws.com/role-arn'] ?? sa.origin,
        };
      }),
  ];
}

/** The name of a managed policy from its ARN (`arn:aws:iam::aws:policy/service-role/X` → `X`) or its name. */
export function managedPolicyName(policy: AttachedPolicy): Maybe<string> | undefined {
  if (isKnown(policy.arn)) return policy.arn.split('/').pop();
  return policy.name ?? policy.arn;
}

/** Node instance roles of the snapshot: marked as such (node groups), or named by a live node's instance role. */
export function nodeInstanceRoles(view: NodeIdentityView): Role[] {
  const fromNodes = new Set(
    view.snapshot.nodes.map((n) => n.instanceRoleArn).filter((a): a is string => !!a),
  );
  return view.snapshot.roles.filter(
    (r) => r.nodeInstanceRole === true || (isKnown(r.arn) && fromNodes.has(r.arn)),
  );
}

/** A role for messages: its ARN, else its name, else its snapshot id. */
export function roleLabel(role: Role): string {
  return isKnown(role.arn) ? role.arn : isKnown(role.name) ? `role ${role.name}` : role.id;
}

/**
 * Effective TLS of a volume as driver v3 decides it (`pkg/driver/node.go`): on unless the volume context's
 * `encryptInTransit` parses (Go strconv.ParseBool: `false`, `0`, `f`, `F`, `FALSE`, `False`) as false; forced on by
 * an access point; always on for S3 Files. An invalid value fails the mount earlier (K8-04) and counts as on here.
 */
export function volumeTls(volume: DriverVolume): boolean | 'unknown' {
  if (isS3FilesVolume(volume) || volume.usesAccessPoint) return true;
  const encrypt = attributeOf(volume, 'encryptInTransit');
  if (!encrypt) return true;
  if (isUnknown(encrypt.value)) return 'unknown';
  return parseGoBool(encrypt.value) !== false;
}

import { randomBytes, randomUUID } from 'node:crypto';
import type { Account, SandboxState } from '../state/account';
import type { AccessEntry, Addon, EksCluster, Nodegroup, PodIdentityAssociation } from '../state/eks';
import { emptyKubeState } from '../state/kube';

/**
 * Helpers that seed EKS state directly (the scenario loader and tests use them; the API handlers in `eks.ts` build on
 * the same functions). Seeding does not validate what the API would refuse, so a scenario can describe a broken world
 * (an old add-on owning the node SA's association, a role in another account, …).
 */

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** `a-` and 17 lowercase letters/digits: the shape of real association IDs (e.g. `a-9njjin9gfghecgocd`). */
export function newAssociationId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(17);
  let id = 'a-';
  for (const b of bytes) id += alphabet[b % alphabet.length];
  return id;
}

function accountOf(state: SandboxState, account: Account | string): Account {
  const found = typeof account === 'string' ? state.accounts.get(account) : account;
  if (!found) throw new Error(`eks seed: no account ${String(account)} (add it with addAccount first)`);
  return found;
}

export function clusterOf(state: SandboxState, account: Account | string, clusterName: string): EksCluster {
  const cluster = accountOf(state, account).eks.clusters.get(clusterName);
  if (!cluster)
    throw new Error(
      `eks seed: no cluster ${clusterName} in account ${typeof account === 'string' ? account : account.id}`,
    );
  return cluster;
}

export interface ClusterSeed {
  name: string;
  /** Defaults to the sandbox's default region. */
  region?: string;
  /** Kubernetes minor version; default 1.33. */
  version?: string;
  platformVersion?: string;
  status?: EksCluster['status'];
  /** The 32 hex digits of the OIDC issuer (random when absent). */
  oidcId?: string;
  vpcId?: string;
  subnetIds?: string[];
  clusterSecurityGroupId?: string;
  securityGroupIds?: string[];
  roleArn?: string;
  authenticationMode?: EksCluster['authenticationMode'];
  tags?: Record<string, string>;
  createdAt?: Date;
}

/**
 * Adds an ACTIVE cluster with an empty Kubernetes state. Its endpoint is the sandbox's Kubernetes API for it, so
 * `state.baseUrl` must be set first (startSandbox sets it before calling `seed`).
 */
export function addCluster(state: SandboxState, account: Account | string, seed: ClusterSeed): EksCluster {
  const acct = accountOf(state, account);
  const region = seed.region ?? state.defaultRegion;
  const existing = acct.eks.clusters.get(seed.name);
  if (existing)
    throw new Error(
      `eks seed: cluster ${seed.name} already exists in account ${acct.id} (${existing.region})`,
    );
  // Real OIDC IDs are 32 uppercase hex digits.
  const oidcId = (seed.oidcId ?? hex(16)).toUpperCase();
  const cluster: EksCluster = {
    name: seed.name,
    arn: `arn:aws:eks:${region}:${acct.id}:cluster/${seed.name}`,
    region,
    version: seed.version ?? '1.33',
    platformVersion: seed.platformVersion ?? 'eks.1',
    status: seed.status ?? 'ACTIVE',
    oidcIssuer: `https://oidc.eks.${region}.amazonaws.com/id/${oidcId}`,
    endpoint: `${state.baseUrl}/k8s/${acct.id}/${region}/${seed.name}`,
    vpcId: seed.vpcId ?? `vpc-${hex(9).slice(0, 17)}`,
    subnetIds: seed.subnetIds ?? [`subnet-${hex(9).slice(0, 17)}`, `subnet-${hex(9).slice(0, 17)}`],
    clusterSecurityGroupId: seed.clusterSecurityGroupId ?? `sg-${hex(9).slice(0, 17)}`,
    securityGroupIds: seed.securityGroupIds ?? [],
    roleArn: seed.roleArn ?? `arn:aws:iam::${acct.id}:role/${seed.name}-cluster-role`,
    authenticationMode: seed.authenticationMode ?? 'API_AND_CONFIG_MAP',
    tags: seed.tags ?? {},
    createdAt: seed.createdAt ?? new Date(state.now()),
    addons: new Map(),
    associations: new Map(),
    nodegroups: new Map(),
    accessEntries: new Map(),
    kube: emptyKubeState(),
  };
  acct.eks.clusters.set(cluster.name, cluster);
  return cluster;
}

export interface AssociationSeed {
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  disableSessionTags?: boolean;
  policy?: string;
  /** Generated when a target role is set and none is given. */
  externalId?: string;
  ownerArn?: string;
  tags?: Record<string, string>;
  associationId?: string;
  createdAt?: Date;
  modifiedAt?: Date;
  /** Default: creation time plus `state.settings.associationDelayMs`. */
  effectiveAt?: number;
}

/** Adds a Pod Identity association (no duplicate check: a scenario may seed two for one ServiceAccount). */
export function addAssociation(
  state: SandboxState,
  account: Account | string,
  clusterName: string,
  seed: AssociationSeed,
): PodIdentityAssociation {
  const acct = accountOf(state, account);
  const cluster = clusterOf(state, acct, clusterName);
  const associationId = seed.associationId ?? newAssociationId();
  const createdAt = seed.createdAt ?? new Date(state.now());
  const association: PodIdentityAssociation = {
    associationId,
    associationArn: `arn:aws:eks:${cluster.region}:${acct.id}:podidentityassociation/${cluster.name}/${associationId}`,
    clusterName: cluster.name,
    namespace: seed.namespace,
    serviceAccount: seed.serviceAccount,
    roleArn: seed.roleArn,
    disableSessionTags: seed.disableSessionTags ?? false,
    tags: seed.tags ?? {},
    createdAt,
    modifiedAt: seed.modifiedAt ?? createdAt,
    effectiveAt: seed.effectiveAt ?? createdAt.getTime() + state.settings.associationDelayMs,
  };
  if (seed.targetRoleArn) {
    association.targetRoleArn = seed.targetRoleArn;
    // Guess: AWS documents that an external ID is generated for a target role; its format (a UUID here) is not.
    association.externalId = seed.externalId ?? randomUUID();
  } else if (seed.externalId) {
    association.externalId = seed.externalId;
  }
  if (seed.policy !== undefined) association.policy = seed.policy;
  if (seed.ownerArn !== undefined) association.ownerArn = seed.ownerArn;
  cluster.associations.set(associationId, association);
  return association;
}

export interface AddonSeed {
  addonName: string;
  addonVersion: string;
  status?: Addon['status'];
  health?: Addon['health'];
  serviceAccountRoleArn?: string;
  configurationValues?: string;
  tags?: Record<string, string>;
  createdAt?: Date;
  /** Associations the add-on owns (created in the add-on's namespace, `kube-system` unless given). */
  podIdentityAssociations?: Array<{ serviceAccount: string; roleArn: string }>;
  namespace?: string;
}

/** Adds an add-on and the associations it owns (no version check: see above). */
export function addAddon(
  state: SandboxState,
  account: Account | string,
  clusterName: string,
  seed: AddonSeed,
): Addon {
  const acct = accountOf(state, account);
  const cluster = clusterOf(state, acct, clusterName);
  const createdAt = seed.createdAt ?? new Date(state.now());
  const addon: Addon = {
    addonName: seed.addonName,
    addonVersion: seed.addonVersion,
    // Real add-on ARNs end in a generated ID of this shape.
    addonArn: `arn:aws:eks:${cluster.region}:${acct.id}:addon/${cluster.name}/${seed.addonName}/${randomUUID()}`,
    clusterName: cluster.name,
    status: seed.status ?? 'ACTIVE',
    health: seed.health ?? { issues: [] },
    createdAt,
    modifiedAt: createdAt,
    tags: seed.tags ?? {},
  };
  if (seed.serviceAccountRoleArn !== undefined) addon.serviceAccountRoleArn = seed.serviceAccountRoleArn;
  if (seed.configurationValues !== undefined) addon.configurationValues = seed.configurationValues;
  cluster.addons.set(addon.addonName, addon);
  for (const item of seed.podIdentityAssociations ?? []) {
    addAssociation(state, acct, cluster.name, {
      namespace: seed.namespace ?? 'kube-system',
      serviceAccount: item.serviceAccount,
      roleArn: item.roleArn,
      ownerArn: addon.addonArn,
      createdAt,
    });
  }
  return addon;
}

export interface NodegroupSeed {
  nodegroupName: string;
  nodeRole: string;
  subnets?: string[];
  status?: string;
  instanceTypes?: string[];
  desiredSize?: number;
  labels?: Record<string, string>;
  tags?: Record<string, string>;
}

export function addNodegroup(
  state: SandboxState,
  account: Account | string,
  clusterName: string,
  seed: NodegroupSeed,
): Nodegroup {
  const acct = accountOf(state, account);
  const cluster = clusterOf(state, acct, clusterName);
  const size = seed.desiredSize ?? 2;
  const createdAt = new Date(state.now());
  const nodegroup: Nodegroup = {
    nodegroupName: seed.nodegroupName,
    nodegroupArn: `arn:aws:eks:${cluster.region}:${acct.id}:nodegroup/${cluster.name}/${seed.nodegroupName}/${randomUUID()}`,
    clusterName: cluster.name,
    nodeRole: seed.nodeRole,
    subnets: seed.subnets ?? cluster.subnetIds,
    status: seed.status ?? 'ACTIVE',
    version: cluster.version,
    releaseVersion: `${cluster.version}.0-20260101`,
    instanceTypes: seed.instanceTypes ?? ['m5.large'],
    amiType: 'AL2023_x86_64_STANDARD',
    capacityType: 'ON_DEMAND',
    scalingConfig: { minSize: 1, maxSize: Math.max(size, 3), desiredSize: size },
    labels: seed.labels ?? {},
    tags: seed.tags ?? {},
    createdAt,
    modifiedAt: createdAt,
  };
  cluster.nodegroups.set(nodegroup.nodegroupName, nodegroup);
  return nodegroup;
}

export interface AccessEntrySeed {
  principalArn: string;
  type?: string;
  kubernetesGroups?: string[];
  username?: string;
  accessPolicies?: string[];
  tags?: Record<string, string>;
}

export function addAccessEntry(
  state: SandboxState,
  account: Account | string,
  clusterName: string,
  seed: AccessEntrySeed,
): AccessEntry {
  const acct = accountOf(state, account);
  const cluster = clusterOf(state, acct, clusterName);
  const kind = seed.principalArn.includes(':user/') ? 'user' : 'role';
  const principalName = seed.principalArn.split('/').pop() ?? 'principal';
  const createdAt = new Date(state.now());
  const entry: AccessEntry = {
    principalArn: seed.principalArn,
    accessEntryArn: `arn:aws:eks:${cluster.region}:${acct.id}:access-entry/${cluster.name}/${kind}/${acct.id}/${principalName}/${randomUUID()}`,
    kubernetesGroups: seed.kubernetesGroups ?? [],
    type: seed.type ?? 'STANDARD',
    // Real default usernames are the session-templated ARN; this is close enough for the product, which does not parse it.
    username: seed.username ?? seed.principalArn,
    accessPolicies: seed.accessPolicies ?? [],
    tags: seed.tags ?? {},
    createdAt,
    modifiedAt: createdAt,
  };
  cluster.accessEntries.set(entry.principalArn, entry);
  return entry;
}

import { randomUUID } from 'node:crypto';
import { AwsError } from '../errors';
import type { SandboxRequest, SandboxResponse } from '../http';
import { jsonError, jsonResponse } from '../protocols/json';
import type {
  AccessEntry,
  Addon,
  EksCluster,
  EksUpdate,
  Nodegroup,
  PodIdentityAssociation,
} from '../state/eks';
import { ADDON_CATALOG, catalogAddon, catalogVersion, type CatalogVersion } from './eks-addon-catalog';
import { addAddon, addAssociation, addCluster } from './eks-seed';
import type { ServiceContext, ServiceModule } from './module';

/**
 * Amazon EKS over REST-JSON, as `@aws-sdk/client-eks` serialises requests (method + path + query, JSON bodies) and
 * parses answers (JSON bodies, timestamps in epoch seconds, the error code in `x-amzn-ErrorType`, EKS error bodies
 * carrying `clusterName`/`addonName`/`nodegroupName` next to `message`).
 *
 * Changes are applied at once (no CREATING/UPDATING phase to wait through); answers that AWS gives mid-flight (a new
 * add-on is CREATING, an add-on update InProgress) say so in the response, while later reads see the finished state.
 */

// ---------------------------------------------------------------------------------------------------------------
// Errors

type ErrorFields = { clusterName?: string; addonName?: string; nodegroupName?: string };

const err = (status: number, code: string, message: string, fields: ErrorFields = {}) =>
  new AwsError(status, code, message, status >= 500 ? 'Receiver' : 'Sender', { ...fields });
const invalidParameter = (message: string, fields?: ErrorFields) =>
  err(400, 'InvalidParameterException', message, fields);
const invalidRequest = (message: string, fields?: ErrorFields) =>
  err(400, 'InvalidRequestException', message, fields);
const resourceNotFound = (message: string, fields?: ErrorFields) =>
  err(404, 'ResourceNotFoundException', message, fields);
const resourceInUse = (message: string, fields?: ErrorFields) =>
  err(409, 'ResourceInUseException', message, fields);
// Guess: what EKS answers for a body that is not JSON. BadRequestException is the modeled EKS error for a request the
// service cannot make sense of; services on other stacks send SerializationException instead.
const badRequest = (message: string) => err(400, 'BadRequestException', message);

// ---------------------------------------------------------------------------------------------------------------
// Routing

type Body = Record<string, unknown>;

interface Call {
  request: SandboxRequest;
  context: ServiceContext;
  params: Record<string, string>;
  body: Body;
}

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path segments; `{label}` binds one URL-decoded segment. */
  path: string[];
  operation: string;
  handler: (call: Call) => SandboxResponse;
}

const route = (
  method: Route['method'],
  path: string,
  operation: string,
  handler: Route['handler'],
): Route => ({
  method,
  path: path.split('/').filter(Boolean),
  operation,
  handler,
});

function match(request: SandboxRequest): { route: Route; params: Record<string, string> } | undefined {
  // '/clusters/x' → ['clusters', 'x']; an empty segment (a trailing or doubled slash) matches no route.
  const segments = request.path.split('/').slice(1);
  for (const candidate of ROUTES) {
    if (candidate.method !== request.method || candidate.path.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const want = candidate.path[i]!;
      const got = segments[i]!;
      if (want.startsWith('{')) {
        let decoded: string;
        try {
          decoded = decodeURIComponent(got);
        } catch {
          throw badRequest(`Malformed path segment: ${got}`);
        }
        if (decoded === '') ok = false;
        else params[want.slice(1, -1)] = decoded;
      } else if (want !== got) {
        ok = false;
      }
    }
    if (ok) return { route: candidate, params };
  }
  return undefined;
}

function parseBody(request: SandboxRequest): Body {
  if (request.method !== 'POST' || request.body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badRequest('The request body must be a JSON object.');
  return parsed as Body;
}

// ---------------------------------------------------------------------------------------------------------------
// Input helpers. Guess: EKS answers InvalidParameterException for a missing or mistyped member (the SDK does not
// check required members itself, so only the service can refuse them); the exact messages are the sandbox's.

function optString(body: Body, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${key} must be a string.`);
  return value;
}

function reqString(body: Body, key: string): string {
  const value = optString(body, key);
  if (value === undefined || value === '') throw invalidParameter(`${key} is required.`);
  return value;
}

function optBool(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParameter(`${key} must be a boolean.`);
  return value;
}

function optTags(body: Body): Record<string, string> | undefined {
  const value = body.tags;
  if (value === undefined || value === null) return undefined;
  if (
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw invalidParameter('tags must be a map of strings.');
  }
  return { ...(value as Record<string, string>) };
}

interface AddonAssociationInput {
  serviceAccount: string;
  roleArn: string;
}

/** `podIdentityAssociations` of CreateAddon/UpdateAddon: undefined when omitted, which UpdateAddon tells apart from []. */
function optAddonAssociations(body: Body): AddonAssociationInput[] | undefined {
  const value = body.podIdentityAssociations;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParameter('podIdentityAssociations must be a list.');
  return value.map((item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw invalidParameter('podIdentityAssociations items must be objects.');
    return {
      serviceAccount: reqString(item as Body, 'serviceAccount'),
      roleArn: reqString(item as Body, 'roleArn'),
    };
  });
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;

function checkRoleArn(value: string, key: string, cluster: EksCluster, sameAccount: boolean): void {
  const m = ROLE_ARN.exec(value);
  if (!m)
    throw invalidParameter(`${key} ${value} is not a valid IAM role ARN.`, { clusterName: cluster.name });
  // Guess: AWS documents that the association role must be in the cluster's account (a role elsewhere is reached
  // through `targetRoleArn`); that the API refuses it, and with this error, is assumed.
  if (sameAccount && m[1] !== accountOfArn(cluster.arn)) {
    throw invalidParameter(`${key} ${value} must be in the same account as the cluster.`, {
      clusterName: cluster.name,
    });
  }
}

const accountOfArn = (arn: string) => arn.split(':')[4];

function checkPolicy(policy: string, cluster: EksCluster): void {
  // Guess: EKS validates that the session policy is a JSON object; IAM's own limits are checked later by STS.
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw invalidParameter('policy is not a valid JSON policy document.', { clusterName: cluster.name });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter('policy is not a valid JSON policy document.', { clusterName: cluster.name });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Paging: the token is the last key of the page, so adding or deleting items between pages neither repeats nor skips
// the others. The token is opaque to clients, as AWS's are.

const MAX_RESULTS = 100;

function maxResults(call: Call): number {
  const raw = call.request.query.get('maxResults');
  if (raw === null) return MAX_RESULTS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RESULTS)
    throw invalidParameter(`maxResults must be between 1 and ${MAX_RESULTS}.`);
  return n;
}

function page<T>(call: Call, items: T[], key: (item: T) => string): { items: T[]; nextToken?: string } {
  const limit = maxResults(call);
  const token = call.request.query.get('nextToken');
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  let start = 0;
  if (token) {
    let after: unknown;
    try {
      after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown }).after;
    } catch {
      after = undefined;
    }
    // Guess: the code and message AWS gives for a token it did not issue.
    if (typeof after !== 'string') throw invalidParameter('The nextToken is not valid.');
    start = sorted.findIndex((item) => key(item) > after);
    if (start < 0) start = sorted.length;
  }
  const slice = sorted.slice(start, start + limit);
  const more = start + limit < sorted.length;
  return more
    ? {
        items: slice,
        nextToken: Buffer.from(JSON.stringify({ after: key(slice[slice.length - 1]!) })).toString(
          'base64url',
        ),
      }
    : { items: slice };
}

// ---------------------------------------------------------------------------------------------------------------
// Lookups

function clusterNamed(call: Call, name: string): EksCluster {
  const cluster = call.context.account.eks.clusters.get(name);
  if (!cluster || cluster.region !== call.context.region)
    throw resourceNotFound(`No cluster found for name: ${name}.`, { clusterName: name });
  return cluster;
}

function activeCluster(call: Call, name: string): EksCluster {
  const cluster = clusterNamed(call, name);
  // Guess: changes to a cluster that is not ACTIVE are refused with this code.
  if (cluster.status !== 'ACTIVE')
    throw resourceInUse(`Cluster ${name} is in ${cluster.status} state.`, { clusterName: name });
  return cluster;
}

function addonNamed(cluster: EksCluster, name: string): Addon {
  const addon = cluster.addons.get(name);
  if (!addon)
    throw resourceNotFound(`No addon: ${name} found in cluster: ${cluster.name}`, {
      clusterName: cluster.name,
      addonName: name,
    });
  return addon;
}

function associationNamed(cluster: EksCluster, id: string): PodIdentityAssociation {
  const association = cluster.associations.get(id);
  // Guess: the message wording.
  if (!association)
    throw resourceNotFound(`Pod Identity association ${id} not found in cluster ${cluster.name}.`, {
      clusterName: cluster.name,
    });
  return association;
}

const ownedBy = (cluster: EksCluster, addon: Addon) =>
  [...cluster.associations.values()].filter((a) => a.ownerArn === addon.addonArn);

const addonNamespace = (addonName: string) => catalogAddon(addonName)?.defaultNamespace ?? 'kube-system';

// ---------------------------------------------------------------------------------------------------------------
// Rendering

const ts = (d: Date) => d.getTime() / 1000;

function renderCluster(cluster: EksCluster) {
  return {
    name: cluster.name,
    arn: cluster.arn,
    createdAt: ts(cluster.createdAt),
    version: cluster.version,
    endpoint: cluster.endpoint,
    roleArn: cluster.roleArn,
    resourcesVpcConfig: {
      subnetIds: cluster.subnetIds,
      securityGroupIds: cluster.securityGroupIds ?? [],
      clusterSecurityGroupId: cluster.clusterSecurityGroupId,
      vpcId: cluster.vpcId,
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0'],
    },
    kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16', ipFamily: 'ipv4' },
    identity: { oidc: { issuer: cluster.oidcIssuer } },
    status: cluster.status,
    // No certificateAuthority: the sandbox's Kubernetes API is plain HTTP on loopback, there is no CA to trust.
    platformVersion: cluster.platformVersion,
    tags: cluster.tags ?? {},
    health: { issues: [] },
    accessConfig: { authenticationMode: cluster.authenticationMode ?? 'API_AND_CONFIG_MAP' },
  };
}

function renderAddon(cluster: EksCluster, addon: Addon, status: Addon['status'] = addon.status) {
  const catalog = catalogAddon(addon.addonName);
  return {
    addonName: addon.addonName,
    clusterName: cluster.name,
    status,
    addonVersion: addon.addonVersion,
    health: addon.health,
    addonArn: addon.addonArn,
    createdAt: ts(addon.createdAt),
    modifiedAt: ts(addon.modifiedAt),
    serviceAccountRoleArn: addon.serviceAccountRoleArn,
    tags: addon.tags,
    publisher: catalog?.publisher ?? 'eks',
    owner: catalog?.owner ?? 'aws',
    configurationValues: addon.configurationValues,
    // As in AWS: the ARNs of the owned associations, not their roles (DescribePodIdentityAssociation has those).
    podIdentityAssociations: ownedBy(cluster, addon).map((a) => a.associationArn),
  };
}

function renderAssociation(a: PodIdentityAssociation) {
  return {
    clusterName: a.clusterName,
    namespace: a.namespace,
    serviceAccount: a.serviceAccount,
    roleArn: a.roleArn,
    associationArn: a.associationArn,
    associationId: a.associationId,
    tags: a.tags,
    createdAt: ts(a.createdAt),
    modifiedAt: ts(a.modifiedAt),
    ownerArn: a.ownerArn,
    disableSessionTags: a.disableSessionTags,
    targetRoleArn: a.targetRoleArn,
    externalId: a.externalId,
    policy: a.policy,
  };
}

/** List summaries carry the owner but no role ARNs, as in AWS: a caller must describe each association for its role. */
const renderSummary = (a: PodIdentityAssociation) => ({
  clusterName: a.clusterName,
  namespace: a.namespace,
  serviceAccount: a.serviceAccount,
  associationArn: a.associationArn,
  associationId: a.associationId,
  ownerArn: a.ownerArn,
});

const renderUpdate = (u: EksUpdate, status: EksUpdate['status'] = u.status) => ({
  id: u.id,
  status,
  type: u.type,
  params: u.params,
  createdAt: ts(u.createdAt),
  errors: u.errors,
});

const renderNodegroup = (n: Nodegroup) => ({
  nodegroupName: n.nodegroupName,
  nodegroupArn: n.nodegroupArn,
  clusterName: n.clusterName,
  version: n.version,
  releaseVersion: n.releaseVersion,
  createdAt: n.createdAt ? ts(n.createdAt) : undefined,
  modifiedAt: n.modifiedAt ? ts(n.modifiedAt) : undefined,
  status: n.status,
  capacityType: n.capacityType,
  scalingConfig: n.scalingConfig,
  instanceTypes: n.instanceTypes,
  subnets: n.subnets,
  amiType: n.amiType,
  nodeRole: n.nodeRole,
  labels: n.labels,
  health: { issues: [] },
  tags: n.tags,
});

const renderAccessEntry = (cluster: EksCluster, e: AccessEntry) => ({
  clusterName: cluster.name,
  principalArn: e.principalArn,
  kubernetesGroups: e.kubernetesGroups,
  accessEntryArn: e.accessEntryArn,
  createdAt: e.createdAt ? ts(e.createdAt) : undefined,
  modifiedAt: e.modifiedAt ? ts(e.modifiedAt) : undefined,
  tags: e.tags ?? {},
  username: e.username,
  type: e.type,
});

// ---------------------------------------------------------------------------------------------------------------
// Clusters

function listClusters(call: Call): SandboxResponse {
  const names = [...call.context.account.eks.clusters.values()]
    .filter((c) => c.region === call.context.region)
    .map((c) => c.name);
  const { items, nextToken } = page(call, names, (n) => n);
  return jsonResponse({ clusters: items, nextToken });
}

function describeCluster(call: Call): SandboxResponse {
  return jsonResponse({ cluster: renderCluster(clusterNamed(call, call.params.name!)) });
}

const SUPPORTED_K8S = ['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34'];

function createCluster(call: Call): SandboxResponse {
  const { state, account, region } = call.context;
  const name = reqString(call.body, 'name');
  const roleArn = reqString(call.body, 'roleArn');
  const vpc = call.body.resourcesVpcConfig;
  if (typeof vpc !== 'object' || vpc === null || Array.isArray(vpc))
    throw invalidParameter('resourcesVpcConfig is required.');
  const subnetIds = (vpc as Body).subnetIds;
  if (!Array.isArray(subnetIds) || subnetIds.length === 0 || subnetIds.some((s) => typeof s !== 'string')) {
    throw invalidParameter('resourcesVpcConfig.subnetIds must list at least one subnet.');
  }
  const sgs = (vpc as Body).securityGroupIds;
  const version = optString(call.body, 'version') ?? SUPPORTED_K8S[SUPPORTED_K8S.length - 2]!;
  if (!SUPPORTED_K8S.includes(version))
    throw invalidParameter(`unsupported Kubernetes version ${version}`, { clusterName: name });
  if (!/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(name))
    throw invalidParameter(`Cluster name ${name} is not valid.`, { clusterName: name });
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\//.test(roleArn))
    throw invalidParameter(`roleArn ${roleArn} is not a valid IAM role ARN.`, { clusterName: name });
  if (account.eks.clusters.has(name))
    throw resourceInUse(`Cluster already exists with name: ${name}`, { clusterName: name });
  // The VPC is the subnets' one when the EC2 state knows them.
  const vpcId = account.ec2.subnets.get(subnetIds[0] as string)?.vpcId;
  const cluster = addCluster(state, account, {
    name,
    region,
    version,
    roleArn,
    subnetIds: subnetIds as string[],
    ...(vpcId ? { vpcId } : {}),
    ...(Array.isArray(sgs)
      ? { securityGroupIds: sgs.filter((s): s is string => typeof s === 'string') }
      : {}),
    ...(optTags(call.body) ? { tags: optTags(call.body)! } : {}),
  });
  // AWS answers CREATING and takes minutes; the sandbox's cluster is ACTIVE from the next read on.
  return jsonResponse({ cluster: { ...renderCluster(cluster), status: 'CREATING' } });
}

// ---------------------------------------------------------------------------------------------------------------
// Add-ons

function listAddons(call: Call): SandboxResponse {
  const cluster = clusterNamed(call, call.params.clusterName!);
  const { items, nextToken } = page(call, [...cluster.addons.keys()], (n) => n);
  return jsonResponse({ addons: items, nextToken });
}

function describeAddon(call: Call): SandboxResponse {
  const cluster = clusterNamed(call, call.params.clusterName!);
  return jsonResponse({ addon: renderAddon(cluster, addonNamed(cluster, call.params.addonName!)) });
}

/** The catalog version an add-on is (to be) installed at, refused when unknown or not for this cluster version. */
function resolveVersion(cluster: EksCluster, addonName: string, version: string | undefined): CatalogVersion {
  const catalog = catalogAddon(addonName);
  // Guess: the wording; the code matches what AWS answers for an add-on it does not offer.
  if (!catalog)
    throw invalidParameter(`Addon ${addonName} specified is not supported`, {
      clusterName: cluster.name,
      addonName,
    });
  const candidates = catalog.versions.filter((v) => v.clusterVersions.includes(cluster.version));
  const chosen =
    version === undefined
      ? (candidates.find((v) => v.defaultVersion) ?? candidates[0])
      : candidates.find((v) => v.addonVersion === version);
  if (!chosen) {
    throw invalidParameter(
      `Addon version ${version ?? '(default)'} specified is not supported for ${addonName} on Kubernetes ${cluster.version}`,
      {
        clusterName: cluster.name,
        addonName,
      },
    );
  }
  return chosen;
}

/**
 * Refuses a ServiceAccount the add-on version cannot own an association for. The message starts as AWS's does
 * ("Pod Identity feature is not supported for addon version …"); what follows the version is the sandbox's.
 */
function checkOwnable(
  cluster: EksCluster,
  addonName: string,
  version: CatalogVersion,
  serviceAccounts: string[],
): void {
  for (const sa of serviceAccounts) {
    if (!version.podIdentity.some((p) => p.serviceAccount === sa)) {
      throw invalidParameter(
        `Pod Identity feature is not supported for addon version ${version.addonVersion} and service account ${sa}`,
        { clusterName: cluster.name, addonName },
      );
    }
  }
}

function checkAddonItems(
  cluster: EksCluster,
  addonName: string,
  version: CatalogVersion,
  items: AddonAssociationInput[],
  owner?: Addon,
): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.serviceAccount)) {
      throw invalidParameter(
        `podIdentityAssociations lists service account ${item.serviceAccount} more than once.`,
        { clusterName: cluster.name, addonName },
      );
    }
    seen.add(item.serviceAccount);
    checkRoleArn(item.roleArn, 'roleArn', cluster, true);
  }
  checkOwnable(cluster, addonName, version, [...seen]);
  // Guess: an add-on cannot take over a ServiceAccount that already has an association it does not own (a manual
  // one): AWS's code and wording for that conflict are assumed.
  const namespace = addonNamespace(addonName);
  for (const sa of seen) {
    const other = [...cluster.associations.values()].find(
      (a) =>
        a.namespace === namespace && a.serviceAccount === sa && (!owner || a.ownerArn !== owner.addonArn),
    );
    if (other) {
      throw resourceInUse(
        `A Pod Identity association already exists for ${namespace}/${sa}: ${other.associationArn}`,
        { clusterName: cluster.name, addonName },
      );
    }
  }
}

function createAddon(call: Call): SandboxResponse {
  const { state, account } = call.context;
  const cluster = activeCluster(call, call.params.clusterName!);
  const addonName = reqString(call.body, 'addonName');
  const version = resolveVersion(cluster, addonName, optString(call.body, 'addonVersion'));
  if (cluster.addons.has(addonName))
    throw resourceInUse('Addon already exists.', { clusterName: cluster.name, addonName });
  const serviceAccountRoleArn = optString(call.body, 'serviceAccountRoleArn');
  if (serviceAccountRoleArn) checkRoleArn(serviceAccountRoleArn, 'serviceAccountRoleArn', cluster, false);
  const configurationValues = optString(call.body, 'configurationValues');
  const items = optAddonAssociations(call.body) ?? [];
  checkAddonItems(cluster, addonName, version, items);
  const tags = optTags(call.body);
  const addon = addAddon(state, account, cluster.name, {
    addonName,
    addonVersion: version.addonVersion,
    namespace: addonNamespace(addonName),
    podIdentityAssociations: items,
    ...(serviceAccountRoleArn ? { serviceAccountRoleArn } : {}),
    ...(configurationValues !== undefined ? { configurationValues } : {}),
    ...(tags ? { tags } : {}),
  });
  // AWS answers CREATING; the sandbox's add-on is ACTIVE from the next read on.
  return jsonResponse({ addon: renderAddon(cluster, addon, 'CREATING') });
}

function updateAddon(call: Call): SandboxResponse {
  const { state, account } = call.context;
  const cluster = activeCluster(call, call.params.clusterName!);
  const addon = addonNamed(cluster, call.params.addonName!);
  const requestedVersion = optString(call.body, 'addonVersion');
  const version = resolveVersion(cluster, addon.addonName, requestedVersion ?? addon.addonVersion);
  const serviceAccountRoleArn = optString(call.body, 'serviceAccountRoleArn');
  if (serviceAccountRoleArn) checkRoleArn(serviceAccountRoleArn, 'serviceAccountRoleArn', cluster, false);
  const configurationValues = optString(call.body, 'configurationValues');
  const resolveConflicts = optString(call.body, 'resolveConflicts');
  const items = optAddonAssociations(call.body);
  const owned = ownedBy(cluster, addon);
  if (items === undefined) {
    // Omitted: the owned associations stay, so the (new) version must still be able to own them. Guess: AWS refuses
    // a version change that would strand them with the same error as an explicit list.
    checkOwnable(
      cluster,
      addon.addonName,
      version,
      owned.map((a) => a.serviceAccount),
    );
  } else {
    checkAddonItems(cluster, addon.addonName, version, items, addon);
  }

  // Validated: apply. A list replaces the whole set ([] deletes every owned association): an association for a
  // ServiceAccount left out is deleted, one for a listed ServiceAccount is kept (its role updated), a new one created.
  const now = new Date(state.now());
  if (items !== undefined) {
    for (const a of owned) {
      if (!items.some((i) => i.serviceAccount === a.serviceAccount))
        cluster.associations.delete(a.associationId);
    }
    for (const item of items) {
      const existing = owned.find((a) => a.serviceAccount === item.serviceAccount);
      if (existing) {
        // Guess: AWS keeps the association (same ID) and changes its role, rather than recreating it.
        if (existing.roleArn !== item.roleArn) {
          existing.roleArn = item.roleArn;
          existing.modifiedAt = now;
        }
      } else {
        addAssociation(state, account, cluster.name, {
          namespace: addonNamespace(addon.addonName),
          serviceAccount: item.serviceAccount,
          roleArn: item.roleArn,
          ownerArn: addon.addonArn,
          createdAt: now,
        });
      }
    }
  }
  addon.addonVersion = version.addonVersion;
  if (serviceAccountRoleArn !== undefined) {
    if (serviceAccountRoleArn === '') delete addon.serviceAccountRoleArn;
    else addon.serviceAccountRoleArn = serviceAccountRoleArn;
  }
  if (configurationValues !== undefined) addon.configurationValues = configurationValues;
  addon.modifiedAt = now;

  const params: EksUpdate['params'] = [];
  if (requestedVersion !== undefined) params.push({ type: 'AddonVersion', value: requestedVersion });
  if (serviceAccountRoleArn !== undefined)
    params.push({ type: 'ServiceAccountRoleArn', value: serviceAccountRoleArn });
  if (resolveConflicts !== undefined) params.push({ type: 'ResolveConflicts', value: resolveConflicts });
  if (configurationValues !== undefined)
    params.push({ type: 'ConfigurationValues', value: configurationValues });
  // Guess: how AWS renders the list in the update's params.
  if (items !== undefined) params.push({ type: 'PodIdentityAssociations', value: JSON.stringify(items) });
  const update: EksUpdate = {
    id: randomUUID(),
    clusterName: cluster.name,
    addonName: addon.addonName,
    status: 'Successful',
    type: 'AddonUpdate',
    params,
    createdAt: now,
    errors: [],
  };
  account.eks.updates.set(update.id, update);
  // AWS answers InProgress; DescribeUpdate shows it Successful since the sandbox applied it at once.
  return jsonResponse({ update: renderUpdate(update, 'InProgress') });
}

function describeUpdate(call: Call): SandboxResponse {
  const cluster = clusterNamed(call, call.params.name!);
  const id = call.params.updateId!;
  const addonName = call.request.query.get('addonName') ?? undefined;
  const nodegroupName = call.request.query.get('nodegroupName') ?? undefined;
  const update = call.context.account.eks.updates.get(id);
  // An add-on update is found only with its add-on's name, as in AWS (guess: the wording of the miss).
  if (
    !update ||
    update.clusterName !== cluster.name ||
    update.addonName !== addonName ||
    update.nodegroupName !== nodegroupName
  ) {
    throw resourceNotFound(`No update found for ID: ${id}`, {
      clusterName: cluster.name,
      ...(addonName ? { addonName } : {}),
    });
  }
  return jsonResponse({ update: renderUpdate(update) });
}

function describeAddonVersions(call: Call): SandboxResponse {
  const q = call.request.query;
  const addonName = q.get('addonName');
  const k8s = q.get('kubernetesVersion');
  const types = q.getAll('types');
  const publishers = q.getAll('publishers');
  const owners = q.getAll('owners');
  const infos = ADDON_CATALOG.filter(
    (a) =>
      (!addonName || a.addonName === addonName) &&
      (types.length === 0 || types.includes(a.type)) &&
      (publishers.length === 0 || publishers.includes(a.publisher)) &&
      (owners.length === 0 || owners.includes(a.owner)),
  )
    .map((a) => ({
      addonName: a.addonName,
      type: a.type,
      addonVersions: a.versions
        .filter((v) => !k8s || v.clusterVersions.includes(k8s))
        .map((v) => ({
          addonVersion: v.addonVersion,
          architecture: ['amd64', 'arm64'],
          computeTypes: ['ec2'],
          compatibilities: v.clusterVersions
            .filter((cv) => !k8s || cv === k8s)
            .map((clusterVersion) => ({
              clusterVersion,
              platformVersions: ['*'],
              defaultVersion: v.defaultVersion,
            })),
          requiresConfiguration: false,
          requiresIamPermissions: v.requiresIamPermissions,
        })),
      publisher: a.publisher,
      owner: a.owner,
      defaultNamespace: a.defaultNamespace,
    }))
    .filter((a) => a.addonVersions.length > 0);
  const { items, nextToken } = page(call, infos, (a) => a.addonName);
  return jsonResponse({ addons: items, nextToken });
}

function describeAddonConfiguration(call: Call): SandboxResponse {
  const q = call.request.query;
  const addonName = q.get('addonName');
  const addonVersion = q.get('addonVersion');
  if (!addonName) throw invalidParameter('addonName is required.');
  if (!addonVersion) throw invalidParameter('addonVersion is required.', { addonName });
  const catalog = catalogAddon(addonName);
  const version = catalogVersion(addonName, addonVersion);
  // Guess: the code AWS gives for an add-on or version it does not know.
  if (!catalog || !version)
    throw resourceNotFound(`Addon ${addonName} version ${addonVersion} not found.`, { addonName });
  return jsonResponse({
    addonName,
    addonVersion,
    configurationSchema: catalog.configurationSchema,
    // Per version, from the catalog (for aws-efs-csi-driver this is the product's assumption: see eks-addon-catalog.ts).
    podIdentityConfiguration: version.podIdentity.map((p) => ({
      serviceAccount: p.serviceAccount,
      recommendedManagedPolicies: p.recommendedManagedPolicies,
    })),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Pod Identity associations

function createAssociation(call: Call): SandboxResponse {
  const { state, account } = call.context;
  const cluster = activeCluster(call, call.params.clusterName!);
  const namespace = reqString(call.body, 'namespace');
  const serviceAccount = reqString(call.body, 'serviceAccount');
  const roleArn = reqString(call.body, 'roleArn');
  checkRoleArn(roleArn, 'roleArn', cluster, true);
  const targetRoleArn = optString(call.body, 'targetRoleArn');
  if (targetRoleArn) checkRoleArn(targetRoleArn, 'targetRoleArn', cluster, false);
  const policy = optString(call.body, 'policy');
  if (policy) checkPolicy(policy, cluster);
  const disableSessionTags = optBool(call.body, 'disableSessionTags');
  const tags = optTags(call.body);
  const existing = [...cluster.associations.values()].find(
    (a) => a.namespace === namespace && a.serviceAccount === serviceAccount,
  );
  // AWS allows one association per ServiceAccount (409); the wording is a guess.
  if (existing) {
    throw resourceInUse(`Association already exists: ${existing.associationArn}`, {
      clusterName: cluster.name,
    });
  }
  const association = addAssociation(state, account, cluster.name, {
    namespace,
    serviceAccount,
    roleArn,
    ...(targetRoleArn ? { targetRoleArn } : {}),
    ...(policy ? { policy } : {}),
    ...(disableSessionTags !== undefined ? { disableSessionTags } : {}),
    ...(tags ? { tags } : {}),
  });
  return jsonResponse({ association: renderAssociation(association) });
}

function describeAssociation(call: Call): SandboxResponse {
  const cluster = clusterNamed(call, call.params.clusterName!);
  return jsonResponse({
    association: renderAssociation(associationNamed(cluster, call.params.associationId!)),
  });
}

/**
 * Guess: AWS refuses direct changes to an association an add-on owns (they are managed through UpdateAddon); the code
 * (InvalidRequestException) and the wording are assumed, not documented.
 */
function refuseOwned(cluster: EksCluster, association: PodIdentityAssociation, verb: string): void {
  if (association.ownerArn) {
    const addonName = [...cluster.addons.values()].find(
      (a) => a.addonArn === association.ownerArn,
    )?.addonName;
    throw invalidRequest(
      `Cannot ${verb} Pod Identity association ${association.associationId}: it is owned by ${association.ownerArn}; change it through UpdateAddon.`,
      { clusterName: cluster.name, ...(addonName ? { addonName } : {}) },
    );
  }
}

function updateAssociation(call: Call): SandboxResponse {
  const { state } = call.context;
  const cluster = activeCluster(call, call.params.clusterName!);
  const association = associationNamed(cluster, call.params.associationId!);
  refuseOwned(cluster, association, 'update');
  const roleArn = optString(call.body, 'roleArn');
  if (roleArn) checkRoleArn(roleArn, 'roleArn', cluster, true);
  const targetRoleArn = optString(call.body, 'targetRoleArn');
  if (targetRoleArn) checkRoleArn(targetRoleArn, 'targetRoleArn', cluster, false);
  const policy = optString(call.body, 'policy');
  if (policy) checkPolicy(policy, cluster);
  const disableSessionTags = optBool(call.body, 'disableSessionTags');

  if (roleArn) association.roleArn = roleArn;
  if (targetRoleArn !== undefined) {
    // Guess: an empty string removes the target role (and its external ID); a new target role gets an external ID.
    if (targetRoleArn === '') {
      delete association.targetRoleArn;
      delete association.externalId;
    } else {
      association.targetRoleArn = targetRoleArn;
      association.externalId ??= randomUUID();
    }
  }
  if (policy !== undefined) {
    // Guess: an empty string removes the session policy.
    if (policy === '') delete association.policy;
    else association.policy = policy;
  }
  if (disableSessionTags !== undefined) association.disableSessionTags = disableSessionTags;
  // The effective time stays: pods keep their injected env and the agent fetches the new role's credentials on refresh.
  association.modifiedAt = new Date(Math.max(state.now(), association.modifiedAt.getTime() + 1));
  return jsonResponse({ association: renderAssociation(association) });
}

function deleteAssociation(call: Call): SandboxResponse {
  const cluster = clusterNamed(call, call.params.clusterName!);
  const association = associationNamed(cluster, call.params.associationId!);
  refuseOwned(cluster, association, 'delete');
  cluster.associations.delete(association.associationId);
  return jsonResponse({ association: renderAssociation(association) });
}

function listAssociations(call: Call): SandboxResponse {
  const cluster = clusterNamed(call, call.params.clusterName!);
  const namespace = call.request.query.get('namespace');
  const serviceAccount = call.request.query.get('serviceAccount');
  const matching = [...cluster.associations.values()].filter(
    (a) =>
      (!namespace || a.namespace === namespace) && (!serviceAccount || a.serviceAccount === serviceAccount),
  );
  const { items, nextToken } = page(call, matching, (a) => a.associationId);
  return jsonResponse({ associations: items.map(renderSummary), nextToken });
}

// ---------------------------------------------------------------------------------------------------------------
// Node groups and access entries

function listNodegroups(call: Call): SandboxResponse {
  const cluster = clusterNamed(call, call.params.clusterName!);
  const { items, nextToken } = page(call, [...cluster.nodegroups.keys()], (n) => n);
  return jsonResponse({ nodegroups: items, nextToken });
}

function describeNodegroup(call: Call): SandboxResponse {
  const cluster = clusterNamed(call, call.params.clusterName!);
  const name = call.params.nodegroupName!;
  const nodegroup = cluster.nodegroups.get(name);
  if (!nodegroup)
    throw resourceNotFound(`No node group found for name: ${name}.`, {
      clusterName: cluster.name,
      nodegroupName: name,
    });
  return jsonResponse({ nodegroup: renderNodegroup(nodegroup) });
}

function listAccessEntries(call: Call): SandboxResponse {
  const cluster = clusterNamed(call, call.params.clusterName!);
  const policyArn = call.request.query.get('associatedPolicyArn');
  const arns = [...cluster.accessEntries.values()]
    .filter((e) => !policyArn || (e.accessPolicies ?? []).includes(policyArn))
    .map((e) => e.principalArn);
  const { items, nextToken } = page(call, arns, (a) => a);
  return jsonResponse({ accessEntries: items, nextToken });
}

function describeAccessEntry(call: Call): SandboxResponse {
  const cluster = clusterNamed(call, call.params.clusterName!);
  const entry = cluster.accessEntries.get(call.params.principalArn!);
  // Guess: the wording.
  if (!entry)
    throw resourceNotFound(
      `The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.`,
      { clusterName: cluster.name },
    );
  return jsonResponse({ accessEntry: renderAccessEntry(cluster, entry) });
}

// ---------------------------------------------------------------------------------------------------------------

const ROUTES: Route[] = [
  route('GET', '/clusters', 'ListClusters', listClusters),
  route('POST', '/clusters', 'CreateCluster', createCluster),
  route('GET', '/clusters/{name}', 'DescribeCluster', describeCluster),
  route('GET', '/clusters/{name}/updates/{updateId}', 'DescribeUpdate', describeUpdate),
  route('GET', '/clusters/{clusterName}/addons', 'ListAddons', listAddons),
  route('POST', '/clusters/{clusterName}/addons', 'CreateAddon', createAddon),
  route('GET', '/clusters/{clusterName}/addons/{addonName}', 'DescribeAddon', describeAddon),
  route('POST', '/clusters/{clusterName}/addons/{addonName}/update', 'UpdateAddon', updateAddon),
  route('GET', '/addons/supported-versions', 'DescribeAddonVersions', describeAddonVersions),
  route('GET', '/addons/configuration-schemas', 'DescribeAddonConfiguration', describeAddonConfiguration),
  route(
    'GET',
    '/clusters/{clusterName}/pod-identity-associations',
    'ListPodIdentityAssociations',
    listAssociations,
  ),
  route(
    'POST',
    '/clusters/{clusterName}/pod-identity-associations',
    'CreatePodIdentityAssociation',
    createAssociation,
  ),
  route(
    'GET',
    '/clusters/{clusterName}/pod-identity-associations/{associationId}',
    'DescribePodIdentityAssociation',
    describeAssociation,
  ),
  route(
    'POST',
    '/clusters/{clusterName}/pod-identity-associations/{associationId}',
    'UpdatePodIdentityAssociation',
    updateAssociation,
  ),
  route(
    'DELETE',
    '/clusters/{clusterName}/pod-identity-associations/{associationId}',
    'DeletePodIdentityAssociation',
    deleteAssociation,
  ),
  route('GET', '/clusters/{clusterName}/node-groups', 'ListNodegroups', listNodegroups),
  route('GET', '/clusters/{clusterName}/node-groups/{nodegroupName}', 'DescribeNodegroup', describeNodegroup),
  route('GET', '/clusters/{clusterName}/access-entries', 'ListAccessEntries', listAccessEntries),
  route(
    'GET',
    '/clusters/{clusterName}/access-entries/{principalArn}',
    'DescribeAccessEntry',
    describeAccessEntry,
  ),
];

/** The EKS operations the sandbox implements (for docs and tests). */
export const EKS_OPERATIONS = ROUTES.map((r) => r.operation);

export const eks: ServiceModule = {
  signingName: 'eks',
  operation(request) {
    try {
      return match(request)?.route.operation;
    } catch {
      return undefined;
    }
  },
  handle(request, context) {
    const found = match(request);
    // Guess: what EKS answers for a path or method it has no operation for (NotFoundException is modeled in EKS).
    if (!found) throw err(404, 'NotFoundException', `No operation at ${request.method} ${request.path}`);
    return found.route.handler({ request, context, params: found.params, body: parseBody(request) });
  },
  error(error) {
    // EKS's modeled 5xx is ServerException: the server's generic InternalFailure becomes it, so the SDK raises the class
    // a real EKS failure raises.
    if (error.status >= 500 && error.code === 'InternalFailure')
      return jsonError(new AwsError(error.status, 'ServerException', error.message));
    return jsonError(error);
  },
  throttlingError: () => err(429, 'ThrottlingException', 'Rate exceeded'),
};

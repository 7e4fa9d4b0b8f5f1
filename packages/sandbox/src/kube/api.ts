import { jsonNesting, MAX_BODY_NESTING, type SandboxRequest, type SandboxResponse } from '../http';
import type { RouteContext } from '../routes';
import type { SandboxState } from '../state/account';
import type { EksCluster } from '../state/eks';
import type { KubeObject } from '../state/kube';
import { authenticateKube, type KubeUser } from './auth';
import { TEMPLATE_GENERATION, reconcile, templateChanged } from './controller';
import {
  PatchError,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  deepEqual,
  isObject,
  type Json,
} from './patch';
import { RESOURCES, apiVersionOf, findResource, objectKey, type ResourceType } from './resources';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors';
import { deleteObject, objectsOf, timestamp, updateObject } from './store';
import { KubeError, badRequest, jsonResponse, notFoundError, statusResponse } from './status';
import { podLog } from './node-exec';
import { validateUpdate } from './validate';

/**
 * The minimal Kubernetes API server of each sandbox cluster, at `<sandbox URL>/k8s/<account>/<region>/<cluster>`
 * (the cluster's `endpoint`). It serves what `@kubernetes/client-node` calls for the product: get/list/patch of the
 * kinds in ./resources.ts (DaemonSets and their `/status`, pods, ServiceAccounts, Secrets, StorageClasses, PVs, PVCs,
 * Nodes, …), delete of pods, list filtering by `labelSelector`/`fieldSelector`, `limit`/`continue` paging, `dryRun`,
 * and discovery (`/version`, `/api`, `/apis`). Errors are `Status` objects with the API server's codes and reasons.
 *
 * Not served (405/400): create, update (PUT), watch, server-side apply. Calls are written to the call log as service
 * `kubernetes`, operation `<verb> <resource>[/<subresource>]` (e.g. `patch daemonsets`), and faults for service
 * `kubernetes` apply (throttling is 429 TooManyRequests).
 */
export async function kubeRoute(
  request: SandboxRequest,
  state: SandboxState,
  context?: RouteContext,
): Promise<SandboxResponse | undefined> {
  if (!request.path.startsWith('/k8s/')) return undefined;
  const segments = request.path.split('/').slice(2).map(decodeSegment);
  const [accountId, region, clusterName, ...rest] = segments;
  const cluster =
    accountId && region && clusterName
      ? state.accounts.get(accountId)?.eks.clusters.get(clusterName)
      : undefined;
  if (!cluster || cluster.region !== region) {
    // Guess: a real unknown cluster endpoint does not resolve at all; a 404 Status is the closest HTTP answer.
    return statusResponse(
      new KubeError(
        404,
        'NotFound',
        `no cluster ${clusterName ?? ''} in account ${accountId ?? ''} region ${region ?? ''}`,
      ),
    );
  }
  const path = rest.filter((s) => s !== '');
  const operation = operationName(request.method, path);
  const now = state.now();
  let user: KubeUser | undefined;
  let response: SandboxResponse;
  let reason: string | undefined;
  try {
    const fault = context?.faults.match('kubernetes', operation) ?? { latencyMs: 0 };
    if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault.fail === 'timeout') {
      context?.log.record({
        at: now,
        service: 'kubernetes',
        operation,
        accountId,
        status: 0,
        errorCode: 'Timeout',
      });
      // Never answer: the client's own timeout fires (the server closes the socket on stop).
      return await new Promise<SandboxResponse>(() => undefined);
    }
    if (fault.fail === 'throttle')
      throw new KubeError(429, 'TooManyRequests', 'Too many requests, please try again later.', {});
    if (fault.fail === 'server')
      throw new KubeError(500, 'InternalError', 'Internal error occurred: injected fault');
    if (!isPublic(path)) user = authenticateKube(request, state, cluster);
    reconcile(cluster, state.now());
    response = serve(request, state, cluster, path, user);
  } catch (error) {
    const kubeError =
      error instanceof KubeError
        ? error
        : new KubeError(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`);
    reason = kubeError.reason;
    response = statusResponse(kubeError);
    if (kubeError.code === 429) response.headers['retry-after'] = '1';
  }
  context?.log.record({
    at: now,
    service: 'kubernetes',
    operation,
    accountId,
    ...(user ? { principalArn: user.principalArn ?? user.username } : {}),
    status: response.status,
    ...(reason ? { errorCode: reason } : {}),
  });
  return response;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Unauthenticated paths (EKS lets anyone read the version and health endpoints: system:public-info-viewer). */
function isPublic(path: string[]): boolean {
  return path.length === 1 && ['version', 'healthz', 'livez', 'readyz'].includes(path[0]!);
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

interface Target {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** `/api/v1/...` or `/apis/<group>/<version>/...` → the resource addressed, or undefined for a discovery path. */
function parseTarget(path: string[]): Target | 'discovery' | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (path[0] === 'api') {
    if (path.length <= 2) return 'discovery';
    [group, version, rest] = ['', path[1]!, path.slice(2)];
  } else if (path[0] === 'apis') {
    if (path.length <= 3) return 'discovery';
    [group, version, rest] = [path[1]!, path[2]!, path.slice(3)];
  } else return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const type = findResource(group, version, rest[2]!);
    if (!type?.namespaced || rest.length > 5) return undefined;
    return {
      type,
      namespace: rest[1]!,
      ...(rest[3] ? { name: rest[3] } : {}),
      ...(rest[4] ? { subresource: rest[4] } : {}),
    };
  }
  const type = findResource(group, version, rest[0]!);
  if (!type || rest.length > 3 || (type.namespaced && rest.length > 1)) return undefined;
  return { type, ...(rest[1] ? { name: rest[1] } : {}), ...(rest[2] ? { subresource: rest[2] } : {}) };
}

function operationName(method: string, path: string[]): string {
  const target = parseTarget(path);
  if (!target || target === 'discovery') return `${method.toLowerCase()} /${path.join('/')}`;
  const verb =
    { GET: target.name ? 'get' : 'list', PATCH: 'patch', DELETE: 'delete', POST: 'create', PUT: 'update' }[
      method
    ] ?? method.toLowerCase();
  return `${verb} ${target.type.plural}${target.subresource ? `/${target.subresource}` : ''}`;
}

const notFoundPath = () =>
  new KubeError(404, 'NotFound', 'the server could not find the requested resource', {});

// ---------------------------------------------------------------------------------------------------------------
// Handlers

function serve(
  request: SandboxRequest,
  state: SandboxState,
  cluster: EksCluster,
  path: string[],
  user: KubeUser | undefined,
): SandboxResponse {
  if (isPublic(path)) {
    if (request.method !== 'GET') throw methodNotAllowed();
    return path[0] === 'version'
      ? jsonResponse(200, versionInfo(cluster))
      : { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
  }
  const target = parseTarget(path);
  if (target === undefined) throw notFoundPath();
  if (target === 'discovery') {
    if (request.method !== 'GET') throw methodNotAllowed();
    return discovery(path);
  }
  const { type, namespace, name, subresource } = target;
  if (type.plural === 'pods' && subresource === 'log' && namespace && name) {
    if (request.method !== 'GET') throw methodNotAllowed();
    authorize(user, 'get', { ...type, plural: 'pods/log' }, namespace, name);
    return {
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: podLog(cluster, namespace, name, request.query),
    };
  }
  if (subresource !== undefined && (subresource !== 'status' || !type.hasStatus)) throw notFoundPath();
  const verb = operationName(request.method, path).split(' ')[0]!;
  authorize(user, verb, type, namespace, name);
  if (request.query.get('watch') === 'true' || request.query.get('watch') === '1') {
    throw badRequest('watch is not supported by the sandbox Kubernetes API');
  }
  switch (request.method) {
    case 'GET':
      return name
        ? jsonResponse(200, getObject(cluster, type, namespace, name))
        : jsonResponse(200, list(cluster, type, namespace, request.query));
    case 'PATCH':
      if (!name) throw methodNotAllowed();
      return jsonResponse(200, patch(request, state, cluster, type, namespace, name, subresource));
    case 'DELETE':
      if (!name || !type.deletable || subresource) throw methodNotAllowed();
      return jsonResponse(200, remove(request, state, cluster, type, namespace, name));
    default:
      throw methodNotAllowed();
  }
}

const methodNotAllowed = () =>
  new KubeError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
    {},
  );

function authorize(
  user: KubeUser | undefined,
  verb: string,
  type: ResourceType,
  namespace: string | undefined,
  name: string | undefined,
): void {
  const access = user?.access ?? 'none';
  if (access === 'admin' || (access === 'read-only' && (verb === 'get' || verb === 'list'))) return;
  const qualified = type.group ? `${type.plural}.${type.group}` : type.plural;
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
  throw new KubeError(
    403,
    'Forbidden',
    `${qualified}${name ? ` "${name}"` : ''} is forbidden: User "${user?.username ?? 'system:anonymous'}" cannot ${verb} resource "${type.plural}" in API group "${type.group}" ${scope}`,
    { ...(name ? { name } : {}), group: type.group, kind: type.plural },
  );
}

function getObject(
  cluster: EksCluster,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
): KubeObject {
  const object = cluster.kube.objects.get(objectKey(type.plural, namespace, name));
  if (!object) throw notFoundError(type.plural, type.group, name);
  return object;
}

function list(
  cluster: EksCluster,
  type: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
): Record<string, unknown> {
  const labels = parseLabelSelector(query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '', type.kind);
  let items = objectsOf(cluster.kube, type.plural, namespace).filter(
    (o) => matchesLabels(o.metadata.labels, labels) && matchesFields(o, fields),
  );
  // Paging: `continue` is an opaque token; here the key of the last item returned (base64url), a simplification of
  // the API server's resourceVersion-bound tokens (no 410 Expired).
  const token = query.get('continue');
  if (token) {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    if (!after.includes('\u0000')) throw badRequest('continue key is not valid: invalid continue token');
    // NUL sorts before every character, so comparing `<namespace>\0<name>` follows the (namespace, name) order.
    items = items.filter((o) => `${o.metadata.namespace ?? ''}\u0000${o.metadata.name}` > after);
  }
  const limit = Number(query.get('limit') ?? 0);
  let next: string | undefined;
  let remaining: number | undefined;
  if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
    remaining = items.length - limit;
    items = items.slice(0, limit);
    const last = items[items.length - 1]!;
    next = Buffer.from(`${last.metadata.namespace ?? ''}\u0000${last.metadata.name}`).toString('base64url');
  }
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: {
      resourceVersion: String(cluster.kube.resourceVersion),
      ...(next ? { continue: next, remainingItemCount: remaining } : {}),
    },
    // List items come without kind and apiVersion, as the API server sends them.
    items: items.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest),
  };
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

function patch(
  request: SandboxRequest,
  state: SandboxState,
  cluster: EksCluster,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  subresource: string | undefined,
): KubeObject {
  const contentType = String(request.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (!PATCH_TYPES.includes(contentType)) {
    // Server-side apply (application/apply-patch+yaml) is real Kubernetes but not served here.
    throw new KubeError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
      {},
    );
  }
  const existing = getObject(cluster, type, namespace, name);
  let body: unknown;
  if (jsonNesting(request.body) > MAX_BODY_NESTING)
    throw badRequest(`error decoding patch: the body nests deeper than ${MAX_BODY_NESTING} levels`);
  try {
    body = JSON.parse(request.body);
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
  let patched: Json;
  try {
    patched =
      contentType === 'application/json-patch+json'
        ? applyJsonPatch(existing as unknown as Json, body)
        : contentType === 'application/merge-patch+json'
          ? applyMergePatch(existing as unknown as Json, body as Json)
          : applyStrategicMergePatch(existing as unknown as Json, body as Json);
  } catch (error) {
    if (!(error instanceof PatchError)) throw error;
    if (error.kind === 'malformed') throw badRequest(error.message);
    // The API server answers a JSON patch that does not apply (missing path, failed test) with 422.
    throw new KubeError(422, 'Invalid', error.message, {
      name,
      group: type.group || undefined,
      kind: type.plural,
    });
  }
  if (!isObject(patched)) throw badRequest('the patched object is not a JSON object');
  const after = patched as unknown as KubeObject;
  validateUpdate(existing, after);
  // Optimistic concurrency: a resourceVersion in the patch must be the current one.
  const sentVersion = after.metadata.resourceVersion;
  if (sentVersion !== undefined && sentVersion !== existing.metadata.resourceVersion) {
    throw new KubeError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${type.group ? `${type.plural}.${type.group}` : type.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: type.group || undefined, kind: type.plural },
    );
  }
  if (after.metadata.uid !== undefined && after.metadata.uid !== existing.metadata.uid) {
    throw new KubeError(
      409,
      'Conflict',
      `Precondition failed: UID in precondition: ${String(after.metadata.uid)}, UID in object meta: ${String(existing.metadata.uid)}`,
      {
        name,
        group: type.group || undefined,
        kind: type.plural,
      },
    );
  }
  // Fields only the server sets.
  for (const field of [
    'uid',
    'resourceVersion',
    'creationTimestamp',
    'generation',
    'managedFields',
  ] as const) {
    const meta = after.metadata as Record<string, unknown>;
    if (existing.metadata[field] === undefined) delete meta[field];
    else meta[field] = existing.metadata[field];
  }
  if (type.hasStatus) {
    if (subresource === 'status') {
      // The status subresource changes only `status`.
      const status = after.status;
      Object.assign(after, structuredClone(existing), { status });
    } else if (existing.status === undefined) delete after.status;
    else after.status = structuredClone(existing.status);
  }
  if (deepEqual(after, existing)) return existing; // A no-op patch does not bump resourceVersion.
  const specChanged = !deepEqual(after.spec, existing.spec);
  const templateDiffers =
    type.kind === 'DaemonSet' &&
    !deepEqual(
      (after.spec as Record<string, unknown>).template,
      (existing.spec as Record<string, unknown>).template,
    );
  if (type.hasGeneration && specChanged) after.metadata.generation = (existing.metadata.generation ?? 1) + 1;
  if (templateDiffers) {
    const annotations = (after.metadata.annotations ??= {});
    annotations[TEMPLATE_GENERATION] = String(
      Number(existing.metadata.annotations?.[TEMPLATE_GENERATION] ?? '1') + 1,
    );
  }
  if (isDryRun(request)) return after;
  updateObject(cluster.kube, after);
  if (templateDiffers) templateChanged(cluster, after, state.now());
  else if (specChanged) reconcile(cluster, state.now());
  return cluster.kube.objects.get(objectKey(type.plural, namespace, name)) ?? after;
}

const isDryRun = (request: SandboxRequest) => request.query.getAll('dryRun').includes('All');

function remove(
  request: SandboxRequest,
  state: SandboxState,
  cluster: EksCluster,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
): KubeObject {
  const existing = getObject(cluster, type, namespace, name);
  // Simplification: deletion is immediate (no graceful termination); the answer carries the deletion timestamp.
  const answer = structuredClone(existing);
  answer.metadata.deletionTimestamp = timestamp(state.now());
  answer.metadata.deletionGracePeriodSeconds = 0;
  if (isDryRun(request)) return answer;
  deleteObject(cluster.kube, existing);
  // The DaemonSet controller recreates a deleted pod (with the current template: how OnDelete updates happen).
  reconcile(cluster, state.now());
  return answer;
}

// ---------------------------------------------------------------------------------------------------------------
// Discovery

function versionInfo(cluster: EksCluster): Record<string, unknown> {
  const [major, minor] = cluster.version.split('.');
  return {
    major: major ?? '1',
    minor: `${minor ?? '0'}+`,
    gitVersion: `v${cluster.version}.0-eks-sandbox`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function discovery(path: string[]): SandboxResponse {
  if (path.length === 1 && path[0] === 'api') {
    return jsonResponse(200, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
    });
  }
  if (path.length === 1 && path[0] === 'apis') {
    const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => r.group))].map((group) => {
      const version = RESOURCES.find((r) => r.group === group)!.version;
      const gv = { groupVersion: `${group}/${version}`, version };
      return { name: group, versions: [gv], preferredVersion: gv };
    });
    return jsonResponse(200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
  }
  const [group, version] = path[0] === 'api' ? ['', path[1]] : [path[1], path[2]];
  const types = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (types.length === 0 || version === undefined) throw notFoundPath();
  const resources = types.flatMap((r) => {
    const verbs = ['get', 'list', 'patch', ...(r.deletable ? ['delete'] : [])];
    const main = {
      name: r.plural,
      singularName: r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs,
    };
    return r.hasStatus
      ? [
          main,
          {
            name: `${r.plural}/status`,
            singularName: '',
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: ['get', 'patch'],
          },
        ]
      : [main];
  });
  return jsonResponse(200, {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  });
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MOUNT_STATE_COMMAND, STATE_FILE_READ_LIMIT } from '@efs-node-identity/core';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SandboxRequest } from '../http';
import type { RouteContext } from '../routes';
import type { SandboxState } from '../state/account';
import type { EksCluster } from '../state/eks';
import type { KubeObject, NodeHost } from '../state/kube';
import { authenticateKube, type KubeUser } from './auth';
import { reconcile } from './controller';
import { objectKey } from './resources';
import { KubeError, badRequest, notFoundError, statusBody } from './status';

/**
 * The node side of the sandbox clusters: `pods/exec` (WebSocket, the channel protocol of the API server) and
 * `pods/log`, over the mount state files and `efs-plugin` log lines a scenario puts on each node (state/kube.ts
 * `NodeHost`). There is no container runtime: exec runs only the fixed command the collector sends
 * (`MOUNT_STATE_COMMAND`, emulated over the node's files); any other command ends with a Failure status, as a command
 * missing from the image would.
 */

/** Subprotocols served, in order of preference: the ones `@kubernetes/client-node` offers first. v5 adds CLOSE. */
const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
/** Bytes per stdout message: the API server relays the container's output in chunks, never all at once. */
const CHUNK = 32 * 1024;

/** The node host of a node name, created empty on first use. */
export function nodeHost(cluster: EksCluster, nodeName: string): NodeHost {
  let host = cluster.kube.nodeHosts.get(nodeName);
  if (!host) {
    host = { efsState: new Map(), pluginLog: [] };
    cluster.kube.nodeHosts.set(nodeName, host);
  }
  return host;
}

/**
 * What `MOUNT_STATE_COMMAND` prints on a node: for each regular file matching `fs-*` in `/var/run/efs` (in the
 * shell's glob order), `file <size> <name>\n`, at most STATE_FILE_READ_LIMIT bytes of it (`head -c`), and a newline.
 */
export function mountStateOutput(host: NodeHost | undefined): Buffer {
  if (!host) return Buffer.alloc(0);
  const names = [...host.efsState.keys()].filter((n) => n.startsWith('fs-')).sort();
  return Buffer.concat(
    names.flatMap((name) => {
      const content = Buffer.from(host.efsState.get(name)!);
      return [
        Buffer.from(`file ${content.length} ${name}\n`),
        content.subarray(0, STATE_FILE_READ_LIMIT),
        Buffer.from('\n'),
      ];
    }),
  );
}

/** RFC 3339 with nanoseconds, as the kubelet prefixes each line with `timestamps=true`. */
function nanoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/**
 * `GET …/pods/<name>/log`: the `efs-plugin` lines of the pod's node logged since the pod was created. Honours
 * `container` (required when the pod has several, as the API server requires it), `tailLines`, `timestamps` and
 * `limitBytes`.
 */
export function podLog(cluster: EksCluster, namespace: string, name: string, query: URLSearchParams): string {
  const pod = cluster.kube.objects.get(objectKey('pods', namespace, name));
  if (!pod) throw notFoundError('pods', '', name);
  const containers = containerNames(pod);
  const container = query.get('container') ?? (containers.length === 1 ? containers[0] : undefined);
  if (container === undefined)
    throw badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`,
    );
  if (!containers.includes(container))
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  const nodeName = (pod.spec as Record<string, unknown> | undefined)?.nodeName;
  const host = typeof nodeName === 'string' ? cluster.kube.nodeHosts.get(nodeName) : undefined;
  const since = Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
  // Only efs-plugin logs anything here: the sidecars' logs are empty.
  let lines = container === 'efs-plugin' ? (host?.pluginLog ?? []).filter((l) => l.at >= since) : [];
  const tail = query.get('tailLines');
  if (tail !== null) {
    const n = Number(tail);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`tailLines: invalid value "${tail}"`);
    lines = n === 0 ? [] : lines.slice(-n);
  }
  const stamped = query.get('timestamps') === 'true';
  let text = lines.map((l) => `${stamped ? `${nanoTimestamp(l.at)} ` : ''}${l.line}\n`).join('');
  const limit = query.get('limitBytes');
  if (limit !== null) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1) throw badRequest(`limitBytes: invalid value "${limit}"`);
    const bytes = Buffer.from(text);
    if (bytes.length > n) text = bytes.subarray(0, n).toString('utf8');
  }
  return text;
}

function containerNames(pod: KubeObject): string[] {
  const spec = (pod.spec ?? {}) as { containers?: Array<{ name?: string }> };
  return (spec.containers ?? []).map((c) => c.name ?? '');
}

const websockets = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => CHANNEL_PROTOCOLS.find((p) => offered.has(p)) ?? false,
});

/**
 * Serves an HTTP upgrade to `…/k8s/<account>/<region>/<cluster>/api/v1/namespaces/<ns>/pods/<name>/exec`. Refusals
 * (401, 403, 404, 400) are answered as the API server does before the upgrade: an HTTP status with a `Status` body.
 * Calls are logged as service `kubernetes`, operation `create pods/exec`; faults for that operation apply (a
 * `timeout` fault opens the stream and never ends it, so the caller's own time limit is what stops it).
 */
export async function handleExecUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  state: SandboxState,
  context: RouteContext,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const segments = url.pathname.split('/').slice(2).map(decodeURIComponent);
  const [accountId, region, clusterName, ...rest] = segments;
  const operation = 'create pods/exec';
  let user: KubeUser | undefined;
  const record = (status: number, errorCode?: string) =>
    context.log.record({
      at: state.now(),
      service: 'kubernetes',
      operation,
      accountId,
      ...(user ? { principalArn: user.principalArn ?? user.username } : {}),
      status,
      ...(errorCode ? { errorCode } : {}),
    });
  try {
    const cluster =
      accountId && clusterName ? state.accounts.get(accountId)?.eks.clusters.get(clusterName) : undefined;
    if (!cluster || cluster.region !== region)
      throw new KubeError(404, 'NotFound', `no cluster ${clusterName ?? ''} in account ${accountId ?? ''}`);
    const [api, version, nsWord, namespace, podsWord, name, sub] = rest;
    if (
      api !== 'api' ||
      version !== 'v1' ||
      nsWord !== 'namespaces' ||
      podsWord !== 'pods' ||
      sub !== 'exec' ||
      !namespace ||
      !name ||
      rest.length !== 7
    )
      throw new KubeError(404, 'NotFound', 'the server could not find the requested resource', {});
    const request: SandboxRequest = {
      method: 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: '',
    };
    user = authenticateKube(request, state, cluster);
    // The API server authorizes `create` on the pods/exec subresource; the sandbox's read-only token is like the
    // `view` ClusterRole, which does not grant it.
    if (user.access !== 'admin')
      throw new KubeError(
        403,
        'Forbidden',
        `pods "${name}" is forbidden: User "${user.username}" cannot create resource "pods/exec" in API group "" in the namespace "${namespace}"`,
        { name, group: '', kind: 'pods' },
      );
    reconcile(cluster, state.now());
    const pod = cluster.kube.objects.get(objectKey('pods', namespace, name));
    if (!pod) throw notFoundError('pods', '', name);
    const container = url.searchParams.get('container') ?? '';
    if (!containerNames(pod).includes(container))
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    const command = url.searchParams.getAll('command');
    if (command.length === 0) throw badRequest('you must specify at least 1 command');
    const fault = context.faults.match('kubernetes', operation);
    if (fault.fail === 'throttle')
      throw new KubeError(429, 'TooManyRequests', 'Too many requests, please try again later.', {});
    if (fault.fail === 'server')
      throw new KubeError(500, 'InternalError', 'Internal error occurred: injected fault');
    if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
    const nodeName = (pod.spec as Record<string, unknown> | undefined)?.nodeName;
    const host = typeof nodeName === 'string' ? cluster.kube.nodeHosts.get(nodeName) : undefined;
    websockets.handleUpgrade(req, socket, head, (ws) => {
      record(101);
      if (fault.fail === 'timeout') return; // open, silent: the caller's time limit ends it
      void run(ws, container, command, host);
    });
  } catch (error) {
    const kubeError =
      error instanceof KubeError
        ? error
        : new KubeError(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`);
    record(kubeError.code, kubeError.reason);
    refuse(socket, kubeError);
  }
}

/** Runs the command in the "container" and streams its output over the channels, then the status. */
async function run(ws: WebSocket, container: string, command: string[], host: NodeHost | undefined) {
  const send = (channel: number, data: Buffer) =>
    new Promise<boolean>((resolve) => {
      if (ws.readyState !== ws.OPEN) return resolve(false);
      ws.send(Buffer.concat([Buffer.from([channel]), data]), (error) => resolve(!error));
    });
  const fixed =
    container === 'efs-plugin' &&
    command.length === MOUNT_STATE_COMMAND.length &&
    command.every((arg, i) => arg === MOUNT_STATE_COMMAND[i]);
  let status: Record<string, unknown>;
  if (fixed) {
    const output = mountStateOutput(host);
    for (let at = 0; at < output.length; at += CHUNK)
      if (!(await send(STDOUT, output.subarray(at, at + CHUNK)))) return;
    status = { metadata: {}, status: 'Success' };
  } else {
    // Guess: what a container without the program reports; the sandbox has no runtime to run anything else.
    const message = `sandbox: exec runs only the mount state command in efs-plugin; refused: ${command.join(' ').slice(0, 200)}`;
    if (!(await send(STDERR, Buffer.from(`${message}\n`)))) return;
    status = {
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sandbox], exit code 126',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '126' }] },
    };
  }
  await send(STATUS, Buffer.from(JSON.stringify(status)));
  ws.close(1000);
}

/** An HTTP answer on the raw socket of a refused upgrade. */
function refuse(socket: Duplex, error: KubeError): void {
  const body = JSON.stringify(statusBody(error));
  const reason = error.reason.replace(/([a-z])([A-Z])/g, '$1 $2');
  socket.end(
    `HTTP/1.1 ${error.code} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

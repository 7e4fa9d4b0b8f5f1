import {
  printable,
  STATE_FILE_READ_LIMIT,
  MOUNT_STATE_DIR,
  type CredentialsSource,
  type InspectionProblem,
  type LiveMount,
  type MountFailureKind,
  type MountLogEvent,
} from '../model/node-inspection';
import type { KubeOrigin } from '../model/origin';

/**
 * Parsers for what the node pods return: the output of `MOUNT_STATE_COMMAND` and the `efs-plugin` log. Pure and
 * defensive: the input comes from a node and may be malformed, huge or hostile. Nothing here throws on bad input; every
 * oddity becomes an `InspectionProblem`, and every string kept is `printable`.
 */

/** The pod whose output is parsed, for the facts' origins. */
export interface InspectedPod {
  namespace: string;
  name: string;
}

/** At most this many state files of one pod are kept (a node runs far fewer TLS mounts than this). */
export const MAX_STATE_FILES_PER_POD = 500;
/** Log lines longer than this are cut before they are matched (klog lines are a few hundred characters). */
export const MAX_LOG_LINE = 4096;

const HEADER = /^file\s+(\d+) (.*)$/;
/** `/var/lib/kubelet/pods/<uid>/volumes/kubernetes.io~csi/<pv>/mount`: where kubelet asks the driver to mount. */
const KUBELET_MOUNT =
  /^\/var\/lib\/kubelet\/pods\/([0-9a-f-]{36})\/volumes\/kubernetes\.io~csi\/([^/]+)\/mount$/;
const FS_ID = /^fs-[0-9a-f]{8,40}$/;
const AP_ID = /^fsap-[0-9a-f]{8,40}$/;

/**
 * Splits the output of `MOUNT_STATE_COMMAND` into state files and parses each. `truncated`: the caller stopped reading
 * at its output limit, so the last file may be cut.
 */
export function parseMountStateOutput(
  output: Uint8Array,
  pod: InspectedPod,
  truncated = false,
): { mounts: LiveMount[]; problems: InspectionProblem[] } {
  const mounts: LiveMount[] = [];
  const problems: InspectionProblem[] = [];
  const bytes = Buffer.from(output.buffer, output.byteOffset, output.byteLength);
  let at = 0;
  let files = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) {
      problems.push(outputProblem(truncated ? 'cut at the output limit' : 'ends inside a header line'));
      break;
    }
    const header = HEADER.exec(bytes.subarray(at, end).toString('utf8'));
    if (!header) {
      problems.push(outputProblem('a header line is not `file <size> <name>`: the rest was not read'));
      break;
    }
    const size = Number(header[1]);
    const name = printable(header[2]!, 200);
    const kept = Math.min(size, STATE_FILE_READ_LIMIT);
    const start = end + 1;
    if (start + kept + 1 > bytes.length) {
      problems.push({
        part: 'state-files',
        subject: name,
        message: truncated
          ? 'not read: the output limit was reached before this file'
          : 'cut short: the output ends inside this file',
      });
      break;
    }
    files++;
    if (files > MAX_STATE_FILES_PER_POD) {
      problems.push(outputProblem(`more than ${MAX_STATE_FILES_PER_POD} state files: the rest was not read`));
      break;
    }
    const content = bytes.subarray(start, start + kept);
    at = start + kept + 1; // the newline printed after each file
    if (size > STATE_FILE_READ_LIMIT) {
      problems.push({
        part: 'state-files',
        subject: name,
        message: `${size} bytes, more than the ${STATE_FILE_READ_LIMIT} read: not a state file efs-utils writes; ignored`,
      });
      continue;
    }
    const parsed = parseStateFile(name, content, pod);
    if ('problem' in parsed) problems.push({ part: 'state-files', subject: name, message: parsed.problem });
    else mounts.push(parsed.mount);
  }
  return { mounts, problems };
}

function outputProblem(message: string): InspectionProblem {
  return { part: 'state-files', subject: 'output', message };
}

/** One state file: the JSON efs-utils writes (proxy.py `write_tunnel_state_file` and `bootstrap_proxy`). */
export function parseStateFile(
  name: string,
  content: Uint8Array,
  pod: InspectedPod,
): { mount: LiveMount } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(content).toString('utf8'));
  } catch (error) {
    return { problem: `not JSON (${printable((error as Error).message, 120)})` };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { problem: 'not a JSON object' };
  const state = json as Record<string, unknown>;
  const text = (key: string, max = 300) =>
    typeof state[key] === 'string' ? printable(state[key], max) : undefined;
  const fromName = /^(fs-[0-9a-f]{8,40})\./.exec(name)?.[1];
  const fsId = text('fsId', 60) ?? fromName;
  const mountpoint = text('mountpoint');
  const method = text('awsCredentialsMethod');
  const accessPoint = text('accessPoint', 60);
  const region = text('region', 40);
  const mountTime = state.mount_time;
  // mount_time is Python's time.time(): seconds since the epoch, a float.
  const mountedAt =
    typeof mountTime === 'number' && Number.isFinite(mountTime) && mountTime > 0 && mountTime < 1e11
      ? new Date(Math.round(mountTime * 1000)).toISOString()
      : undefined;
  if (mountpoint === undefined && method === undefined && fsId === undefined)
    return { problem: 'no mountpoint, fsId or awsCredentialsMethod: not an efs-utils state file' };
  const kubelet = mountpoint !== undefined ? KUBELET_MOUNT.exec(mountpoint) : null;
  const mount: LiveMount = {
    stateFile: name,
    ...(fsId !== undefined && FS_ID.test(fsId) ? { fileSystemId: fsId } : {}),
    ...(mountpoint !== undefined ? { mountpoint } : {}),
    ...(accessPoint !== undefined && AP_ID.test(accessPoint) ? { accessPointId: accessPoint } : {}),
    ...(region !== undefined ? { region } : {}),
    credentials: credentialsSource(method),
    ...(method !== undefined ? { credentialsMethod: method } : {}),
    ...(mountedAt ? { mountedAt } : {}),
    ...(kubelet ? { applicationPodUid: kubelet[1]!, persistentVolume: kubelet[2]! } : {}),
    origin: stateFileOrigin(pod, name),
  };
  return { mount };
}

/** `Pod/kube-system/efs-csi-node-7xk2p:/var/run/efs/<file>`: the pod, and the file inside it. */
export function stateFileOrigin(pod: InspectedPod, file: string): KubeOrigin {
  return { kind: 'k8s', ref: `Pod/${pod.namespace}/${pod.name}:${MOUNT_STATE_DIR}/${file}` };
}

/**
 * `awsCredentialsMethod` → its source. The prefixes are what aws_credentials.py returns: `podidentity:<uri>,<token
 * file>`, `webidentity:<role ARN>,<token file>`, `ecs:<uri>`, `metadata:`, `<credentials file basename>:<profile>`
 * and `named_profile:<profile>`.
 */
export function credentialsSource(method: string | undefined): CredentialsSource {
  if (method === undefined) return { kind: 'none' };
  const colon = method.indexOf(':');
  const prefix = colon < 0 ? method : method.slice(0, colon);
  const rest = colon < 0 ? '' : method.slice(colon + 1);
  const [first = '', second] = splitOnce(rest, ',');
  switch (prefix) {
    case 'podidentity':
      return { kind: 'pod-identity', uri: first, ...(second ? { tokenFile: second } : {}) };
    case 'webidentity':
      return { kind: 'web-identity', roleArn: first, ...(second ? { tokenFile: second } : {}) };
    case 'ecs':
      return { kind: 'ecs', uri: rest };
    case 'metadata':
      return { kind: 'instance-role' };
    case 'credentials':
    case 'config':
    case 'named_profile':
      return { kind: 'profile', source: method };
    default:
      return { kind: 'unrecognized', raw: method };
  }
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const i = text.indexOf(separator);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/**
 * What a failing mount logs, by kind: efs-utils' messages (mount_utils.py, aws_credentials.py, mount_options.py,
 * dns_resolver.py) as the driver relays them, and the driver's own refusals (pkg/driver/node.go). Order matters: the
 * first match wins.
 */
const FAILURE_PATTERNS: Array<[MountFailureKind, RegExp]> = [
  ['access-denied', /access denied by server/i],
  [
    'credentials-not-found',
    /AWS Access Key ID and Secret Access Key are not found|Unsuccessful retrieval of AWS security credentials|Unable to reach Container Credentials URI/,
  ],
  ['tls-required-for-iam', /The "tls" option is required when mounting via "iam"/],
  ['dns-resolution', /Failed to resolve "[^"]*efs[^"]*amazonaws\.com/],
  [
    'mount-target-timeout',
    /Connection timed out|Cannot connect to file system mount target ip address|timeout after \d+ sec/i,
  ],
  ['invalid-volume', /Volume context property .* not supported|volume ID '[^']*' is invalid/i],
  ['crossaccount-option', /mount option 'crossaccount' cannot be set manually/i],
  ['tls-with-encryption-off', /Found tls in mountOptions but encryptInTransit is false/i],
];

/** The failure kind a log line shows, if any. */
export function classifyLogLine(line: string): MountFailureKind | undefined {
  return FAILURE_PATTERNS.find(([, pattern]) => pattern.test(line))?.[0];
}

/** An RFC 3339 timestamp the API server puts before each line with `timestamps=true`. */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) /;

/**
 * The `efs-plugin` log (last lines, with timestamps) → the lines that show a known mount failure. Lines are cut at
 * `MAX_LOG_LINE` before matching and made printable before they are kept; `truncated`: the caller stopped reading.
 */
export function parsePluginLog(
  text: string,
  truncated = false,
): { events: MountLogEvent[]; problems: InspectionProblem[] } {
  const events: MountLogEvent[] = [];
  const problems: InspectionProblem[] = [];
  let long = 0;
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    let line = raw;
    if (line.length > MAX_LOG_LINE) {
      long++;
      line = line.slice(0, MAX_LOG_LINE);
    }
    const stamp = TIMESTAMP.exec(line);
    const body = stamp ? line.slice(stamp[0].length) : line;
    const kind = classifyLogLine(body);
    if (!kind) continue;
    const at = stamp && !Number.isNaN(Date.parse(stamp[1]!)) ? new Date(stamp[1]!).toISOString() : undefined;
    events.push({ kind, ...(at ? { at } : {}), line: printable(body, 400) });
  }
  if (long > 0)
    problems.push({
      part: 'logs',
      subject: 'log',
      message: `${long} line(s) longer than ${MAX_LOG_LINE} characters were cut before matching`,
    });
  if (truncated)
    problems.push({ part: 'logs', subject: 'log', message: 'the log was cut at the read limit' });
  return { events, problems };
}

import type { KubeOrigin } from './origin';

/**
 * Ground truth read from the node pods (live, opt-in `inspectMounts`): the efs-utils mount state files under
 * `/var/run/efs/` and the last lines of the `efs-plugin` log. Every string in these facts came from a node and was
 * made printable and bounded when it was parsed (`printable`), so rules may quote it.
 */

/** Where efs-utils keeps one JSON state file per TLS mount (aws/efs-utils `src/efs_utils_common/constants.py`). */
export const MOUNT_STATE_DIR = '/var/run/efs';
/** The container of the node pods that runs efs-utils and whose file system shows `/var/run/efs` (a hostPath). */
export const MOUNT_STATE_CONTAINER = 'efs-plugin';
/** At most this many bytes of one state file are read: a real one is well under 4 KiB. */
export const STATE_FILE_READ_LIMIT = 65536;

/**
 * The one command run in the `efs-plugin` container: it lists the mount state files and prints each, bounded, behind a
 * `file <size> <name>` header. Fixed: nothing from the user, the cluster or a file name is ever spliced into it (the
 * names are printed as data, quoted). Read-only: `cd`, `test`, `printf`, `wc`, `head`. State files are named
 * `<fs-id>.<mount point with / as .>.<port>` (proxy.py `get_mount_specific_filename`); `~fs-…` files are mounts in
 * progress, `fs-…+` directories hold certificates and `stunnel-config.*` the tunnel configuration: the glob and `-f`
 * leave those out.
 */
export const MOUNT_STATE_COMMAND: readonly string[] = Object.freeze([
  '/bin/sh',
  '-c',
  `cd ${MOUNT_STATE_DIR} 2>/dev/null || exit 0; for f in fs-*; do [ -f "$f" ] || continue; ` +
    `printf 'file %s %s\\n' "$(wc -c < "$f")" "$f"; head -c ${STATE_FILE_READ_LIMIT} -- "$f"; printf '\\n'; done`,
]);

/** Which credentials a mount was made with, from its state file's `awsCredentialsMethod` (aws_credentials.py). */
export type CredentialsSource =
  /** `podidentity:<credentials URI>,<token file>`: EKS Pod Identity. */
  | { kind: 'pod-identity'; uri: string; tokenFile?: string }
  /** `webidentity:<role ARN>,<token file>`: IRSA (AssumeRoleWithWebIdentity). */
  | { kind: 'web-identity'; roleArn: string; tokenFile?: string }
  /** `ecs:<relative URI>`: the ECS container credentials endpoint. */
  | { kind: 'ecs'; uri: string }
  /** `metadata:`: the EC2 instance profile, i.e. the node instance role (the silent fallback). */
  | { kind: 'instance-role' }
  /** `credentials:<profile>`, `config:<profile>`, `named_profile:<profile>`: a file or profile on the node. */
  | { kind: 'profile'; source: string }
  /** No `awsCredentialsMethod`: the mount was made without `iam` (anonymous to EFS). */
  | { kind: 'none' }
  | { kind: 'unrecognized'; raw: string };

/** One live mount, from its state file. */
export interface LiveMount {
  /** The state file's name in `/var/run/efs/`. */
  stateFile: string;
  fileSystemId?: string;
  mountpoint?: string;
  accessPointId?: string;
  region?: string;
  credentials: CredentialsSource;
  /** `awsCredentialsMethod` as written (printable, bounded). */
  credentialsMethod?: string;
  /** `mount_time` as an ISO timestamp. */
  mountedAt?: string;
  /** From a kubelet mount point `/var/lib/kubelet/pods/<uid>/volumes/kubernetes.io~csi/<pv>/mount`. */
  persistentVolume?: string;
  /** The UID of the application pod the volume is mounted for (same mount point). */
  applicationPodUid?: string;
  origin: KubeOrigin;
}

/** The failure kinds LG-01 recognises in `efs-plugin` log lines. */
export type MountFailureKind =
  | 'access-denied'
  | 'credentials-not-found'
  | 'tls-required-for-iam'
  | 'dns-resolution'
  | 'mount-target-timeout'
  | 'invalid-volume'
  | 'crossaccount-option'
  | 'tls-with-encryption-off';

/** A log line of the `efs-plugin` container that matches a known mount failure. */
export interface MountLogEvent {
  kind: MountFailureKind;
  /** The API server's timestamp of the line (`timestamps=true`). */
  at?: string;
  /** The line, printable and bounded. */
  line: string;
}

/** Whether a part of a node pod could be read: `read`, or why not. */
export type InspectionOutcome =
  | { status: 'read' }
  /** The API server answered 403: the caller lacks `pods/exec` (state files) or `pods/log` (logs). */
  | { status: 'forbidden'; message: string }
  /** Anything else: a timeout, a missing shell, an exit status. */
  | { status: 'failed'; message: string };

/** Something read from a node that was malformed, oversized or cut, and was bounded instead of trusted. */
export interface InspectionProblem {
  part: 'state-files' | 'logs';
  /** The state file name, or `output` for the command's output as a whole, or `log`. */
  subject: string;
  message: string;
}

/** What inspecting one running `efs-csi-node` pod found. */
export interface NodePodInspection {
  namespace: string;
  pod: string;
  nodeName?: string;
  stateFiles: InspectionOutcome;
  logs: InspectionOutcome;
  mounts: LiveMount[];
  logEvents: MountLogEvent[];
  problems: InspectionProblem[];
  origin: KubeOrigin;
}

/**
 * Makes text from a node safe to print and bounded: terminal escape sequences (CSI, OSC, …) are removed, other
 * control characters (C0, DEL, C1, bidi overrides) become `?`, and the result is cut at `max` characters with an
 * ellipsis. What reaches a terminal, a PR comment or SARIF can never move the cursor, recolour or retitle it.
 */
export function printable(text: string, max = 400): string {
  /* eslint-disable no-control-regex -- matching control characters is the point */
  const cleaned = text
    // ESC-initiated sequences: CSI (`ESC [ … final`), OSC/DCS/PM/APC up to BEL or ST, and two-byte escapes.
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b[\]P^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g, '')
    .replace(/\u001b[@-Z\\-_]?/g, '')
    .replace(/\u009b[0-?]*[ -/]*[@-~]/g, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?')
    .replace(/[\n\t]/g, ' ');
  /* eslint-enable no-control-regex */
  return cleaned.length > max ? `${cleaned.slice(0, max)}…` : cleaned;
}

/**
 * JSON shapes of the backend's HTTP API (`/api/efs-node-identity`). Plain data, so the frontend and other callers
 * need neither the core library nor the AWS SDK.
 */

export type FindingSeverity = 'error' | 'warning' | 'info';

/** One step of the IAM evaluator's reasoning behind a finding, in reading order. */
export interface StatusTraceStep {
  outcome: 'allow' | 'deny' | 'no-match' | 'default' | 'unknown' | 'note';
  message: string;
  policy?: string;
  sid?: string;
}

/** A rule finding, as `efs-node-identity verify --format json` reports it. */
export interface StatusFinding {
  /** The rule, e.g. `FS-02`; its documentation is docs/rules/<ruleId>.md. */
  ruleId: string;
  severity: FindingSeverity;
  title: string;
  message: string;
  /** What to do about it: commands or a policy statement to add. */
  remediation?: string;
  /** The resource it is about: a file system ID, a role ARN, `StorageClass/efs-sc`. */
  resource?: string;
  trace?: StatusTraceStep[];
  /** The rule could not decide (an unknown value). */
  undecidable?: boolean;
}

/**
 * `ok`: verified, nothing found; `warnings`: only warnings or notes; `failing`: at least one error;
 * `unverifiable`: the last attempt could not read the cluster (access denied, cluster gone); `not-verified`: never run.
 */
export type VerificationState = 'ok' | 'warnings' | 'failing' | 'unverifiable' | 'not-verified';

export const VERIFICATION_STATES: readonly VerificationState[] = [
  'ok',
  'warnings',
  'failing',
  'unverifiable',
  'not-verified',
];

/** `efs`: Amazon EFS; `s3files`: Amazon S3 Files (a file system linked to an S3 bucket, mounted through the same driver). */
export type FileSystemType = 'efs' | 's3files';

/** `GET /entities/:namespace/:kind/:name/status` and the answer of `POST …/verify`. */
export interface EntityStatusResponse {
  /** `component:default/payments`. */
  entityRef: string;
  clusterArn: string;
  fileSystemIds: string[];
  /**
   * The verified file systems with their type, when the backend knows it (optional: a backend that does not report
   * it leaves it out, and the frontend then shows the IDs alone).
   */
  fileSystems?: Array<{ id: string; type: FileSystemType }>;
  state: VerificationState;
  /** ISO 8601; absent when never verified. */
  lastVerifiedAt?: string;
  findings: StatusFinding[];
  counts: { error: number; warning: number; info: number };
  /** Why the last attempt could not verify (state `unverifiable`), without credentials. */
  error?: string;
  /** Facts the run could not read (a file system in another account), with the hint the CLI prints. */
  notRead: string[];
  /** API calls the last verification made. */
  calls?: { aws: number; kubernetes: number };
  /**
   * Which identity the live mounts use, read from the node pods' mount state files (`efsNodeIdentity.inspectMounts`),
   * or why they were not inspected. Absent when the cluster could not be verified, and from a backend that does not
   * report it.
   */
  liveMounts?: LiveMountsStatus;
}

/**
 * The live mounts by the identity efs-utils made them with (each mount's state file in `/var/run/efs/` records it;
 * rule NR-03 reports the same counts).
 */
export interface LiveMountsInspected {
  inspected: true;
  /** The configured identity of the node service account, e.g. `Pod Identity, role arn:…`; absent when none is. */
  identity?: string;
  counts: {
    /** On the configured identity. */
    dedicated: number;
    /** On the node instance role: efs-utils fell back to it. */
    instanceRole: number;
    /** On Pod Identity or IRSA, but not the identity configured now. */
    olderIdentity: number;
    /** On other credentials (a profile on the node, an unrecognised method). */
    other: number;
    /** Mounted without `iam`. */
    withoutIam: number;
  };
  /** Node pods whose state files were read. */
  nodePods: number;
  /** Mounts to mount again to get the configured identity (at most `REMOUNTS_LISTED`; `remountCount` has them all). */
  remount: LiveMountToRemount[];
  remountCount: number;
  /** Node pods whose state files could not be read, and why (the others were read). */
  notInspected?: { pods: string[]; reason: string };
}

/** At most this many mounts are listed in `remount`. */
export const REMOUNTS_LISTED = 50;

/** A live mount that keeps a wrong identity until its volume is mounted again. */
export interface LiveMountToRemount {
  /** What it was made with instead of the configured identity. */
  credentials: 'instance-role' | 'older-identity' | 'other';
  /** `awsCredentialsMethod` as the state file has it (printable, bounded), e.g. `metadata:`. */
  credentialsMethod?: string;
  /** The efs-csi-node pod that holds the mount, `namespace/name`, and its node. */
  nodePod: string;
  node?: string;
  /** The UID of the application pod to delete or roll out so the volume is mounted again. */
  applicationPodUid?: string;
  persistentVolume?: string;
  fileSystemId?: string;
  accessPointId?: string;
  /** The mount point, else the state file's name. */
  mount: string;
  /** ISO 8601. */
  mountedAt?: string;
}

/**
 * Why the live mounts were not inspected: `disabled`: `efsNodeIdentity.inspectMounts` is off; `forbidden`: the
 * backend may not use `pods/exec` on the node pods; `failed`: exec failed on every node pod; `no-node-pods`: no
 * efs-csi-node pod was running.
 */
export type LiveMountsNotInspectedReason = 'disabled' | 'forbidden' | 'failed' | 'no-node-pods';

export interface LiveMountsNotInspected {
  inspected: false;
  reason: LiveMountsNotInspectedReason;
  /** One sentence: why, and what to change. */
  message: string;
}

export type LiveMountsStatus = LiveMountsInspected | LiveMountsNotInspected;

/** One row of `GET /fleet`. */
export interface FleetEntry {
  entityRef: string;
  clusterArn: string;
  state: VerificationState;
  lastVerifiedAt?: string;
  counts: { error: number; warning: number; info: number };
  /** Rule IDs of the findings, for a glance. */
  ruleIds: string[];
}

/** `GET /fleet?cluster=&state=&offset=&limit=`: ordered by entity ref. */
export interface FleetResponse {
  items: FleetEntry[];
  totalCount: number;
  offset: number;
  limit: number;
  /** The `offset` of the next page; absent on the last page. */
  nextOffset?: number;
}

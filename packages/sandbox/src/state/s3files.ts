/**
 * Amazon S3 Files and S3 bucket state of one account. Owned by the S3 Files and S3 service modules
 * (services/s3files.ts, services/s3.ts); seeded by services/s3files-seed.ts.
 */

/** The `status` values of the S3 Files API (`LifeCycleState` in `@aws-sdk/client-s3files`). */
export type S3FilesLifeCycleState = 'creating' | 'available' | 'updating' | 'deleting' | 'deleted' | 'error';

export interface S3FilesFileSystem {
  /** `fs-` and 17–40 hex digits (the API's pattern). */
  fileSystemId: string;
  /** `arn:aws:s3files:<region>:<account>:file-system/<id>`. */
  fileSystemArn: string;
  region: string;
  /** The linked bucket as the API gives it: its ARN, `arn:aws:s3:::<name>`. */
  bucket: string;
  /** The key prefix the file system exposes; '' for the whole bucket. */
  prefix: string;
  /** The IAM role the file system assumes to read and write the bucket. */
  roleArn: string;
  clientToken: string;
  creationTime: Date;
  status: S3FilesLifeCycleState;
  name?: string;
  kmsKeyId?: string;
  tags: Record<string, string>;
  /** The file system policy as the JSON text it was put with, or undefined when it has none. */
  policy?: string;
}

export interface S3FilesMountTarget {
  mountTargetId: string;
  fileSystemId: string;
  subnetId: string;
  vpcId: string;
  availabilityZoneId: string;
  ipv4Address: string;
  networkInterfaceId: string;
  securityGroups: string[];
  status: S3FilesLifeCycleState;
}

export interface S3FilesAccessPoint {
  accessPointId: string;
  accessPointArn: string;
  fileSystemId: string;
  clientToken: string;
  name?: string;
  tags: Record<string, string>;
  posixUser?: { uid: number; gid: number; secondaryGids?: number[] };
  rootDirectory?: {
    path?: string;
    creationPermissions?: { ownerUid: number; ownerGid: number; permissions: string };
  };
  status: S3FilesLifeCycleState;
}

export interface S3FilesState {
  /** Insertion order is the listing order (ListFileSystems pages through it). */
  fileSystems: Map<string, S3FilesFileSystem>;
  mountTargets: Map<string, S3FilesMountTarget>;
  accessPoints: Map<string, S3FilesAccessPoint>;
}

/** One S3 bucket: only what the product reads (its policy). Bucket names are global, but kept per owning account. */
export interface S3Bucket {
  name: string;
  region: string;
  creationDate: Date;
  /** The bucket policy as the JSON text it was put with (S3 returns it as stored), or undefined when it has none. */
  policy?: string;
}

export interface S3State {
  buckets: Map<string, S3Bucket>;
}

export function emptyS3FilesState(): S3FilesState {
  return { fileSystems: new Map(), mountTargets: new Map(), accessPoints: new Map() };
}

export function emptyS3State(): S3State {
  return { buckets: new Map() };
}

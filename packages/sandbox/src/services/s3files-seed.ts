/**
 * Seed helpers for S3 buckets and S3 Files (the scenario loader uses the same): a bucket with its policy, an S3 file
 * system linked to it, and the file system's mount targets and access points.
 */
import { createHash } from 'node:crypto';
import type { Account, SandboxState } from '../state/account';
import type {
  S3Bucket,
  S3FilesAccessPoint,
  S3FilesFileSystem,
  S3FilesLifeCycleState,
  S3FilesMountTarget,
} from '../state/s3files';
import { S3FILES_FILE_SYSTEM_ID } from './s3files';

function accountOf(state: SandboxState, accountId: string): Account {
  const account = state.accounts.get(accountId);
  if (!account) throw new Error(`seed: account ${accountId} does not exist (add it with addAccount first)`);
  return account;
}

/** A deterministic `<prefix><hex>` ID not yet taken. */
function newId(account: Account, prefix: string, length: number, taken: (id: string) => boolean): string {
  for (let n = 0; ; n++) {
    const id = `${prefix}${createHash('sha256').update(`${account.id}/s3files/${prefix}/${n}`).digest('hex').slice(0, length)}`;
    if (!taken(id)) return id;
  }
}

const policyText = (policy: string | object | undefined) =>
  policy === undefined ? undefined : typeof policy === 'string' ? policy : JSON.stringify(policy);

/** S3's bucket naming rules (3–63 characters of lower-case letters, digits, dots and hyphens). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface BucketSpec {
  name: string;
  region?: string;
  /** The bucket policy (text is kept as given, so a broken one can be seeded); absent: none. */
  policy?: string | object;
  creationDate?: Date;
}

export function addBucket(state: SandboxState, accountId: string, spec: BucketSpec): S3Bucket {
  const account = accountOf(state, accountId);
  if (!BUCKET_NAME.test(spec.name)) throw new Error(`seed: "${spec.name}" is not an S3 bucket name`);
  for (const other of state.accounts.values()) {
    // Bucket names are global across accounts.
    if (other.s3.buckets.has(spec.name)) throw new Error(`seed: bucket ${spec.name} exists already`);
  }
  const text = policyText(spec.policy);
  const bucket: S3Bucket = {
    name: spec.name,
    region: spec.region ?? state.defaultRegion,
    creationDate: spec.creationDate ?? new Date(state.now()),
    ...(text !== undefined ? { policy: text } : {}),
  };
  account.s3.buckets.set(spec.name, bucket);
  return bucket;
}

export interface S3FileSystemSpec {
  fileSystemId?: string;
  region?: string;
  /** The linked bucket: its name or ARN. It need not be seeded (a bucket of an account the sandbox lacks). */
  bucket: string;
  prefix?: string;
  /** The role the file system uses to access the bucket (an ARN). */
  roleArn: string;
  name?: string;
  policy?: string | object;
  tags?: Record<string, string>;
  status?: S3FilesLifeCycleState;
  creationTime?: Date;
}

export function addS3FileSystem(
  state: SandboxState,
  accountId: string,
  spec: S3FileSystemSpec,
): S3FilesFileSystem {
  const account = accountOf(state, accountId);
  const region = spec.region ?? state.defaultRegion;
  const fileSystemId =
    spec.fileSystemId ?? newId(account, 'fs-', 17, (id) => account.s3files.fileSystems.has(id));
  if (!S3FILES_FILE_SYSTEM_ID.test(fileSystemId))
    throw new Error(`seed: "${fileSystemId}" is not an S3 Files file system ID (fs- and 17–40 hex digits)`);
  if (account.s3files.fileSystems.has(fileSystemId))
    throw new Error(`seed: S3 file system ${fileSystemId} exists already in account ${accountId}`);
  const text = policyText(spec.policy);
  const fileSystem: S3FilesFileSystem = {
    fileSystemId,
    fileSystemArn: `arn:aws:s3files:${region}:${accountId}:file-system/${fileSystemId}`,
    region,
    bucket: spec.bucket.startsWith('arn:') ? spec.bucket : `arn:aws:s3:::${spec.bucket}`,
    prefix: spec.prefix ?? '',
    roleArn: spec.roleArn,
    clientToken: `sandbox-${fileSystemId}`,
    creationTime: spec.creationTime ?? new Date(state.now()),
    status: spec.status ?? 'available',
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    tags: { ...(spec.name !== undefined ? { Name: spec.name } : {}), ...(spec.tags ?? {}) },
    ...(text !== undefined ? { policy: text } : {}),
  };
  account.s3files.fileSystems.set(fileSystemId, fileSystem);
  return fileSystem;
}

export interface S3FilesMountTargetSpec {
  mountTargetId?: string;
  fileSystemId: string;
  /** The subnet (of the file system's account): its VPC and AZ come from it. */
  subnetId: string;
  ipAddress?: string;
  securityGroups?: string[];
  status?: S3FilesLifeCycleState;
}

export function addS3FilesMountTarget(
  state: SandboxState,
  accountId: string,
  spec: S3FilesMountTargetSpec,
): S3FilesMountTarget {
  const account = accountOf(state, accountId);
  if (!account.s3files.fileSystems.has(spec.fileSystemId))
    throw new Error(`seed: S3 file system ${spec.fileSystemId} does not exist in account ${accountId}`);
  const subnet = account.ec2.subnets.get(spec.subnetId);
  if (!subnet) throw new Error(`seed: subnet ${spec.subnetId} does not exist in account ${accountId}`);
  const mountTargetId =
    spec.mountTargetId ?? newId(account, 'fsmt-', 17, (id) => account.s3files.mountTargets.has(id));
  const [a, b, c] = subnet.cidrBlock.split('/')[0]!.split('.');
  const mountTarget: S3FilesMountTarget = {
    mountTargetId,
    fileSystemId: spec.fileSystemId,
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZoneId: subnet.availabilityZoneId,
    ipv4Address: spec.ipAddress ?? `${a}.${b}.${c}.${30 + account.s3files.mountTargets.size}`,
    networkInterfaceId: newId(account, 'eni-', 17, (id) =>
      [...account.s3files.mountTargets.values()].some((m) => m.networkInterfaceId === id),
    ),
    securityGroups: [...(spec.securityGroups ?? [])],
    status: spec.status ?? 'available',
  };
  account.s3files.mountTargets.set(mountTargetId, mountTarget);
  return mountTarget;
}

export interface S3FilesAccessPointSpec {
  accessPointId?: string;
  fileSystemId: string;
  name?: string;
  posixUser?: { uid: number; gid: number };
  rootDirectory?: { path: string; owner?: { uid: number; gid: number; permissions: string } };
  tags?: Record<string, string>;
}

export function addS3FilesAccessPoint(
  state: SandboxState,
  accountId: string,
  spec: S3FilesAccessPointSpec,
): S3FilesAccessPoint {
  const account = accountOf(state, accountId);
  const fileSystem = account.s3files.fileSystems.get(spec.fileSystemId);
  if (!fileSystem)
    throw new Error(`seed: S3 file system ${spec.fileSystemId} does not exist in account ${accountId}`);
  const accessPointId =
    spec.accessPointId ?? newId(account, 'fsap-', 17, (id) => account.s3files.accessPoints.has(id));
  const accessPoint: S3FilesAccessPoint = {
    accessPointId,
    // The ARN form of ListAccessPoints: under the file system's ARN.
    accessPointArn: `${fileSystem.fileSystemArn}/access-point/${accessPointId}`,
    fileSystemId: fileSystem.fileSystemId,
    clientToken: `sandbox-${accessPointId}`,
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    tags: { ...(spec.name !== undefined ? { Name: spec.name } : {}), ...(spec.tags ?? {}) },
    ...(spec.posixUser ? { posixUser: { uid: spec.posixUser.uid, gid: spec.posixUser.gid } } : {}),
    rootDirectory: spec.rootDirectory
      ? {
          path: spec.rootDirectory.path,
          ...(spec.rootDirectory.owner
            ? {
                creationPermissions: {
                  ownerUid: spec.rootDirectory.owner.uid,
                  ownerGid: spec.rootDirectory.owner.gid,
                  permissions: spec.rootDirectory.owner.permissions,
                },
              }
            : {}),
        }
      : { path: '/' },
    status: 'available',
  };
  account.s3files.accessPoints.set(accessPointId, accessPoint);
  return accessPoint;
}

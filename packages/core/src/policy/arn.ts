import type { FileSystemType } from '../model/snapshot';

/** `fs-` followed by 8–40 lowercase hex digits (EFS) — the form the driver accepts in volume handles. */
export const FILE_SYSTEM_ID = /^fs-[0-9a-f]{8,40}$/;
/** An Amazon S3 Files file system ID: the S3 Files API reference's pattern `fs-[0-9a-f]{17,40}`. */
export const S3FILES_FILE_SYSTEM_ID = /^fs-[0-9a-f]{17,40}$/;
export const ACCESS_POINT_ID = /^fsap-[0-9a-f]{8,40}$/;
export const ACCOUNT_ID = /^\d{12}$/;
/** IAM role names: 1–64 of `[\w+=,.@-]`. Paths are allowed in ARNs. */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
export const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export interface ParsedFileSystemArn {
  type: FileSystemType;
  partition: string;
  region: string;
  accountId: string;
  id: string;
}

/** Parses `arn:aws:elasticfilesystem:<region>:<account>:file-system/fs-…` and the `s3files` equivalent. */
export function parseFileSystemArn(arn: string): ParsedFileSystemArn | undefined {
  const match =
    /^arn:(aws[\w-]*):(elasticfilesystem|s3files):([a-z0-9-]+):(\d{12}):file-system\/(fs-[0-9a-f]+)$/.exec(
      arn,
    );
  if (!match) return undefined;
  return {
    partition: match[1],
    type: match[2] === 's3files' ? 's3files' : 'efs',
    region: match[3],
    accountId: match[4],
    id: match[5],
  };
}

export function fileSystemArn(type: FileSystemType, region: string, accountId: string, id: string): string {
  return `arn:aws:${type === 's3files' ? 's3files' : 'elasticfilesystem'}:${region}:${accountId}:file-system/${id}`;
}

export interface ParsedRoleArn {
  accountId: string;
  path: string;
  name: string;
}

export function parseRoleArn(arn: string): ParsedRoleArn | undefined {
  const match = ROLE_ARN.exec(arn);
  if (!match) return undefined;
  return { accountId: match[1], path: `/${match[2]}`, name: match[3] };
}

/** The account of any ARN (`arn:aws:iam::123456789012:…`), or undefined. */
export function accountOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && ACCOUNT_ID.test(parts[4]) ? parts[4] : undefined;
}

/**
 * S3 bucket names (S3 User Guide "General purpose bucket naming rules"): 3–63 of lowercase letters, digits, dots
 * and hyphens, starting and ending with a letter or digit.
 */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BUCKET_ARN = /^arn:(aws[\w-]*):s3:::([^/]+)$/;

/**
 * The bucket an S3 Files file system is linked to, as a bucket ARN. S3 Files APIs, CloudFormation and Terraform
 * take and return the ARN (`arn:aws:s3:::<name>`); a bare name is accepted too. Undefined for anything else.
 */
export function bucketArnOf(bucket: string, partition = 'aws'): string | undefined {
  const arn = BUCKET_ARN.exec(bucket);
  if (arn) return BUCKET_NAME.test(arn[2]) ? bucket : undefined;
  return BUCKET_NAME.test(bucket) ? `arn:${partition}:s3:::${bucket}` : undefined;
}

/** `arn:aws:s3:::media` → `media`. */
export function bucketNameOf(bucketArn: string): string {
  return bucketArn.slice(bucketArn.lastIndexOf(':') + 1);
}

/**
 * Field `index` of a colon-separated ARN (4 is the account), exactly as `arn.split(':')[index]` gives it, without
 * building the array: the evaluator reads the account of every principal and file system it is asked about.
 */
export function arnField(arn: string, index: number): string | undefined {
  let start = 0;
  for (let i = 0; i < index; i++) {
    const colon = arn.indexOf(':', start);
    if (colon < 0) return undefined;
    start = colon + 1;
  }
  const end = arn.indexOf(':', start);
  return end < 0 ? arn.slice(start) : arn.slice(start, end);
}

import { bucketArnOf, parseFileSystemArn, ROLE_ARN } from './arn';

/**
 * The policies we recommend. Every input is validated before it reaches a document, and no generator ever writes a
 * wildcard resource or principal: access is always scoped to the named role and file system ARNs.
 */

export type Access = 'read' | 'write' | 'root';

export class InvalidPolicyInputError extends Error {}

export interface JsonStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface JsonPolicy {
  Version: '2012-10-17';
  Statement: JsonStatement[];
}

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const OIDC_PROVIDER_ARN =
  /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[0-9A-Fa-f]{8,40}$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function requireRoleArn(arn: string): string {
  if (!ROLE_ARN.test(arn)) throw new InvalidPolicyInputError(`not an IAM role ARN: ${JSON.stringify(arn)}`);
  return arn;
}

function requireFileSystemArn(arn: string): string {
  if (!parseFileSystemArn(arn)) {
    throw new InvalidPolicyInputError(
      `not a file system ARN (arn:aws:elasticfilesystem:<region>:<account>:file-system/fs-…): ${JSON.stringify(arn)}`,
    );
  }
  return arn;
}

function requireClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name))
    throw new InvalidPolicyInputError(`not an EKS cluster name: ${JSON.stringify(name)}`);
  return name;
}

/** Client actions for an access level, for EFS (`elasticfilesystem:`) or S3 Files (`s3files:`). */
export function clientActions(
  access: Access,
  service: 'elasticfilesystem' | 's3files' = 'elasticfilesystem',
): string[] {
  const actions = [`${service}:ClientMount`];
  if (access === 'write' || access === 'root') actions.push(`${service}:ClientWrite`);
  if (access === 'root') actions.push(`${service}:ClientRootAccess`);
  return actions;
}

/** Sid of the statement we own in a file system policy, so a merge finds and updates only ours. */
export function allowStatementSid(cluster: string): string {
  return `EfsCsiNode-${requireClusterName(cluster)}`;
}

/**
 * The Allow statement for the node role in a file system policy: the role as Principal, through a mount target
 * only. Merged into an existing policy by Sid, never replacing the other statements.
 */
export function fileSystemAllowStatement(input: {
  cluster: string;
  roleArn: string;
  fileSystemArn: string;
  access: Access;
}): JsonStatement {
  const arn = requireFileSystemArn(input.fileSystemArn);
  const service = arn.includes(':s3files:') ? 's3files' : 'elasticfilesystem';
  const statement: JsonStatement = {
    Sid: allowStatementSid(input.cluster),
    Effect: 'Allow',
    Principal: { AWS: requireRoleArn(input.roleArn) },
    Action: clientActions(input.access, service),
    Resource: arn,
  };
  if (service === 'elasticfilesystem') {
    statement.Condition = { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } };
  }
  return statement;
}

/** The bucket an S3 file system is linked to, and the key prefix it exposes (none: the whole bucket). */
export interface LinkedBucket {
  /** Bucket ARN (`arn:aws:s3:::<name>`) or bucket name. */
  bucket: string;
  prefix?: string;
}

/** Key prefixes reach an object ARN: no wildcard or control characters of ours, and S3's 1,024-byte key limit. */
function isKeyPrefix(prefix: string): boolean {
  if (Buffer.byteLength(prefix, 'utf8') > 1024 || /[*?]/.test(prefix)) return false;
  return [...prefix].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f);
}

function linkedBucketResources(linked: LinkedBucket): { bucketArn: string; objects: string } {
  const bucketArn = bucketArnOf(linked.bucket);
  if (!bucketArn) {
    throw new InvalidPolicyInputError(
      `not an S3 bucket ARN or name (arn:aws:s3:::<bucket>): ${JSON.stringify(linked.bucket)}`,
    );
  }
  const prefix = (linked.prefix ?? '').replace(/^\/+/, '');
  if (!isKeyPrefix(prefix)) {
    throw new InvalidPolicyInputError(`not an S3 key prefix: ${JSON.stringify(linked.prefix)}`);
  }
  // `<bucket>/<prefix>*`: the objects the file system exposes, never every bucket.
  return { bucketArn, objects: `${bucketArn}/${prefix}*` };
}

/**
 * The node role's identity policy: client actions on the named file systems only and, for S3 Files, the direct
 * reads from each linked bucket (`s3:GetObject` on its objects, `s3:ListBucket` on the bucket). This is the scoped
 * equivalent of the AmazonS3FilesClientFullAccess + AmazonS3ReadOnlyAccess pair the driver's docs attach.
 */
export function nodePermissionsPolicy(input: {
  fileSystemArns: string[];
  access: Access;
  linkedBuckets?: LinkedBucket[];
}): JsonPolicy {
  if (input.fileSystemArns.length === 0)
    throw new InvalidPolicyInputError('at least one file system ARN is needed');
  const arns = input.fileSystemArns.map(requireFileSystemArn);
  const efs = arns.filter((a) => a.includes(':elasticfilesystem:'));
  const s3 = arns.filter((a) => a.includes(':s3files:'));
  const statements: JsonStatement[] = [];
  if (efs.length > 0) {
    statements.push({
      Sid: 'EfsClientAccess',
      Effect: 'Allow',
      Action: clientActions(input.access),
      Resource: efs,
    });
  }
  if (s3.length > 0) {
    statements.push({
      Sid: 'S3FilesClientAccess',
      Effect: 'Allow',
      Action: clientActions(input.access, 's3files'),
      Resource: s3,
    });
  }
  const buckets = (input.linkedBuckets ?? []).map(linkedBucketResources);
  if (buckets.length > 0) {
    if (s3.length === 0) {
      throw new InvalidPolicyInputError(
        'linked buckets belong to S3 file systems: name their s3files ARNs too',
      );
    }
    statements.push({
      Sid: 'S3FilesDirectRead',
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [...new Set(buckets.map((b) => b.objects))],
    });
    statements.push({
      Sid: 'S3FilesDirectReadList',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: [...new Set(buckets.map((b) => b.bucketArn))],
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** Trust for EKS Pod Identity: the service principal with AssumeRole and TagSession, scoped to the account. */
export function podIdentityTrustPolicy(input: { accountId: string; clusterArn?: string }): JsonPolicy {
  if (!/^\d{12}$/.test(input.accountId))
    throw new InvalidPolicyInputError(`not an AWS account ID: ${JSON.stringify(input.accountId)}`);
  const condition: Record<string, Record<string, string>> = {
    StringEquals: { 'aws:SourceAccount': input.accountId },
  };
  if (input.clusterArn !== undefined) {
    if (
      !/^arn:aws[\w-]*:eks:[a-z0-9-]+:\d{12}:cluster\/[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(input.clusterArn)
    ) {
      throw new InvalidPolicyInputError(`not an EKS cluster ARN: ${JSON.stringify(input.clusterArn)}`);
    }
    condition.ArnEquals = { 'aws:SourceArn': input.clusterArn };
  }
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EksPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: condition,
      },
    ],
  };
}

/** Trust for IRSA: the cluster's OIDC provider, the node SA's exact `sub`, and `aud` sts.amazonaws.com. */
export function irsaTrustPolicy(input: {
  oidcProviderArn: string;
  namespace: string;
  serviceAccount: string;
}): JsonPolicy {
  if (!OIDC_PROVIDER_ARN.test(input.oidcProviderArn)) {
    throw new InvalidPolicyInputError(
      `not an EKS OIDC provider ARN: ${JSON.stringify(input.oidcProviderArn)}`,
    );
  }
  if (!K8S_NAME.test(input.namespace) || !K8S_NAME.test(input.serviceAccount)) {
    throw new InvalidPolicyInputError(
      `not a Kubernetes name: ${JSON.stringify(`${input.namespace}/${input.serviceAccount}`)}`,
    );
  }
  const issuer = input.oidcProviderArn.split(':oidc-provider/')[1];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EksIrsa',
        Effect: 'Allow',
        Principal: { Federated: input.oidcProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${input.namespace}:${input.serviceAccount}`,
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  };
}

import { fileOrigin, type Origin } from '../model/origin';
import type { PolicyDocument } from '../model/policy';
import type { FileSystem, Role } from '../model/snapshot';
import { isKnown } from '../model/unknown';
import { bucketArnOf, fileSystemArn, parseFileSystemArn } from '../policy/arn';
import type { NamedPolicy } from '../policy/decisions';
import type { ContextValue, RequestPrincipal } from '../policy/evaluate';
import { normalizePolicy } from '../policy/normalize';
import { managedName } from './identity-support';
import { arnOf, isS3FilesVolume } from './support';
import type { DriverVolume, NodeIdentityView, NodeRoleBinding } from './view';

/** Helpers shared by the S3 Files rules (S3F-01..05). */

export const S3FILES_CLIENT_MOUNT = 's3files:ClientMount';
export const S3FILES_CLIENT_WRITE = 's3files:ClientWrite';
export const S3FILES_CLIENT_ROOT = 's3files:ClientRootAccess';
export const S3FILES_CLIENT_ACTIONS = [S3FILES_CLIENT_MOUNT, S3FILES_CLIENT_WRITE, S3FILES_CLIENT_ROOT];
/** The S3 reads the client makes directly against the linked bucket (S3F-03, S3F-04). */
export const S3_GET_OBJECT = 's3:GetObject';
export const S3_LIST_BUCKET = 's3:ListBucket';

/**
 * AWS managed policies a node role carries for S3 Files (the driver's `docs/iam-policy-create.md` attaches the first
 * and the last), with the statements the AWS Managed Policy Reference publishes for them: every one on
 * `Resource: "*"`. The S3 read policy's document is v3 of AmazonS3ReadOnlyAccess.
 */
export const S3FILES_MANAGED_POLICIES: Record<string, string[]> = {
  AmazonS3FilesClientFullAccess: [S3FILES_CLIENT_MOUNT, S3FILES_CLIENT_WRITE, S3FILES_CLIENT_ROOT],
  AmazonS3FilesClientReadWriteAccess: [S3FILES_CLIENT_MOUNT, S3FILES_CLIENT_WRITE],
  AmazonS3FilesClientReadOnlyAccess: [S3FILES_CLIENT_MOUNT],
  AmazonS3ReadOnlyAccess: [
    's3:Get*',
    's3:List*',
    's3:Describe*',
    's3-object-lambda:Get*',
    's3-object-lambda:List*',
  ],
  AmazonS3FullAccess: ['s3:*', 's3-object-lambda:*'],
};

/** The S3 Files volumes of the inputs (`s3files:` handles, `provisioningMode: s3files-ap`). */
export function s3FilesVolumes(view: NodeIdentityView): DriverVolume[] {
  return view.volumes.filter(isS3FilesVolume);
}

/** S3 Files are in use: a volume or an S3 file system in the inputs. */
export function s3FilesInUse(view: NodeIdentityView): boolean {
  return s3FilesVolumes(view).length > 0 || view.snapshot.fileSystems.some((f) => f.type === 's3files');
}

/** The S3 file system facts with this ID (EFS facts with the same ID are another service's). */
export function s3FileSystemsWithId(view: NodeIdentityView, id: string): FileSystem[] {
  return view.fileSystemsWithId(id).filter((f) => f.type === 's3files');
}

/**
 * The S3 file system a volume's ID names: the fact with that ID, else the only S3 file system of the inputs when its
 * ID is known only after apply (Terraform, CloudFormation): a volume of the same repository can only be on it.
 */
export function s3FileSystemFor(view: NodeIdentityView, id: string): FileSystem | undefined {
  const known = s3FileSystemsWithId(view, id)[0];
  if (known) return known;
  const all = view.snapshot.fileSystems.filter((f) => f.type === 's3files');
  return all.length === 1 && !isKnown(all[0].id) ? all[0] : undefined;
}

/**
 * The node role's identity policies for S3 Files questions: the documents in the inputs, the well-known managed
 * policies of S3F-02's list as the documents AWS publishes, and the names of managed policies whose content is not
 * in the inputs (their grants are unknown).
 */
export function s3FilesPoliciesOf(
  view: NodeIdentityView,
  binding: NodeRoleBinding,
): { policies: NamedPolicy[]; opaque: string[] } {
  const policies = [...view.identityPoliciesOf(binding.role, binding)];
  const opaque: string[] = [];
  for (const managed of managedDocuments(binding.role)) {
    if ('document' in managed) policies.push(managed);
    else opaque.push(managed.name);
  }
  return { policies, opaque };
}

const managedCache = new WeakMap<Role, Array<NamedPolicy | { name: string }>>();

function managedDocuments(role: Role | undefined): Array<NamedPolicy | { name: string }> {
  if (!role) return [];
  let out = managedCache.get(role);
  if (out) return out;
  out = [];
  for (const policy of role.managedPolicies) {
    if (policy.document) continue;
    const name = managedName(policy);
    const actions = isKnown(name) ? S3FILES_MANAGED_POLICIES[name] : undefined;
    if (!actions) {
      // AmazonElasticFileSystemsUtils and the EFS client policies grant nothing in S3 or S3 Files.
      if (isKnown(name) && /^AmazonElasticFileSystem/.test(name)) continue;
      out.push({ name: isKnown(name) ? name : `(unknown: ${name?.expression ?? 'unnamed'})` });
      continue;
    }
    out.push({
      name: `managed policy ${name}`,
      document: managedPolicyDocument(name as string, policy.origin ?? role.origin),
    });
  }
  managedCache.set(role, out);
  return out;
}

/** The published document of one of S3FILES_MANAGED_POLICIES, for the evaluator. */
export function managedPolicyDocument(
  name: string,
  origin: Origin = fileOrigin('(managed policy)'),
): PolicyDocument {
  const raw = {
    Version: '2012-10-17',
    Statement: [{ Sid: name, Effect: 'Allow', Action: S3FILES_MANAGED_POLICIES[name], Resource: '*' }],
  };
  return normalizePolicy(raw, origin);
}

/**
 * The ARN of an S3 file system: a file system fact, else an `s3files` ARN with that ID in a policy of the inputs,
 * else built from the file system fact's region and account, or the cluster's one region and the node role's account
 * (S3 Files mounts are same-account: the driver rejects `crossaccount` for them).
 */
export function s3FileSystemArnFor(
  view: NodeIdentityView,
  id: string,
  account: string | undefined,
): string | undefined {
  for (const fs of s3FileSystemsWithId(view, id)) {
    const arn = arnOf(fs);
    if (arn) return arn;
  }
  const documents = [
    ...view.snapshot.loosePolicies.map((p) => p.document),
    ...view.snapshot.fileSystems.flatMap((f) => (f.policy ? [f.policy] : [])),
    ...view.snapshot.roles
      .flatMap((r) => [...r.inlinePolicies, ...r.managedPolicies])
      .flatMap((p) => (p.document ? [p.document] : [])),
  ];
  for (const doc of documents) {
    for (const s of doc.statements) {
      for (const r of s.resource ?? []) {
        if (typeof r !== 'string') continue;
        const parsed = parseFileSystemArn(r);
        if (parsed?.type === 's3files' && parsed.id === id) return r;
      }
    }
  }
  // A file system fact whose ID is known only after apply still knows its region and account (the provider's).
  const fact = s3FileSystemFor(view, id);
  if (fact && isKnown(fact.region) && isKnown(fact.accountId))
    return fileSystemArn('s3files', fact.region, fact.accountId, id);
  const regions = [...new Set(view.snapshot.clusters.map((c) => c.region).filter(isKnown))];
  return account && regions.length === 1 ? fileSystemArn('s3files', regions[0], account, id) : undefined;
}

/** An S3 file system for messages: its ID, else what the ID depends on (`aws_s3files_file_system.media.id …`). */
export function s3FileSystemLabel(fileSystem: FileSystem): string {
  return isKnown(fileSystem.id) ? fileSystem.id : fileSystem.id.expression;
}

/** The linked bucket of an S3 file system as an ARN, when the inputs give it. */
export function linkedBucketArn(fileSystem: FileSystem): string | undefined {
  if (!isKnown(fileSystem.bucket)) return undefined;
  const partition = isKnown(fileSystem.arn) ? fileSystem.arn.split(':')[1] : 'aws';
  return bucketArnOf(fileSystem.bucket, partition);
}

/**
 * An object ARN to ask the evaluator about: a key under the file system's prefix. Any object the file system
 * exposes is read the same way, so one representative key stands for them all.
 */
export function sampleObjectArn(bucketArn: string, prefix: string | undefined): string {
  const base = prefix ? prefix.replace(/^\/+/, '') : '';
  return `${bucketArn}/${base}${base === '' || base.endsWith('/') ? '' : '/'}efs-node-identity-sample-object`;
}

/**
 * The request context of an S3 Files mount for the client actions: TLS and IAM are always on (efs-utils adds both
 * for S3 Files), the principal's own keys, and `s3files:AccessPointArn` when the volume handle names an access point
 * (`arn:…:s3files:<region>:<account>:file-system/<fs>/access-point/<fsap>`, the ARN form of ListAccessPoints).
 */
export function s3FilesMountContext(
  volume: DriverVolume,
  fileSystemArnText: string,
  principal: RequestPrincipal & { kind: 'aws' },
): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {
    'aws:securetransport': 'true',
    'aws:principalarn': principal.arn,
    'aws:principaltype': 'AssumedRole',
  };
  const account = principal.accountId ?? principal.arn.split(':')[4];
  if (account) context['aws:principalaccount'] = account;
  if (volume.accessPointId) {
    context['s3files:accesspointarn'] = `${fileSystemArnText}/access-point/${volume.accessPointId}`;
  }
  return context;
}

/** The context of a direct S3 request by a principal (TLS, the principal's keys). */
export function s3RequestContext(principalArn: string): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {
    'aws:securetransport': 'true',
    'aws:principalarn': principalArn,
    'aws:principaltype': 'AssumedRole',
  };
  const account = principalArn.split(':')[4];
  if (account) context['aws:principalaccount'] = account;
  return context;
}

import type { PolicyDocument, Statement } from '../model/policy';
import type { Role } from '../model/snapshot';
import { isKnown, isUnknown } from '../model/unknown';
import { nodePermissionsPolicy, type LinkedBucket } from '../policy/generate';
import { managedName } from './identity-support';
import type { Rule, RuleFinding } from './rule';
import { at, knownNodePrincipals, nodeTrusts, statementName, statementsFor } from './support';
import {
  linkedBucketArn,
  s3FileSystemArnFor,
  s3FileSystemFor,
  s3FilesInUse,
  s3FilesVolumes,
  S3FILES_CLIENT_ACTIONS,
  S3FILES_MANAGED_POLICIES,
  S3_GET_OBJECT,
  S3_LIST_BUCKET,
} from './s3files-support';
import type { NodeIdentityView } from './view';

/**
 * S3F-02: S3 Files client actions or S3 reads granted to the node role on `*` or a wildcard: the two managed
 * policies the driver's docs attach (AmazonS3FilesClientFullAccess, AmazonS3ReadOnlyAccess; `docs/iam-policy-create.md`
 * of driver v3.4.1) or a statement of our own. The node role then mounts every S3 file system and reads every bucket
 * of the account. S3 reads are judged only where S3 Files are in use: elsewhere they are not this rule's business.
 */
export const S3F02: Rule = {
  id: 'S3F-02',
  severity: 'warning',
  title: 'S3 Files client or S3 read permissions of the node role on a wildcard resource',
  requires: ['S', 'A'],
  check({ view }) {
    const findings: RuleFinding[] = [];
    const inUse = s3FilesInUse(view);
    const fix = scopedFix(view);
    const seenRoles = new Set<Role>();
    const documents = new Map<PolicyDocument, string>();
    for (const binding of view.nodeRoles) {
      const label = isKnown(binding.arn)
        ? binding.arn
        : binding.role
          ? roleLabel(binding.role)
          : 'the node role';
      for (const p of view.identityPoliciesOf(binding.role, binding))
        if (!documents.has(p.document)) documents.set(p.document, label);
      const role = binding.role;
      if (!role || seenRoles.has(role)) continue;
      seenRoles.add(role);
      for (const policy of role.managedPolicies) {
        const name = managedName(policy);
        if (!isKnown(name) || policy.document || !(name in S3FILES_MANAGED_POLICIES)) continue;
        const s3Read = !name.startsWith('AmazonS3Files');
        if (s3Read && !inUse) continue;
        const origin = policy.origin ?? role.origin;
        const roleText = roleLabel(role);
        findings.push({
          message: s3Read
            ? `the node role ${roleText} (${at(origin)}) has the AWS managed policy ${name}: it reads every object of every bucket the account can reach, where direct reads from S3 need only the linked buckets of the S3 file systems`
            : `the node role ${roleText} (${at(origin)}) has the AWS managed policy ${name}: it may mount every S3 file system in the account (Resource "*"), not only the ones its volumes use`,
          origin,
          resource: roleText,
          fix,
        });
      }
    }
    // No node role binding in the files, but a node trust: the loose client policies are the node role's.
    if (
      view.nodeRoles.length === 0 &&
      (nodeTrusts(view, 'pod-identity').length > 0 || nodeTrusts(view, 'irsa').length > 0)
    ) {
      for (const p of view.looseClientPolicies()) documents.set(p.document, 'the node role');
    }
    for (const [document, label] of documents) {
      for (const { statement, what, wildcard } of broadStatements(document, inUse)) {
        const name = `statement ${statementName(document, statement)} (${at(statement.origin)})`;
        findings.push({
          message: wildcard
            ? `${name} grants ${label} ${what} on ${wildcard}: the node may ${what.startsWith('S3 Files') ? 'mount every S3 file system it matches' : 'read every bucket it matches'}, not only the ones its volumes use; scope it to the file system ARNs and their linked buckets`
            : `cannot tell whether ${name} grants ${label} ${what} on a wildcard: its Resource is unknown`,
          ...(wildcard ? {} : { undecidable: true }),
          origin: statement.origin,
          resource: label,
          fix,
        });
      }
    }
    return findings;
  },
};

/** Allow statements of a document that grant S3 Files client actions, or (S3 Files in use) S3 reads, on a wildcard. */
function broadStatements(
  document: PolicyDocument,
  inUse: boolean,
): Array<{ statement: Statement; what: string; wildcard?: string }> {
  const out: Array<{ statement: Statement; what: string; wildcard?: string }> = [];
  const client = new Set(S3FILES_CLIENT_ACTIONS.flatMap((a) => statementsFor(document, 'Allow', a)));
  const reads = inUse
    ? new Set([S3_GET_OBJECT, S3_LIST_BUCKET].flatMap((a) => statementsFor(document, 'Allow', a)))
    : new Set<Statement>();
  for (const statement of new Set([...client, ...reads])) {
    const what = client.has(statement)
      ? 'S3 Files client actions'
      : 'S3 reads (s3:GetObject / s3:ListBucket)';
    if (statement.notResource !== undefined) {
      out.push({ statement, what, wildcard: 'NotResource' });
      continue;
    }
    const resources = statement.resource ?? [];
    const wildcard = resources.find(
      (r): r is string =>
        typeof r === 'string' && (client.has(statement) ? /[*?]/.test(r) : bucketWildcard(r)),
    );
    if (wildcard) out.push({ statement, what, wildcard: `"${wildcard}"` });
    // An unknown resource could be anything; `aws_s3files_file_system.x.arn`-like references name one resource.
    else if (
      resources.some((r) => isUnknown(r) && !/\.arn( \(known after apply\))?$|\.Arn$/.test(r.expression))
    )
      out.push({ statement, what });
  }
  return out;
}

/** `*`, `arn:aws:s3:::*` or `arn:aws:s3:::data-*` followed by a key: a wildcard in the bucket part reaches other buckets. */
function bucketWildcard(resource: string): boolean {
  if (resource === '*') return true;
  const match = /^arn:[^:]*:s3:::([^/]*)/.exec(resource);
  return match ? /[*?]/.test(match[1]) : /[*?]/.test(resource.split(':')[0]);
}

/** The scoped node policy for the in-scope S3 file systems and their linked buckets, when the inputs name them. */
function scopedFix(view: NodeIdentityView): string {
  const account = knownNodePrincipals(view)[0]?.principal.accountId;
  const fileSystemArns = new Set<string>();
  const linkedBuckets: LinkedBucket[] = [];
  for (const volume of s3FilesVolumes(view)) {
    if (!isKnown(volume.fileSystemId)) continue;
    const arn = s3FileSystemArnFor(view, volume.fileSystemId, account);
    if (!arn || fileSystemArns.has(arn)) continue;
    fileSystemArns.add(arn);
    const fs = s3FileSystemFor(view, volume.fileSystemId);
    const bucket = fs ? linkedBucketArn(fs) : undefined;
    if (fs && bucket) {
      linkedBuckets.push({ bucket, ...(isKnown(fs.bucketPrefix) ? { prefix: fs.bucketPrefix } : {}) });
    }
  }
  if (fileSystemArns.size === 0) {
    return 'Replace the wildcard with the S3 file system ARNs (arn:aws:s3files:<region>:<account>:file-system/fs-…) for s3files:ClientMount/ClientWrite, and the linked buckets (arn:aws:s3:::<bucket> for s3:ListBucket, arn:aws:s3:::<bucket>/* for s3:GetObject).';
  }
  return `Attach this scoped policy instead (no "*" resource):\n${JSON.stringify(nodePermissionsPolicy({ fileSystemArns: [...fileSystemArns], access: 'write', linkedBuckets }), null, 2)}`;
}

/** A role for messages: its ARN, else its name, else what its name depends on (a role eksctl creates). */
function roleLabel(role: Role): string {
  if (isKnown(role.arn)) return role.arn;
  if (isKnown(role.name)) return `role ${role.name}`;
  return isUnknown(role.name) ? `(${role.name.expression})` : role.id;
}

import { fileOrigin } from '../model/origin';
import type { PolicyDocument } from '../model/policy';
import { emptySnapshot, type FileSystem, type LoosePolicyKind, type Snapshot } from '../model/snapshot';
import { isUnknown } from '../model/unknown';
import { looksLikePolicyDocument, normalizePolicy } from '../policy/normalize';
import { parseFileSystemArn } from '../policy/arn';
import type { DocumentSource } from './types';

/**
 * Raw IAM policy JSON files (trust, identity, EFS / S3 Files file system policies), recognised by their content:
 * a file name is not a contract.
 */
export const policyJsonSource: DocumentSource = {
  name: 'iam-policy-json',
  claims: (document) => looksLikePolicyDocument(document.value),
  read(documents, file) {
    const snapshot = emptySnapshot(['S']);
    for (const document of documents) {
      const origin = fileOrigin(file.file, document.line);
      const policy = normalizePolicy(document.value, origin, {
        lineOf: document.lineOf,
        size: documents.length === 1 ? file.text.trim().length : undefined,
      });
      addPolicy(snapshot, policy);
    }
    return snapshot;
  },
};

/** Files a policy as what its content says it is: a file system policy, a trust policy or an identity policy. */
export function addPolicy(snapshot: Snapshot, policy: PolicyDocument): void {
  const kind = classifyPolicy(policy);
  if (kind === 'resource') {
    const fileSystem = fileSystemOfResourcePolicy(policy);
    if (fileSystem) {
      snapshot.fileSystems.push(fileSystem);
      return;
    }
  }
  snapshot.loosePolicies.push({ kind, document: policy });
}

/**
 * Trust policies grant `sts:AssumeRole*` / `sts:TagSession` to a principal; resource policies name a principal for
 * other actions; identity policies name no principal.
 */
export function classifyPolicy(policy: PolicyDocument): LoosePolicyKind {
  const withPrincipal = policy.statements.filter((s) => s.principal || s.notPrincipal);
  if (withPrincipal.length === 0) return 'identity';
  const isStsAction = (a: unknown) =>
    typeof a === 'string' && /^sts:(AssumeRole|TagSession|SetSourceIdentity)/i.test(a);
  if (withPrincipal.some((s) => (s.action ?? []).some(isStsAction))) return 'trust';
  return 'resource';
}

/** The file system a resource policy governs, from the file system ARNs in its `Resource` elements. */
function fileSystemOfResourcePolicy(policy: PolicyDocument): FileSystem | undefined {
  for (const statement of policy.statements) {
    for (const resource of statement.resource ?? []) {
      if (isUnknown(resource)) continue;
      const parsed = parseFileSystemArn(resource);
      if (parsed) {
        return {
          type: parsed.type,
          id: parsed.id,
          arn: resource,
          accountId: parsed.accountId,
          region: parsed.region,
          policy,
          origin: policy.origin,
        };
      }
    }
  }
  const mentionsClientActions = policy.statements.some((s) =>
    (s.action ?? []).some((a) => typeof a === 'string' && /^(elasticfilesystem|s3files):/i.test(a)),
  );
  if (mentionsClientActions) {
    const type = policy.statements.some((s) =>
      (s.action ?? []).some((a) => typeof a === 'string' && /^s3files:/i.test(a)),
    )
      ? 's3files'
      : 'efs';
    return {
      type,
      id: { unknown: true, expression: 'file system of this policy (no file system ARN in Resource)' },
      policy,
      origin: policy.origin,
    };
  }
  return undefined;
}

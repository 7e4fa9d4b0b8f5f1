import type { EfsPort, EksPort, IamPort, S3FilesPort } from '../ports';

/**
 * The Snapshot keeps policies normalized (for the evaluator), but a merge must start from the text as stored, so
 * that every statement we do not own is written back exactly as it was. These wrappers record the texts the
 * collector reads anyway: no extra call.
 */
export interface PolicyTexts {
  /**
   * File system → policy text, or null when it has none: an EFS file system by its ID, an S3 file system by
   * `s3files:<id>` (both services use `fs-` IDs; see fileSystemPolicyKey).
   */
  fileSystemPolicies: Map<string, string | null>;
  /** Role ARN → trust policy text. */
  trustPolicies: Map<string, string>;
  /** `<role name>/<policy name>` → inline policy text. */
  rolePolicies: Map<string, string>;
  /** Pod Identity association ID → session policy text, or null when it has none. */
  associationPolicies: Map<string, string | null>;
}

export function emptyPolicyTexts(): PolicyTexts {
  return {
    fileSystemPolicies: new Map(),
    trustPolicies: new Map(),
    rolePolicies: new Map(),
    associationPolicies: new Map(),
  };
}

/** An EksPort that records the session policy texts of the associations it describes into `texts`. */
export function recordingEksPort<P extends EksPort>(port: P, texts: PolicyTexts): P {
  return {
    ...bindAll(port),
    async describePodIdentityAssociation(cluster, associationId) {
      const association = await port.describePodIdentityAssociation(cluster, associationId);
      if (association) texts.associationPolicies.set(associationId, association.policy ?? null);
      return association;
    },
  };
}

/** An IamPort that records trust and inline policy texts into `texts` as they are read. */
export function recordingIamPort<P extends IamPort>(port: P, texts: PolicyTexts): P {
  return {
    ...bindAll(port),
    async getRole(roleName) {
      const role = await port.getRole(roleName);
      if (role?.trustPolicy !== undefined) texts.trustPolicies.set(role.arn, role.trustPolicy);
      return role;
    },
    async getRolePolicy(roleName, policyName) {
      const text = await port.getRolePolicy(roleName, policyName);
      if (text !== undefined) texts.rolePolicies.set(`${roleName}/${policyName}`, text);
      return text;
    },
  };
}

/** The key of a file system's policy text in PolicyTexts.fileSystemPolicies. */
export function fileSystemPolicyKey(type: 'efs' | 's3files', fileSystemId: string): string {
  return type === 's3files' ? `s3files:${fileSystemId}` : fileSystemId;
}

/** An S3FilesPort that records S3 file system policy texts into `texts` as they are read. */
export function recordingS3FilesPort<P extends S3FilesPort>(port: P, texts: PolicyTexts): P {
  return {
    ...bindAll(port),
    async getFileSystemPolicy(fileSystemId) {
      const text = await port.getFileSystemPolicy(fileSystemId);
      texts.fileSystemPolicies.set(fileSystemPolicyKey('s3files', fileSystemId), text);
      return text;
    },
  };
}

/** An EfsPort that records file system policy texts into `texts` as they are read. */
export function recordingEfsPort<P extends EfsPort>(port: P, texts: PolicyTexts): P {
  return {
    ...bindAll(port),
    async describeFileSystemPolicy(fileSystemId) {
      const text = await port.describeFileSystemPolicy(fileSystemId);
      texts.fileSystemPolicies.set(fileSystemId, text);
      return text;
    },
  };
}

/** Own enumerable function properties, bound (adapters are plain objects of closures; classes work too). */
function bindAll<P extends object>(port: P): P {
  const out: Record<string, unknown> = {};
  let proto: object | null = port;
  while (proto && proto !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = (port as Record<string, unknown>)[key];
      if (key !== 'constructor' && typeof value === 'function' && !(key in out)) {
        out[key] = (value as (...a: unknown[]) => unknown).bind(port);
      }
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return out as P;
}

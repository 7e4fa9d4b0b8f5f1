/** IAM state of one account. Owned by the IAM/STS service module; extend here. */
import { createHash, randomBytes } from 'node:crypto';

export interface IamRole {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  /** The trust policy as JSON text, as submitted (IAM returns it URL-encoded). */
  assumeRolePolicyDocument: string;
  createDate: Date;
  /** Inline policies: name → JSON text as submitted. */
  inlinePolicies: Map<string, string>;
  attachedPolicyArns: string[];
  tags: Map<string, string>;
  description?: string;
  maxSessionDuration: number;
  /** When the role becomes usable by STS/EKS (IAM eventual consistency, see faults). */
  usableAt: number;
  /** Set by STS AssumeRole: GetRole's `RoleLastUsed`. */
  lastUsed?: { date: Date; region: string };
  permissionsBoundaryArn?: string;
}

export interface IamManagedPolicy {
  arn: string;
  policyName: string;
  policyId: string;
  path: string;
  defaultVersionId: string;
  versions: Map<string, { document: string; createDate: Date }>;
  createDate: Date;
  /** Kept for seeds that set it; the IAM module counts attachments in the account instead (always right). */
  attachmentCount: number;
  description?: string;
  updateDate?: Date;
  tags?: Map<string, string>;
}

export interface OidcProvider {
  arn: string;
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createDate: Date;
  tags: Map<string, string>;
}

export interface IamUser {
  userName: string;
  userId: string;
  arn: string;
  /** Identity policies (inline), used when permission enforcement is on. */
  inlinePolicies: Map<string, string>;
  attachedPolicyArns: string[];
}

export interface InstanceProfile {
  name: string;
  id: string;
  arn: string;
  path: string;
  roleNames: string[];
  createDate: Date;
}

export interface IamState {
  roles: Map<string, IamRole>;
  /** Customer-managed policies of this account, by ARN (AWS-managed ones are shared: see aws-managed-policies.ts). */
  policies: Map<string, IamManagedPolicy>;
  oidcProviders: Map<string, OidcProvider>;
  users: Map<string, IamUser>;
  /** Instance profiles by name (the node instance role's profile). */
  instanceProfiles: Map<string, InstanceProfile>;
}

export function emptyIamState(): IamState {
  return {
    roles: new Map(),
    policies: new Map(),
    oidcProviders: new Map(),
    users: new Map(),
    instanceProfiles: new Map(),
  };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A unique ID the way IAM prints them: a 4-letter prefix by kind (`AROA` role, `ANPA` policy, `AIDA` user, `AIPA`
 * instance profile, `ASIA` temporary access key) and 17 upper-case characters. With `seed`, the ID is derived from it
 * (stable IDs for AWS-managed policies and seeded users); otherwise random.
 */
export function iamId(prefix: string, seed?: string, length = 17): string {
  const bytes = seed === undefined ? randomBytes(length) : createHash('sha256').update(seed).digest();
  let out = prefix;
  for (let i = 0; i < length; i++) out += ID_ALPHABET[bytes[i % bytes.length] % ID_ALPHABET.length];
  return out;
}

/** A role as CreateRole makes it; seeds (scenarios) can use this too so IDs and ARNs look the same. */
export function newRole(
  accountId: string,
  roleName: string,
  assumeRolePolicyDocument: string,
  options: {
    path?: string;
    description?: string;
    maxSessionDuration?: number;
    now?: number;
    delayMs?: number;
    tags?: Map<string, string>;
  } = {},
): IamRole {
  const path = options.path ?? '/';
  const now = options.now ?? Date.now();
  return {
    roleName,
    roleId: iamId('AROA'),
    arn: `arn:aws:iam::${accountId}:role${path}${roleName}`,
    path,
    assumeRolePolicyDocument,
    createDate: new Date(now),
    inlinePolicies: new Map(),
    attachedPolicyArns: [],
    tags: options.tags ?? new Map(),
    ...(options.description !== undefined ? { description: options.description } : {}),
    maxSessionDuration: options.maxSessionDuration ?? 3600,
    usableAt: now + (options.delayMs ?? 0),
  };
}

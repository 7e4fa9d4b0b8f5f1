/** IAM state of one account. Owned by the IAM/STS service module; extend here. */

export interface IamRole {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  /** The trust policy as JSON text (IAM returns it URL-encoded). */
  assumeRolePolicyDocument: string;
  createDate: Date;
  inlinePolicies: Map<string, string>;
  attachedPolicyArns: string[];
  tags: Map<string, string>;
  description?: string;
  maxSessionDuration: number;
  /** When the role becomes usable by STS/EKS (IAM eventual consistency, see faults). */
  usableAt: number;
}

export interface IamManagedPolicy {
  arn: string;
  policyName: string;
  policyId: string;
  path: string;
  defaultVersionId: string;
  versions: Map<string, { document: string; createDate: Date }>;
  createDate: Date;
  attachmentCount: number;
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

export interface IamState {
  roles: Map<string, IamRole>;
  /** Customer-managed policies of this account, by ARN (AWS-managed ones are shared: see aws-managed-policies.ts). */
  policies: Map<string, IamManagedPolicy>;
  oidcProviders: Map<string, OidcProvider>;
  users: Map<string, IamUser>;
}

export function emptyIamState(): IamState {
  return { roles: new Map(), policies: new Map(), oidcProviders: new Map(), users: new Map() };
}

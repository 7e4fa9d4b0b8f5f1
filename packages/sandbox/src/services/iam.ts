import {
  evaluatePolicy,
  isKnownOperator,
  normalizePolicy,
  type ContextValue,
  type PolicyDocument,
} from '@efs-node-identity/core';
import { uriEncode } from '../auth';
import { AwsError } from '../errors';
import type { SandboxRequest } from '../http';
import { queryError, queryResponse } from '../protocols/query';
import type { XmlObject, XmlValue } from '../protocols/xml';
import type { Account, Credential, SandboxState } from '../state/account';
import {
  iamId,
  newRole,
  type IamManagedPolicy,
  type IamRole,
  type InstanceProfile,
  type OidcProvider,
} from '../state/iam';
import { awsManagedPolicy } from './aws-managed-policies';
import type { ServiceContext, ServiceModule } from './module';

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const API_VERSION = '2010-05-08';

// Quotas (IAM User Guide, "IAM and AWS STS quotas"; whitespace does not count toward policy sizes).
const INLINE_ROLE_POLICIES_MAX = 10_240;
const MANAGED_POLICY_MAX = 6_144;
const TRUST_POLICY_MAX = 2_048;
const MANAGED_POLICIES_PER_ROLE = 10;
const TAGS_PER_RESOURCE = 50;

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;

// ---------------------------------------------------------------------------------------------------------------
// Request parameters (query protocol: flat form fields, lists as `Name.member.N`, structures as `Name.member.N.Field`)
// ---------------------------------------------------------------------------------------------------------------

/** The parameters of a query-protocol request: the form body, or the query string of a GET. */
export function queryParams(request: SandboxRequest): URLSearchParams {
  return request.form ?? request.query;
}

/** AWS's validation message shape: `1 validation error detected: Value … at 'roleName' failed to satisfy constraint: …`. */
export function validationError(field: string, value: string | null, constraint: string): AwsError {
  const shown = value === null ? 'null' : `'${value}'`;
  return new AwsError(
    400,
    'ValidationError',
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

/** `RoleName` → `roleName`, the member name AWS's validation messages use. */
const memberName = (param: string) => param.charAt(0).toLowerCase() + param.slice(1);

export function optional(params: URLSearchParams, name: string): string | undefined {
  return params.get(name) ?? undefined;
}

export function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null) throw validationError(memberName(name), null, 'Member must not be null');
  return value;
}

/** `Name.member.1`, `Name.member.2`, … */
export function memberList(params: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; params.has(`${name}.member.${i}`); i++) out.push(params.get(`${name}.member.${i}`) ?? '');
  return out;
}

/** `Tags.member.N.Key` / `Tags.member.N.Value`. */
export function tagList(params: URLSearchParams, name = 'Tags'): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 1; params.has(`${name}.member.${i}.Key`); i++) {
    out.push([params.get(`${name}.member.${i}.Key`) ?? '', params.get(`${name}.member.${i}.Value`) ?? '']);
  }
  return out;
}

function checkName(param: string, value: string, max: number): void {
  if (value.length < 1 || value.length > max) {
    throw validationError(memberName(param), value, `Member must have length less than or equal to ${max}`);
  }
  if (!NAME.test(value))
    throw validationError(
      memberName(param),
      value,
      'Member must satisfy regular expression pattern: [\\w+=,.@-]+',
    );
}

function checkPath(param: string, value: string): void {
  if (value.length > 512 || !PATH.test(value)) {
    throw validationError(
      memberName(param),
      value,
      'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
    );
  }
}

function checkTags(tags: [string, string][]): void {
  for (const [key, value] of tags) {
    if (key.length < 1 || key.length > 128)
      throw validationError('tags.member.key', key, 'Member must have length less than or equal to 128');
    if (value.length > 256)
      throw validationError('tags.member.value', value, 'Member must have length less than or equal to 256');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pagination: `MaxItems` (1..1000, default 100), an opaque `Marker`, `IsTruncated`. Lists are sorted by a key and the
// marker names the last key returned, so an item deleted between pages does not shift the rest.
// Guess: the order IAM lists items in is not documented; the sandbox sorts by name (ARN, tag key).
// ---------------------------------------------------------------------------------------------------------------

export function paginate<T>(
  params: URLSearchParams,
  items: T[],
  keyOf: (item: T) => string,
): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const maxText = params.get('MaxItems');
  let max = 100;
  if (maxText !== null) {
    max = Number(maxText);
    if (!Number.isInteger(max) || max < 1)
      throw validationError('maxItems', maxText, 'Member must have value greater than or equal to 1');
    if (max > 1000)
      throw validationError('maxItems', maxText, 'Member must have value less than or equal to 1000');
  }
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let start = 0;
  const marker = params.get('Marker');
  if (marker !== null) {
    const decoded = Buffer.from(marker, 'base64').toString('utf8');
    // Guess: AWS's answer to a marker it did not issue is not documented; a ValidationError is the likely shape.
    if (!decoded.startsWith('sandbox-marker:'))
      throw validationError('marker', marker, 'Member must be a marker returned by a previous call');
    const after = decoded.slice('sandbox-marker:'.length);
    start = sorted.findIndex((item) => keyOf(item) > after);
    if (start < 0) start = sorted.length;
  }
  const page = sorted.slice(start, start + max);
  const truncated = start + max < sorted.length;
  return truncated
    ? {
        page,
        IsTruncated: true,
        Marker: Buffer.from(`sandbox-marker:${keyOf(page[page.length - 1])}`, 'utf8').toString('base64'),
      }
    : { page, IsTruncated: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Policy documents
// ---------------------------------------------------------------------------------------------------------------

/**
 * IAM returns policy documents URL-encoded (RFC 3986), and the SDK hands that text to the caller as is: a client
 * must `decodeURIComponent` it, against AWS as against the sandbox. Guess: whether AWS also escapes `!'()*`
 * (encodeURIComponent does not) is not documented; the sandbox escapes them, which every decoder accepts.
 */
export function encodeDocument(document: string): string {
  return uriEncode(document);
}

const malformed = (message: string) => new AwsError(400, 'MalformedPolicyDocument', message);

/** Policy size as IAM counts it for its quotas: without whitespace. */
export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

/**
 * Parses and validates a policy document the way IAM does before storing it, with the core normalizer. Messages:
 * "This policy contains invalid Json" and "Policy document should not specify a principal." are AWS's; for other
 * problems AWS says "Syntax errors in policy." and the sandbox appends what the normalizer found (guess: AWS's detail
 * differs per problem).
 */
export function parsePolicy(
  text: string,
  kind: 'trust' | 'identity',
  origin: string,
  accounts?: Map<string, Account>,
): PolicyDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  const doc = normalizePolicy(raw, { kind: 'aws', arn: origin });
  if (doc.problems.length > 0) throw malformed(`Syntax errors in policy. (${doc.problems[0]})`);
  for (const statement of doc.statements) {
    for (const condition of statement.conditions) {
      if (!isKnownOperator(condition.operator))
        throw malformed(`Syntax errors in policy. (unknown condition operator ${condition.operator})`);
    }
    if (kind === 'identity') {
      if (statement.principal || statement.notPrincipal)
        throw malformed('Policy document should not specify a principal.');
      if (!statement.resource && !statement.notResource)
        throw malformed('Policy statement must contain resources.');
      continue;
    }
    // Trust policies: a principal, no resource, only STS actions (AWS's messages, as seen from CreateRole).
    if (!statement.principal && !statement.notPrincipal)
      throw malformed('AssumeRolePolicy policy: Missing required field Principal');
    if (statement.resource || statement.notResource) throw malformed('Has prohibited field Resource');
    for (const action of statement.action ?? statement.notAction ?? []) {
      if (typeof action === 'string' && action !== '*' && !action.toLowerCase().startsWith('sts:')) {
        throw malformed('AssumeRole policy may only specify STS AssumeRole actions.');
      }
    }
    // A principal naming a role that does not exist is refused when the policy is saved (IAM turns role and user ARNs
    // into unique IDs then). Only checked for accounts the sandbox has: others are outside its world.
    for (const principal of statement.principal?.AWS ?? []) {
      if (typeof principal !== 'string') continue;
      const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(principal);
      const account = m ? accounts?.get(m[1]) : undefined;
      if (m && account && !findRoleByArn(account, principal)) {
        throw malformed(`Invalid principal in policy: "AWS":"${principal}"`);
      }
    }
  }
  return doc;
}

// ---------------------------------------------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------------------------------------------

function findRoleByArn(account: Account, arn: string): IamRole | undefined {
  for (const role of account.iam.roles.values()) if (role.arn === arn) return role;
  return undefined;
}

function getRole(account: Account, roleName: string): IamRole {
  const role = account.iam.roles.get(roleName);
  if (!role) throw new AwsError(404, 'NoSuchEntity', `The role with name ${roleName} cannot be found.`);
  return role;
}

const POLICY_ARN = /^arn:aws:iam::(aws|\d{12}):policy\/(?:[\u0021-\u007E]*\/)?[\w+=,.@-]+$/;

function checkPolicyArn(arn: string): void {
  if (!POLICY_ARN.test(arn)) throw new AwsError(400, 'InvalidInput', `ARN ${arn} is not valid.`);
}

/** A managed policy the caller's account can see: an AWS-managed one, or a customer-managed one of the account. */
function findPolicy(account: Account, arn: string): IamManagedPolicy | undefined {
  return awsManagedPolicy(arn) ?? account.iam.policies.get(arn);
}

function getPolicy(account: Account, arn: string): IamManagedPolicy {
  checkPolicyArn(arn);
  const policy = findPolicy(account, arn);
  if (!policy) throw new AwsError(404, 'NoSuchEntity', `Policy ${arn} was not found.`);
  return policy;
}

/** AttachmentCount as AWS reports it: attachments in the caller's account (also for AWS-managed policies). */
function attachmentCount(account: Account, arn: string): number {
  let count = 0;
  for (const role of account.iam.roles.values()) if (role.attachedPolicyArns.includes(arn)) count++;
  for (const user of account.iam.users.values()) if (user.attachedPolicyArns.includes(arn)) count++;
  return count;
}

// ---------------------------------------------------------------------------------------------------------------
// The caller's identity policies (for the permission-enforcement switch, `state.settings.enforcePermissions`)
// ---------------------------------------------------------------------------------------------------------------

/**
 * The identity policies of a caller: inline and attached managed policies (default version) of the role behind an
 * assumed-role session, or of the IAM user. `undefined` when the sandbox has no IAM record for the caller (the
 * `sandbox-admin` user that `addAccount` creates is such a principal: an administrator whose calls are never refused).
 * Documents that do not parse are left out (a seed's mistake must not grant anything).
 */
export function identityPolicies(
  state: SandboxState,
  caller: Credential,
): { name: string; document: PolicyDocument }[] | undefined {
  const account = state.accounts.get(caller.accountId);
  if (!account) return undefined;
  const holder = caller.roleArn
    ? findRoleByArn(account, caller.roleArn)
    : [...account.iam.users.values()].find((user) => user.arn === caller.principalArn);
  if (!holder) return undefined;
  const out: { name: string; document: PolicyDocument }[] = [];
  const add = (name: string, text: string | undefined, origin: string) => {
    if (text === undefined) return;
    try {
      out.push({ name, document: normalizePolicy(JSON.parse(text), { kind: 'aws', arn: origin }) });
    } catch {
      // Not JSON: contributes nothing.
    }
  };
  for (const [name, text] of holder.inlinePolicies)
    add(`inline policy ${name}`, text, caller.roleArn ?? caller.principalArn);
  for (const arn of holder.attachedPolicyArns) {
    const policy = findPolicy(account, arn);
    add(`managed policy ${arn}`, policy?.versions.get(policy.defaultVersionId)?.document, arn);
  }
  return out;
}

/**
 * Do the caller's identity policies allow `action` on `resource`? An explicit Deny wins, then any Allow; nothing
 * matching is an implicit deny. `true` for a caller without an IAM record (see {@link identityPolicies}). Only identity
 * policies: permissions boundaries, session policies and SCPs are not modelled; an undecidable statement (which
 * stored IAM documents do not have) counts as not matching.
 */
export function identityAllows(
  state: SandboxState,
  caller: Credential,
  action: string,
  resource = '*',
  context: Record<string, ContextValue> = {},
): boolean {
  return identityDecision(state, caller, action, resource, context) === 'allow';
}

/**
 * Like {@link identityAllows}, but says why a call is refused: `explicitDeny` (a Deny matched) or `implicitDeny`
 * (nothing allowed it). AWS words its AccessDenied messages differently for the two.
 */
export function identityDecision(
  state: SandboxState,
  caller: Credential,
  action: string,
  resource = '*',
  context: Record<string, ContextValue> = {},
): 'allow' | 'explicitDeny' | 'implicitDeny' {
  const policies = identityPolicies(state, caller);
  if (!policies) return 'allow';
  const request = {
    principal: { kind: 'aws' as const, arn: caller.principalArn, accountId: caller.accountId },
    action,
    resource,
    context: {
      'aws:principalarn': caller.roleArn ?? caller.principalArn,
      'aws:principalaccount': caller.accountId,
      ...context,
    },
  };
  let allowed = false;
  for (const { name, document } of policies) {
    const outcome = evaluatePolicy(document, request, { name, hasPrincipals: false });
    if (outcome.denies === true) return 'explicitDeny';
    if (outcome.allows === true) allowed = true;
  }
  return allowed ? 'allow' : 'implicitDeny';
}

// ---------------------------------------------------------------------------------------------------------------
// Response shapes
// ---------------------------------------------------------------------------------------------------------------

/** IAM's timestamp format: ISO 8601 without milliseconds. */
export const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const tagsXml = (tags: Map<string, string>): XmlValue[] => [...tags].map(([Key, Value]) => ({ Key, Value }));

function roleXml(role: IamRole, detail: 'full' | 'list'): XmlObject {
  const out: XmlObject = {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: iso(role.createDate),
    AssumeRolePolicyDocument: encodeDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
  };
  // ListRoles leaves out tags, the permissions boundary and last use (documented for ListRoles).
  if (detail === 'full') {
    if (role.permissionsBoundaryArn) {
      out.PermissionsBoundary = {
        PermissionsBoundaryType: 'Policy',
        PermissionsBoundaryArn: role.permissionsBoundaryArn,
      };
    }
    if (role.tags.size > 0) out.Tags = tagsXml(role.tags);
    out.RoleLastUsed = role.lastUsed
      ? { LastUsedDate: iso(role.lastUsed.date), Region: role.lastUsed.region }
      : {};
  }
  return out;
}

function policyXml(account: Account, policy: IamManagedPolicy, withDescription: boolean): XmlObject {
  return {
    PolicyName: policy.policyName,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: attachmentCount(account, policy.arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: withDescription ? policy.description : undefined,
    CreateDate: iso(policy.createDate),
    UpdateDate: iso(policy.updateDate ?? policy.createDate),
    Tags: policy.tags && policy.tags.size > 0 ? tagsXml(policy.tags) : undefined,
  };
}

/** GetOpenIDConnectProvider's `Url` has no scheme (`oidc.eks.<region>.amazonaws.com/id/…`), as AWS returns it. */
const bareUrl = (url: string) => url.replace(/^https:\/\//, '');

function instanceProfileXml(account: Account, profile: InstanceProfile): XmlObject {
  return {
    Path: profile.path,
    InstanceProfileName: profile.name,
    InstanceProfileId: profile.id,
    Arn: profile.arn,
    CreateDate: iso(profile.createDate),
    Roles: profile.roleNames.flatMap((name) => {
      const role = account.iam.roles.get(name);
      return role ? [roleXml(role, 'list')] : [];
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------------------

type Handler = (params: URLSearchParams, context: ServiceContext) => XmlObject | undefined;

function setTags(target: Map<string, string>, tags: [string, string][], what: string): void {
  checkTags(tags);
  const merged = new Map(target);
  for (const [k, v] of tags) merged.set(k, v);
  if (merged.size > TAGS_PER_RESOURCE)
    throw new AwsError(409, 'LimitExceeded', `Cannot exceed quota for TagsPer${what}: ${TAGS_PER_RESOURCE}`);
  for (const [k, v] of tags) target.set(k, v);
}

function checkTrustPolicy(text: string, roleArn: string, context: ServiceContext): void {
  if (policySize(text) > TRUST_POLICY_MAX)
    throw new AwsError(409, 'LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_MAX}`);
  parsePolicy(text, 'trust', roleArn, context.state.accounts);
}

const HANDLERS: Record<string, Handler> = {
  CreateRole(params, context) {
    const roleName = required(params, 'RoleName');
    checkName('RoleName', roleName, 64);
    const document = required(params, 'AssumeRolePolicyDocument');
    const path = optional(params, 'Path') ?? '/';
    checkPath('Path', path);
    const description = optional(params, 'Description');
    if (description !== undefined && description.length > 1000) {
      throw validationError('description', description, 'Member must have length less than or equal to 1000');
    }
    const maxText = optional(params, 'MaxSessionDuration');
    const maxSessionDuration = maxText === undefined ? 3600 : Number(maxText);
    if (!Number.isInteger(maxSessionDuration) || maxSessionDuration < 3600 || maxSessionDuration > 43200) {
      throw validationError(
        'maxSessionDuration',
        maxText ?? '',
        'Member must have value between 3600 and 43200',
      );
    }
    const iam = context.account.iam;
    // Role names are unique without regard to case (IAM User Guide, "IAM identifiers").
    for (const existing of iam.roles.keys()) {
      if (existing.toLowerCase() === roleName.toLowerCase()) {
        throw new AwsError(409, 'EntityAlreadyExists', `Role with name ${roleName} already exists.`);
      }
    }
    const arn = `arn:aws:iam::${context.account.id}:role${path}${roleName}`;
    checkTrustPolicy(document, arn, context);
    const tags = new Map<string, string>();
    setTags(tags, tagList(params), 'Role');
    const role = newRole(context.account.id, roleName, document, {
      path,
      maxSessionDuration,
      tags,
      now: context.state.now(),
      // IAM eventual consistency: the role exists at once but STS cannot use it until usableAt.
      delayMs: context.state.settings.roleDelayMs,
      ...(description !== undefined ? { description } : {}),
    });
    const boundary = optional(params, 'PermissionsBoundary');
    if (boundary !== undefined) {
      getPolicy(context.account, boundary);
      role.permissionsBoundaryArn = boundary;
    }
    iam.roles.set(roleName, role);
    const out = roleXml(role, 'full');
    delete out.RoleLastUsed; // CreateRole's answer has no last use.
    return { Role: out };
  },

  GetRole(params, context) {
    return { Role: roleXml(getRole(context.account, required(params, 'RoleName')), 'full') };
  },

  DeleteRole(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    if (role.attachedPolicyArns.length > 0)
      throw new AwsError(409, 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
    if (role.inlinePolicies.size > 0)
      throw new AwsError(409, 'DeleteConflict', 'Cannot delete entity, must delete policies first.');
    for (const profile of context.account.iam.instanceProfiles.values()) {
      if (profile.roleNames.includes(role.roleName)) {
        throw new AwsError(
          409,
          'DeleteConflict',
          'Cannot delete entity, must remove roles from instance profile first.',
        );
      }
    }
    context.account.iam.roles.delete(role.roleName);
    return undefined;
  },

  ListRoles(params, context) {
    const prefix = optional(params, 'PathPrefix') ?? '/';
    const roles = [...context.account.iam.roles.values()].filter((r) => r.path.startsWith(prefix));
    const { page, ...rest } = paginate(params, roles, (r) => r.roleName);
    return { Roles: page.map((r) => roleXml(r, 'list')), ...rest };
  },

  UpdateAssumeRolePolicy(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const document = required(params, 'PolicyDocument');
    checkTrustPolicy(document, role.arn, context);
    role.assumeRolePolicyDocument = document;
    return undefined;
  },

  PutRolePolicy(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const policyName = required(params, 'PolicyName');
    checkName('PolicyName', policyName, 128);
    const document = required(params, 'PolicyDocument');
    parsePolicy(document, 'identity', `${role.arn}#${policyName}`);
    // The quota is for all inline policies of the role together.
    let total = policySize(document);
    for (const [name, text] of role.inlinePolicies) if (name !== policyName) total += policySize(text);
    if (total > INLINE_ROLE_POLICIES_MAX) {
      throw new AwsError(
        409,
        'LimitExceeded',
        `Maximum policy size of ${INLINE_ROLE_POLICIES_MAX} bytes exceeded for role ${role.roleName}`,
      );
    }
    role.inlinePolicies.set(policyName, document);
    return undefined;
  },

  GetRolePolicy(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const policyName = required(params, 'PolicyName');
    const document = role.inlinePolicies.get(policyName);
    if (document === undefined)
      throw new AwsError(404, 'NoSuchEntity', `The role policy with name ${policyName} cannot be found.`);
    return { RoleName: role.roleName, PolicyName: policyName, PolicyDocument: encodeDocument(document) };
  },

  DeleteRolePolicy(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const policyName = required(params, 'PolicyName');
    if (!role.inlinePolicies.delete(policyName)) {
      throw new AwsError(404, 'NoSuchEntity', `The role policy with name ${policyName} cannot be found.`);
    }
    return undefined;
  },

  ListRolePolicies(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const { page, ...rest } = paginate(params, [...role.inlinePolicies.keys()], (n) => n);
    return { PolicyNames: page, ...rest };
  },

  AttachRolePolicy(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const arn = required(params, 'PolicyArn');
    checkPolicyArn(arn);
    if (!findPolicy(context.account, arn))
      throw new AwsError(404, 'NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
    if (role.attachedPolicyArns.includes(arn)) return undefined; // Attaching twice is a no-op in AWS.
    if (role.attachedPolicyArns.length >= MANAGED_POLICIES_PER_ROLE) {
      throw new AwsError(
        409,
        'LimitExceeded',
        `Cannot exceed quota for PoliciesPerRole: ${MANAGED_POLICIES_PER_ROLE}`,
      );
    }
    role.attachedPolicyArns.push(arn);
    return undefined;
  },

  DetachRolePolicy(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const arn = required(params, 'PolicyArn');
    checkPolicyArn(arn);
    const index = role.attachedPolicyArns.indexOf(arn);
    if (index < 0) throw new AwsError(404, 'NoSuchEntity', `Policy ${arn} was not found.`);
    role.attachedPolicyArns.splice(index, 1);
    return undefined;
  },

  ListAttachedRolePolicies(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const prefix = optional(params, 'PathPrefix') ?? '/';
    const attached = role.attachedPolicyArns.flatMap((arn) => {
      const policy = findPolicy(context.account, arn);
      // A seed may attach a policy the sandbox does not define: still listed, named after its ARN.
      const path = policy?.path ?? '/';
      return path.startsWith(prefix)
        ? [{ PolicyName: policy?.policyName ?? arn.split('/').pop() ?? arn, PolicyArn: arn }]
        : [];
    });
    const { page, ...rest } = paginate(params, attached, (p) => p.PolicyArn);
    return { AttachedPolicies: page, ...rest };
  },

  GetPolicy(params, context) {
    return {
      Policy: policyXml(context.account, getPolicy(context.account, required(params, 'PolicyArn')), true),
    };
  },

  GetPolicyVersion(params, context) {
    const policy = getPolicy(context.account, required(params, 'PolicyArn'));
    const versionId = required(params, 'VersionId');
    if (!/^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/.test(versionId)) {
      throw validationError(
        'versionId',
        versionId,
        'Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?',
      );
    }
    const version = policy.versions.get(versionId);
    if (!version)
      throw new AwsError(
        404,
        'NoSuchEntity',
        `Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`,
      );
    return {
      PolicyVersion: {
        Document: encodeDocument(version.document),
        VersionId: versionId,
        IsDefaultVersion: versionId === policy.defaultVersionId,
        CreateDate: iso(version.createDate),
      },
    };
  },

  CreatePolicy(params, context) {
    const policyName = required(params, 'PolicyName');
    checkName('PolicyName', policyName, 128);
    const document = required(params, 'PolicyDocument');
    const path = optional(params, 'Path') ?? '/';
    checkPath('Path', path);
    const arn = `arn:aws:iam::${context.account.id}:policy${path}${policyName}`;
    for (const existing of context.account.iam.policies.values()) {
      if (existing.policyName === policyName) {
        throw new AwsError(
          409,
          'EntityAlreadyExists',
          `A policy called ${policyName} already exists. Duplicate names are not allowed.`,
        );
      }
    }
    if (policySize(document) > MANAGED_POLICY_MAX)
      throw new AwsError(409, 'LimitExceeded', `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_MAX}`);
    parsePolicy(document, 'identity', arn);
    const now = new Date(context.state.now());
    const tags = new Map<string, string>();
    setTags(tags, tagList(params), 'Policy');
    const description = optional(params, 'Description');
    const policy: IamManagedPolicy = {
      arn,
      policyName,
      policyId: iamId('ANPA'),
      path,
      defaultVersionId: 'v1',
      versions: new Map([['v1', { document, createDate: now }]]),
      createDate: now,
      updateDate: now,
      attachmentCount: 0,
      tags,
      ...(description !== undefined ? { description } : {}),
    };
    context.account.iam.policies.set(arn, policy);
    // CreatePolicy's answer leaves the description out (documented in the IAM API reference).
    return { Policy: policyXml(context.account, policy, false) };
  },

  TagRole(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const tags = tagList(params);
    if (tags.length === 0) throw validationError('tags', null, 'Member must not be null');
    setTags(role.tags, tags, 'Role');
    return undefined;
  },

  UntagRole(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const keys = memberList(params, 'TagKeys');
    if (keys.length === 0) throw validationError('tagKeys', null, 'Member must not be null');
    for (const key of keys) role.tags.delete(key);
    return undefined;
  },

  ListRoleTags(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const { page, ...rest } = paginate(params, [...role.tags], ([key]) => key);
    return { Tags: page.map(([Key, Value]) => ({ Key, Value })), ...rest };
  },

  ListInstanceProfilesForRole(params, context) {
    const role = getRole(context.account, required(params, 'RoleName'));
    const profiles = [...context.account.iam.instanceProfiles.values()].filter((p) =>
      p.roleNames.includes(role.roleName),
    );
    const { page, ...rest } = paginate(params, profiles, (p) => p.name);
    return { InstanceProfiles: page.map((p) => instanceProfileXml(context.account, p)), ...rest };
  },

  ListOpenIDConnectProviders(_params, context) {
    return {
      OpenIDConnectProviderList: [...context.account.iam.oidcProviders.keys()].sort().map((Arn) => ({ Arn })),
    };
  },

  GetOpenIDConnectProvider(params, context) {
    const arn = required(params, 'OpenIDConnectProviderArn');
    const provider = context.account.iam.oidcProviders.get(arn);
    if (!provider) throw new AwsError(404, 'NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`);
    return {
      Url: bareUrl(provider.url),
      ClientIDList: provider.clientIds,
      ThumbprintList: provider.thumbprints,
      CreateDate: iso(provider.createDate),
      Tags: provider.tags.size > 0 ? tagsXml(provider.tags) : undefined,
    };
  },

  CreateOpenIDConnectProvider(params, context) {
    const url = required(params, 'Url');
    // Guess: the exact code for a URL that is not https is not documented; InvalidInput is IAM's code for bad values.
    if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(url) || url.length > 255)
      throw new AwsError(400, 'InvalidInput', `Invalid URL: ${url}`);
    const thumbprints = memberList(params, 'ThumbprintList');
    for (const t of thumbprints) {
      if (!/^[0-9a-fA-F]{40}$/.test(t))
        throw validationError(
          'thumbprintList.member',
          t,
          'Member must have length greater than or equal to 40',
        );
    }
    const clientIds = memberList(params, 'ClientIDList');
    const arn = `arn:aws:iam::${context.account.id}:oidc-provider/${bareUrl(url).replace(/\/$/, '')}`;
    if (context.account.iam.oidcProviders.has(arn)) {
      throw new AwsError(409, 'EntityAlreadyExists', `Provider with url ${url} already exists.`);
    }
    const tags = new Map<string, string>();
    setTags(tags, tagList(params), 'OpenIDConnectProvider');
    const provider: OidcProvider = {
      arn,
      url,
      clientIds,
      thumbprints,
      createDate: new Date(context.state.now()),
      tags,
    };
    context.account.iam.oidcProviders.set(arn, provider);
    return { OpenIDConnectProviderArn: arn, Tags: tags.size > 0 ? tagsXml(tags) : undefined };
  },
};

/** The operations this module answers (for documentation and tests). */
export const IAM_OPERATIONS = Object.keys(HANDLERS);

/** The action a query-protocol request names, from the form body (POST) or the query string (GET). */
export function actionOf(request: SandboxRequest): string | undefined {
  return queryParams(request).get('Action') ?? undefined;
}

/** IAM over the query protocol, XML answers, the documents URL-encoded. */
export const iam: ServiceModule = {
  signingName: 'iam',
  operation: actionOf,
  handle(request, context) {
    const params = queryParams(request);
    const action = params.get('Action');
    // Guess: AWS's code for a request without Action is not documented for IAM; EC2 says MissingAction.
    if (!action) throw new AwsError(400, 'MissingAction', 'The request must contain the parameter Action.');
    const version = params.get('Version');
    const handler = Object.hasOwn(HANDLERS, action) ? HANDLERS[action] : undefined;
    if (!handler || (version !== null && version !== API_VERSION)) {
      throw new AwsError(
        400,
        'InvalidAction',
        `Could not find operation ${action} for version ${version ?? API_VERSION}`,
      );
    }
    return queryResponse(action, NS, handler(params, context));
  },
  error: (error) => queryError(error, NS),
  throttlingError: () => new AwsError(400, 'Throttling', 'Rate exceeded'),
};

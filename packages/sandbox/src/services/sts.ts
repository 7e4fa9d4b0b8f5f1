import { randomBytes } from 'node:crypto';
import { decideTrust, normalizePolicy, type ContextValue, type Decision } from '@efs-node-identity/core';
import { AwsError } from '../errors';
import { queryError, queryResponse } from '../protocols/query';
import type { XmlObject } from '../protocols/xml';
import type { Credential, SandboxState } from '../state/account';
import { iamId, type IamRole } from '../state/iam';
import { actionOf, iso, memberList, optional, queryParams, required, tagList, validationError } from './iam';
import type { ServiceContext, ServiceModule } from './module';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const API_VERSION = '2011-06-15';

/** Sessions of a role assumed with role credentials ("role chaining") last at most an hour (IAM User Guide). */
const ROLE_CHAINING_MAX_SECONDS = 3600;

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]+)$/;

function findRole(state: SandboxState, arn: string): IamRole | undefined {
  const m = ROLE_ARN.exec(arn);
  const account = m ? state.accounts.get(m[1]) : undefined;
  if (!m || !account) return undefined;
  const role = account.iam.roles.get(m[2]);
  return role && role.arn === arn ? role : undefined;
}

/**
 * The UserId GetCallerIdentity reports: `AROA…:<session>` for an assumed role, the user's `AIDA…` ID for a user (a
 * stable one derived from the ARN when the sandbox user has no IAM user record, like the seeded `sandbox-admin`).
 */
function userIdOf(state: SandboxState, caller: Credential): string {
  const assumed = /^arn:aws:sts::\d{12}:assumed-role\/[^/]+\/(.+)$/.exec(caller.principalArn);
  if (assumed) {
    const role = caller.roleArn ? findRole(state, caller.roleArn) : undefined;
    return `${role?.roleId ?? iamId('AROA', caller.roleArn ?? caller.principalArn)}:${assumed[1]}`;
  }
  const account = state.accounts.get(caller.accountId);
  for (const user of account?.iam.users.values() ?? [])
    if (user.arn === caller.principalArn) return user.userId;
  return iamId('AIDA', caller.principalArn);
}

/** AWS's AccessDenied for AssumeRole: the same message whether the role is missing, not yet usable or not trusting. */
function assumeRoleDenied(caller: Credential, roleArn: string): AwsError {
  return new AwsError(
    403,
    'AccessDenied',
    `User: ${caller.principalArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  );
}

/** Combines two trust decisions where either principal form may be the one the policy names. */
function either(a: Decision | 'unknown', b: Decision | 'unknown'): Decision | 'unknown' {
  if (a === 'explicitDeny' || b === 'explicitDeny') return 'explicitDeny';
  if (a === 'allow' || b === 'allow') return 'allow';
  return a === 'unknown' || b === 'unknown' ? 'unknown' : 'implicitDeny';
}

/**
 * May the caller assume the role? The role's trust policy, judged with the core evaluator. The principal is the
 * caller's ARN; for an assumed-role caller a trust policy may name either the session ARN or the role ARN (IAM
 * matches a role principal against every session of the role), so both are tried and a Deny for either wins.
 * Only the trust policy is checked: the caller's identity policy is for the permission-enforcement switch.
 */
function trustAllows(
  role: IamRole,
  caller: Credential,
  actions: string[],
  context: Record<string, ContextValue>,
): boolean {
  let raw: unknown;
  try {
    raw = JSON.parse(role.assumeRolePolicyDocument);
  } catch {
    return false; // A seed with a broken trust policy trusts no one.
  }
  const trustPolicy = normalizePolicy(raw, { kind: 'aws', arn: role.arn });
  const ask = (arn: string) =>
    decideTrust({
      trustPolicy,
      principal: { kind: 'aws', arn, accountId: caller.accountId },
      actions,
      context,
    }).decision;
  let decision = ask(caller.principalArn);
  if (caller.roleArn) decision = either(decision, ask(caller.roleArn));
  return decision === 'allow';
}

function newCredentialValues(): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
  return {
    accessKeyId: iamId('ASIA', undefined, 16),
    secretAccessKey: randomBytes(30).toString('base64'),
    // Real session tokens are long opaque base64 blobs; the length only matters to clients that store them.
    sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(240).toString('base64')}`,
  };
}

function assumeRole(params: URLSearchParams, context: ServiceContext): XmlObject {
  const { state, caller } = context;
  const roleArn = required(params, 'RoleArn');
  const sessionName = required(params, 'RoleSessionName');
  if (roleArn.length < 20 || roleArn.length > 2048) {
    throw validationError('roleArn', roleArn, 'Member must have length greater than or equal to 20');
  }
  if (!SESSION_NAME.test(sessionName)) {
    throw validationError(
      'roleSessionName',
      sessionName,
      'Member must satisfy regular expression pattern: [\\w+=,.@-]*',
    );
  }
  const durationText = optional(params, 'DurationSeconds');
  const duration = durationText === undefined ? 3600 : Number(durationText);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw validationError(
      'durationSeconds',
      durationText ?? '',
      'Member must have value greater than or equal to 900',
    );
  }
  const sessionPolicy = optional(params, 'Policy');
  if (sessionPolicy !== undefined) {
    try {
      JSON.parse(sessionPolicy);
    } catch {
      throw new AwsError(400, 'MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
    }
  }
  const externalId = optional(params, 'ExternalId');
  if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
    throw validationError(
      'externalId',
      externalId,
      'Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*',
    );
  }
  const tags = tagList(params);
  const sourceIdentity = optional(params, 'SourceIdentity');

  const role = findRole(state, roleArn);
  // AWS does not say whether the role exists: a missing role, one that IAM has not yet propagated (usableAt, guess:
  // the error seen in that window is this AccessDenied, as commonly reported right after CreateRole) and one whose
  // trust policy does not allow the caller all get the same AccessDenied.
  if (!role || state.now() < role.usableAt) throw assumeRoleDenied(caller, roleArn);
  const requestContext: Record<string, ContextValue> = {
    'aws:principalarn': caller.roleArn ?? caller.principalArn,
    'aws:principalaccount': caller.accountId,
    'aws:principaltype': caller.roleArn ? 'AssumedRole' : 'User',
    'aws:userid': userIdOf(state, caller),
    'sts:rolesessionname': sessionName,
  };
  if (externalId !== undefined) requestContext['sts:externalid'] = externalId;
  if (sourceIdentity !== undefined) {
    requestContext['sts:sourceidentity'] = sourceIdentity;
    requestContext['aws:sourceidentity'] = sourceIdentity;
  }
  for (const [key, value] of tags) requestContext[`aws:requesttag/${key.toLowerCase()}`] = value;
  if (tags.length > 0) requestContext['aws:tagkeys'] = tags.map(([key]) => key);
  const transitive = memberList(params, 'TransitiveTagKeys');
  if (transitive.length > 0) requestContext['sts:transitivetagkeys'] = transitive;
  // Session tags need sts:TagSession and a source identity sts:SetSourceIdentity in the trust policy (IAM User Guide).
  const actions = [
    'sts:AssumeRole',
    ...(tags.length > 0 ? ['sts:TagSession'] : []),
    ...(sourceIdentity !== undefined ? ['sts:SetSourceIdentity'] : []),
  ];
  if (!trustAllows(role, caller, actions, requestContext)) throw assumeRoleDenied(caller, roleArn);

  const chained = caller.roleArn !== undefined;
  if (chained && duration > ROLE_CHAINING_MAX_SECONDS && durationText !== undefined) {
    throw new AwsError(
      400,
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (duration > role.maxSessionDuration) {
    throw new AwsError(
      400,
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }

  const now = state.now();
  const values = newCredentialValues();
  const expiresAt = now + duration * 1000;
  const accountId = role.arn.split(':')[4];
  const assumedArn = `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/${sessionName}`;
  state.credentials.set(values.accessKeyId, {
    ...values,
    accountId,
    principalArn: assumedArn,
    roleArn: role.arn,
    expiresAt,
  });
  role.lastUsed = { date: new Date(now), region: context.region };
  return {
    Credentials: {
      AccessKeyId: values.accessKeyId,
      SecretAccessKey: values.secretAccessKey,
      SessionToken: values.sessionToken,
      Expiration: iso(new Date(expiresAt)),
    },
    AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${sessionName}`, Arn: assumedArn },
    ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
  };
}

/** STS over the query protocol (POST forms from the SDK, GET for presigned URLs). */
export const sts: ServiceModule = {
  signingName: 'sts',
  operation: actionOf,
  handle(request, context) {
    const params = queryParams(request);
    const action = params.get('Action');
    if (!action) throw new AwsError(400, 'MissingAction', 'The request must contain the parameter Action.');
    const version = params.get('Version');
    if (version !== null && version !== API_VERSION) {
      throw new AwsError(400, 'InvalidAction', `Could not find operation ${action} for version ${version}`);
    }
    switch (action) {
      case 'GetCallerIdentity':
        return queryResponse(action, NS, {
          UserId: userIdOf(context.state, context.caller),
          Account: context.caller.accountId,
          Arn: context.caller.principalArn,
        });
      case 'AssumeRole':
        return queryResponse(action, NS, assumeRole(params, context));
      default:
        throw new AwsError(
          400,
          'InvalidAction',
          `Could not find operation ${action} for version ${version ?? API_VERSION}`,
        );
    }
  },
  error: (error) => queryError(error, NS),
  throttlingError: () => new AwsError(400, 'Throttling', 'Rate exceeded'),
};

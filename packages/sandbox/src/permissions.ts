/**
 * The permission-enforcement switch (`state.settings.enforcePermissions`): before a service handles an AWS call, the
 * caller's identity policies are asked whether they allow `<service>:<Operation>` on the call's resource, with the
 * core evaluator (services/iam.ts `identityDecision`). A refused call gets the service's own AccessDenied error, so the
 * product's documented least-privilege policies can be tested against the sandbox.
 *
 * What is modelled, and what is not (simplifications; the real authorisation is richer):
 * - Identity policies only: no resource policies (a trust policy is still checked by AssumeRole itself), no
 *   permissions boundaries, session policies or SCPs. The `sandbox-admin` user of an account has no IAM record unless
 *   the scenario gives it policies, and is then never refused (AdministratorAccess-like).
 * - The action is `<IAM prefix>:<Operation>`. One kind of extra action is modelled: `iam:PassRole` on each role an EKS
 *   call hands to EKS Pod Identity ({@link passedRoles}), judged with `iam:PassedToService` = `pods.eks.amazonaws.com`;
 *   a refusal is EKS's AccessDeniedException naming `iam:PassRole` and the role. Other extra actions AWS requires
 *   (e.g. `eks:TagResource` for tags sent with a create, `ec2:DescribeNetworkInterfaceAttribute` for
 *   DescribeMountTargetSecurityGroups) are not asked for.
 * - The resource is the ARN the operation names where that is easy to know (an IAM role, policy or OIDC provider; an
 *   EKS cluster, add-on, association or node group; an EFS or S3 Files file system (an S3 Files access point by its
 *   own ARN); an S3 bucket; a Route 53 hosted zone or change; the role of AssumeRole). Everything else, and all of EC2 (whose Describe calls support no resource-level permissions), is
 *   judged against `*`.
 * - `sts:GetCallerIdentity` is never refused (AWS: no permission is required for it).
 * - Kubernetes API calls are not covered (they are authorised by access entries and static tokens, kube/auth.ts).
 */
import { AwsError } from './errors';
import type { SandboxRequest } from './http';
import { identityDecision } from './services/iam';
import type { Credential, SandboxState } from './state/account';

/** What a call needs: an IAM action on a resource ARN (or `*`). */
export interface RequiredPermission {
  action: string;
  resource: string;
}

function param(request: SandboxRequest, name: string): string | undefined {
  return (request.form ?? request.query).get(name) ?? undefined;
}

function segment(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function iamResource(state: SandboxState, request: SandboxRequest, accountId: string): string {
  const roleName = param(request, 'RoleName');
  if (roleName !== undefined) {
    const path =
      param(request, 'Path') ?? state.accounts.get(accountId)?.iam.roles.get(roleName)?.path ?? '/';
    return `arn:aws:iam::${accountId}:role${path}${roleName}`;
  }
  const arn = param(request, 'PolicyArn') ?? param(request, 'OpenIDConnectProviderArn');
  if (arn !== undefined) return arn;
  const url = param(request, 'Url');
  if (url !== undefined) return `arn:aws:iam::${accountId}:oidc-provider/${url.replace(/^https:\/\//, '')}`;
  const profile = param(request, 'InstanceProfileName');
  if (profile !== undefined) return `arn:aws:iam::${accountId}:instance-profile/${profile}`;
  return '*';
}

function eksResource(
  state: SandboxState,
  request: SandboxRequest,
  accountId: string,
  region: string,
): string {
  const m = /^\/clusters\/([^/]+)(?:\/(addons|pod-identity-associations|node-groups)\/([^/]+))?/.exec(
    request.path,
  );
  if (!m) return '*';
  const clusterName = segment(m[1])!;
  const clusterArn = `arn:aws:eks:${region}:${accountId}:cluster/${clusterName}`;
  const cluster = state.accounts.get(accountId)?.eks.clusters.get(clusterName);
  const name = segment(m[3]);
  if (m[2] === 'addons' && name !== undefined) return cluster?.addons.get(name)?.addonArn ?? clusterArn;
  if (m[2] === 'node-groups' && name !== undefined)
    return cluster?.nodegroups.get(name)?.nodegroupArn ?? clusterArn;
  if (m[2] === 'pod-identity-associations' && name !== undefined) {
    return `arn:aws:eks:${region}:${accountId}:podidentityassociation/${clusterName}/${name}`;
  }
  return clusterArn;
}

function efsResource(
  state: SandboxState,
  request: SandboxRequest,
  accountId: string,
  region: string,
): string {
  const fsArn = (id: string) =>
    state.accounts.get(accountId)?.efs.fileSystems.get(id)?.fileSystemArn ??
    `arn:aws:elasticfilesystem:${region}:${accountId}:file-system/${id}`;
  const inPath = /^\/2015-02-01\/file-systems\/([^/]+)/.exec(request.path)?.[1];
  if (inPath !== undefined) return fsArn(segment(inPath)!);
  const mountTargetId =
    /^\/2015-02-01\/mount-targets\/([^/]+)/.exec(request.path)?.[1] ??
    request.query.get('MountTargetId') ??
    undefined;
  if (mountTargetId !== undefined) {
    const fsId = state.accounts.get(accountId)?.efs.mountTargets.get(segment(mountTargetId)!)?.fileSystemId;
    return fsId !== undefined ? fsArn(fsId) : '*';
  }
  const fsId = request.query.get('FileSystemId');
  return fsId !== null ? fsArn(fsId) : '*';
}

function s3FilesResource(
  state: SandboxState,
  request: SandboxRequest,
  accountId: string,
  region: string,
): string {
  const s3files = state.accounts.get(accountId)?.s3files;
  const fsArn = (idOrArn: string) =>
    idOrArn.startsWith('arn:')
      ? idOrArn
      : (s3files?.fileSystems.get(idOrArn)?.fileSystemArn ??
        `arn:aws:s3files:${region}:${accountId}:file-system/${idOrArn}`);
  const inPath = /^\/file-systems\/([^/]+)/.exec(request.path)?.[1];
  if (inPath !== undefined) return fsArn(segment(inPath)!);
  const mountTargetId = /^\/mount-targets\/([^/]+)/.exec(request.path)?.[1];
  if (mountTargetId !== undefined) {
    const fsId = s3files?.mountTargets.get(segment(mountTargetId)!)?.fileSystemId;
    return fsId !== undefined ? fsArn(fsId) : '*';
  }
  const accessPointId = /^\/access-points\/([^/]+)/.exec(request.path)?.[1];
  if (accessPointId !== undefined) {
    const ap = s3files?.accessPoints.get(segment(accessPointId)!);
    return ap?.accessPointArn ?? '*';
  }
  const fsId = request.query.get('fileSystemId');
  return fsId !== null ? fsArn(fsId) : '*';
}

/** The bucket of a path-style S3 request, as its ARN (`arn:aws:s3:::<bucket>`). */
function s3Resource(request: SandboxRequest): string {
  const bucket = /^\/([^/]+)/.exec(request.path)?.[1];
  return bucket !== undefined ? `arn:aws:s3:::${segment(bucket)}` : '*';
}

function route53Resource(request: SandboxRequest): string {
  const zone = /^\/2013-04-01\/hostedzone\/([^/]+)/.exec(request.path)?.[1];
  if (zone !== undefined) return `arn:aws:route53:::hostedzone/${segment(zone)}`;
  const change = /^\/2013-04-01\/change\/([^/]+)/.exec(request.path)?.[1];
  if (change !== undefined) return `arn:aws:route53:::change/${segment(change)}`;
  return '*';
}

/**
 * The tag condition keys of an IAM role call: `aws:RequestTag/<key>` and `aws:TagKeys` from the request's `Tags`
 * (CreateRole, TagRole) and `aws:ResourceTag/<key>` from the role's tags (IAM User Guide, "Controlling access to IAM
 * resources using tags"), so policies that allow writes only on tagged roles can be tested. Keys are lower-cased as
 * the evaluator's context is (condition keys are case-insensitive).
 */
function iamTagContext(
  state: SandboxState,
  request: SandboxRequest,
  accountId: string,
): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {};
  const keys: string[] = [];
  for (let i = 1; ; i++) {
    const key = param(request, `Tags.member.${i}.Key`);
    if (key === undefined) break;
    keys.push(key);
    context[`aws:requesttag/${key.toLowerCase()}`] = param(request, `Tags.member.${i}.Value`) ?? '';
  }
  if (keys.length > 0) context['aws:tagkeys'] = keys;
  const roleName = param(request, 'RoleName');
  const role = roleName !== undefined ? state.accounts.get(accountId)?.iam.roles.get(roleName) : undefined;
  for (const [key, value] of role?.tags ?? []) context[`aws:resourcetag/${key.toLowerCase()}`] = value;
  return context;
}

/**
 * `iam:PolicyARN` of the calls that attach or detach a managed policy (Service Authorization Reference for IAM: the
 * key is available on Attach/Detach{Group,Role,User}Policy), so a policy can limit which managed policies a role may
 * be given or lose.
 */
function iamPolicyArnContext(operation: string, request: SandboxRequest): Record<string, string> {
  if (!/^(Attach|Detach)(Group|Role|User)Policy$/.test(operation)) return {};
  const arn = param(request, 'PolicyArn');
  return arn !== undefined ? { 'iam:policyarn': arn } : {};
}

/**
 * The service principal an EKS Pod Identity role is passed to: the `iam:PassedToService` value the sandbox sets on
 * the `iam:PassRole` check of the calls in {@link passedRoles}.
 */
export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';

/**
 * The roles an EKS call passes to EKS Pod Identity, each needing `iam:PassRole` besides the call's own action.
 *
 * What is confirmed (Amazon EKS User Guide): "Assign an IAM role to a Kubernetes service account" lists, as a
 * prerequisite of creating an association, that the calling principal must have `iam:PassRole`; "Access AWS
 * resources using EKS Pod Identity target IAM roles" says the association's role (`roleArn`) must be in the cluster's
 * account because of the PassRole requirement, while the target role (`targetRoleArn`) may be in any account.
 * What is inferred: `targetRoleArn` is not passed (PassRole cannot reach a role of another account, and the target
 * role is assumed by the association's role, not by EKS), so only `roleArn` is checked.
 * What is a guess: that UpdatePodIdentityAssociation asks for PassRole on a new `roleArn` as Create does; that
 * CreateAddon/UpdateAddon ask for it on every `roleArn` of `podIdentityAssociations` (the whole list, also the roles
 * that were already there); and that the `iam:PassedToService` value is `pods.eks.amazonaws.com` for all of them (the
 * Service Authorization Reference lists PassedToService values per operation; the add-on operations may carry
 * `eks.amazonaws.com`, which is what a role in `serviceAccountRoleArn`, IRSA, is passed to; not modelled).
 */
export function passedRoles(operation: string, request: SandboxRequest): string[] {
  if (
    operation !== 'CreatePodIdentityAssociation' &&
    operation !== 'UpdatePodIdentityAssociation' &&
    operation !== 'CreateAddon' &&
    operation !== 'UpdateAddon'
  )
    return [];
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return []; // The service answers the malformed body itself.
  }
  if (typeof body !== 'object' || body === null) return [];
  const roleArn = (value: unknown) => (typeof value === 'string' && value !== '' ? [value] : []);
  if (operation.endsWith('PodIdentityAssociation')) return roleArn((body as { roleArn?: unknown }).roleArn);
  const list = (body as { podIdentityAssociations?: unknown }).podIdentityAssociations;
  if (!Array.isArray(list)) return [];
  return [
    ...new Set(
      list.flatMap((item: unknown) =>
        typeof item === 'object' && item !== null ? roleArn((item as { roleArn?: unknown }).roleArn) : [],
      ),
    ),
  ];
}

/** The IAM action prefix of a SigV4 signing name (they coincide for every service the sandbox serves). */
const PREFIX: Record<string, string> = {
  iam: 'iam',
  sts: 'sts',
  eks: 'eks',
  elasticfilesystem: 'elasticfilesystem',
  ec2: 'ec2',
  route53: 'route53',
  s3files: 's3files',
  s3: 's3',
};

/** The permission a call needs, or undefined when it needs none the sandbox checks. */
export function requiredPermission(
  state: SandboxState,
  service: string,
  operation: string,
  request: SandboxRequest,
  caller: Credential,
  region: string,
): RequiredPermission | undefined {
  const prefix = PREFIX[service];
  if (!prefix || operation === 'Unknown') return undefined;
  if (service === 'sts' && operation === 'GetCallerIdentity') return undefined;
  const action = `${prefix}:${operation}`;
  const account = caller.accountId;
  switch (service) {
    case 'iam':
      return { action, resource: iamResource(state, request, account) };
    case 'sts':
      return { action, resource: param(request, 'RoleArn') ?? '*' };
    case 'eks':
      return { action, resource: eksResource(state, request, account, region) };
    case 'elasticfilesystem':
      return { action, resource: efsResource(state, request, account, region) };
    case 'route53':
      return { action, resource: route53Resource(request) };
    case 's3files':
      return { action, resource: s3FilesResource(state, request, account, region) };
    case 's3':
      return { action, resource: s3Resource(request) };
    default:
      return { action, resource: '*' };
  }
}

/**
 * The error a service answers when the caller may not make the call. The message follows AWS's current shape
 * ("User: <arn> is not authorized to perform: <action> on resource: <arn> because no identity-based policy allows the
 * <action> action"). Guess: each service's exact wording (EFS sometimes says "on the specified resource"; EC2 may add
 * an encoded authorization message) is not reproduced.
 */
export function accessDenied(
  service: string,
  caller: Credential,
  permission: RequiredPermission,
  why: 'explicitDeny' | 'implicitDeny',
): AwsError {
  const reason =
    why === 'explicitDeny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${permission.action} action`;
  const onResource = permission.resource === '*' ? '' : ` on resource: ${permission.resource}`;
  const message = `User: ${caller.principalArn} is not authorized to perform: ${permission.action}${onResource} ${reason}`;
  switch (service) {
    case 'eks':
    case 'elasticfilesystem':
    case 's3files':
      return new AwsError(403, 'AccessDeniedException', message);
    case 'ec2':
      return new AwsError(
        403,
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. ${message}`,
      );
    default:
      // IAM, STS, Route 53 and S3.
      return new AwsError(403, 'AccessDenied', message);
  }
}

/** Throws the service's AccessDenied when enforcement is on and the caller's identity policies refuse the call. */
export function enforcePermissions(
  state: SandboxState,
  service: string,
  operation: string,
  request: SandboxRequest,
  caller: Credential,
  region: string,
): void {
  if (!state.settings.enforcePermissions) return;
  const permission = requiredPermission(state, service, operation, request, caller, region);
  if (!permission) return;
  const decision = identityDecision(state, caller, permission.action, permission.resource, {
    'aws:requestedregion': region,
    ...(service === 'iam' ? iamTagContext(state, request, caller.accountId) : {}),
    ...(service === 'iam' ? iamPolicyArnContext(operation, request) : {}),
  });
  if (decision !== 'allow') throw accessDenied(service, caller, permission, decision);
  // The call's own action first, then PassRole on each role it hands to EKS Pod Identity: both must be allowed.
  if (service !== 'eks') return;
  for (const roleArn of passedRoles(operation, request)) {
    const passRole = { action: 'iam:PassRole', resource: roleArn };
    const passDecision = identityDecision(state, caller, passRole.action, passRole.resource, {
      'aws:requestedregion': region,
      'iam:passedtoservice': POD_IDENTITY_SERVICE,
    });
    if (passDecision !== 'allow') throw accessDenied(service, caller, passRole, passDecision);
  }
}

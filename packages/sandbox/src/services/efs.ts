/**
 * Amazon EFS over REST-JSON (signing name `elasticfilesystem`, paths under `/2015-02-01/`), the operations the
 * product reads and the file system policy it writes. Paths, fields and error codes follow the schemas of the
 * installed `@aws-sdk/client-efs`.
 */
import {
  evaluatePolicy,
  normalizePolicy,
  type AuthzRequest,
  type ContextValue,
} from '@efs-node-identity/core';
import { AwsError } from '../errors';
import type { SandboxRequest, SandboxResponse } from '../http';
import type { Account, Credential } from '../state/account';
import type { EfsAccessPoint, EfsFileSystem, EfsMountTarget } from '../state/efs';
import type { ServiceContext, ServiceModule } from './module';
import { checkFileSystemPolicy } from './resource-policy';
import { paginateById, restJsonError, restJsonResponse } from './rest-json';

interface Route {
  method: string;
  pattern: RegExp;
  operation: string;
}

/** Path templates of the operations served (from the SDK's schemas); `{Label}` becomes a capture group. */
const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/2015-02-01\/file-systems$/, operation: 'DescribeFileSystems' },
  {
    method: 'GET',
    pattern: /^\/2015-02-01\/file-systems\/([^/]+)\/policy$/,
    operation: 'DescribeFileSystemPolicy',
  },
  {
    method: 'PUT',
    pattern: /^\/2015-02-01\/file-systems\/([^/]+)\/policy$/,
    operation: 'PutFileSystemPolicy',
  },
  {
    method: 'DELETE',
    pattern: /^\/2015-02-01\/file-systems\/([^/]+)\/policy$/,
    operation: 'DeleteFileSystemPolicy',
  },
  { method: 'GET', pattern: /^\/2015-02-01\/mount-targets$/, operation: 'DescribeMountTargets' },
  {
    method: 'GET',
    pattern: /^\/2015-02-01\/mount-targets\/([^/]+)\/security-groups$/,
    operation: 'DescribeMountTargetSecurityGroups',
  },
  { method: 'GET', pattern: /^\/2015-02-01\/access-points$/, operation: 'DescribeAccessPoints' },
];

function route(request: SandboxRequest): { operation: string; label?: string } | undefined {
  for (const r of ROUTES) {
    if (r.method !== request.method) continue;
    const match = r.pattern.exec(request.path);
    if (!match) continue;
    let label: string | undefined;
    if (match[1] !== undefined) {
      try {
        label = decodeURIComponent(match[1]);
      } catch {
        label = match[1];
      }
    }
    return { operation: r.operation, ...(label !== undefined ? { label } : {}) };
  }
  return undefined;
}

// EFS's own error body: `{"ErrorCode": "...", "Message": "..."}` (the SDK's EFS exceptions carry both members).
const badRequest = (message: string) => new AwsError(400, 'BadRequest', message);
const fileSystemNotFound = (id: string) =>
  new AwsError(404, 'FileSystemNotFound', `File system '${id}' does not exist.`);
const mountTargetNotFound = (id: string) =>
  new AwsError(404, 'MountTargetNotFound', `Mount target '${id}' does not exist.`);
const accessPointNotFound = (id: string) =>
  new AwsError(404, 'AccessPointNotFound', `Access point '${id}' does not exist.`);
const invalidPolicy = (message: string) => new AwsError(400, 'InvalidPolicyException', message);

const efsResponse = restJsonResponse;
const efsError = (error: AwsError) => restJsonError(error, { code: 'ErrorCode', message: 'Message' });

// ---------------------------------------------------------------------------------------------------------------
// Paging: Marker/NextMarker (file systems, mount targets) and NextToken (access points), see paginateById.

function pageSize(raw: string | null, name: string, fallback: number): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  // Guess: EFS answers an out-of-range page size with BadRequest (the API reference lists BadRequest for "an
  // invalid parameter value"); the exact message is invented.
  if (!Number.isInteger(n) || n < 1) throw badRequest(`${name} must be a positive integer`);
  return n;
}

function paginate<T>(
  items: T[],
  idOf: (item: T) => string,
  operation: string,
  marker: string | null,
  max: number,
): { page: T[]; next?: string } {
  return paginateById(items, idOf, operation, marker, max, (m) => badRequest(`Invalid marker: ${m}`));
}

// ---------------------------------------------------------------------------------------------------------------
// Shapes

const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

function describeFileSystem(account: Account, fs: EfsFileSystem): Record<string, unknown> {
  const mountTargets = [...account.efs.mountTargets.values()].filter(
    (m) => m.fileSystemId === fs.fileSystemId && m.lifeCycleState !== 'deleted',
  );
  return {
    OwnerId: account.id,
    CreationToken: fs.creationToken,
    FileSystemId: fs.fileSystemId,
    FileSystemArn: fs.fileSystemArn,
    // REST-JSON timestamps are epoch seconds.
    CreationTime: fs.creationTime.getTime() / 1000,
    LifeCycleState: fs.lifeCycleState,
    Name: fs.name,
    NumberOfMountTargets: mountTargets.length,
    SizeInBytes: { Value: fs.sizeInBytes, ValueInStandard: fs.sizeInBytes, ValueInIA: 0, ValueInArchive: 0 },
    PerformanceMode: fs.performanceMode,
    Encrypted: fs.encrypted,
    KmsKeyId: fs.kmsKeyId,
    ThroughputMode: fs.throughputMode,
    AvailabilityZoneName: fs.availabilityZoneName,
    AvailabilityZoneId: fs.availabilityZoneId,
    Tags: tagList(fs.tags),
    FileSystemProtection: { ReplicationOverwriteProtection: 'ENABLED' },
  };
}

function describeMountTarget(account: Account, mt: EfsMountTarget): Record<string, unknown> {
  return {
    OwnerId: account.id,
    MountTargetId: mt.mountTargetId,
    FileSystemId: mt.fileSystemId,
    SubnetId: mt.subnetId,
    LifeCycleState: mt.lifeCycleState,
    IpAddress: mt.ipAddress,
    NetworkInterfaceId: mt.networkInterfaceId,
    AvailabilityZoneId: mt.availabilityZoneId,
    AvailabilityZoneName: mt.availabilityZoneName,
    VpcId: mt.vpcId,
  };
}

function describeAccessPoint(account: Account, ap: EfsAccessPoint): Record<string, unknown> {
  return {
    ClientToken: ap.clientToken,
    Name: ap.name,
    Tags: tagList(ap.tags),
    AccessPointId: ap.accessPointId,
    AccessPointArn: ap.accessPointArn,
    FileSystemId: ap.fileSystemId,
    PosixUser: ap.posixUser,
    RootDirectory: ap.rootDirectory,
    OwnerId: account.id,
    LifeCycleState: ap.lifeCycleState,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lookups, scoped to the caller's account and the request's region (EFS resources are regional and per account: a
// file system of another account is "not found", not "access denied").

function fileSystemsIn(context: ServiceContext): EfsFileSystem[] {
  return [...context.account.efs.fileSystems.values()].filter(
    (fs) => fs.region === context.region && fs.lifeCycleState !== 'deleted',
  );
}

function fileSystem(context: ServiceContext, id: string | undefined): EfsFileSystem {
  if (!id) throw badRequest('FileSystemId is required');
  const fs = context.account.efs.fileSystems.get(id);
  if (!fs || fs.region !== context.region || fs.lifeCycleState === 'deleted') throw fileSystemNotFound(id);
  return fs;
}

function mountTarget(context: ServiceContext, id: string): EfsMountTarget {
  const mt = context.account.efs.mountTargets.get(id);
  if (!mt || mt.lifeCycleState === 'deleted') throw mountTargetNotFound(id);
  const fs = context.account.efs.fileSystems.get(mt.fileSystemId);
  if (!fs || fs.region !== context.region) throw mountTargetNotFound(id);
  return mt;
}

function accessPoint(context: ServiceContext, id: string): EfsAccessPoint {
  const ap = context.account.efs.accessPoints.get(id);
  const fs = ap ? context.account.efs.fileSystems.get(ap.fileSystemId) : undefined;
  if (!ap || !fs || fs.region !== context.region || ap.lifeCycleState === 'deleted')
    throw accessPointNotFound(id);
  return ap;
}

// ---------------------------------------------------------------------------------------------------------------
// File system policy

function parseBody(request: SandboxRequest): Record<string, unknown> {
  if (request.body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    // Guess: a request body that is not JSON is a BadRequest (real EFS's front end may call it a SerializationException).
    throw badRequest('The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badRequest('The request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** The principal a policy sees for the caller: an assumed-role session matches statements naming its role. */
function policyPrincipalArn(caller: Credential): string {
  return caller.roleArn ?? caller.principalArn;
}

/**
 * The lockout safety check. AWS documents its purpose ("whether the policy in the request will lock out, or
 * prevent, the IAM principal that is making the request from making future PutFileSystemPolicy requests on this
 * file system") but not its algorithm. Our reading, a guess in every detail below:
 * - evaluate `elasticfilesystem:PutFileSystemPolicy` on the file system ARN for the caller (an assumed-role session
 *   as its role ARN) against the new policy only, with the context an API call over HTTPS has
 *   (aws:SecureTransport=true, aws:PrincipalArn, aws:PrincipalAccount);
 * - the caller is locked out only by a matching explicit Deny: its identity policies still grant the call when the
 *   resource policy is silent (callers are always of the file system's own account here: the sandbox, like EFS's
 *   API, serves a file system only to its account, so no "cross-account caller needs an Allow" case arises);
 * - a statement the evaluator cannot decide ('unknown') does not count as a lockout.
 * Identity policies and SCPs are not consulted.
 */
function locksOutCaller(policyText: string, fs: EfsFileSystem, caller: Credential): string | undefined {
  const document = normalizePolicy(JSON.parse(policyText) as unknown, { kind: 'aws', arn: fs.fileSystemArn });
  const arn = policyPrincipalArn(caller);
  const context: Record<string, ContextValue> = {
    'aws:securetransport': 'true',
    'aws:principalarn': arn,
    'aws:principalaccount': caller.accountId,
  };
  const request: AuthzRequest = {
    principal: { kind: 'aws', arn, accountId: caller.accountId },
    action: 'elasticfilesystem:PutFileSystemPolicy',
    resource: fs.fileSystemArn,
    context,
  };
  const outcome = evaluatePolicy(document, request, { name: 'file system policy', hasPrincipals: true });
  return outcome.denies === true ? 'explicitly denies' : undefined;
}

function putFileSystemPolicy(
  request: SandboxRequest,
  context: ServiceContext,
  id: string | undefined,
): SandboxResponse {
  const fs = fileSystem(context, id);
  const body = parseBody(request);
  const policy = body.Policy;
  if (policy === undefined || policy === null) throw badRequest('Policy is required');
  if (typeof policy !== 'string') throw badRequest('Policy must be a string');
  const bypass = body.BypassPolicyLockoutSafetyCheck;
  if (bypass !== undefined && typeof bypass !== 'boolean')
    throw badRequest('BypassPolicyLockoutSafetyCheck must be a boolean');
  checkFileSystemPolicy(policy, fs.fileSystemArn, invalidPolicy);
  if (bypass !== true) {
    const why = locksOutCaller(policy, fs, context.caller);
    if (why) {
      throw invalidPolicy(
        `The policy ${why} elasticfilesystem:PutFileSystemPolicy for ${policyPrincipalArn(context.caller)}: it would prevent the principal making the request from making future PutFileSystemPolicy requests on this file system. Set BypassPolicyLockoutSafetyCheck to put it anyway.`,
      );
    }
  }
  // No conditional write: the last writer wins, as in AWS (PutFileSystemPolicy has no revision or ETag).
  fs.policy = policy;
  return efsResponse({ FileSystemId: fs.fileSystemId, Policy: fs.policy });
}

// ---------------------------------------------------------------------------------------------------------------

function handle(request: SandboxRequest, context: ServiceContext): SandboxResponse {
  const matched = route(request);
  if (!matched) {
    // Guess: what EFS answers for a path it does not serve is undocumented; BadRequest is EFS's generic client error.
    throw badRequest(`Unknown operation: ${request.method} ${request.path}`);
  }
  const q = request.query;
  const account = context.account;
  switch (matched.operation) {
    case 'DescribeFileSystems': {
      const id = q.get('FileSystemId');
      const token = q.get('CreationToken');
      let items = fileSystemsIn(context);
      if (id !== null) items = [fileSystem(context, id)];
      if (token !== null) items = items.filter((fs) => fs.creationToken === token);
      const marker = q.get('Marker');
      const { page, next } = paginate(
        items,
        (fs) => fs.fileSystemId,
        'DescribeFileSystems',
        marker,
        pageSize(q.get('MaxItems'), 'MaxItems', 100),
      );
      return efsResponse({
        ...(marker !== null ? { Marker: marker } : {}),
        FileSystems: page.map((fs) => describeFileSystem(account, fs)),
        ...(next ? { NextMarker: next } : {}),
      });
    }
    case 'DescribeFileSystemPolicy': {
      const fs = fileSystem(context, matched.label);
      if (fs.policy === undefined) throw new AwsError(404, 'PolicyNotFound', 'Policy is not found');
      return efsResponse({ FileSystemId: fs.fileSystemId, Policy: fs.policy });
    }
    case 'PutFileSystemPolicy':
      return putFileSystemPolicy(request, context, matched.label);
    case 'DeleteFileSystemPolicy': {
      // Deleting an absent policy succeeds: the API reference lists no PolicyNotFound for this operation.
      const fs = fileSystem(context, matched.label);
      delete fs.policy;
      return efsResponse(undefined);
    }
    case 'DescribeMountTargets': {
      const fsId = q.get('FileSystemId');
      const mtId = q.get('MountTargetId');
      const apId = q.get('AccessPointId');
      const given = [fsId, mtId, apId].filter((v) => v !== null).length;
      if (given !== 1)
        throw badRequest('Exactly one of FileSystemId, MountTargetId or AccessPointId must be specified');
      let items: EfsMountTarget[];
      if (mtId !== null) items = [mountTarget(context, mtId)];
      else {
        const targetFs =
          fsId !== null
            ? fileSystem(context, fsId)
            : fileSystem(context, accessPoint(context, apId ?? '').fileSystemId);
        items = [...account.efs.mountTargets.values()].filter(
          (m) => m.fileSystemId === targetFs.fileSystemId && m.lifeCycleState !== 'deleted',
        );
      }
      const marker = q.get('Marker');
      const { page, next } = paginate(
        items,
        (m) => m.mountTargetId,
        'DescribeMountTargets',
        marker,
        pageSize(q.get('MaxItems'), 'MaxItems', 10),
      );
      return efsResponse({
        ...(marker !== null ? { Marker: marker } : {}),
        MountTargets: page.map((m) => describeMountTarget(account, m)),
        ...(next ? { NextMarker: next } : {}),
      });
    }
    case 'DescribeMountTargetSecurityGroups': {
      const mt = mountTarget(context, matched.label ?? '');
      if (mt.lifeCycleState !== 'available') {
        throw new AwsError(
          409,
          'IncorrectMountTargetState',
          `Mount target '${mt.mountTargetId}' is in state ${mt.lifeCycleState}, not available.`,
        );
      }
      return efsResponse({ SecurityGroups: mt.securityGroups });
    }
    case 'DescribeAccessPoints': {
      const apId = q.get('AccessPointId');
      const fsId = q.get('FileSystemId');
      if (apId !== null && fsId !== null)
        throw badRequest('Specify either AccessPointId or FileSystemId, not both');
      let items: EfsAccessPoint[];
      if (apId !== null) items = [accessPoint(context, apId)];
      else if (fsId !== null) {
        const fs = fileSystem(context, fsId);
        items = [...account.efs.accessPoints.values()].filter(
          (ap) => ap.fileSystemId === fs.fileSystemId && ap.lifeCycleState !== 'deleted',
        );
      } else {
        const inRegion = new Set(fileSystemsIn(context).map((fs) => fs.fileSystemId));
        items = [...account.efs.accessPoints.values()].filter(
          (ap) => inRegion.has(ap.fileSystemId) && ap.lifeCycleState !== 'deleted',
        );
      }
      const { page, next } = paginate(
        items,
        (ap) => ap.accessPointId,
        'DescribeAccessPoints',
        q.get('NextToken'),
        pageSize(q.get('MaxResults'), 'MaxResults', 100),
      );
      return efsResponse({
        AccessPoints: page.map((ap) => describeAccessPoint(account, ap)),
        ...(next ? { NextToken: next } : {}),
      });
    }
    default:
      throw badRequest(`Unknown operation: ${matched.operation}`);
  }
}

export const efs: ServiceModule = {
  signingName: 'elasticfilesystem',
  operation: (request) => route(request)?.operation,
  handle,
  error: efsError,
  throttlingError: () => new AwsError(429, 'ThrottlingException', 'Rate exceeded'),
};

/**
 * Amazon S3 Files over REST-JSON (signing name `s3files`, API version 2025-05-05, paths without a version prefix):
 * file systems (create, get, list, delete), their policy (get, put, delete), mount targets and access points (get,
 * list). Paths, member names, status codes and error codes follow the schemas of the installed
 * `@aws-sdk/client-s3files`; ID patterns follow the S3 Files API reference (`fs-[0-9a-f]{17,40}`, or the file system
 * ARN, wherever a file system is named).
 */
import { createHash, randomUUID } from 'node:crypto';
import { AwsError } from '../errors';
import type { SandboxRequest, SandboxResponse } from '../http';
import type { Account } from '../state/account';
import type { S3FilesAccessPoint, S3FilesFileSystem, S3FilesMountTarget } from '../state/s3files';
import type { ServiceContext, ServiceModule } from './module';
import { checkFileSystemPolicy } from './resource-policy';
import { paginateById, restJsonError, restJsonResponse } from './rest-json';

/** The API reference's pattern for a file system named in a request: its ID or its ARN. */
export const S3FILES_FILE_SYSTEM_ID = /^fs-[0-9a-f]{17,40}$/;
const FILE_SYSTEM_ARN = /^arn:aws[-a-z]*:s3files:[0-9a-z-]+:(\d{12}):file-system\/(fs-[0-9a-f]{17,40})$/;
const BUCKET_ARN = /^arn:aws[a-zA-Z0-9-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/;
const ROLE_ARN = /^arn:aws[a-zA-Z0-9-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

interface Route {
  method: string;
  pattern: RegExp;
  operation: string;
}

/** The operations served, with the HTTP bindings of the SDK's schemas; `{label}` becomes a capture group. */
const ROUTES: Route[] = [
  { method: 'PUT', pattern: /^\/file-systems$/, operation: 'CreateFileSystem' },
  { method: 'GET', pattern: /^\/file-systems$/, operation: 'ListFileSystems' },
  { method: 'GET', pattern: /^\/file-systems\/([^/]+)$/, operation: 'GetFileSystem' },
  { method: 'DELETE', pattern: /^\/file-systems\/([^/]+)$/, operation: 'DeleteFileSystem' },
  { method: 'GET', pattern: /^\/file-systems\/([^/]+)\/policy$/, operation: 'GetFileSystemPolicy' },
  { method: 'PUT', pattern: /^\/file-systems\/([^/]+)\/policy$/, operation: 'PutFileSystemPolicy' },
  { method: 'DELETE', pattern: /^\/file-systems\/([^/]+)\/policy$/, operation: 'DeleteFileSystemPolicy' },
  { method: 'GET', pattern: /^\/mount-targets$/, operation: 'ListMountTargets' },
  { method: 'GET', pattern: /^\/mount-targets\/([^/]+)$/, operation: 'GetMountTarget' },
  { method: 'GET', pattern: /^\/access-points$/, operation: 'ListAccessPoints' },
  { method: 'GET', pattern: /^\/access-points\/([^/]+)$/, operation: 'GetAccessPoint' },
];

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The operation a request asks for and its path label (a file system, mount target or access point). */
export function s3FilesRoute(request: SandboxRequest): { operation: string; label?: string } | undefined {
  for (const r of ROUTES) {
    if (r.method !== request.method) continue;
    const match = r.pattern.exec(request.path);
    if (!match) continue;
    return { operation: r.operation, ...(match[1] !== undefined ? { label: decode(match[1]) } : {}) };
  }
  return undefined;
}

// The S3 Files error body: `{"errorCode": …, "message": …}` (the members of every error shape in the SDK's schemas);
// the SDK takes the code from the x-amzn-errortype header.
const validation = (message: string) => new AwsError(400, 'ValidationException', message);
const notFound = (message: string) => new AwsError(404, 'ResourceNotFoundException', message);
const conflict = (message: string) => new AwsError(409, 'ConflictException', message);

const s3FilesResponse = restJsonResponse;
const s3FilesError = (error: AwsError) => restJsonError(error, { code: 'errorCode', message: 'message' });

// ---------------------------------------------------------------------------------------------------------------
// Paging: nextToken, see paginateById.

function pageSize(raw: string | null, fallback: number): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  // Guess: the maximum page size is not in the SDK's schemas; 1,000 is what sibling APIs allow.
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw validation('maxResults must be an integer from 1 to 1000');
  return n;
}

function paginate<T>(
  items: T[],
  idOf: (item: T) => string,
  operation: string,
  token: string | null,
  max: number,
): { page: T[]; nextToken?: string } {
  const { page, next } = paginateById(items, idOf, operation, token, max, (t) =>
    validation(`Invalid nextToken: ${t}`),
  );
  return next === undefined ? { page } : { page, nextToken: next };
}

// ---------------------------------------------------------------------------------------------------------------
// Shapes (member names of the SDK's schemas; timestamps are epoch seconds in REST-JSON)

const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([key, value]) => ({ key, value }));

function describeFileSystem(account: Account, fs: S3FilesFileSystem): Record<string, unknown> {
  return {
    creationTime: fs.creationTime.getTime() / 1000,
    fileSystemArn: fs.fileSystemArn,
    fileSystemId: fs.fileSystemId,
    bucket: fs.bucket,
    prefix: fs.prefix,
    clientToken: fs.clientToken,
    ...(fs.kmsKeyId ? { kmsKeyId: fs.kmsKeyId } : {}),
    status: fs.status,
    roleArn: fs.roleArn,
    ownerId: account.id,
    tags: tagList(fs.tags),
    ...(fs.name !== undefined ? { name: fs.name } : {}),
  };
}

function listedFileSystem(account: Account, fs: S3FilesFileSystem): Record<string, unknown> {
  return {
    creationTime: fs.creationTime.getTime() / 1000,
    fileSystemArn: fs.fileSystemArn,
    fileSystemId: fs.fileSystemId,
    bucket: fs.bucket,
    status: fs.status,
    roleArn: fs.roleArn,
    ownerId: account.id,
    ...(fs.name !== undefined ? { name: fs.name } : {}),
  };
}

function describeMountTarget(account: Account, mt: S3FilesMountTarget): Record<string, unknown> {
  return {
    ownerId: account.id,
    mountTargetId: mt.mountTargetId,
    subnetId: mt.subnetId,
    availabilityZoneId: mt.availabilityZoneId,
    fileSystemId: mt.fileSystemId,
    ipv4Address: mt.ipv4Address,
    networkInterfaceId: mt.networkInterfaceId,
    vpcId: mt.vpcId,
    status: mt.status,
  };
}

function describeAccessPoint(
  account: Account,
  ap: S3FilesAccessPoint,
  withTags: boolean,
): Record<string, unknown> {
  return {
    accessPointArn: ap.accessPointArn,
    accessPointId: ap.accessPointId,
    ...(withTags ? { clientToken: ap.clientToken, tags: tagList(ap.tags) } : {}),
    fileSystemId: ap.fileSystemId,
    status: ap.status,
    ownerId: account.id,
    ...(ap.posixUser ? { posixUser: ap.posixUser } : {}),
    ...(ap.rootDirectory ? { rootDirectory: ap.rootDirectory } : {}),
    ...(ap.name !== undefined ? { name: ap.name } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Lookups, scoped to the caller's account and the request's region: a file system of another account is "not
// found" (guess: S3 Files, like EFS, serves its control plane only to the owning account).

function fileSystemsIn(context: ServiceContext): S3FilesFileSystem[] {
  return [...context.account.s3files.fileSystems.values()].filter(
    (fs) => fs.region === context.region && fs.status !== 'deleted',
  );
}

/** The file system a request names by ID or ARN (both are accepted wherever the API takes a file system). */
function fileSystem(context: ServiceContext, idOrArn: string | undefined | null): S3FilesFileSystem {
  if (!idOrArn) throw validation('fileSystemId is required');
  let id = idOrArn;
  const arn = FILE_SYSTEM_ARN.exec(idOrArn);
  if (arn) {
    if (arn[1] !== context.account.id) throw notFound(`File system '${idOrArn}' does not exist.`);
    id = arn[2]!;
  } else if (!S3FILES_FILE_SYSTEM_ID.test(idOrArn)) {
    throw validation(
      `fileSystemId '${idOrArn}' does not match the pattern fs-[0-9a-f]{17,40} or a file system ARN`,
    );
  }
  const fs = context.account.s3files.fileSystems.get(id);
  if (!fs || fs.region !== context.region || fs.status === 'deleted')
    throw notFound(`File system '${idOrArn}' does not exist.`);
  return fs;
}

function mountTarget(context: ServiceContext, id: string): S3FilesMountTarget {
  const mt = context.account.s3files.mountTargets.get(id);
  const fs = mt ? context.account.s3files.fileSystems.get(mt.fileSystemId) : undefined;
  if (!mt || !fs || fs.region !== context.region || mt.status === 'deleted')
    throw notFound(`Mount target '${id}' does not exist.`);
  return mt;
}

function accessPoint(context: ServiceContext, id: string): S3FilesAccessPoint {
  const ap = context.account.s3files.accessPoints.get(id);
  const fs = ap ? context.account.s3files.fileSystems.get(ap.fileSystemId) : undefined;
  if (!ap || !fs || fs.region !== context.region || ap.status === 'deleted')
    throw notFound(`Access point '${id}' does not exist.`);
  return ap;
}

function parseBody(request: SandboxRequest): Record<string, unknown> {
  if (request.body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    // Guess: a body that is not JSON is a ValidationException (the API's generic client error).
    throw validation('The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw validation('The request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------------
// Writes

/** A file system ID derived from the account and the client token, so a retried create yields the same ID. */
function newFileSystemId(account: Account, clientToken: string): string {
  for (let n = 0; ; n++) {
    const id = `fs-${createHash('sha256').update(`${account.id}/${clientToken}/${n}`).digest('hex').slice(0, 17)}`;
    if (!account.s3files.fileSystems.has(id)) return id;
  }
}

function createFileSystem(request: SandboxRequest, context: ServiceContext): SandboxResponse {
  const body = parseBody(request);
  const { account, state } = context;
  const bucket = body.bucket;
  if (typeof bucket !== 'string' || !BUCKET_ARN.test(bucket))
    throw validation('bucket must be an S3 bucket ARN (arn:aws:s3:::<name>)');
  const roleArn = body.roleArn;
  if (typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn))
    throw validation('roleArn must be an IAM role ARN');
  const prefix = body.prefix ?? '';
  if (typeof prefix !== 'string') throw validation('prefix must be a string');
  const clientToken = typeof body.clientToken === 'string' ? body.clientToken : randomUUID();
  const existing = [...account.s3files.fileSystems.values()].find(
    (fs) => fs.clientToken === clientToken && fs.status !== 'deleted',
  );
  if (existing) {
    // Idempotency: the same token with the same request returns the same file system.
    if (existing.bucket !== bucket || existing.prefix !== prefix || existing.roleArn !== roleArn)
      throw conflict(`clientToken ${clientToken} was used for another request`);
    return s3FilesResponse(describeFileSystem(account, existing), 201);
  }
  // The API reference: "The bucket must exist and be in the same Amazon Web Services Region as the file system".
  const bucketName = BUCKET_ARN.exec(bucket)![1]!;
  const owner = [...state.accounts.values()].find((a) => a.s3.buckets.has(bucketName));
  const found = owner?.s3.buckets.get(bucketName);
  if (!found) throw notFound(`Bucket '${bucketName}' does not exist.`);
  if (found.region !== context.region)
    throw validation(`Bucket '${bucketName}' is in ${found.region}, not in ${context.region}`);
  const fileSystemId = newFileSystemId(account, clientToken);
  const tags: Record<string, string> = {};
  for (const t of Array.isArray(body.tags) ? (body.tags as unknown[]) : []) {
    const tag = t as { key?: unknown; value?: unknown };
    if (typeof tag.key !== 'string' || typeof tag.value !== 'string')
      throw validation('tags need a key and a value');
    tags[tag.key] = tag.value;
  }
  const fs: S3FilesFileSystem = {
    fileSystemId,
    fileSystemArn: `arn:aws:s3files:${context.region}:${account.id}:file-system/${fileSystemId}`,
    region: context.region,
    bucket,
    prefix,
    roleArn,
    clientToken,
    creationTime: new Date(state.now()),
    // Guess: a new file system is reported available at once (the real one is `creating` for a while).
    status: 'available',
    ...(typeof body.kmsKeyId === 'string' ? { kmsKeyId: body.kmsKeyId } : {}),
    ...(tags.Name !== undefined ? { name: tags.Name } : {}),
    tags,
  };
  account.s3files.fileSystems.set(fileSystemId, fs);
  return s3FilesResponse(describeFileSystem(account, fs), 201);
}

function putFileSystemPolicy(request: SandboxRequest, context: ServiceContext, label: string | undefined) {
  const fs = fileSystem(context, label);
  const body = parseBody(request);
  const policy = body.policy;
  if (typeof policy !== 'string') throw validation('policy is required and must be a string');
  // The S3 User Guide gives file system policies the 20,000-character limit EFS has. Guess: the error code for an
  // invalid policy is ValidationException (the only client error of the operation besides ResourceNotFoundException
  // in the SDK's schemas); EFS's lockout safety check is not modelled.
  checkFileSystemPolicy(policy, fs.fileSystemArn, validation);
  // No conditional write: the last writer wins (PutFileSystemPolicy has no revision or ETag).
  fs.policy = policy;
  return s3FilesResponse({});
}

// ---------------------------------------------------------------------------------------------------------------

function handle(request: SandboxRequest, context: ServiceContext): SandboxResponse {
  const matched = s3FilesRoute(request);
  // Guess: what S3 Files answers for a path it does not serve is undocumented; ValidationException is its generic error.
  if (!matched) throw validation(`Unknown operation: ${request.method} ${request.path}`);
  const q = request.query;
  const account = context.account;
  switch (matched.operation) {
    case 'CreateFileSystem':
      return createFileSystem(request, context);
    case 'GetFileSystem':
      return s3FilesResponse(describeFileSystem(account, fileSystem(context, matched.label)));
    case 'ListFileSystems': {
      const bucket = q.get('bucket');
      const items = fileSystemsIn(context).filter((fs) => bucket === null || fs.bucket === bucket);
      const { page, nextToken } = paginate(
        items,
        (fs) => fs.fileSystemId,
        'ListFileSystems',
        q.get('nextToken'),
        pageSize(q.get('maxResults'), 100),
      );
      return s3FilesResponse({
        fileSystems: page.map((fs) => listedFileSystem(account, fs)),
        ...(nextToken ? { nextToken } : {}),
      });
    }
    case 'DeleteFileSystem': {
      const fs = fileSystem(context, matched.label);
      const targets = [...account.s3files.mountTargets.values()].filter(
        (m) => m.fileSystemId === fs.fileSystemId && m.status !== 'deleted',
      );
      // Guess: without forceDelete, a file system that still has mount targets is a conflict (as in EFS).
      if (targets.length > 0 && q.get('forceDelete') !== 'true')
        throw conflict(`File system '${fs.fileSystemId}' has ${targets.length} mount target(s)`);
      for (const m of targets) m.status = 'deleted';
      for (const ap of account.s3files.accessPoints.values())
        if (ap.fileSystemId === fs.fileSystemId) ap.status = 'deleted';
      fs.status = 'deleted';
      return s3FilesResponse(undefined, 204);
    }
    case 'GetFileSystemPolicy': {
      const fs = fileSystem(context, matched.label);
      // Guess: a file system without a policy answers ResourceNotFoundException (the operation's only "absent"
      // error in the SDK's schemas); the message is invented.
      if (fs.policy === undefined) throw notFound(`File system '${fs.fileSystemId}' has no policy.`);
      return s3FilesResponse({ fileSystemId: fs.fileSystemId, policy: fs.policy });
    }
    case 'PutFileSystemPolicy':
      return putFileSystemPolicy(request, context, matched.label);
    case 'DeleteFileSystemPolicy': {
      // Guess: deleting an absent policy succeeds, as in EFS.
      const fs = fileSystem(context, matched.label);
      delete fs.policy;
      return s3FilesResponse(undefined, 204);
    }
    case 'ListMountTargets': {
      const fsId = q.get('fileSystemId');
      const apId = q.get('accessPointId');
      if ((fsId === null) === (apId === null))
        throw validation('Exactly one of fileSystemId or accessPointId must be specified');
      const owner =
        fsId !== null
          ? fileSystem(context, fsId)
          : fileSystem(context, accessPoint(context, apId!).fileSystemId);
      const items = [...account.s3files.mountTargets.values()].filter(
        (m) => m.fileSystemId === owner.fileSystemId && m.status !== 'deleted',
      );
      const { page, nextToken } = paginate(
        items,
        (m) => m.mountTargetId,
        'ListMountTargets',
        q.get('nextToken'),
        pageSize(q.get('maxResults'), 100),
      );
      return s3FilesResponse({
        mountTargets: page.map((m) => describeMountTarget(account, m)),
        ...(nextToken ? { nextToken } : {}),
      });
    }
    case 'GetMountTarget': {
      const mt = mountTarget(context, matched.label ?? '');
      return s3FilesResponse({ ...describeMountTarget(account, mt), securityGroups: mt.securityGroups });
    }
    case 'ListAccessPoints': {
      // fileSystemId is required for ListAccessPoints (the SDK's schema marks it so).
      const fs = fileSystem(context, q.get('fileSystemId'));
      const items = [...account.s3files.accessPoints.values()].filter(
        (ap) => ap.fileSystemId === fs.fileSystemId && ap.status !== 'deleted',
      );
      const { page, nextToken } = paginate(
        items,
        (ap) => ap.accessPointId,
        'ListAccessPoints',
        q.get('nextToken'),
        pageSize(q.get('maxResults'), 100),
      );
      return s3FilesResponse({
        accessPoints: page.map((ap) => describeAccessPoint(account, ap, false)),
        ...(nextToken ? { nextToken } : {}),
      });
    }
    case 'GetAccessPoint':
      return s3FilesResponse(describeAccessPoint(account, accessPoint(context, matched.label ?? ''), true));
    default:
      throw validation(`Unknown operation: ${matched.operation}`);
  }
}

export const s3files: ServiceModule = {
  signingName: 's3files',
  operation: (request) => s3FilesRoute(request)?.operation,
  handle,
  error: s3FilesError,
  throttlingError: () => new AwsError(429, 'ThrottlingException', 'Rate exceeded'),
};

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from './errors';
import { credentialScope, type CredentialScope, type SandboxRequest } from './http';
import type { Credential, SandboxState } from './state/account';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/**
 * AWS's message for a signature that does not verify (query services and Route 53 send it as `SignatureDoesNotMatch`).
 */
const MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Who is calling: the credential behind the access key of the SigV4 signature, after checking the signature against
 * the credential's secret. Unknown keys and expired temporary credentials are refused with the error AWS gives; a
 * signature that does not verify (wrong secret, tampered body, header or query) is refused with
 * `SignatureDoesNotMatch` 403.
 *
 * Not checked (on purpose): the 15-minute clock skew AWS allows between `X-Amz-Date` and its clock, because tests move
 * `state.now()` freely (association delays, expiry) and a skew check would then refuse every SDK call. Presigned URLs
 * are still checked against `X-Amz-Expires`, which is what they are for.
 */
export function authenticate(request: SandboxRequest, state: SandboxState): Credential {
  const scope = credentialScope(request.headers, request.query);
  if (!scope)
    throw new AwsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
  const credential = state.credentials.get(scope.accessKeyId);
  if (!credential) {
    throw new AwsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
  if (credential.expiresAt !== undefined && credential.expiresAt < state.now()) {
    throw new AwsError(400, 'ExpiredToken', 'The security token included in the request is expired');
  }
  if (
    credential.sessionToken &&
    request.headers['x-amz-security-token'] !== credential.sessionToken &&
    request.query.get('X-Amz-Security-Token') !== credential.sessionToken
  ) {
    throw new AwsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
  verifySignature(
    request,
    credential,
    scope,
    state.now(),
    signatureErrorCode(request.service ?? scope.service),
  );
  return credential;
}

/**
 * The error code a service uses for a bad signature. Query services (IAM, STS, EC2) and Route 53 say
 * `SignatureDoesNotMatch`; JSON services say `InvalidSignatureException`. Guess: that EKS and EFS follow the JSON
 * convention (other REST-JSON services such as Lambda do); not seen from them directly.
 */
function signatureErrorCode(service: string): string {
  return service === 'eks' || service === 'elasticfilesystem' || service === 's3files'
    ? 'InvalidSignatureException'
    : 'SignatureDoesNotMatch';
}

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Z a-z 0-9 - _ . ~` as `%XX` (upper-case hex). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The canonical path of a non-S3 service: the path as it came over the wire (already percent-encoded by the client),
 * `.`/`..`/empty segments removed, then encoded once more (SigV4 double-encodes paths except for S3).
 */
function canonicalPath(path: string, service: string): string {
  // S3 signs the path as sent, encoded once and with its empty segments kept (SigV4 for S3: no double encoding,
  // no normalization).
  if (service === 's3') return path === '' ? '/' : path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return uriEncode(`/${segments.join('/')}${trailing}`).replace(/%2F/g, '/');
}

/** Query parameters sorted by encoded name (then value), each `name=value` encoded; the signature itself left out. */
function canonicalQuery(query: URLSearchParams, presigned: boolean): string {
  const pairs: [string, string][] = [];
  for (const [name, value] of query) {
    if (presigned && name === 'X-Amz-Signature') continue;
    pairs.push([uriEncode(name), uriEncode(value)]);
  }
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value.join(',') : value)
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The SigV4 signing key: HMAC chain over date, region, service and `aws4_request`. */
function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** `20261126T101500Z` → epoch ms, or undefined when it is not a SigV4 date. */
function parseAmzDate(text: string | undefined): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

interface SignatureParts {
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  presigned: boolean;
  /** For presigned URLs: seconds of validity from `X-Amz-Date`. */
  expiresSeconds?: number;
}

function signatureParts(request: SandboxRequest, code: string): SignatureParts {
  const presignedSignature = request.query.get('X-Amz-Signature');
  if (presignedSignature !== null) {
    if (request.query.get('X-Amz-Algorithm') !== ALGORITHM) {
      throw new AwsError(400, 'IncompleteSignature', `X-Amz-Algorithm must be ${ALGORITHM}`);
    }
    const expires = request.query.get('X-Amz-Expires');
    return {
      amzDate: request.query.get('X-Amz-Date') ?? '',
      signedHeaders: (request.query.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean),
      signature: presignedSignature,
      presigned: true,
      ...(expires !== null ? { expiresSeconds: Number(expires) } : {}),
    };
  }
  const auth = headerValue(request.headers, 'authorization') ?? '';
  if (!auth.startsWith(`${ALGORITHM} `)) {
    throw new AwsError(
      400,
      'IncompleteSignature',
      `Authorization header requires the ${ALGORITHM} algorithm`,
    );
  }
  const field = (name: string) => new RegExp(`${name}=([^,\\s]+)`).exec(auth)?.[1];
  const signedHeaders = field('SignedHeaders');
  const signature = field('Signature');
  if (!signedHeaders || !signature) {
    throw new AwsError(
      400,
      'IncompleteSignature',
      "Authorization header requires 'SignedHeaders' and 'Signature' parameters.",
    );
  }
  const amzDate = headerValue(request.headers, 'x-amz-date');
  if (!amzDate)
    throw new AwsError(
      403,
      code,
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  return { amzDate, signedHeaders: signedHeaders.split(';'), signature, presigned: false };
}

/**
 * Checks a SigV4 signature (Authorization header or presigned query) against the credential's secret. Throws the
 * service's signature error when it does not verify, and when a presigned URL is past `X-Amz-Expires` (guess: AWS's
 * exact code for an expired presigned non-S3 URL is not documented; S3 says AccessDenied "Request has expired").
 */
function verifySignature(
  request: SandboxRequest,
  credential: Credential,
  scope: CredentialScope,
  now: number,
  code: string,
): void {
  const parts = signatureParts(request, code);
  const signedAt = parseAmzDate(parts.amzDate);
  if (signedAt === undefined || parts.amzDate.slice(0, 8) !== scope.date) {
    throw new AwsError(403, code, MISMATCH_MESSAGE);
  }
  if (parts.presigned) {
    const expires = parts.expiresSeconds;
    if (expires === undefined || !Number.isInteger(expires) || expires < 1 || expires > 604800) {
      throw new AwsError(
        400,
        'AuthorizationQueryParametersError',
        'X-Amz-Expires must be an integer between 1 and 604800 seconds',
      );
    }
    if (now > signedAt + expires * 1000) {
      throw new AwsError(
        403,
        code,
        `Signature expired: ${parts.amzDate} is now earlier than ${new Date(now - expires * 1000).toISOString()}`,
      );
    }
  }
  if (!parts.signedHeaders.includes('host')) throw new AwsError(403, code, MISMATCH_MESSAGE);
  const canonicalHeaders: string[] = [];
  for (const name of parts.signedHeaders) {
    const value = headerValue(request.headers, name.toLowerCase());
    if (value === undefined) throw new AwsError(403, code, MISMATCH_MESSAGE);
    canonicalHeaders.push(`${name.toLowerCase()}:${value}\n`);
  }
  const bodyHash =
    request.body === '' ? EMPTY_SHA256 : createHash('sha256').update(request.body, 'utf8').digest('hex');
  // The SDK signs the body through `x-amz-content-sha256`: the claim must match the body that arrived, or a body
  // changed in flight would verify. (Guess: non-S3 services answer that with the signature error; S3 has its own code.)
  const claimedHash = headerValue(request.headers, 'x-amz-content-sha256');
  if (
    claimedHash !== undefined &&
    claimedHash !== 'UNSIGNED-PAYLOAD' &&
    !claimedHash.startsWith('STREAMING-') &&
    claimedHash !== bodyHash
  ) {
    throw new AwsError(403, code, MISMATCH_MESSAGE);
  }
  const payloadHash = claimedHash ?? bodyHash;
  const canonicalRequest = [
    request.method,
    canonicalPath(request.path, scope.service),
    canonicalQuery(request.query, parts.presigned),
    canonicalHeaders.join(''),
    parts.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const credentialScopeText = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [
    ALGORITHM,
    parts.amzDate,
    credentialScopeText,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  const expected = hmac(
    signingKey(credential.secretAccessKey, scope.date, scope.region, scope.service),
    stringToSign,
  );
  const provided = /^[0-9a-f]{64}$/.test(parts.signature)
    ? Buffer.from(parts.signature, 'hex')
    : Buffer.alloc(0);
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) {
    throw new AwsError(403, code, MISMATCH_MESSAGE);
  }
}

/** How long EKS accepts a bearer token after its `X-Amz-Date` (aws-iam-authenticator: 15 minutes). */
export const EKS_TOKEN_MAX_AGE_MS = 15 * 60 * 1000;

/**
 * Checks the presigned STS GetCallerIdentity URL inside an EKS bearer token (`k8s-aws-v1.` + base64url of the URL,
 * without padding) and returns the credential that signed it. The Kubernetes API module calls this for every request:
 *
 *   const url = Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8');
 *   const caller = verifyPresignedGetCallerIdentity(url, { 'x-k8s-aws-id': clusterName }, state);
 *
 * `headers` are the headers the token must have been signed with besides `host` (which comes from the URL): the
 * cluster header `x-k8s-aws-id` binds the token to one cluster, so a token minted for another cluster does not verify.
 * Every header passed must be among the URL's `X-Amz-SignedHeaders`. The URL must be an STS `GetCallerIdentity` call,
 * signed for the `sts` service with a known (and, for temporary credentials, unexpired) key and its session token.
 *
 * Age: EKS (aws-iam-authenticator) accepts a token for 15 minutes after `X-Amz-Date` although clients presign with
 * `X-Amz-Expires=60`; `maxAgeMs` overrides that window (pass 60_000 to be strict about the URL's own expiry).
 *
 * Throws an {@link AwsError} (`InvalidClientTokenId`, `ExpiredToken`, `SignatureDoesNotMatch`, `AccessDenied` for a URL
 * that is not a GetCallerIdentity call or lacks the cluster header); the caller turns any error into a 401.
 */
export function verifyPresignedGetCallerIdentity(
  url: string,
  headers: Record<string, string>,
  state: SandboxState,
  options: { maxAgeMs?: number } = {},
): Credential {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AwsError(403, 'AccessDenied', 'the token is not a presigned URL');
  }
  const query = parsed.searchParams;
  if (query.get('Action') !== 'GetCallerIdentity')
    throw new AwsError(403, 'AccessDenied', 'the token is not a presigned GetCallerIdentity URL');
  const signed = (query.get('X-Amz-SignedHeaders') ?? '').split(';');
  const lowered: IncomingHttpHeaders = { host: parsed.host };
  for (const [name, value] of Object.entries(headers)) {
    if (!signed.includes(name.toLowerCase()))
      throw new AwsError(403, 'AccessDenied', `the token is not signed with the ${name} header`);
    lowered[name.toLowerCase()] = value;
  }
  const scope = credentialScope({}, query);
  if (!scope || scope.service !== 'sts')
    throw new AwsError(403, 'AccessDenied', 'the token is not signed for STS');
  const signedAt = parseAmzDate(query.get('X-Amz-Date') ?? undefined);
  if (signedAt === undefined) throw new AwsError(403, 'SignatureDoesNotMatch', MISMATCH_MESSAGE);
  const maxAgeMs = options.maxAgeMs ?? EKS_TOKEN_MAX_AGE_MS;
  if (state.now() > signedAt + maxAgeMs) throw new AwsError(403, 'ExpiredToken', 'the token is expired');
  const request: SandboxRequest = {
    method: 'GET',
    path: parsed.pathname,
    query,
    headers: lowered,
    body: '',
    service: 'sts',
  };
  const credential = state.credentials.get(scope.accessKeyId);
  if (!credential)
    throw new AwsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  if (credential.expiresAt !== undefined && credential.expiresAt < state.now()) {
    throw new AwsError(400, 'ExpiredToken', 'The security token included in the request is expired');
  }
  if (credential.sessionToken && query.get('X-Amz-Security-Token') !== credential.sessionToken) {
    throw new AwsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
  // The token's age window above replaces the URL's X-Amz-Expires, so the signature is checked "as of" its signing
  // time: X-Amz-Expires stays part of the signed query but cannot expire the token on its own.
  verifySignature(request, credential, scope, signedAt, 'SignatureDoesNotMatch');
  return credential;
}

import { randomUUID } from 'node:crypto';
import type { AwsError } from '../errors';
import type { SandboxResponse } from '../http';

/**
 * What the REST-JSON services (EFS, Amazon S3 Files) share: a JSON answer with a request ID, an error whose type the
 * SDK reads from the `x-amzn-errortype` header, and opaque page tokens.
 */
export function restJsonResponse(body: unknown, status = 200): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** An error answer. The body's member names are the service's own (EFS: `ErrorCode`/`Message`). */
export function restJsonError(error: AwsError, members: { code: string; message: string }): SandboxResponse {
  return {
    status: error.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': error.code,
      'x-amzn-requestid': randomUUID(),
    },
    body: JSON.stringify({ [members.code]: error.code, [members.message]: error.message, ...error.extra }),
  };
}

/**
 * One page of a listing. The token is opaque to the client; ours encodes the operation and the ID the next page
 * starts at, so a page survives items being added behind it, and a token of another listing is refused.
 */
export function paginateById<T>(
  items: T[],
  idOf: (item: T) => string,
  operation: string,
  token: string | null,
  max: number,
  invalid: (token: string) => AwsError,
): { page: T[]; next?: string } {
  let start = 0;
  if (token !== null && token !== '') {
    const id = decodeToken(operation, token);
    start = id === undefined ? -1 : items.findIndex((item) => idOf(item) === id);
    if (start < 0) throw invalid(token);
  }
  const page = items.slice(start, start + max);
  const following = items[start + max];
  return following === undefined ? { page } : { page, next: encodeToken(operation, idOf(following)) };
}

function encodeToken(operation: string, id: string): string {
  return Buffer.from(JSON.stringify({ o: operation, n: id })).toString('base64url');
}

function decodeToken(operation: string, token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      o?: unknown;
      n?: unknown;
    };
    if (parsed.o === operation && typeof parsed.n === 'string') return parsed.n;
  } catch {
    // not one of ours: refused by the caller
  }
  return undefined;
}

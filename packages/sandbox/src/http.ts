import type { IncomingHttpHeaders } from 'node:http';

/** A request as the services see it: the raw parts, plus what the SigV4 credential scope says. */
export interface SandboxRequest {
  method: string;
  /** Path without the query string, URL-decoded per segment by the service that needs it. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Service from the SigV4 credential scope (`iam`, `sts`, `ec2`, `eks`, `elasticfilesystem`, `route53`), if signed. */
  service?: string;
  region?: string;
  accessKeyId?: string;
  /** For a query-protocol service: the decoded form body. */
  form?: URLSearchParams;
}

export interface SandboxResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

/** Reads `Credential=AKID/20261126/us-east-1/iam/aws4_request` from a SigV4 Authorization header or presigned query. */
export function credentialScope(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): CredentialScope | undefined {
  const auth = headers.authorization;
  const credential =
    (typeof auth === 'string' ? /Credential=([^,\s]+)/.exec(auth)?.[1] : undefined) ??
    query.get('X-Amz-Credential') ??
    undefined;
  if (!credential) return undefined;
  const [accessKeyId, date, region, service] = credential.split('/');
  if (!accessKeyId || !date || !region || !service) return undefined;
  return { accessKeyId, date, region, service };
}

/** Deepest nesting of JSON bodies the sandbox reads: far beyond any real request, well within the stack. */
export const MAX_BODY_NESTING = 1000;

/**
 * How deeply the JSON text nests arrays and objects (brackets inside strings do not count), stopping once past
 * `limit`. A body nested tens of thousands deep parses, but the recursive code that reads, patches or serialises it
 * afterwards runs out of stack: such a body is refused up front, as a malformed request.
 */
export function jsonNesting(text: string, limit = MAX_BODY_NESTING): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

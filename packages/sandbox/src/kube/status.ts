import type { SandboxResponse } from '../http';

/** A cause in a 422 Invalid Status, as the API server lists them. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** Identifies the object a Status is about (`details` of a Status). */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
}

/**
 * An error the sandbox's Kubernetes API answers as a `Status` object with the HTTP code the API server uses; the
 * client raises it as `ApiException` with `code` and the Status JSON as `body`.
 */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }
}

export function statusBody(error: KubeError): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: error.reason,
    ...(error.details ? { details: error.details } : {}),
    code: error.code,
  };
}

export function statusResponse(error: KubeError): SandboxResponse {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'cache-control': 'no-cache, private',
  };
  // The API server asks for a bearer token on 401, as HTTP says it should.
  if (error.code === 401) headers['www-authenticate'] = 'Bearer realm="kubernetes"';
  return { status: error.code, headers, body: JSON.stringify(statusBody(error)) };
}

export function jsonResponse(status: number, body: unknown): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache, private' },
    body: JSON.stringify(body),
  };
}

/** `daemonsets.apps "efs-csi-node" not found`, as the API server words it. */
export function notFoundError(resource: string, group: string, name: string): KubeError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new KubeError(404, 'NotFound', `${qualified} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

export function badRequest(message: string): KubeError {
  return new KubeError(400, 'BadRequest', message);
}

/** 422 with the API server's wording: `DaemonSet.apps "x" is invalid: <field>: <message>`. */
export function invalidError(kind: string, group: string, name: string, causes: StatusCause[]): KubeError {
  const qualified = group ? `${kind}.${group}` : kind;
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const message = `${qualified} "${name}" is invalid: ${summary.length === 1 ? summary[0] : `[${summary.join(', ')}]`}`;
  return new KubeError(422, 'Invalid', message, { name, group: group || undefined, kind, causes });
}

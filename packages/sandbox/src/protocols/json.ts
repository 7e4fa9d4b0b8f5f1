import { randomUUID } from 'node:crypto';
import type { AwsError } from '../errors';
import type { SandboxResponse } from '../http';

/** REST-JSON (EKS, EFS): a JSON body. */
export function jsonResponse(body: unknown, status = 200): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/**
 * REST-JSON errors: the code in the `x-amzn-ErrorType` header (which the SDK reads first) and the body's message.
 * Extra fields (EFS puts `ErrorCode` in the body) come from the error.
 */
export function jsonError(error: AwsError): SandboxResponse {
  return {
    status: error.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': error.code,
      'x-amzn-requestid': randomUUID(),
    },
    body: JSON.stringify({ message: error.message, ...error.extra }),
  };
}

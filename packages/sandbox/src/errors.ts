/**
 * An error the sandbox answers the way the real service does: HTTP status, the wire error code the SDK maps to an
 * exception class (`NoSuchEntity` → `NoSuchEntityException`), and a message.
 */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Query protocols say who is at fault: `Sender` (4xx) or `Receiver` (5xx). */
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
    /** Extra fields some services put in the error body (EFS `ErrorCode`, EKS `addonName`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new AwsError(400, code, message);
export const notFound = (code: string, message: string) => new AwsError(404, code, message);
export const conflict = (code: string, message: string) => new AwsError(409, code, message);

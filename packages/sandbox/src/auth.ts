import { AwsError } from './errors';
import { credentialScope, type SandboxRequest } from './http';
import type { Credential, SandboxState } from './state/account';

/**
 * Who is calling: the credential behind the access key of the SigV4 signature. Unknown keys and expired temporary
 * credentials are refused with the error AWS gives.
 */
export function authenticate(request: SandboxRequest, state: SandboxState): Credential {
  const scope = credentialScope(request.headers, request.query);
  if (!scope) throw new AwsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
  const credential = state.credentials.get(scope.accessKeyId);
  if (!credential) {
    throw new AwsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
  if (credential.expiresAt !== undefined && credential.expiresAt < state.now()) {
    throw new AwsError(400, 'ExpiredToken', 'The security token included in the request is expired');
  }
  if (credential.sessionToken && request.headers['x-amz-security-token'] !== credential.sessionToken && request.query.get('X-Amz-Security-Token') !== credential.sessionToken) {
    throw new AwsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
  return credential;
}

/**
 * One line for a failed live collection (AWS SDK or Kubernetes API error), without a stack trace and without anything
 * secret: SDK and API messages name the principal and the action, never keys or tokens. Used by the CLI's `verify`,
 * `plan`, `apply` and `rollback` and by the GitHub Action's live mode.
 */
export function describeLiveFailure(error: unknown, cluster: string, region: string): string {
  const e = error as {
    name?: string;
    message?: string;
    code?: number | string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e?.name ?? '';
  const message = (e?.message ?? String(error)).split('\n')[0]!.replace(/\.+$/, '');
  if (name === 'ClusterNotFoundError') return message;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return `no AWS credentials: ${message} (set AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where an instance or pod role is available)`;
  }
  if (
    name === 'InvalidClientTokenId' ||
    name === 'SignatureDoesNotMatch' ||
    // What the JSON-protocol services (EKS first, which verify calls first) answer for a wrong secret key.
    name === 'InvalidSignatureException' ||
    name === 'UnrecognizedClientException'
  ) {
    return `the AWS credentials were rejected (${name}): ${message}`;
  }
  if (/AccessDenied|UnauthorizedOperation|Forbidden/i.test(name) || e?.$metadata?.httpStatusCode === 403) {
    return `access denied: ${message}. verify needs read-only access (the verifier policy: docs/permissions.md)`;
  }
  if (typeof e?.code === 'number' && (e.code === 401 || e.code === 403)) {
    return `the Kubernetes API server of ${cluster} refused the request (HTTP ${e.code}): the identity needs an EKS access entry (or a kubeconfig with access)`;
  }
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN/.test(`${message} ${e?.code ?? ''}`)) {
    return `cannot reach an endpoint for ${cluster} in ${region}: ${message}`;
  }
  return `could not read ${cluster} in ${region}: ${name ? `${name}: ` : ''}${message}`;
}

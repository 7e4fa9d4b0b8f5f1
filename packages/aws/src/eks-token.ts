import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';

export interface EksTokenOptions {
  cluster: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The STS endpoint to presign for; default `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, then the regional one. */
  stsEndpoint?: string;
  env?: Record<string, string | undefined>;
  signingDate?: Date;
}

/**
 * An EKS bearer token, as `aws eks get-token` makes it: a GetCallerIdentity request presigned for STS (60 seconds)
 * with the signed header `x-k8s-aws-id: <cluster>` (so the token is good for this cluster only), its URL encoded
 * base64url without padding behind `k8s-aws-v1.`. EKS calls the URL and maps the identity through access entries.
 * The token is a credential: callers must never print or log it.
 */
export async function eksBearerToken(options: EksTokenOptions): Promise<string> {
  const env = options.env ?? process.env;
  const endpoint = new URL(
    options.stsEndpoint ??
      env.AWS_ENDPOINT_URL_STS ??
      env.AWS_ENDPOINT_URL ??
      `https://sts.${options.region}.amazonaws.com`,
  );
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'sts',
    sha256: Sha256,
  });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: endpoint.host, 'x-k8s-aws-id': options.cluster },
    },
    { expiresIn: 60, ...(options.signingDate ? { signingDate: options.signingDate } : {}) },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const url = `${endpoint.protocol}//${endpoint.host}/?${query}`;
  // Node's base64url alphabet never pads, which is what EKS expects.
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

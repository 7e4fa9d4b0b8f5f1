import { verifyPresignedGetCallerIdentity } from '../auth';
import { AwsError } from '../errors';
import type { SandboxRequest } from '../http';
import type { SandboxState } from '../state/account';
import type { EksCluster } from '../state/eks';
import { KubeError } from './status';

/** Who a request to a cluster's Kubernetes API is, once its bearer token is accepted. */
export interface KubeUser {
  username: string;
  /** IAM principal behind an EKS token (the role ARN for an assumed role). */
  principalArn?: string;
  access: 'admin' | 'read-only' | 'none';
}

export const TOKEN_PREFIX = 'k8s-aws-v1.';

/** STS hosts an EKS token may be presigned for; the sandbox's own host also counts (it is the STS endpoint there). */
function isStsHost(host: string, state: SandboxState): boolean {
  const own = state.baseUrl ? new URL(state.baseUrl).host : undefined;
  return host === own || /^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(host);
}

const unauthorized = () => new KubeError(401, 'Unauthorized', 'Unauthorized');

/**
 * Authenticates a request to a sandbox cluster the way EKS does:
 *
 * - `Authorization: Bearer k8s-aws-v1.<base64url of a presigned STS GetCallerIdentity URL>`: the URL must be for STS
 *   (an STS host or the sandbox itself), `Action=GetCallerIdentity`, signed for service `sts` by a known credential,
 *   with `x-k8s-aws-id: <this cluster's name>` among the signed headers (so a token for another cluster does not
 *   verify), not older than `kube.settings.tokenLifetimeMs` after `X-Amz-Date` (15 minutes, like EKS; `X-Amz-Expires`
 *   may not exceed that either), and the signature must verify (`verifyPresignedGetCallerIdentity` in ../auth.ts).
 *   Then the principal (the role of an assumed-role session) needs an access entry on the cluster.
 * - a static token from `kube.settings.staticTokens` (`sandbox-admin-token`, `sandbox-readonly-token`): a sandbox
 *   convenience for tests and the demo kubeconfig, not an EKS feature.
 *
 * Anything else is 401 Unauthorized, with the API server's bare `Unauthorized` message (it never says why).
 *
 * Access policies decide what a STANDARD entry may do, as EKS maps them to Kubernetes roles: AmazonEKSClusterAdminPolicy,
 * AmazonEKSAdminPolicy and AmazonEKSEditPolicy everything the product uses (the `edit` role includes `pods/exec`),
 * AmazonEKSViewPolicy reads only (the `view` role: get and list, no `pods/exec`), any other nothing. Simplifications:
 * no RBAC, so an entry without access policies gets full access (on EKS it would get what the RBAC bindings of its
 * Kubernetes groups grant); node-type entries (EC2_LINUX, …) get 403 Forbidden for everything; a principal without an
 * access entry gets 401, as EKS answers an IAM identity it cannot map to a user.
 */
export function authenticateKube(
  request: SandboxRequest,
  state: SandboxState,
  cluster: EksCluster,
): KubeUser {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw unauthorized();
  const token = match[1]!;
  const fixed = cluster.kube.settings.staticTokens.get(token);
  if (fixed) return { username: fixed.username, access: fixed.access };
  if (!token.startsWith(TOKEN_PREFIX)) throw unauthorized();
  const encoded = token.slice(TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(encoded)) throw unauthorized();
  const url = Buffer.from(encoded, 'base64url').toString('utf8');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw unauthorized();
  }
  if (!isStsHost(parsed.host, state)) throw unauthorized();
  const expires = Number(parsed.searchParams.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires * 1000 > cluster.kube.settings.tokenLifetimeMs)
    throw unauthorized();
  let principalArn: string;
  try {
    const credential = verifyPresignedGetCallerIdentity(url, { 'x-k8s-aws-id': cluster.name }, state, {
      maxAgeMs: cluster.kube.settings.tokenLifetimeMs,
    });
    principalArn = credential.roleArn ?? credential.principalArn;
  } catch (error) {
    if (error instanceof AwsError) throw unauthorized();
    throw error;
  }
  const entry = cluster.accessEntries.get(principalArn);
  if (!entry) throw unauthorized();
  const standard = !entry.type || entry.type === 'STANDARD';
  return {
    username: entry.username || principalArn,
    principalArn,
    access: standard ? accessOfPolicies(entry.accessPolicies ?? []) : 'none',
  };
}

const ACCESS_POLICY = 'arn:aws:eks::aws:cluster-access-policy/';
const WRITE_POLICIES = ['AmazonEKSClusterAdminPolicy', 'AmazonEKSAdminPolicy', 'AmazonEKSEditPolicy'];

/** The widest access the entry's access policies give (none listed: full access, see above). */
function accessOfPolicies(policies: string[]): KubeUser['access'] {
  if (policies.length === 0) return 'admin';
  const names = policies.filter((p) => p.startsWith(ACCESS_POLICY)).map((p) => p.slice(ACCESS_POLICY.length));
  if (names.some((n) => WRITE_POLICIES.includes(n))) return 'admin';
  return names.includes('AmazonEKSViewPolicy') ? 'read-only' : 'none';
}

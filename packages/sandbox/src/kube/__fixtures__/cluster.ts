import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { AppsV1Api, CoreV1Api, KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { addAccount } from '../../accounts';
import type { SandboxState } from '../../state/account';
import type { EksCluster } from '../../state/eks';
import { SANDBOX_ADMIN_TOKEN, emptyKubeState } from '../../state/kube';

/**
 * Test fixtures for the Kubernetes API: a cluster made directly in state (following state/eks.ts, so these tests do
 * not depend on the EKS module), clients of the real @kubernetes/client-node, and EKS bearer tokens presigned with
 * @smithy/signature-v4 the way `aws eks get-token` builds them.
 */

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';

export function makeCluster(state: SandboxState, name = 'demo', accountId = ACCOUNT, region = REGION): EksCluster {
  const account = state.accounts.get(accountId) ?? addAccount(state, accountId).account;
  const cluster: EksCluster = {
    name,
    arn: `arn:aws:eks:${region}:${accountId}:cluster/${name}`,
    region,
    version: '1.33',
    platformVersion: 'eks.1',
    status: 'ACTIVE',
    oidcIssuer: `https://oidc.eks.${region}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`,
    endpoint: `${state.baseUrl}/k8s/${accountId}/${region}/${name}`,
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: ['subnet-0a', 'subnet-0b'],
    clusterSecurityGroupId: 'sg-0123456789abcdef0',
    createdAt: new Date(state.now()),
    addons: new Map(),
    associations: new Map(),
    nodegroups: new Map(),
    accessEntries: new Map(),
    kube: emptyKubeState(),
  };
  account.eks.clusters.set(name, cluster);
  return cluster;
}

/** Adds a Pod Identity association directly in state, effective `delayMs` after `createdAt`. */
export function associate(cluster: EksCluster, namespace: string, serviceAccount: string, roleArn: string, createdAt: number, delayMs = 0): void {
  const id = `a-${Math.random().toString(36).slice(2, 19).padEnd(17, '0')}`;
  cluster.associations.set(id, {
    associationId: id,
    associationArn: `${cluster.arn.replace(':cluster/', ':podidentityassociation/')}/${id}`,
    clusterName: cluster.name,
    namespace,
    serviceAccount,
    roleArn,
    disableSessionTags: false,
    tags: {},
    createdAt: new Date(createdAt),
    modifiedAt: new Date(createdAt),
    effectiveAt: createdAt + delayMs,
  });
}

export interface Clients {
  apps: AppsV1Api;
  core: CoreV1Api;
  storage: StorageV1Api;
}

export function clients(server: string, token: string = SANDBOX_ADMIN_TOKEN): Clients {
  const kc = new KubeConfig();
  // client-node 2.x refuses plain http unless skipTLSVerify is set (the sandbox serves http on loopback).
  kc.loadFromOptions({
    clusters: [{ name: 'sandbox', server, skipTLSVerify: true }],
    users: [{ name: 'user', token }],
    contexts: [{ name: 'sandbox', cluster: 'sandbox', user: 'user' }],
    currentContext: 'sandbox',
  });
  return { apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api), storage: kc.makeApiClient(StorageV1Api) };
}

export interface TokenOptions {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  clusterName: string;
  /** The STS endpoint the URL is presigned for (default: the sandbox itself, as AWS_ENDPOINT_URL makes it). */
  stsUrl: string;
  region?: string;
  signingDate?: Date;
  expiresIn?: number;
}

/** `k8s-aws-v1.` + base64url (no padding) of a presigned STS GetCallerIdentity URL signed with `x-k8s-aws-id`. */
export async function eksToken(options: TokenOptions): Promise<string> {
  const endpoint = new URL(options.stsUrl);
  const signer = new SignatureV4({
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}) },
    region: options.region ?? REGION,
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
      headers: { host: endpoint.host, 'x-k8s-aws-id': options.clusterName },
    },
    { expiresIn: options.expiresIn ?? 60, ...(options.signingDate ? { signingDate: options.signingDate } : {}) },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const url = `${endpoint.protocol}//${endpoint.host}/?${query}`;
  return `k8s-aws-v1.${Buffer.from(url, 'utf8').toString('base64url')}`;
}

/** The parsed Status body of an ApiException from the client. */
export function statusOf(error: unknown): { code: number; reason?: string; message?: string; kind?: string; status?: string } {
  const e = error as { code?: number; body?: unknown };
  const body = typeof e.body === 'string' ? (JSON.parse(e.body) as Record<string, unknown>) : ((e.body ?? {}) as Record<string, unknown>);
  return { ...body, code: e.code ?? -1 } as { code: number };
}

/** Catches the rejection of a client call (fails the test when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<ReturnType<typeof statusOf>> {
  try {
    await promise;
  } catch (error) {
    return statusOf(error);
  }
  throw new Error('expected the call to fail');
}

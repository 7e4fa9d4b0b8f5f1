import type { EksCluster, PodIdentityAssociation } from '../state/eks';
import type { KubeObject } from '../state/kube';
import { isObject } from './patch';
import { objectKey } from './resources';

/**
 * SIMULATION of the two EKS mutating admission webhooks that give pods AWS credentials. The real ones run in the EKS
 * control plane when a pod is created; here `admitPod` runs whenever the sandbox creates a pod (seeding, DaemonSet
 * rollouts, recreation after a delete). Like the real webhooks it only ever changes a pod at creation: pods that exist
 * when an association is created or a ServiceAccount is annotated keep their env until they are recreated, which is
 * why the product must restart the DaemonSet.
 *
 * - EKS Pod Identity: when an association exists for the pod's namespace + ServiceAccount and has taken effect
 *   (`effectiveAt <= creation time`; AWS says a new association may take a few seconds to apply), every container gets
 *   `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` and the projected token volume.
 * - IRSA (the amazon-eks-pod-identity-webhook): otherwise, when the ServiceAccount has `eks.amazonaws.com/role-arn`,
 *   containers get `AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_STS_REGIONAL_ENDPOINTS=regional`,
 *   `AWS_REGION`/`AWS_DEFAULT_REGION` (EKS configures the webhook with the cluster's region) and the `aws-iam-token`
 *   projected volume.
 *
 * Guesses and simplifications: Pod Identity taking precedence over an IRSA annotation when both apply (the real
 * webhook's precedence is not documented in detail); a variable a container already sets is left alone (as the IRSA
 * webhook does); only `containers` and `initContainers` are mutated; the ServiceAccount need not exist (the real
 * ServiceAccount admission would refuse the pod).
 */

export const POD_IDENTITY_ENV = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
    '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
} as const;
export const IRSA_TOKEN_FILE = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
export const ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';

type Container = Record<string, unknown> & {
  name?: string;
  env?: Array<Record<string, unknown>>;
  volumeMounts?: Array<Record<string, unknown>>;
};

function containersOf(spec: Record<string, unknown>): Container[] {
  const all: Container[] = [];
  for (const field of ['initContainers', 'containers']) {
    const list = spec[field];
    if (Array.isArray(list)) all.push(...list.filter(isObject));
  }
  return all;
}

function addEnv(container: Container, name: string, value: string): void {
  container.env ??= [];
  if (container.env.some((e) => e.name === name)) return;
  container.env.push({ name, value });
}

function addMount(container: Container, name: string, mountPath: string): void {
  container.volumeMounts ??= [];
  if (container.volumeMounts.some((m) => m.mountPath === mountPath)) return;
  container.volumeMounts.push({ name, mountPath, readOnly: true });
}

function addVolume(spec: Record<string, unknown>, volume: Record<string, unknown>): void {
  const volumes = (spec.volumes as Array<Record<string, unknown>> | undefined) ?? [];
  if (!volumes.some((v) => v.name === volume.name)) volumes.push(volume);
  spec.volumes = volumes;
}

/** The association the webhook would use for a pod created at `at`, if any. */
export function effectiveAssociation(
  cluster: EksCluster,
  namespace: string,
  serviceAccount: string,
  at: number,
): PodIdentityAssociation | undefined {
  return [...cluster.associations.values()].find(
    (a) => a.namespace === namespace && a.serviceAccount === serviceAccount && a.effectiveAt <= at,
  );
}

/** Mutates a pod being created at time `at` the way the EKS webhooks would (see the file comment). */
export function admitPod(cluster: EksCluster, pod: KubeObject, at: number): void {
  const spec = (pod.spec ??= {}) as Record<string, unknown>;
  const namespace = pod.metadata.namespace ?? 'default';
  const serviceAccount = (spec.serviceAccountName as string | undefined) ?? 'default';
  const containers = containersOf(spec);

  if (effectiveAssociation(cluster, namespace, serviceAccount, at)) {
    for (const container of containers) {
      for (const [name, value] of Object.entries(POD_IDENTITY_ENV)) addEnv(container, name, value);
      addMount(container, 'eks-pod-identity-token', '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount');
    }
    addVolume(spec, {
      name: 'eks-pod-identity-token',
      projected: {
        defaultMode: 420,
        sources: [
          {
            serviceAccountToken: {
              audience: 'pods.eks.amazonaws.com',
              expirationSeconds: 86400,
              path: 'eks-pod-identity-token',
            },
          },
        ],
      },
    });
    return;
  }

  const sa = cluster.kube.objects.get(objectKey('serviceaccounts', namespace, serviceAccount));
  const annotations = sa?.metadata.annotations ?? {};
  const roleArn = annotations[ROLE_ARN_ANNOTATION];
  if (!roleArn) return;
  // The IRSA webhook reads these optional annotations too; defaults as documented for amazon-eks-pod-identity-webhook.
  const audience = annotations['eks.amazonaws.com/audience'] ?? 'sts.amazonaws.com';
  const expirationSeconds = Number(annotations['eks.amazonaws.com/token-expiration'] ?? 86400);
  const regional = annotations['eks.amazonaws.com/sts-regional-endpoints'] !== 'false';
  for (const container of containers) {
    addEnv(container, 'AWS_ROLE_ARN', roleArn);
    addEnv(container, 'AWS_WEB_IDENTITY_TOKEN_FILE', IRSA_TOKEN_FILE);
    if (regional) addEnv(container, 'AWS_STS_REGIONAL_ENDPOINTS', 'regional');
    addEnv(container, 'AWS_DEFAULT_REGION', cluster.region);
    addEnv(container, 'AWS_REGION', cluster.region);
    addMount(container, 'aws-iam-token', '/var/run/secrets/eks.amazonaws.com/serviceaccount');
  }
  addVolume(spec, {
    name: 'aws-iam-token',
    projected: {
      defaultMode: 420,
      sources: [{ serviceAccountToken: { audience, expirationSeconds, path: 'token' } }],
    },
  });
}

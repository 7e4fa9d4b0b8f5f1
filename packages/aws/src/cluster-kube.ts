import type { KubePort, KubeWriter } from '@efs-node-identity/core';
import type { AwsPorts } from './aws-ports';
import { eksBearerToken } from './eks-token';
import { createKubePort } from './kube';

export interface ClusterKubeOptions {
  ports: AwsPorts;
  cluster: string;
  region: string;
  /** A kubeconfig: a path, or true for KUBECONFIG / ~/.kube/config; undefined: an EKS token from the AWS identity. */
  kubeconfig?: string | true;
  env?: Record<string, string | undefined>;
}

/**
 * The Kubernetes port (read and write) of one EKS cluster, as the collector reaches it: the kubeconfig's context named
 * after the cluster ARN or name, or a bearer token presigned with the same AWS identity as the AWS calls.
 */
export async function openClusterKube(options: ClusterKubeOptions): Promise<KubePort & KubeWriter> {
  const cluster = await options.ports.eks.describeCluster(options.cluster);
  if (!cluster) throw new Error(`cluster ${options.cluster} not found in ${options.region}`);
  if (options.kubeconfig !== undefined) {
    return createKubePort({
      access: { kind: 'kubeconfig', ...(options.kubeconfig !== true ? { path: options.kubeconfig } : {}) },
      preferredContexts: [cluster.arn, cluster.name],
    });
  }
  if (!cluster.endpoint) throw new Error(`cluster ${cluster.name} has no endpoint`);
  return createKubePort({
    access: {
      kind: 'token',
      server: cluster.endpoint,
      token: await eksBearerToken({
        cluster: cluster.name,
        region: options.region,
        credentials: await options.ports.credentials(),
        ...(options.env ? { env: options.env } : {}),
      }),
      clusterName: cluster.name,
      ...(cluster.certificateAuthority ? { certificateAuthority: cluster.certificateAuthority } : {}),
    },
  });
}

import type { Config } from '@backstage/config';
import { DefaultAwsCredentialsManager, type AwsCredentialsManager } from '@backstage/integration-aws-node';
import { createAwsPorts, openClusterKube, type AwsPorts, type LiveAccess } from '@efs-node-identity/aws';
import type { DesiredSpec, KubePort, KubeWriter } from '@efs-node-identity/core';

/** The live access of one action run: ports per account, closed with `destroy()` when the run ends. */
export interface OpenedAccess extends LiveAccess {
  /** The account of each `others[i]`. */
  otherAccountIds: string[];
  /** The Kubernetes port of the cluster (read and write), opened on first use with an EKS token. */
  kubePort(): Promise<KubePort & KubeWriter>;
  destroy(): void;
}

/**
 * AWS access for the actions through `@backstage/integration-aws-node`: credentials per account from the `aws:`
 * app-config (main account, accounts by ID with a role to assume, account defaults), never from the task's input and
 * never sent anywhere but the SDK clients. The credentials manager has no endpoint override: a sandbox or a VPC
 * endpoint is set with the SDK's own `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` environment.
 */
export class AwsAccess {
  private constructor(
    private readonly credentials: AwsCredentialsManager,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** From the root config's `aws:` section (absent: the SDK's default credential chain for the main account). */
  static fromConfig(config: Config, env: Record<string, string | undefined> = process.env): AwsAccess {
    return new AwsAccess(DefaultAwsCredentialsManager.fromConfig(config), env);
  }

  /** For tests and embedders that build their own credentials manager. */
  static create(
    credentials: AwsCredentialsManager,
    env: Record<string, string | undefined> = process.env,
  ): AwsAccess {
    return new AwsAccess(credentials, env);
  }

  /**
   * Opens the ports of a spec's cluster account (`accountId`, or the main account when not given) and of every
   * file system account the spec names besides it. `onCall` counts AWS calls (one per operation).
   */
  async open(
    spec: Pick<DesiredSpec, 'cluster' | 'region' | 'fileSystems'>,
    accountId: string | undefined,
    onCall?: (service: string, operation: string) => void,
  ): Promise<OpenedAccess> {
    const portsFor = async (account: string | undefined): Promise<AwsPorts> => {
      const provider = await this.credentials.getCredentialProvider(
        account !== undefined ? { accountId: account } : undefined,
      );
      return createAwsPorts({
        region: spec.region,
        credentials: provider.sdkCredentialProvider,
        ...(onCall ? { onCall } : {}),
      });
    };
    const ports = await portsFor(accountId);
    const others: AwsPorts[] = [];
    const otherAccountIds = [
      ...new Set(
        spec.fileSystems
          .map((f) => f.accountId)
          .filter((a): a is string => a !== undefined && a !== accountId),
      ),
    ];
    const destroy = () => {
      ports.destroy();
      for (const p of others) p.destroy();
    };
    try {
      for (const account of otherAccountIds) others.push(await portsFor(account));
    } catch (error) {
      destroy();
      throw error;
    }
    let kube: Promise<KubePort & KubeWriter> | undefined;
    return {
      ports,
      others,
      otherAccountIds,
      // The backend reaches the cluster's API server with a token presigned from the same AWS identity (what
      // `aws eks get-token` does): that identity needs an EKS access entry on the cluster.
      kube: 'eks-token',
      env: this.env,
      kubePort: () =>
        (kube ??= openClusterKube({ ports, cluster: spec.cluster, region: spec.region, env: this.env })),
      destroy,
    };
  }
}

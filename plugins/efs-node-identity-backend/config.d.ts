import type { HumanDuration } from '@backstage/types';

export interface Config {
  /** The efs-node-identity backend plugin. AWS credentials per account come from the `aws:` section. */
  efsNodeIdentity?: {
    /**
     * Parallel AWS and Kubernetes reads during one verification (default 8, 1 to 64).
     */
    concurrency?: number;
    /**
     * Kubernetes access: `eks-token` (default) signs an EKS token with the cluster account's credentials, which need
     * an EKS access entry with read access; `none` verifies from the AWS APIs only (rules that need Kubernetes skip).
     */
    kubernetes?: 'eks-token' | 'none';
    /**
     * Accounts that may own the EFS file systems the clusters mount (cross-account EFS), as 12-digit IDs: a file
     * system the cluster's account does not know is looked up in each, with that account's credentials from `aws:`.
     */
    fileSystemAccounts?: string[];
    /**
     * Ground truth from the nodes (default false): every verification, on request and in the fleet refresh, also reads
     * the mount state files (`/var/run/efs/`, through `pods/exec` in the `efs-plugin` container) and the last lines of
     * the `efs-plugin` log (`pods/log`) of each running efs-csi-node pod, as `efs-node-identity verify
     * --inspect-mounts` does: NR-03 and LG-01 report from them and the status says which identity the live mounts use.
     * The backend's Kubernetes identity needs the node-inspector Role (docs/permissions.md); without it the status says
     * "not inspected" and why. Needs `kubernetes: eks-token`.
     */
    inspectMounts?: boolean;
    /**
     * How long a status read may be answered from this instance's memory (default 10 seconds). A result this instance
     * stores replaces its cached entry at once; one stored by another replica, a change of the entity's annotations or
     * its deletion is seen after at most this long (the permission check runs on every read regardless). 0: no cache.
     */
    statusCacheTtl?: HumanDuration | string;
    /**
     * The scheduled fleet refresh: a task of Backstage's scheduler with `scope: 'global'`, so one run at a time over
     * all replicas sharing the database.
     */
    refresh?: {
      /** How often every annotated entity is re-verified (default 30 minutes). */
      frequency?: HumanDuration | string;
      /**
       * The longest one run may take (default 10 minutes, at most half the frequency). It is also how long the lock of
       * a run whose instance died stays held: keep it short.
       */
      timeout?: HumanDuration | string;
      /** Verifications in flight at once over the whole fleet (default 4, 1 to 64). */
      concurrency?: number;
      /** Verifications in flight at once in one AWS account, whose API rate limits they share (default 2, 1 to 64). */
      accountConcurrency?: number;
      /** Verifications in flight at once on one EKS cluster (default 1, 1 to 64). */
      clusterConcurrency?: number;
    };
  };
}

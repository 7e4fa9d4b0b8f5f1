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
  };
}

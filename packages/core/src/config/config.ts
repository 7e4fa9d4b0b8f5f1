import type { Severity } from '../model/finding';
import type { EfsPolicySemantics } from '../policy/decisions';

/** A suppression from the repository config file: rule + resource (glob) + reason + expiry. */
export interface ConfigSuppression {
  rule: string;
  /** Matches the finding's `resource` or its file path; `*` wildcards allowed. Absent: every resource. */
  resource?: string;
  reason?: string;
  /** YYYY-MM-DD; the suppression stops on the day after. */
  until?: string;
  /** Where the entry is (config file and line), for SRC-03 findings about it. */
  line?: number;
}

/** `.efs-node-identity.yaml`, resolved with defaults. */
export interface Config {
  /** How an Allow in the file system policy and the identity policy combine (rules.md, Semantics 1). */
  efsPolicySemantics: EfsPolicySemantics;
  /** The node ServiceAccount, when it is not named by a DaemonSet `efs-csi-node` in the files. */
  nodeServiceAccount: { namespace: string; name: string };
  /** Per-rule severity overrides, or `off`. */
  severities: Record<string, Severity | 'off'>;
  /** Severity of findings a rule cannot decide because a value is unknown. */
  undecidableSeverity: Severity;
  suppressions: ConfigSuppression[];
  allowlists: {
    /** Managed policies a node instance role may carry (NR-01), by ARN or name. */
    nodeInstanceRolePolicies: string[];
  };
  /** The config file, relative to the scanned root, when one was read. */
  file?: string;
}

export const DEFAULT_NODE_INSTANCE_ROLE_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEKSWorkerNodeMinimalPolicy',
  'AmazonEKS_CNI_Policy',
  'AmazonEC2ContainerRegistryReadOnly',
  'AmazonEC2ContainerRegistryPullOnly',
];

export function defaultConfig(): Config {
  return {
    efsPolicySemantics: 'strict',
    nodeServiceAccount: { namespace: 'kube-system', name: 'efs-csi-node-sa' },
    severities: {},
    undecidableSeverity: 'warning',
    suppressions: [],
    allowlists: { nodeInstanceRolePolicies: [...DEFAULT_NODE_INSTANCE_ROLE_POLICIES] },
  };
}

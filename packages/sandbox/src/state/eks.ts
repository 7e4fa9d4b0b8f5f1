import type { KubeState } from './kube';

/**
 * EKS state of one account. Owned by the EKS service module (`services/eks.ts`); seed it with the helpers in
 * `services/eks-seed.ts`. The Kubernetes module reads `cluster.associations` (for the simulated Pod Identity webhook)
 * and `cluster.kube`.
 */

export interface PodIdentityAssociation {
  associationId: string;
  associationArn: string;
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  disableSessionTags: boolean;
  /** Session policy (a JSON policy document). */
  policy?: string;
  /** Generated at creation when a target role is set. */
  externalId?: string;
  /** ARN of the add-on that owns it, for add-on-managed associations. */
  ownerArn?: string;
  tags: Record<string, string>;
  createdAt: Date;
  modifiedAt: Date;
  /**
   * When the association takes effect for pods admitted after it (the simulated webhook injects credentials only
   * into pods created from then on). AWS says a new association may take a few seconds: configurable.
   */
  effectiveAt: number;
}

export interface Addon {
  addonName: string;
  addonVersion: string;
  addonArn: string;
  clusterName: string;
  status:
    | 'CREATING'
    | 'ACTIVE'
    | 'CREATE_FAILED'
    | 'UPDATING'
    | 'DELETING'
    | 'DELETE_FAILED'
    | 'DEGRADED'
    | 'UPDATE_FAILED';
  health: { issues: Array<{ code: string; message: string; resourceIds?: string[] }> };
  serviceAccountRoleArn?: string;
  configurationValues?: string;
  createdAt: Date;
  modifiedAt: Date;
  tags: Record<string, string>;
  // The ARNs of the associations an add-on owns are not stored here: they are the associations of the cluster whose
  // `ownerArn` is this add-on's ARN (one source of truth, so a seeded or deleted association cannot disagree).
}

export interface Nodegroup {
  nodegroupName: string;
  nodegroupArn: string;
  clusterName: string;
  /** The node instance role. */
  nodeRole: string;
  subnets: string[];
  status: string;
  version?: string;
  releaseVersion?: string;
  instanceTypes?: string[];
  amiType?: string;
  capacityType?: string;
  scalingConfig?: { minSize: number; maxSize: number; desiredSize: number };
  labels?: Record<string, string>;
  tags?: Record<string, string>;
  createdAt?: Date;
  modifiedAt?: Date;
}

export interface AccessEntry {
  principalArn: string;
  accessEntryArn: string;
  kubernetesGroups: string[];
  type: string;
  username: string;
  /** Access policies associated with the entry (ARNs), for ListAccessEntries' `associatedPolicyArn` filter. */
  accessPolicies?: string[];
  tags?: Record<string, string>;
  createdAt?: Date;
  modifiedAt?: Date;
}

export interface EksCluster {
  name: string;
  arn: string;
  region: string;
  version: string;
  platformVersion: string;
  status: 'ACTIVE' | 'CREATING' | 'DELETING' | 'FAILED' | 'UPDATING';
  /** https://oidc.eks.<region>.amazonaws.com/id/<ID> */
  oidcIssuer: string;
  /** The sandbox's Kubernetes API for this cluster (http://127.0.0.1:<port>/k8s/<account>/<region>/<name>). */
  endpoint: string;
  vpcId: string;
  subnetIds: string[];
  clusterSecurityGroupId: string;
  /** Additional security groups of the control plane ENIs (the cluster security group is separate). */
  securityGroupIds?: string[];
  /** The cluster IAM role. */
  roleArn?: string;
  authenticationMode?: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP';
  tags?: Record<string, string>;
  createdAt: Date;
  addons: Map<string, Addon>;
  /** By association ID. */
  associations: Map<string, PodIdentityAssociation>;
  nodegroups: Map<string, Nodegroup>;
  /** By principal ARN. */
  accessEntries: Map<string, AccessEntry>;
  /** The cluster's Kubernetes objects. */
  kube: KubeState;
}

export interface EksUpdate {
  id: string;
  clusterName: string;
  addonName?: string;
  nodegroupName?: string;
  status: 'InProgress' | 'Failed' | 'Cancelled' | 'Successful';
  type: string;
  params: Array<{ type: string; value: string }>;
  createdAt: Date;
  errors: Array<{ errorCode: string; errorMessage: string; resourceIds: string[] }>;
}

export interface EksState {
  /** Clusters by name (one region per cluster; the name is unique per account and region). */
  clusters: Map<string, EksCluster>;
  /** Updates by ID (cluster, node group and add-on updates of every cluster of the account). */
  updates: Map<string, EksUpdate>;
}

export function emptyEksState(): EksState {
  return { clusters: new Map(), updates: new Map() };
}

import type { KubeState } from './kube';

/** EKS state of one account and region. Owned by the EKS service module; extend here. */

export interface PodIdentityAssociation {
  associationId: string;
  associationArn: string;
  clusterName: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  disableSessionTags: boolean;
  /** Session policy. */
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
  status: 'CREATING' | 'ACTIVE' | 'CREATE_FAILED' | 'UPDATING' | 'DELETING' | 'DELETE_FAILED' | 'DEGRADED' | 'UPDATE_FAILED';
  health: { issues: Array<{ code: string; message: string; resourceIds?: string[] }> };
  serviceAccountRoleArn?: string;
  configurationValues?: string;
  /** ARNs of the Pod Identity associations this add-on owns. */
  podIdentityAssociations: string[];
  createdAt: Date;
  modifiedAt: Date;
  tags: Record<string, string>;
}

export interface Nodegroup {
  nodegroupName: string;
  nodegroupArn: string;
  clusterName: string;
  nodeRole: string;
  subnets: string[];
  status: string;
}

export interface AccessEntry {
  principalArn: string;
  accessEntryArn: string;
  kubernetesGroups: string[];
  type: string;
  username: string;
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
  createdAt: Date;
  addons: Map<string, Addon>;
  associations: Map<string, PodIdentityAssociation>;
  nodegroups: Map<string, Nodegroup>;
  accessEntries: Map<string, AccessEntry>;
  /** The cluster's Kubernetes objects. */
  kube: KubeState;
}

export interface EksUpdate {
  id: string;
  clusterName: string;
  addonName?: string;
  status: 'InProgress' | 'Failed' | 'Cancelled' | 'Successful';
  type: string;
  params: Array<{ type: string; value: string }>;
  createdAt: Date;
  errors: Array<{ errorCode: string; errorMessage: string; resourceIds: string[] }>;
}

export interface EksState {
  /** Clusters by name (one region per cluster; the name is unique per account and region). */
  clusters: Map<string, EksCluster>;
  updates: Map<string, EksUpdate>;
}

export function emptyEksState(): EksState {
  return { clusters: new Map(), updates: new Map() };
}

/**
 * The EKS add-on versions the sandbox knows: enough of `aws-efs-csi-driver` and `eks-pod-identity-agent` for the
 * product's add-on checks (AD-*, PI-01, PI-08). The version list is illustrative, not a copy of AWS's catalog: real
 * version strings of these add-ons have this shape, but AWS publishes more builds than these and the compatibility
 * ranges below are the sandbox's simplification.
 */

export interface AddonPodIdentitySa {
  serviceAccount: string;
  recommendedManagedPolicies: string[];
}

export interface CatalogVersion {
  addonVersion: string;
  /** Kubernetes minor versions (`1.31`) this version installs on. */
  clusterVersions: string[];
  /** Default version for those cluster versions (the newest, as AWS marks it). */
  defaultVersion: boolean;
  /** ServiceAccounts whose Pod Identity association the add-on can own at this version (DescribeAddonConfiguration). */
  podIdentity: AddonPodIdentitySa[];
  requiresIamPermissions: boolean;
}

export interface CatalogAddon {
  addonName: string;
  type: string;
  publisher: string;
  owner: string;
  defaultNamespace: string;
  /** A JSON Schema (as a string) of the add-on's `configurationValues`. */
  configurationSchema: string;
  /** Newest first, as DescribeAddonVersions lists them. */
  versions: CatalogVersion[];
}

export const EFS_CSI_ADDON = 'aws-efs-csi-driver';
export const POD_IDENTITY_AGENT_ADDON = 'eks-pod-identity-agent';

const CLUSTER_VERSIONS = ['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34'];

const EFS_CONTROLLER_SA: AddonPodIdentitySa = {
  serviceAccount: 'efs-csi-controller-sa',
  recommendedManagedPolicies: ['arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy'],
};
// Guess: AWS does not document which managed policy it recommends for the node SA; the client read/write policy is
// what the node component needs (ClientMount, ClientWrite).
const EFS_NODE_SA: AddonPodIdentitySa = {
  serviceAccount: 'efs-csi-node-sa',
  recommendedManagedPolicies: ['arn:aws:iam::aws:policy/AmazonElasticFileSystemClientReadWriteAccess'],
};

/**
 * Which aws-efs-csi-driver versions can own the node SA's association. This per-version table is the PRODUCT'S
 * ASSUMPTION (rules.md, Semantics 4: ≥ v3.0.0-eksbuild.1 lists both efs-csi-controller-sa and efs-csi-node-sa, older
 * versions only the controller; source: an AWS re:Post article, not the driver repository or the EKS add-on page). The
 * real answer is whatever AWS's DescribeAddonConfiguration returns; the sandbox serves this assumption so the product's
 * run-time reading of `podIdentityConfiguration` and its static assumption agree in tests.
 */
function efsPodIdentity(version: string): AddonPodIdentitySa[] {
  return compareAddonVersions(version, 'v3.0.0-eksbuild.1') >= 0
    ? [EFS_CONTROLLER_SA, EFS_NODE_SA]
    : [EFS_CONTROLLER_SA];
}

function versions(
  list: string[],
  podIdentity: (v: string) => AddonPodIdentitySa[],
  requiresIamPermissions: boolean,
): CatalogVersion[] {
  const sorted = [...list].sort((a, b) => compareAddonVersions(b, a));
  return sorted.map((addonVersion, i) => ({
    addonVersion,
    clusterVersions: CLUSTER_VERSIONS,
    defaultVersion: i === 0,
    podIdentity: podIdentity(addonVersion),
    requiresIamPermissions,
  }));
}

export const ADDON_CATALOG: CatalogAddon[] = [
  {
    addonName: EFS_CSI_ADDON,
    type: 'storage',
    publisher: 'eks',
    owner: 'aws',
    defaultNamespace: 'kube-system',
    configurationSchema: JSON.stringify({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: true,
      properties: {
        controller: { type: 'object', properties: { serviceAccount: { type: 'object' } } },
        node: { type: 'object', properties: { serviceAccount: { type: 'object' } } },
      },
    }),
    versions: versions(
      [
        'v2.0.9-eksbuild.1',
        'v2.1.4-eksbuild.1',
        'v2.1.8-eksbuild.1',
        'v2.1.15-eksbuild.1',
        'v3.0.0-eksbuild.1',
        'v3.1.0-eksbuild.1',
        'v3.4.1-eksbuild.1',
      ],
      efsPodIdentity,
      true,
    ),
  },
  {
    addonName: POD_IDENTITY_AGENT_ADDON,
    // Guess: the type AWS lists for the agent.
    type: 'security',
    publisher: 'eks',
    owner: 'aws',
    defaultNamespace: 'kube-system',
    configurationSchema: JSON.stringify({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: true,
    }),
    // The agent itself runs with the node's credentials: no ServiceAccount association to own.
    versions: versions(['v1.3.4-eksbuild.1', 'v1.3.8-eksbuild.2'], () => [], false),
  },
];

export function catalogAddon(name: string): CatalogAddon | undefined {
  return ADDON_CATALOG.find((a) => a.addonName === name);
}

export function catalogVersion(name: string, version: string): CatalogVersion | undefined {
  return catalogAddon(name)?.versions.find((v) => v.addonVersion === version);
}

/** Orders `v3.4.1-eksbuild.1` style versions numerically (major, minor, patch, then the build number). */
export function compareAddonVersions(a: string, b: string): number {
  const parts = (v: string) => (v.match(/\d+/g) ?? []).map(Number);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

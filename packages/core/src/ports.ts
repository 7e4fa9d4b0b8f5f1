/**
 * Ports: the I/O the live collector (and later the planner's executor) needs, as plain data. Adapters live in
 * `@efs-node-identity/aws`; tests may implement them in memory. No SDK type appears here, so the core stays free of
 * the AWS SDK and of @kubernetes/client-node. Write methods live in separate `…Writer` interfaces next to the read
 * ones (the executor needs both; the collector and in-memory test ports need only the read side).
 *
 * Conventions: a `get…`/`describe…` method resolves `undefined` when the resource does not exist (NoSuchEntity,
 * FileSystemNotFound, 404) and rejects for every other error; list methods return every page. Policy documents are
 * returned as text, URL-decoded, exactly as stored, so a broken document still reaches FS-07.
 */

export interface CallerIdentity {
  account: string;
  arn: string;
}

export interface StsPort {
  getCallerIdentity(): Promise<CallerIdentity>;
}

export interface RoleInfo {
  name: string;
  arn: string;
  roleId: string;
  /** The trust policy text (URL-decoded). */
  trustPolicy: string | undefined;
  tags: Record<string, string>;
  createdAt?: string;
}

export interface ManagedPolicyRef {
  arn: string;
  name: string;
}

export interface OidcProviderInfo {
  arn: string;
  /** Without the scheme, as IAM stores it. */
  url: string;
  clientIds: string[];
}

export interface IamPort {
  getRole(roleName: string): Promise<RoleInfo | undefined>;
  listRolePolicyNames(roleName: string): Promise<string[]>;
  /** The inline policy's document text. */
  getRolePolicy(roleName: string, policyName: string): Promise<string | undefined>;
  listAttachedRolePolicies(roleName: string): Promise<ManagedPolicyRef[]>;
  /** The default version's document text of a managed policy; undefined when IAM does not know the policy. */
  getManagedPolicyDocument(policyArn: string): Promise<string | undefined>;
  listOpenIdConnectProviders(): Promise<OidcProviderInfo[]>;
  /** One provider by ARN (the collector derives it from the cluster's issuer: one call instead of a list). */
  getOpenIdConnectProvider(arn: string): Promise<OidcProviderInfo | undefined>;
}

export interface ClusterInfo {
  name: string;
  arn: string;
  endpoint?: string;
  /** Base64 PEM of the cluster CA, when EKS returns one. */
  certificateAuthority?: string;
  version?: string;
  oidcIssuer?: string;
  vpcId?: string;
  securityGroupIds: string[];
  clusterSecurityGroupId?: string;
}

export interface AddonInfo {
  name: string;
  arn: string;
  version?: string;
  status?: string;
  healthIssues: string[];
  /** ARNs of the Pod Identity associations the add-on owns. */
  podIdentityAssociationArns: string[];
  createdAt?: string;
  modifiedAt?: string;
}

export interface AssociationInfo {
  associationId: string;
  associationArn: string;
  namespace: string;
  serviceAccount: string;
  roleArn?: string;
  targetRoleArn?: string;
  externalId?: string;
  disableSessionTags?: boolean;
  /** The session policy (JSON text), when the association has one. */
  policy?: string;
  /** The add-on that owns the association (`ownerArn` in EKS). */
  ownerArn?: string;
  createdAt?: string;
  modifiedAt?: string;
}

export interface NodegroupInfo {
  name: string;
  arn: string;
  nodeRoleArn?: string;
  /** Security groups of the node group's remote access, when set. */
  securityGroupIds: string[];
}

export interface EksPort {
  describeCluster(name: string): Promise<ClusterInfo | undefined>;
  listAddons(cluster: string): Promise<string[]>;
  describeAddon(cluster: string, addon: string): Promise<AddonInfo | undefined>;
  /** The service accounts this add-on version can own a Pod Identity association for. */
  describeAddonPodIdentityServiceAccounts(addon: string, version: string): Promise<string[] | undefined>;
  /** Association IDs of the cluster (the list call returns summaries without role ARNs or times). */
  listPodIdentityAssociationIds(cluster: string): Promise<string[]>;
  describePodIdentityAssociation(
    cluster: string,
    associationId: string,
  ): Promise<AssociationInfo | undefined>;
  listNodegroups(cluster: string): Promise<string[]>;
  describeNodegroup(cluster: string, nodegroup: string): Promise<NodegroupInfo | undefined>;
}

export interface FileSystemInfo {
  id: string;
  arn: string;
  ownerId: string;
  name?: string;
}

export interface MountTargetInfo {
  id: string;
  fileSystemId: string;
  ownerId?: string;
  availabilityZoneId: string;
  availabilityZoneName?: string;
  ipAddress?: string;
  state: string;
  subnetId?: string;
  vpcId?: string;
}

export interface AccessPointInfo {
  id: string;
  arn: string;
  fileSystemId: string;
  rootDirectory?: string;
}

export interface EfsPort {
  describeFileSystem(fileSystemId: string): Promise<FileSystemInfo | undefined>;
  /** The policy text, or null when the file system has none. */
  describeFileSystemPolicy(fileSystemId: string): Promise<string | null>;
  describeMountTargets(fileSystemId: string): Promise<MountTargetInfo[]>;
  describeMountTargetSecurityGroups(mountTargetId: string): Promise<string[]>;
  describeAccessPoints(fileSystemId: string): Promise<AccessPointInfo[]>;
}

/** An Amazon S3 Files file system (GetFileSystem). */
export interface S3FileSystemInfo {
  id: string;
  arn: string;
  ownerId: string;
  /** The linked bucket's ARN (`arn:aws:s3:::<name>`), as the API gives it. */
  bucket: string;
  /** The key prefix the file system exposes; '' or absent for the whole bucket. */
  prefix?: string;
  /** The role the file system itself uses to access the bucket. */
  roleArn?: string;
  status?: string;
  name?: string;
}

export interface S3FilesPort {
  /** The file system by ID (or ARN); undefined when S3 Files does not know it (ResourceNotFoundException). */
  getFileSystem(fileSystemId: string): Promise<S3FileSystemInfo | undefined>;
  /**
   * The policy text, or null when the file system has none. S3 Files answers a missing policy with
   * ResourceNotFoundException, the same error as a missing file system: ask only for a file system that exists.
   */
  getFileSystemPolicy(fileSystemId: string): Promise<string | null>;
}

export interface S3Port {
  /**
   * The bucket policy text; null when the bucket has none (NoSuchBucketPolicy), undefined when the bucket does not
   * exist (NoSuchBucket). Other errors (AccessDenied: the bucket belongs to someone else) reject.
   */
  getBucketPolicy(bucket: string): Promise<string | null | undefined>;
}

export interface SecurityGroupRuleInfo {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidr?: string;
  sourceSecurityGroupId?: string;
}

export interface SecurityGroupInfo {
  id: string;
  vpcId?: string;
  ownerId?: string;
  ingress: SecurityGroupRuleInfo[];
}

export interface VpcInfo {
  id: string;
  ownerId?: string;
  cidrs: string[];
}

export interface PeeringInfo {
  id: string;
  status: string;
  requester: { vpcId: string; ownerId?: string };
  accepter: { vpcId: string; ownerId?: string };
}

export interface RouteInfo {
  routeTableId: string;
  vpcId: string;
  destinationCidr: string;
  target: string;
  state: string;
}

export interface Ec2Port {
  describeSecurityGroups(ids: string[]): Promise<SecurityGroupInfo[]>;
  describeVpcs(ids: string[]): Promise<VpcInfo[]>;
  /** Peering connections with one of these VPCs on either side. */
  describeVpcPeeringConnections(vpcIds: string[]): Promise<PeeringInfo[]>;
  describeRoutes(vpcIds: string[]): Promise<RouteInfo[]>;
}

export interface HostedZoneInfo {
  id: string;
  name: string;
  privateZone: boolean;
  vpcIds: string[];
}

export interface RecordInfo {
  name: string;
  type: string;
  values: string[];
}

export interface Route53Port {
  /** IDs of the private hosted zones associated with the VPC. */
  listHostedZoneIdsByVpc(vpcId: string, region: string): Promise<string[]>;
  getHostedZone(id: string): Promise<HostedZoneInfo | undefined>;
  listRecords(zoneId: string): Promise<RecordInfo[]>;
}

/** The parts of a Kubernetes object the collector reads; `raw` is the object as the API returned it (JSON). */
export interface KubeObjectInfo {
  kind: string;
  namespace?: string;
  name: string;
  raw: Record<string, unknown>;
}

export interface KubePort {
  getServiceAccount(namespace: string, name: string): Promise<KubeObjectInfo | undefined>;
  getDaemonSet(namespace: string, name: string): Promise<KubeObjectInfo | undefined>;
  listPods(namespace: string, labelSelector: string): Promise<KubeObjectInfo[]>;
  listNodes(): Promise<KubeObjectInfo[]>;
  listStorageClasses(): Promise<KubeObjectInfo[]>;
  listPersistentVolumes(): Promise<KubeObjectInfo[]>;
  /** Only the named keys of the Secret's data, decoded; values are never logged. */
  getSecretKeys(namespace: string, name: string, keys: string[]): Promise<Record<string, string> | undefined>;
}

// ---------------------------------------------------------------------------------------------------------------
// Write side (the executor). Policy documents are passed as text, exactly as they are to be stored.

export interface CreateRoleInput {
  roleName: string;
  trustPolicy: string;
  description: string;
  tags: Record<string, string>;
}

export interface IamWriter {
  createRole(input: CreateRoleInput): Promise<RoleInfo>;
  tagRole(roleName: string, tags: Record<string, string>): Promise<void>;
  untagRole(roleName: string, keys: string[]): Promise<void>;
  updateAssumeRolePolicy(roleName: string, policy: string): Promise<void>;
  putRolePolicy(roleName: string, policyName: string, policy: string): Promise<void>;
  /** Resolves without error when the policy does not exist (a rollback may run twice). */
  deleteRolePolicy(roleName: string, policyName: string): Promise<void>;
  /** Resolves without error when the role does not exist. */
  deleteRole(roleName: string): Promise<void>;
  attachRolePolicy(roleName: string, policyArn: string): Promise<void>;
  /** Resolves without error when the policy is not attached (a rollback may run twice). */
  detachRolePolicy(roleName: string, policyArn: string): Promise<void>;
}

export interface CreateAssociationInput {
  cluster: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  disableSessionTags?: boolean;
  /** The session policy (JSON text), e.g. when a rollback recreates an association that had one. */
  policy?: string;
  tags?: Record<string, string>;
}

export interface UpdateAssociationInput {
  cluster: string;
  associationId: string;
  roleArn: string;
  /** Undefined: leave it; '': remove the target role (the API's way to clear it). */
  targetRoleArn?: string;
  disableSessionTags?: boolean;
  /** The session policy (JSON text). Undefined: leave it; '': remove it. */
  policy?: string;
}

export interface AddonUpdateInfo {
  id: string;
  status: string;
  errors: string[];
}

export interface EksWriter {
  /** The association as created, with the `externalId` EKS generated when a target role is set. */
  createPodIdentityAssociation(input: CreateAssociationInput): Promise<AssociationInfo>;
  updatePodIdentityAssociation(input: UpdateAssociationInput): Promise<AssociationInfo>;
  /** Resolves without error when the association does not exist. */
  deletePodIdentityAssociation(cluster: string, associationId: string): Promise<void>;
  /** UpdateAddon with the FULL podIdentityAssociations list; returns the update's ID. */
  updateAddonAssociations(
    cluster: string,
    addon: string,
    associations: Array<{ serviceAccount: string; roleArn: string }>,
  ): Promise<string>;
  describeUpdate(cluster: string, updateId: string, addon: string): Promise<AddonUpdateInfo>;
}

export interface EfsWriter {
  putFileSystemPolicy(fileSystemId: string, policy: string): Promise<void>;
  /** Resolves without error when the file system has no policy. */
  deleteFileSystemPolicy(fileSystemId: string): Promise<void>;
}

/** The S3 file system policy, written as EfsWriter writes an EFS one. */
export interface S3FilesWriter {
  putFileSystemPolicy(fileSystemId: string, policy: string): Promise<void>;
  /** Resolves without error when the file system has no policy. */
  deleteFileSystemPolicy(fileSystemId: string): Promise<void>;
}

export interface KubeWriter {
  /** A merge patch of metadata.annotations; a null value removes that annotation. */
  patchServiceAccountAnnotations(
    namespace: string,
    name: string,
    annotations: Record<string, string | null>,
  ): Promise<void>;
  /**
   * A rollout restart: merge-patches `kubectl.kubernetes.io/restartedAt` into the pod template (with an explicit
   * merge-patch content type). Returns the DaemonSet's metadata.generation after the patch, for the rollout wait.
   */
  restartDaemonSet(namespace: string, name: string, restartedAt: string): Promise<number>;
}

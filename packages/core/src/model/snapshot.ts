import type { NodePodInspection } from './node-inspection';
import type { Origin } from './origin';
import type { PolicyDocument } from './policy';
import type { Maybe } from './unknown';

/**
 * The normalized picture of one or more clusters and file systems. Static sources (files in a repository) and live
 * sources (AWS and Kubernetes APIs) both produce one; rules never know which. Every fact carries its origin.
 */
export interface Snapshot {
  /** Which kinds of input this snapshot holds: S static files, A AWS APIs, K Kubernetes API. */
  inputs: InputKind[];
  clusters: Cluster[];
  addons: Addon[];
  podIdentityAssociations: PodIdentityAssociation[];
  serviceAccounts: ServiceAccount[];
  daemonSets: DaemonSet[];
  pods: Pod[];
  roles: Role[];
  /**
   * Policy documents that no source could attach to a role: a raw trust or identity policy JSON file. Rules use
   * them for the node role when the repository has no role definition of its own.
   */
  loosePolicies: LoosePolicy[];
  fileSystems: FileSystem[];
  storageClasses: StorageClass[];
  persistentVolumes: PersistentVolume[];
  secrets: Secret[];
  oidcProviders: OidcProvider[];
  /** Kubernetes nodes (live): name, availability zone, instance role. */
  nodes: NodeFacts[];
  /** VPC networking between the cluster and the file systems (live). */
  network: NetworkFacts;
  /** What the sources could not read: parse failures, skipped files. Reported as SRC-* findings. */
  notices: SourceNotice[];
  /** `# efs-node-identity:ignore …` comments found in the files. */
  inlineSuppressions: InlineSuppression[];
  /** Ground truth from the node pods (live, opt-in): mount state files and efs-plugin log lines, per pod. */
  nodeInspections: NodePodInspection[];
}

export type InputKind = 'S' | 'A' | 'K';

export interface Cluster {
  name: Maybe<string>;
  arn?: Maybe<string>;
  accountId?: Maybe<string>;
  region?: Maybe<string>;
  /** OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<id>`). */
  oidcIssuer?: Maybe<string>;
  version?: Maybe<string>;
  /** The cluster VPC and its CIDR blocks (live). */
  vpcId?: string;
  vpcCidrs?: string[];
  /** The EKS-created cluster security group, which nodes of managed node groups carry (live). */
  clusterSecurityGroupId?: string;
  /** Security groups of the nodes (live), for NET-02. */
  nodeSecurityGroupIds?: string[];
  origin: Origin;
}

export interface Addon {
  cluster?: Maybe<string>;
  name: Maybe<string>;
  version?: Maybe<string>;
  status?: string;
  healthIssues?: string[];
  /**
   * The add-on's `podIdentityAssociations` as configured (static) or owned (live). Each also appears in
   * `Snapshot.podIdentityAssociations` with `ownerAddon` set.
   */
  podIdentityAssociations?: Array<{ serviceAccount: Maybe<string>; roleArn: Maybe<string>; roleId?: string }>;
  /** When the add-on was last updated (live): associations it dropped then are AD-04's concern. */
  modifiedAt?: string;
  /** Service accounts that this add-on version can own an association for (DescribeAddonConfiguration), live only. */
  podIdentityCapableServiceAccounts?: string[];
  origin: Origin;
}

export interface PodIdentityAssociation {
  cluster?: Maybe<string>;
  namespace: Maybe<string>;
  serviceAccount: Maybe<string>;
  roleArn: Maybe<string>;
  /** The Snapshot role this association points at, when a source could resolve it (e.g. a Terraform reference). */
  roleId?: string;
  targetRoleArn?: Maybe<string>;
  /** The target role's snapshot id, when a source could resolve it. */
  targetRoleId?: string;
  /** The external ID EKS generates for a target role (live only); target trusts may require it. */
  externalId?: string;
  disableSessionTags?: Maybe<boolean>;
  /**
   * The association's session policy (`policy` in the EKS API, `Policy` in CloudFormation): it narrows the
   * permissions of the credentials the node pods get. `null`: known to have none; absent: not read.
   */
  sessionPolicy?: PolicyDocument | null;
  /** Set when the association is configured through / owned by an EKS add-on. */
  ownerAddon?: string;
  associationId?: string;
  createdAt?: string;
  modifiedAt?: string;
  origin: Origin;
}

export interface ServiceAccount {
  namespace: Maybe<string>;
  name: Maybe<string>;
  annotations: Record<string, Maybe<string>>;
  origin: Origin;
  /** Origins of individual annotations, by key. */
  annotationOrigins?: Record<string, Origin>;
  /** When the annotations last changed (live: the newest managedFields entry touching them). */
  annotationsUpdatedAt?: string;
}

export interface Container {
  name: string;
  image?: Maybe<string>;
  env: Record<string, Maybe<string>>;
  /** Origin of `image`, when known. */
  imageOrigin?: Origin;
}

export interface DaemonSet {
  namespace: Maybe<string>;
  name: Maybe<string>;
  serviceAccountName: Maybe<string>;
  containers: Container[];
  origin: Origin;
  /** Origin of `serviceAccountName` (or Helm `node.serviceAccount.name`). */
  serviceAccountOrigin?: Origin;
  /** Rollout status (live). */
  status?: {
    desiredNumberScheduled: number;
    numberReady: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    observedGeneration?: number;
  };
  generation?: number;
}

export interface Pod {
  namespace: string;
  name: string;
  nodeName?: string;
  /** Availability zone ID of the pod's node (live), e.g. `euw1-az1`. */
  availabilityZoneId?: string;
  ownerDaemonSet?: string;
  serviceAccountName?: string;
  phase?: string;
  createdAt?: string;
  containers: Container[];
  origin: Origin;
}

export interface AttachedPolicy {
  /** ARN of a managed policy, or undefined for an inline one. */
  arn?: Maybe<string>;
  /** Inline policy name, or the managed policy's name. */
  name?: Maybe<string>;
  /** The document, when known (inline policies, customer-managed policies defined in the same files). */
  document?: PolicyDocument;
  /** Where the attachment is written (the ARN in a list, the attachment resource). */
  origin?: Origin;
}

export interface Role {
  /** Snapshot-internal key, unique per snapshot (`arn:…`, `tf:aws_iam_role.node`, `cfn:template.json#NodeRole`). */
  id: string;
  name: Maybe<string>;
  arn: Maybe<string>;
  accountId?: Maybe<string>;
  trustPolicy?: PolicyDocument;
  inlinePolicies: AttachedPolicy[];
  managedPolicies: AttachedPolicy[];
  tags?: Record<string, string>;
  /** The role is an EC2 node instance role (instance profile of a node group). */
  nodeInstanceRole?: boolean;
  origin: Origin;
}

export type LoosePolicyKind = 'trust' | 'identity' | 'resource';

export interface LoosePolicy {
  kind: LoosePolicyKind;
  document: PolicyDocument;
}

export type FileSystemType = 'efs' | 's3files';

export interface FileSystem {
  type: FileSystemType;
  /** `fs-…` */
  id: Maybe<string>;
  arn?: Maybe<string>;
  accountId?: Maybe<string>;
  region?: Maybe<string>;
  /**
   * The file system policy: a document, `null` when the file system is known to have none, `undefined` when the
   * inputs do not say (a static repository that defines no policy for it).
   */
  policy?: PolicyDocument | null;
  /** Linked S3 bucket (S3 Files): its ARN `arn:aws:s3:::<name>`, as CreateFileSystem and GetFileSystem give it. */
  bucket?: Maybe<string>;
  /** S3 Files: the key prefix of the bucket the file system exposes; absent or empty for the whole bucket. */
  bucketPrefix?: Maybe<string>;
  /** S3 Files: the IAM role the file system itself assumes to read and write the linked bucket (`RoleArn`). */
  roleArn?: Maybe<string>;
  /**
   * S3 Files (live): the linked bucket's policy; `null` when the bucket has none, `undefined` when not read.
   */
  bucketPolicy?: PolicyDocument | null;
  /** Mount targets (live); undefined when the inputs do not say. */
  mountTargets?: MountTarget[];
  origin: Origin;
}

export interface MountTarget {
  id: string;
  fileSystemId: string;
  accountId?: string;
  availabilityZoneId: string;
  availabilityZoneName?: string;
  ipAddress?: string;
  /** `available`, `creating`, … */
  state: string;
  subnetId?: string;
  vpcId?: string;
  securityGroupIds: string[];
  origin: Origin;
}

export interface StorageClass {
  name: Maybe<string>;
  provisioner: Maybe<string>;
  mountOptions: Maybe<string>[];
  parameters: Record<string, Maybe<string>>;
  origin: Origin;
  /** Origins of `mountOptions` entries (by index) and parameters (by key). */
  mountOptionOrigins?: Origin[];
  parameterOrigins?: Record<string, Origin>;
}

export interface PersistentVolume {
  name: Maybe<string>;
  driver: Maybe<string>;
  volumeHandle: Maybe<string>;
  volumeAttributes: Record<string, Maybe<string>>;
  mountOptions: Maybe<string>[];
  accessModes: string[];
  storageClassName?: Maybe<string>;
  origin: Origin;
  volumeHandleOrigin?: Origin;
  mountOptionOrigins?: Origin[];
  volumeAttributeOrigins?: Record<string, Origin>;
}

export interface Secret {
  namespace: Maybe<string>;
  name: Maybe<string>;
  /** Decoded string values (`stringData`, base64-decoded `data`). Never printed except role ARNs. */
  data: Record<string, Maybe<string>>;
  origin: Origin;
  /** Origins of individual keys. */
  dataOrigins?: Record<string, Origin>;
}

export interface OidcProvider {
  arn: Maybe<string>;
  url: Maybe<string>;
  clientIds: Maybe<string>[];
  origin: Origin;
}

export interface NodeFacts {
  name: string;
  availabilityZone?: string;
  availabilityZoneId?: string;
  /** The EC2 instance role (from the node group / instance profile). */
  instanceRoleArn?: string;
  origin: Origin;
}

export interface SecurityGroupFacts {
  id: string;
  vpcId?: string;
  accountId?: string;
  ingress: Array<{
    protocol: string;
    fromPort?: number;
    toPort?: number;
    cidr?: string;
    sourceSecurityGroupId?: string;
  }>;
  origin: Origin;
}

/** A VPC peering connection or a transit gateway attachment pair between two VPCs. */
export interface VpcConnection {
  kind: 'peering' | 'transit-gateway';
  id: string;
  status: string;
  vpcIds: [string, string];
  accountIds?: [string, string];
  origin: Origin;
}

export interface RouteFacts {
  routeTableId: string;
  vpcId: string;
  destinationCidr: string;
  /** `pcx-…`, `tgw-…`, `local`, `igw-…`. */
  target: string;
  state: string;
  origin: Origin;
}

export interface HostedZoneFacts {
  id: string;
  name: string;
  privateZone: boolean;
  vpcIds: string[];
  records: Array<{ name: string; type: string; values: string[] }>;
  origin: Origin;
}

export interface NetworkFacts {
  securityGroups: SecurityGroupFacts[];
  connections: VpcConnection[];
  routes: RouteFacts[];
  hostedZones: HostedZoneFacts[];
}

export type NoticeKind = 'parse-error' | 'skipped' | 'unsupported';

export interface SourceNotice {
  kind: NoticeKind;
  /** File relative to the scanned root. */
  file: string;
  line?: number;
  message: string;
}

export interface InlineSuppression {
  ruleId: string;
  reason?: string;
  /** ISO date (YYYY-MM-DD). */
  until?: string;
  file: string;
  /** Line of the comment. */
  line: number;
  /**
   * The lines it covers: the next non-comment line and, when that line opens a block (a YAML key with nested
   * content, an HCL block, the first line of a YAML document), the whole block.
   */
  fromLine: number;
  toLine: number;
}

/** An empty snapshot with the given inputs. */
export function emptySnapshot(inputs: InputKind[] = []): Snapshot {
  return {
    inputs,
    clusters: [],
    addons: [],
    podIdentityAssociations: [],
    serviceAccounts: [],
    daemonSets: [],
    pods: [],
    roles: [],
    loosePolicies: [],
    fileSystems: [],
    storageClasses: [],
    persistentVolumes: [],
    secrets: [],
    oidcProviders: [],
    nodes: [],
    network: { securityGroups: [], connections: [], routes: [], hostedZones: [] },
    notices: [],
    inlineSuppressions: [],
    nodeInspections: [],
  };
}

/** Appends every fact of `part` to `into` (sources each produce a partial snapshot). */
export function mergeSnapshots(into: Snapshot, part: Snapshot): Snapshot {
  for (const key of Object.keys(into) as Array<keyof Snapshot>) {
    if (key === 'inputs') {
      for (const i of part.inputs) if (!into.inputs.includes(i)) into.inputs.push(i);
      continue;
    }
    if (key === 'network') {
      for (const k of Object.keys(into.network) as Array<keyof NetworkFacts>) {
        (into.network[k] as unknown[]).push(...(part.network[k] as unknown[]));
      }
      continue;
    }
    (into[key] as unknown[]).push(...(part[key] as unknown[]));
  }
  return into;
}

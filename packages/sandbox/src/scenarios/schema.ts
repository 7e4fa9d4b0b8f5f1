/**
 * The scenario format: a declarative description of the sandbox's world (accounts, IAM, networking, EFS, EKS and each
 * cluster's Kubernetes objects). Objects are strict, so a misspelt field is an error that names it instead of being
 * silently ignored. Times are relative to the moment the scenario is loaded (`createdAgo: 2h`), so a scenario means
 * the same thing whenever it runs.
 */
import { z } from 'zod';

/** `90s`, `2h`, `1d12h`, `500ms`: a duration, summed over its parts. */
export const durationText = z
  .string()
  .regex(/^(\d+(ms|s|m|h|d))+$/, 'expected a duration such as 90s, 15m, 2h or 1d12h');

/** A policy document: a YAML mapping (serialised as JSON) or the JSON text itself (which may be deliberately broken). */
const policy = z.union([z.string(), z.record(z.string(), z.unknown())]);
const tags = z.record(z.string(), z.string());
/** A role named in the same account, or a role ARN (any account). */
const roleRef = z.string().min(1);

const role = z.strictObject({
  name: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'an IAM role name (letters, digits and +=,.@_-, at most 64)'),
  path: z.string().optional(),
  description: z.string().optional(),
  trustPolicy: policy,
  inlinePolicies: z.record(z.string(), policy).optional(),
  managedPolicyArns: z.array(z.string()).optional(),
  tags: tags.optional(),
  /** An EC2 node instance role: also gets an instance profile of the same name. */
  nodeInstanceRole: z.boolean().optional(),
  createdAgo: durationText.optional(),
});

const oidcProvider = z
  .strictObject({
    /** The issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<ID>`), or… */
    url: z.string().optional(),
    /** …the name of a cluster of this account whose issuer it is. */
    cluster: z.string().optional(),
    clientIds: z.array(z.string()).optional(),
    thumbprints: z.array(z.string()).optional(),
  })
  .refine((p) => (p.url === undefined) !== (p.cluster === undefined), {
    message: 'give exactly one of url and cluster',
  });

const securityGroupRule = z.strictObject({
  direction: z.enum(['ingress', 'egress']).optional(),
  /** `tcp` (default), `udp`, `icmp`, `-1` (all traffic). */
  protocol: z.string().optional(),
  port: z.number().int().optional(),
  fromPort: z.number().int().optional(),
  toPort: z.number().int().optional(),
  cidr: z.string().optional(),
  /** A security group ID the rule admits traffic from (or sends to, for egress). */
  sourceGroup: z.string().optional(),
  /** Owner of `sourceGroup` when it is in another account (across a peering). */
  sourceGroupOwner: z.string().optional(),
  description: z.string().optional(),
});

const securityGroup = z.strictObject({
  id: z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'a security group ID (sg- and hex digits)'),
  name: z.string(),
  description: z.string().optional(),
  /** AWS's default all-traffic egress rule; default true. */
  defaultEgress: z.boolean().optional(),
  rules: z.array(securityGroupRule).optional(),
  tags: tags.optional(),
});

const subnet = z
  .strictObject({
    id: z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'a subnet ID (subnet- and hex digits)'),
    cidr: z.string(),
    /** The AZ by this account's name for it… */
    az: z.string().optional(),
    /** …or by its ID. */
    azId: z.string().optional(),
    name: z.string().optional(),
    tags: tags.optional(),
  })
  .refine((s) => s.az !== undefined || s.azId !== undefined, { message: 'give az or azId' });

const route = z.strictObject({
  destination: z.string(),
  peering: z.string().optional(),
  transitGateway: z.string().optional(),
  gateway: z.string().optional(),
  natGateway: z.string().optional(),
  state: z.enum(['active', 'blackhole']).optional(),
});

const routeTable = z.strictObject({
  id: z.string().regex(/^rtb-[0-9a-f]{8,17}$/, 'a route table ID (rtb- and hex digits)'),
  main: z.boolean().optional(),
  subnets: z.array(z.string()).optional(),
  /** Besides the `local` route EC2 always has. */
  routes: z.array(route).optional(),
  name: z.string().optional(),
});

const vpc = z.strictObject({
  id: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'a VPC ID (vpc- and hex digits)'),
  cidr: z.string(),
  region: z.string().optional(),
  name: z.string().optional(),
  tags: tags.optional(),
  subnets: z.array(subnet).optional(),
  securityGroups: z.array(securityGroup).optional(),
  routeTables: z.array(routeTable).optional(),
});

const record = z.strictObject({
  name: z.string(),
  type: z.string(),
  ttl: z.number().int().optional(),
  values: z.array(z.string()).min(1),
});

const hostedZone = z.strictObject({
  id: z.string().optional(),
  name: z.string(),
  /** VPC IDs of this account (in its region) or `{ vpc, region }`; a zone with VPCs is private. */
  vpcs: z.array(z.union([z.string(), z.strictObject({ vpc: z.string(), region: z.string() })])).optional(),
  records: z.array(record).optional(),
  comment: z.string().optional(),
});

const network = z.strictObject({
  /** Per region: AZ name → AZ ID as this account maps them (`eu-west-1a: euw1-az3`). */
  availabilityZones: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  vpcs: z.array(vpc).optional(),
  hostedZones: z.array(hostedZone).optional(),
});

const mountTarget = z.strictObject({
  id: z.string().optional(),
  /** The AZ ID; the mount target goes into this account's subnet in that zone (or `subnet`). */
  azId: z.string(),
  subnet: z.string().optional(),
  ip: z.string().optional(),
  securityGroups: z.array(z.string()).optional(),
  state: z.enum(['creating', 'available', 'updating', 'deleting', 'deleted', 'error']).optional(),
});

const accessPoint = z.strictObject({
  id: z.string().regex(/^fsap-[0-9a-f]{8,40}$/, 'an access point ID (fsap- and hex digits)'),
  name: z.string().optional(),
  posixUser: z.strictObject({ uid: z.number().int(), gid: z.number().int() }).optional(),
  rootDirectory: z
    .strictObject({
      path: z.string(),
      owner: z
        .strictObject({ uid: z.number().int(), gid: z.number().int(), permissions: z.string() })
        .optional(),
    })
    .optional(),
  tags: tags.optional(),
});

const fileSystem = z.strictObject({
  id: z.string().regex(/^fs-[0-9a-f]{8,40}$/, 'a file system ID (fs- and hex digits)'),
  name: z.string().optional(),
  region: z.string().optional(),
  /** The file system policy; `null` or absent: the file system has none. */
  policy: policy.nullable().optional(),
  encrypted: z.boolean().optional(),
  tags: tags.optional(),
  createdAgo: durationText.optional(),
  mountTargets: z.array(mountTarget).optional(),
  accessPoints: z.array(accessPoint).optional(),
});

/**
 * An S3 file system (Amazon S3 Files) linked to a bucket: `bucket` is a bucket name or ARN (`buckets` of any account,
 * or one the sandbox does not hold), `role` the role the file system uses to access the bucket.
 */
const s3FileSystem = z.strictObject({
  id: z.string().regex(/^fs-[0-9a-f]{17,40}$/, 'an S3 Files file system ID (fs- and 17 to 40 hex digits)'),
  name: z.string().optional(),
  region: z.string().optional(),
  bucket: z.string().min(1),
  prefix: z.string().optional(),
  role: roleRef,
  /** The file system policy; `null` or absent: the file system has none. */
  policy: policy.nullable().optional(),
  tags: tags.optional(),
  createdAgo: durationText.optional(),
  mountTargets: z.array(mountTarget).optional(),
  accessPoints: z.array(accessPoint).optional(),
});

/** An S3 bucket and its bucket policy (the linked bucket of an S3 file system). */
const bucket = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
  region: z.string().optional(),
  /** The bucket policy; `null` or absent: the bucket has none. */
  policy: policy.nullable().optional(),
});

const association = z.strictObject({
  id: z.string().optional(),
  namespace: z.string().optional(),
  serviceAccount: z.string(),
  role: roleRef,
  targetRole: roleRef.optional(),
  disableSessionTags: z.boolean().optional(),
  policy: policy.optional(),
  createdAgo: durationText.optional(),
  /**
   * Deleted this long ago, after the pods were created: they keep the env it gave them (the webhook only acts at pod
   * creation), which is how a dropped association looks on a live cluster.
   */
  deletedAgo: durationText.optional(),
  /** Last UpdatePodIdentityAssociation (default: the creation). */
  modifiedAgo: durationText.optional(),
});

const addon = z.strictObject({
  name: z.string(),
  version: z.string(),
  status: z
    .enum([
      'CREATING',
      'ACTIVE',
      'CREATE_FAILED',
      'UPDATING',
      'DELETING',
      'DELETE_FAILED',
      'DEGRADED',
      'UPDATE_FAILED',
    ])
    .optional(),
  healthIssues: z
    .array(
      z.strictObject({ code: z.string(), message: z.string(), resourceIds: z.array(z.string()).optional() }),
    )
    .optional(),
  serviceAccountRole: roleRef.optional(),
  configurationValues: z.string().optional(),
  createdAgo: durationText.optional(),
  /** Associations the add-on owns (in the add-on's namespace, kube-system). */
  podIdentityAssociations: z
    .array(
      z.strictObject({
        serviceAccount: z.string(),
        role: roleRef,
        createdAgo: durationText.optional(),
        /** Removed by a later UpdateAddon whose list left it out (the add-on's `modifiedAt` becomes that time). */
        deletedAgo: durationText.optional(),
      }),
    )
    .optional(),
});

const nodegroup = z.strictObject({
  name: z.string(),
  nodeRole: roleRef,
  subnets: z.array(z.string()).optional(),
  desiredSize: z.number().int().min(0).optional(),
  instanceTypes: z.array(z.string()).optional(),
  labels: tags.optional(),
});

const accessEntry = z.strictObject({
  principal: roleRef,
  type: z.string().optional(),
  groups: z.array(z.string()).optional(),
  username: z.string().optional(),
  accessPolicies: z.array(z.string()).optional(),
});

/**
 * One efs-utils mount state file on a node (`/var/run/efs/<fs-id>.<mount point with / as .>.<port>`), written as
 * efs-utils writes it (aws/efs-utils proxy.py): `mountpoint`, `mount_time`, `awsCredentialsMethod`, `accessPoint`,
 * `region`, `fsId`. The mount point is the kubelet's for `persistentVolume` and `podUid` unless `mountpoint` is given.
 */
const efsStateFile = z.strictObject({
  fileSystem: z.string(),
  persistentVolume: z.string().optional(),
  /** UID of the application pod the volume is mounted for. */
  podUid: z.string().optional(),
  mountpoint: z.string().optional(),
  /** The TLS tunnel port (efs-utils picks one from 20049–21049). Default: 20049 + the file's index. */
  port: z.number().int().optional(),
  /** As efs-utils writes it: `podidentity:<uri>,<token file>`, `webidentity:<role ARN>,<token file>`, `metadata:`. */
  awsCredentialsMethod: z.string().optional(),
  accessPoint: z.string().optional(),
  /** Default: the cluster's region. */
  region: z.string().optional(),
  mountedAgo: durationText.optional(),
  /** The file's whole content instead of the JSON above (a malformed or hostile file on purpose). */
  content: z.string().optional(),
});

const pluginLogLine = z.strictObject({
  /** When the line was logged (the pod serves only lines logged after it was created). */
  ago: durationText.optional(),
  line: z.string(),
});

const node = z.strictObject({
  name: z.string().optional(),
  /** The AZ name as the cluster's account names it; the node's zone-id label comes from the account's mapping. */
  zone: z.string(),
  ip: z.string().optional(),
  instanceId: z.string().optional(),
  instanceType: z.string().optional(),
  nodegroup: z.string().optional(),
  labels: tags.optional(),
  createdAgo: durationText.optional(),
  /** Mount state files in the node's `/var/run/efs` (read through `pods/exec` of its efs-csi-node pod). */
  efsState: z.array(efsStateFile).optional(),
  /** Lines the `efs-plugin` container of the node's efs-csi-node pod logged (read through `pods/log`). */
  efsPluginLog: z.array(pluginLogLine).optional(),
});

const efsCsiNode = z.strictObject({
  imageTag: z.string().optional(),
  imageRepository: z.string().optional(),
  serviceAccountName: z.string().optional(),
  namespace: z.string().optional(),
  updateStrategy: z.enum(['RollingUpdate', 'OnDelete']).optional(),
  env: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
  createdAgo: durationText.optional(),
  /** When the current pods were created (admitted by the simulated webhook); default: with the DaemonSet. */
  podsCreatedAgo: durationText.optional(),
});

const serviceAccount = z.strictObject({
  name: z.string(),
  namespace: z.string(),
  annotations: tags.optional(),
  labels: tags.optional(),
  createdAgo: durationText.optional(),
});

const storageClass = z.strictObject({
  name: z.string(),
  provisioner: z.string().optional(),
  parameters: tags.optional(),
  mountOptions: z.array(z.string()).optional(),
  reclaimPolicy: z.enum(['Delete', 'Retain']).optional(),
  volumeBindingMode: z.enum(['Immediate', 'WaitForFirstConsumer']).optional(),
});

const persistentVolume = z.strictObject({
  name: z.string(),
  volumeHandle: z.string(),
  driver: z.string().optional(),
  capacity: z.string().optional(),
  storageClassName: z.string().optional(),
  mountOptions: z.array(z.string()).optional(),
  volumeAttributes: tags.optional(),
  /** `<namespace>/<name>` of the claim it is bound to. */
  claim: z.string().optional(),
  nodePublishSecretRef: z.strictObject({ name: z.string(), namespace: z.string() }).optional(),
});

const persistentVolumeClaim = z.strictObject({
  name: z.string(),
  namespace: z.string(),
  storageClassName: z.string().optional(),
  volumeName: z.string().optional(),
  storage: z.string().optional(),
});

const secret = z.strictObject({
  name: z.string(),
  namespace: z.string(),
  type: z.string().optional(),
  stringData: tags.optional(),
});

const kubernetes = z.strictObject({
  nodes: z.array(node).optional(),
  serviceAccounts: z.array(serviceAccount).optional(),
  efsCsiNode: efsCsiNode.optional(),
  storageClasses: z.array(storageClass).optional(),
  persistentVolumes: z.array(persistentVolume).optional(),
  persistentVolumeClaims: z.array(persistentVolumeClaim).optional(),
  secrets: z.array(secret).optional(),
});

const cluster = z.strictObject({
  name: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'an EKS cluster name'),
  region: z.string().optional(),
  version: z.string().optional(),
  platformVersion: z.string().optional(),
  /** The 32 hex digits of the OIDC issuer; fixed so IRSA trust policies in the scenario can name it. */
  oidcId: z
    .string()
    .regex(/^[0-9A-Fa-f]{32}$/, '32 hex digits')
    .optional(),
  vpc: z.string().optional(),
  subnets: z.array(z.string()).optional(),
  clusterSecurityGroup: z.string().optional(),
  securityGroups: z.array(z.string()).optional(),
  role: roleRef.optional(),
  createdAgo: durationText.optional(),
  addons: z.array(addon).optional(),
  /** Pod Identity associations made by hand (CreatePodIdentityAssociation), not owned by an add-on. */
  associations: z.array(association).optional(),
  nodegroups: z.array(nodegroup).optional(),
  accessEntries: z.array(accessEntry).optional(),
  kubernetes: kubernetes.optional(),
});

const account = z.strictObject({
  id: z.string().regex(/^\d{12}$/, 'a 12-digit account ID'),
  /** What the account is for (shown by tools; not an AWS attribute). */
  description: z.string().optional(),
  /**
   * The identity policies of this account's `sandbox-admin` user (the dummy keys the sandbox prints). Absent: the
   * user may do everything (AdministratorAccess-like), also with permission enforcement on.
   */
  admin: z
    .strictObject({
      inlinePolicies: z.record(z.string(), policy).optional(),
      managedPolicyArns: z.array(z.string()).optional(),
    })
    .optional(),
  roles: z.array(role).optional(),
  oidcProviders: z.array(oidcProvider).optional(),
  network: network.optional(),
  fileSystems: z.array(fileSystem).optional(),
  /** S3 buckets of this account (bucket names are global: each may appear in one account only). */
  buckets: z.array(bucket).optional(),
  /** Amazon S3 Files file systems of this account. */
  s3FileSystems: z.array(s3FileSystem).optional(),
  clusters: z.array(cluster).optional(),
});

const peering = z.strictObject({
  id: z.string().regex(/^pcx-[0-9a-f]{8,17}$/, 'a peering ID (pcx- and hex digits)'),
  requester: z.strictObject({ account: z.string(), vpc: z.string() }),
  accepter: z.strictObject({ account: z.string(), vpc: z.string() }),
  status: z
    .enum([
      'active',
      'pending-acceptance',
      'deleted',
      'rejected',
      'failed',
      'expired',
      'provisioning',
      'deleting',
    ])
    .optional(),
});

export const scenarioSchema = z.strictObject({
  /** One line: what the scenario shows (`efs-node-identity sandbox --list` prints it). */
  description: z.string().min(1),
  /** The rule IDs the scenario is about (documentation; tests and the demo catalog read it). */
  rules: z.array(z.string()).optional(),
  settings: z
    .strictObject({
      /** How long a new Pod Identity association takes to apply to new pods. */
      associationDelay: durationText.optional(),
      /** How long a new IAM role takes to become assumable. */
      roleDelay: durationText.optional(),
      enforcePermissions: z.boolean().optional(),
      /** RollingUpdate DaemonSet restarts take this long to replace pods (every cluster). */
      rolloutDelay: durationText.optional(),
    })
    .optional(),
  accounts: z.array(account).min(1),
  /** VPC peerings (they may join two accounts, so they sit outside any one). */
  peerings: z.array(peering).optional(),
});

export type ScenarioData = z.infer<typeof scenarioSchema>;
export type ScenarioAccount = z.infer<typeof account>;
export type ScenarioCluster = z.infer<typeof cluster>;
export type ScenarioNode = z.infer<typeof node>;

/** `1d12h` → ms. */
export function durationMs(text: string): number {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  for (const [, amount, u] of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(amount) * unit[u!]!;
  return total;
}

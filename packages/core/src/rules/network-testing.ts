import { defaultConfig, type Config } from '../config/config';
import type { Finding } from '../model/finding';
import type { AwsOrigin, KubeOrigin } from '../model/origin';
import type { PolicyDocument } from '../model/policy';
import { emptySnapshot, type MountTarget, type Role, type Snapshot } from '../model/snapshot';
import { normalizePolicy } from '../policy/normalize';
import { evaluateSnapshot } from './engine';

/**
 * Test support for rules on live input: there are no fixture files, so snapshots are built in code, the way the live
 * collector reports them (AWS facts with ARN origins, Kubernetes objects as `kind/namespace/name`). Each builder
 * returns a healthy setup; a test applies one mutation per firing case.
 */

export const REGION = 'us-east-1';
export const CLUSTER_ACCOUNT = '111122223333';
export const EFS_ACCOUNT = '444455556666';
export const CLUSTER_VPC = 'vpc-0c1a2b3c4d5e6f708';
export const CLUSTER_CIDR = '10.0.0.0/16';
export const CLUSTER_SG = 'sg-0c1a2b3c4d5e6f701';
export const NODE_SG = 'sg-0n0de0000000000a1';
export const FS_ID = 'fs-0123456789abcdef0';
export const FS_SG = 'sg-0ef50000000000001';
export const XFS_ID = 'fs-0fedcba9876543210';
export const EFS_VPC = 'vpc-0e1f2a3b4c5d6e7f8';
export const EFS_CIDR = '10.20.0.0/16';
export const XFS_SG = 'sg-0ef5acc0000000002';
export const PCX = 'pcx-0a1b2c3d4e5f60718';
export const NODE_ROLE = `arn:aws:iam::${CLUSTER_ACCOUNT}:role/efs-csi-node`;
export const INSTANCE_ROLE = `arn:aws:iam::${CLUSTER_ACCOUNT}:role/eks-node-group-prod`;
export const CONTROLLER_ROLE = `arn:aws:iam::${CLUSTER_ACCOUNT}:role/efs-csi-controller`;
export const XACCOUNT_ROLE = `arn:aws:iam::${EFS_ACCOUNT}:role/EFSCrossAccountAccessRole`;

export function aws(arn: string): AwsOrigin {
  return { kind: 'aws', arn };
}

export function k8s(ref: string): KubeOrigin {
  return { kind: 'k8s', ref };
}

export function ec2Arn(account: string, resource: string): string {
  return `arn:aws:ec2:${REGION}:${account}:${resource}`;
}

export function fsArn(account: string, id: string): string {
  return `arn:aws:elasticfilesystem:${REGION}:${account}:file-system/${id}`;
}

/** A policy document as the live collector reads it (origin: the role or file system ARN). */
export function livePolicy(raw: unknown, arn: string): PolicyDocument {
  return normalizePolicy(raw, aws(arn));
}

/** A role as IAM describes it: managed policies by ARN (AWS managed ones without a document), inline by name. */
export function liveRole(
  arn: string,
  parts: {
    trust?: unknown;
    inline?: Record<string, unknown>;
    managed?: string[];
    nodeInstanceRole?: boolean;
  } = {},
): Role {
  return {
    id: arn,
    name: arn.split('/').pop() as string,
    arn,
    accountId: arn.split(':')[4],
    ...(parts.trust ? { trustPolicy: livePolicy(parts.trust, arn) } : {}),
    inlinePolicies: Object.entries(parts.inline ?? {}).map(([name, raw]) => ({
      name,
      document: livePolicy(raw, arn),
      origin: aws(arn),
    })),
    managedPolicies: (parts.managed ?? []).map((m) => ({ arn: m, name: m.split('/').pop(), origin: aws(m) })),
    ...(parts.nodeInstanceRole ? { nodeInstanceRole: true } : {}),
    origin: aws(arn),
  };
}

export const WORKER_NODE_POLICIES = [
  'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
];

function mountTarget(
  account: string,
  fileSystemId: string,
  n: string,
  az: [string, string],
  ip: string,
  vpcId: string,
  sg: string,
): MountTarget {
  const id = `fsmt-0${n}${fileSystemId.slice(4, 14)}`;
  return {
    id,
    fileSystemId,
    accountId: account,
    availabilityZoneId: az[0],
    availabilityZoneName: az[1],
    ipAddress: ip,
    state: 'available',
    subnetId: `subnet-0${n}${fileSystemId.slice(4, 14)}`,
    vpcId,
    securityGroupIds: [sg],
    origin: aws(
      `arn:aws:elasticfilesystem:${REGION}:${account}:file-system/${fileSystemId}/mount-target/${id}`,
    ),
  };
}

/** The cluster, two nodes in use1-az1/use1-az2 running efs-csi-node, the node identity and the instance role. */
function clusterSide(): Snapshot {
  const s = emptySnapshot(['A', 'K']);
  s.clusters.push({
    name: 'prod',
    arn: `arn:aws:eks:${REGION}:${CLUSTER_ACCOUNT}:cluster/prod`,
    accountId: CLUSTER_ACCOUNT,
    region: REGION,
    vpcId: CLUSTER_VPC,
    vpcCidrs: [CLUSTER_CIDR],
    clusterSecurityGroupId: CLUSTER_SG,
    nodeSecurityGroupIds: [NODE_SG],
    origin: aws(`arn:aws:eks:${REGION}:${CLUSTER_ACCOUNT}:cluster/prod`),
  });
  const nodes: Array<[string, string, string]> = [
    ['ip-10-0-1-10.ec2.internal', 'us-east-1a', 'use1-az1'],
    ['ip-10-0-2-20.ec2.internal', 'us-east-1b', 'use1-az2'],
  ];
  s.daemonSets.push({
    namespace: 'kube-system',
    name: 'efs-csi-node',
    serviceAccountName: 'efs-csi-node-sa',
    containers: [
      {
        name: 'efs-plugin',
        image: 'public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v3.4.1',
        env: {},
      },
    ],
    origin: k8s('DaemonSet/kube-system/efs-csi-node'),
  });
  nodes.forEach(([name, azName, azId], i) => {
    s.nodes.push({
      name,
      availabilityZone: azName,
      availabilityZoneId: azId,
      instanceRoleArn: INSTANCE_ROLE,
      origin: k8s(`Node/${name}`),
    });
    s.pods.push({
      namespace: 'kube-system',
      name: `efs-csi-node-${'ab'[i]}x7k${i}`,
      nodeName: name,
      availabilityZoneId: azId,
      ownerDaemonSet: 'efs-csi-node',
      serviceAccountName: 'efs-csi-node-sa',
      phase: 'Running',
      createdAt: '2026-11-20T10:00:00Z',
      containers: [{ name: 'efs-plugin', env: {} }],
      origin: k8s(`Pod/kube-system/efs-csi-node-${'ab'[i]}x7k${i}`),
    });
  });
  s.podIdentityAssociations.push({
    cluster: 'prod',
    namespace: 'kube-system',
    serviceAccount: 'efs-csi-node-sa',
    roleArn: NODE_ROLE,
    associationId: 'a-0nodeassoc0000001',
    createdAt: '2026-11-01T10:00:00Z',
    origin: aws(`arn:aws:eks:${REGION}:${CLUSTER_ACCOUNT}:podidentityassociation/prod/a-0nodeassoc0000001`),
  });
  s.roles.push(liveRole(INSTANCE_ROLE, { managed: WORKER_NODE_POLICIES, nodeInstanceRole: true }));
  s.network.routes.push({
    routeTableId: 'rtb-0c1a2b3c4d5e6f701',
    vpcId: CLUSTER_VPC,
    destinationCidr: CLUSTER_CIDR,
    target: 'local',
    state: 'active',
    origin: aws(ec2Arn(CLUSTER_ACCOUNT, 'route-table/rtb-0c1a2b3c4d5e6f701')),
  });
  return s;
}

function nodeRole(fileSystemArns: string[]): Role {
  return liveRole(NODE_ROLE, {
    trust: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
        },
      ],
    },
    inline: {
      'efs-client': {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
            Resource: fileSystemArns,
          },
        ],
      },
    },
  });
}

function fileSystemPolicy(account: string, id: string): PolicyDocument {
  return livePolicy(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EfsCsiNode-prod',
          Effect: 'Allow',
          Principal: { AWS: NODE_ROLE },
          Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          Resource: fsArn(account, id),
          Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
        },
      ],
    },
    fsArn(account, id),
  );
}

/**
 * A healthy same-account setup: file system FS_ID in the cluster VPC with an `available` mount target in each node
 * AZ ID, its security group admitting TCP 2049 from the cluster security group, and a StorageClass on it.
 */
export function sameAccountNetwork(): Snapshot {
  const s = clusterSide();
  s.roles.push(nodeRole([fsArn(CLUSTER_ACCOUNT, FS_ID)]));
  s.fileSystems.push({
    type: 'efs',
    id: FS_ID,
    arn: fsArn(CLUSTER_ACCOUNT, FS_ID),
    accountId: CLUSTER_ACCOUNT,
    region: REGION,
    policy: fileSystemPolicy(CLUSTER_ACCOUNT, FS_ID),
    mountTargets: [
      mountTarget(CLUSTER_ACCOUNT, FS_ID, 'a', ['use1-az1', 'us-east-1a'], '10.0.1.50', CLUSTER_VPC, FS_SG),
      mountTarget(CLUSTER_ACCOUNT, FS_ID, 'b', ['use1-az2', 'us-east-1b'], '10.0.2.50', CLUSTER_VPC, FS_SG),
    ],
    origin: aws(fsArn(CLUSTER_ACCOUNT, FS_ID)),
  });
  s.network.securityGroups.push({
    id: FS_SG,
    vpcId: CLUSTER_VPC,
    accountId: CLUSTER_ACCOUNT,
    ingress: [{ protocol: 'tcp', fromPort: 2049, toPort: 2049, sourceSecurityGroupId: CLUSTER_SG }],
    origin: aws(ec2Arn(CLUSTER_ACCOUNT, `security-group/${FS_SG}`)),
  });
  s.storageClasses.push({
    name: 'efs-sc',
    provisioner: 'efs.csi.aws.com',
    mountOptions: ['tls', 'iam'],
    parameters: { provisioningMode: 'efs-ap', fileSystemId: FS_ID, directoryPerms: '700' },
    origin: k8s('StorageClass/efs-sc'),
  });
  return s;
}

/** The hosted zone name efs-utils resolves in cross-account mode. */
export function crossAccountZoneName(azId: string, fileSystemId = XFS_ID): string {
  return `${azId}.${fileSystemId}.efs.${REGION}.amazonaws.com`;
}

/**
 * A healthy cross-account setup: file system XFS_ID in account EFS_ACCOUNT and VPC EFS_VPC, mount targets in the
 * node AZ IDs (with other AZ names, as in another account), an active peering connection PCX with routes both ways,
 * the mount target security group admitting the cluster CIDR, a private hosted zone per AZ ID associated with the
 * cluster VPC, a PV with `crossaccount: "true"`, and both halves of the node role's access (XA-05).
 */
export function crossAccountNetwork(): Snapshot {
  const s = clusterSide();
  s.roles.push(nodeRole([fsArn(EFS_ACCOUNT, XFS_ID)]));
  const targets = [
    mountTarget(EFS_ACCOUNT, XFS_ID, 'a', ['use1-az1', 'us-east-1c'], '10.20.1.15', EFS_VPC, XFS_SG),
    mountTarget(EFS_ACCOUNT, XFS_ID, 'b', ['use1-az2', 'us-east-1d'], '10.20.2.21', EFS_VPC, XFS_SG),
  ];
  s.fileSystems.push({
    type: 'efs',
    id: XFS_ID,
    arn: fsArn(EFS_ACCOUNT, XFS_ID),
    accountId: EFS_ACCOUNT,
    region: REGION,
    policy: fileSystemPolicy(EFS_ACCOUNT, XFS_ID),
    mountTargets: targets,
    origin: aws(fsArn(EFS_ACCOUNT, XFS_ID)),
  });
  s.network.securityGroups.push({
    id: XFS_SG,
    vpcId: EFS_VPC,
    accountId: EFS_ACCOUNT,
    ingress: [{ protocol: 'tcp', fromPort: 2049, toPort: 2049, cidr: CLUSTER_CIDR }],
    origin: aws(ec2Arn(EFS_ACCOUNT, `security-group/${XFS_SG}`)),
  });
  s.network.connections.push({
    kind: 'peering',
    id: PCX,
    status: 'active',
    vpcIds: [CLUSTER_VPC, EFS_VPC],
    accountIds: [CLUSTER_ACCOUNT, EFS_ACCOUNT],
    origin: aws(ec2Arn(CLUSTER_ACCOUNT, `vpc-peering-connection/${PCX}`)),
  });
  s.network.routes.push(
    {
      routeTableId: 'rtb-0c1a2b3c4d5e6f701',
      vpcId: CLUSTER_VPC,
      destinationCidr: EFS_CIDR,
      target: PCX,
      state: 'active',
      origin: aws(ec2Arn(CLUSTER_ACCOUNT, 'route-table/rtb-0c1a2b3c4d5e6f701')),
    },
    {
      routeTableId: 'rtb-0e1f2a3b4c5d6e7f1',
      vpcId: EFS_VPC,
      destinationCidr: EFS_CIDR,
      target: 'local',
      state: 'active',
      origin: aws(ec2Arn(EFS_ACCOUNT, 'route-table/rtb-0e1f2a3b4c5d6e7f1')),
    },
    {
      routeTableId: 'rtb-0e1f2a3b4c5d6e7f1',
      vpcId: EFS_VPC,
      destinationCidr: CLUSTER_CIDR,
      target: PCX,
      state: 'active',
      origin: aws(ec2Arn(EFS_ACCOUNT, 'route-table/rtb-0e1f2a3b4c5d6e7f1')),
    },
  );
  targets.forEach((t, i) => {
    const name = crossAccountZoneName(t.availabilityZoneId);
    const zoneId = `Z0${i + 1}XACCOUNTZONE000000`;
    s.network.hostedZones.push({
      id: zoneId,
      name: `${name}.`,
      privateZone: true,
      vpcIds: [CLUSTER_VPC],
      records: [{ name: `${name}.`, type: 'A', values: [t.ipAddress as string] }],
      origin: aws(`arn:aws:route53:::hostedzone/${zoneId}`),
    });
  });
  s.persistentVolumes.push({
    name: 'efs-xacct-pv',
    driver: 'efs.csi.aws.com',
    volumeHandle: XFS_ID,
    volumeAttributes: { crossaccount: 'true' },
    mountOptions: ['tls', 'iam'],
    accessModes: ['ReadWriteMany'],
    origin: k8s('PersistentVolume/efs-xacct-pv'),
  });
  return s;
}

/**
 * crossAccountNetwork() plus dynamic provisioning across accounts: StorageClass `efs-xacct` with the provisioner
 * Secret `kube-system/x-account` (awsRoleArn XACCOUNT_ROLE, externalId), the controller's association and role
 * (allowed sts:AssumeRole on it) and XACCOUNT_ROLE (trusting the controller role with that externalId, with the
 * driver's cross-account access point policy).
 */
export function crossAccountProvisioning(): Snapshot {
  const s = crossAccountNetwork();
  const fileSystem = fsArn(EFS_ACCOUNT, XFS_ID);
  s.storageClasses.push({
    name: 'efs-xacct',
    provisioner: 'efs.csi.aws.com',
    mountOptions: ['tls', 'iam'],
    parameters: {
      provisioningMode: 'efs-ap',
      fileSystemId: XFS_ID,
      directoryPerms: '700',
      'csi.storage.k8s.io/provisioner-secret-name': 'x-account',
      'csi.storage.k8s.io/provisioner-secret-namespace': 'kube-system',
    },
    origin: k8s('StorageClass/efs-xacct'),
  });
  s.secrets.push({
    namespace: 'kube-system',
    name: 'x-account',
    data: { awsRoleArn: XACCOUNT_ROLE, externalId: 'prod-efs', crossaccount: 'true' },
    origin: k8s('Secret/kube-system/x-account'),
  });
  s.podIdentityAssociations.push({
    cluster: 'prod',
    namespace: 'kube-system',
    serviceAccount: 'efs-csi-controller-sa',
    roleArn: CONTROLLER_ROLE,
    associationId: 'a-0ctrlassoc0000001',
    origin: aws(`arn:aws:eks:${REGION}:${CLUSTER_ACCOUNT}:podidentityassociation/prod/a-0ctrlassoc0000001`),
  });
  s.roles.push(
    liveRole(CONTROLLER_ROLE, {
      managed: ['arn:aws:iam::aws:policy/service-role/AmazonEFSCSIDriverPolicy'],
      inline: {
        'assume-efs-account': {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: XACCOUNT_ROLE }],
        },
      },
    }),
    liveRole(XACCOUNT_ROLE, {
      trust: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: CONTROLLER_ROLE },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': 'prod-efs' } },
          },
        ],
      },
      inline: {
        'efs-csi-controller': {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: [
                'elasticfilesystem:DescribeAccessPoints',
                'elasticfilesystem:DescribeFileSystems',
                'elasticfilesystem:DescribeMountTargets',
                'ec2:DescribeAvailabilityZones',
              ],
              Resource: '*',
            },
            {
              Effect: 'Allow',
              Action: 'elasticfilesystem:CreateAccessPoint',
              Resource: fileSystem,
              Condition: { StringLike: { 'aws:RequestTag/efs.csi.aws.com/cluster': 'true' } },
            },
            {
              Effect: 'Allow',
              Action: 'elasticfilesystem:DeleteAccessPoint',
              Resource: '*',
              Condition: { StringEquals: { 'aws:ResourceTag/efs.csi.aws.com/cluster': 'true' } },
            },
          ],
        },
      },
    }),
  );
  return s;
}

/** Runs every rule on a live snapshot (as `verify` would) and returns the findings. */
export function checkLive(snapshot: Snapshot, config: Partial<Config> = {}): Finding[] {
  return evaluateSnapshot(snapshot, { ...defaultConfig(), ...config }, { today: '2026-11-26' }).findings;
}

import { iamId, type IamManagedPolicy } from '../state/iam';

/**
 * The AWS-managed policies the product's rules name, present in every account of the sandbox (as in AWS, where they
 * live in the `aws` pseudo-account and every account can read and attach them).
 *
 * The documents are the sandbox's own rendering of what each policy grants: the action lists of the ones marked
 * "checked" were compared with the AWS managed policy reference; the others are from memory of the public policy and
 * may differ in detail (marked "guess"). Sids are the sandbox's. Versions, dates and formatting (4-space JSON) are
 * guesses too; nothing in the product depends on them.
 */
interface ManagedPolicyDefinition {
  name: string;
  path: string;
  description: string;
  versionId: string;
  createDate: string;
  updateDate: string;
  document: { Version: string; Statement: Record<string, unknown>[] };
}

const allow = (
  actions: string[],
  resource: string | string[] = '*',
  extra: Record<string, unknown> = {},
) => ({
  Effect: 'Allow',
  Action: actions,
  Resource: resource,
  ...extra,
});

const DEFINITIONS: ManagedPolicyDefinition[] = [
  {
    // checked: the EC2 describe calls the kubelet/cloud provider make, DescribeCluster, and Pod Identity's agent call.
    name: 'AmazonEKSWorkerNodePolicy',
    path: '/',
    description: 'Lets Amazon EKS worker nodes connect to Amazon EKS clusters.',
    versionId: 'v3',
    createDate: '2018-05-27T21:09:00Z',
    updateDate: '2023-11-27T00:06:00Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'NodeDescribeAndPodIdentity',
          ...allow([
            'ec2:DescribeInstances',
            'ec2:DescribeInstanceTypes',
            'ec2:DescribeRouteTables',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeSubnets',
            'ec2:DescribeVolumes',
            'ec2:DescribeVolumesModifications',
            'ec2:DescribeVpcs',
            'eks:DescribeCluster',
            'eks-auth:AssumeRoleForPodIdentity',
          ]),
        },
      ],
    },
  },
  {
    // checked: only the Pod Identity agent's call.
    name: 'AmazonEKSWorkerNodeMinimalPolicy',
    path: '/',
    description: 'Lets Amazon EKS worker nodes connect to Amazon EKS clusters with the least permissions.',
    versionId: 'v1',
    createDate: '2024-10-02T20:03:00Z',
    updateDate: '2024-10-02T20:03:00Z',
    document: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'PodIdentityAgent', ...allow(['eks-auth:AssumeRoleForPodIdentity']) }],
    },
  },
  {
    // guess: the VPC CNI's ENI and IP address management calls, from memory of the public policy.
    name: 'AmazonEKS_CNI_Policy',
    path: '/',
    description: 'Lets the Amazon VPC CNI plugin manage network interfaces and IP addresses of worker nodes.',
    versionId: 'v5',
    createDate: '2018-05-27T21:07:42Z',
    updateDate: '2021-10-20T15:20:00Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ManageNetworkInterfaces',
          ...allow([
            'ec2:AssignIpv6Addresses',
            'ec2:AssignPrivateIpAddresses',
            'ec2:AttachNetworkInterface',
            'ec2:CreateNetworkInterface',
            'ec2:DeleteNetworkInterface',
            'ec2:DescribeInstances',
            'ec2:DescribeInstanceTypes',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DescribeTags',
            'ec2:DetachNetworkInterface',
            'ec2:ModifyNetworkInterfaceAttribute',
            'ec2:UnassignPrivateIpAddresses',
          ]),
        },
        { Sid: 'TagNetworkInterfaces', ...allow(['ec2:CreateTags'], 'arn:aws:ec2:*:*:network-interface/*') },
      ],
    },
  },
  {
    // checked.
    name: 'AmazonEC2ContainerRegistryReadOnly',
    path: '/',
    description: 'Read-only access to Amazon ECR repositories.',
    versionId: 'v3',
    createDate: '2015-12-21T17:04:00Z',
    updateDate: '2019-12-10T20:56:00Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadRepositories',
          ...allow([
            'ecr:GetAuthorizationToken',
            'ecr:BatchCheckLayerAvailability',
            'ecr:GetDownloadUrlForLayer',
            'ecr:GetRepositoryPolicy',
            'ecr:DescribeRepositories',
            'ecr:ListImages',
            'ecr:DescribeImages',
            'ecr:BatchGetImage',
            'ecr:GetLifecyclePolicy',
            'ecr:GetLifecyclePolicyPreview',
            'ecr:ListTagsForResource',
            'ecr:DescribeImageScanFindings',
          ]),
        },
      ],
    },
  },
  {
    // checked (the image pull calls); guess: whether the pull-through-cache import action is included.
    name: 'AmazonEC2ContainerRegistryPullOnly',
    path: '/',
    description: 'Lets a principal pull images from Amazon ECR repositories.',
    versionId: 'v1',
    createDate: '2024-10-04T16:58:00Z',
    updateDate: '2024-10-04T16:58:00Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PullImages',
          ...allow([
            'ecr:GetAuthorizationToken',
            'ecr:BatchGetImage',
            'ecr:GetDownloadUrlForLayer',
            'ecr:BatchImportUpstreamImage',
          ]),
        },
      ],
    },
  },
  {
    // guess (from memory; consistent with MANAGED_CLIENT_GRANTS in core): mount, write, root on every file system.
    name: 'AmazonElasticFileSystemClientFullAccess',
    path: '/',
    description: 'Mount, write and root access to every Amazon EFS file system for NFS clients.',
    versionId: 'v2',
    createDate: '2020-01-14T22:44:00Z',
    updateDate: '2023-03-30T00:00:00Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ClientAccess',
          ...allow([
            'elasticfilesystem:ClientMount',
            'elasticfilesystem:ClientWrite',
            'elasticfilesystem:ClientRootAccess',
            'elasticfilesystem:DescribeMountTargets',
          ]),
        },
      ],
    },
  },
  {
    // guess (from memory; consistent with core): mount and write.
    name: 'AmazonElasticFileSystemClientReadWriteAccess',
    path: '/',
    description: 'Mount and write access to every Amazon EFS file system for NFS clients.',
    versionId: 'v2',
    createDate: '2020-01-14T22:46:00Z',
    updateDate: '2023-03-30T00:00:00Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ClientAccess',
          ...allow([
            'elasticfilesystem:ClientMount',
            'elasticfilesystem:ClientWrite',
            'elasticfilesystem:DescribeMountTargets',
          ]),
        },
      ],
    },
  },
  {
    // guess (from memory; consistent with core): mount only.
    name: 'AmazonElasticFileSystemClientReadOnlyAccess',
    path: '/',
    description: 'Read-only mount access to every Amazon EFS file system for NFS clients.',
    versionId: 'v2',
    createDate: '2020-01-14T22:47:00Z',
    updateDate: '2023-03-30T00:00:00Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ClientAccess',
          ...allow(['elasticfilesystem:ClientMount', 'elasticfilesystem:DescribeMountTargets']),
        },
      ],
    },
  },
  {
    // guess, abbreviated: the real policy also grants Systems Manager agent calls (ssm, ssmmessages, ec2messages) for
    // installing efs-utils; what matters here is that it grants no EFS client action, only efs-utils' CloudWatch logs.
    name: 'AmazonElasticFileSystemsUtils',
    path: '/',
    description: 'Lets efs-utils be managed by Systems Manager and publish mount logs to CloudWatch Logs.',
    versionId: 'v2',
    createDate: '2020-09-29T15:16:00Z',
    updateDate: '2026-04-07T13:12:00Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'SystemsManagerAgent',
          ...allow([
            'ssm:DescribeAssociation',
            'ssm:GetDocument',
            'ssm:ListAssociations',
            'ssm:UpdateInstanceInformation',
            'ssmmessages:*',
            'ec2messages:*',
          ]),
        },
        {
          Sid: 'EfsUtilsLogs',
          ...allow(
            [
              'logs:CreateLogGroup',
              'logs:CreateLogStream',
              'logs:DescribeLogStreams',
              'logs:PutLogEvents',
              'logs:PutRetentionPolicy',
            ],
            'arn:aws:logs:*:*:log-group:/aws/efs/utils*',
          ),
        },
      ],
    },
  },
  {
    // checked: describe calls, access point create/tag only with the driver's cluster tag, delete only of tagged ones.
    name: 'AmazonEFSCSIDriverPolicy',
    path: '/service-role/',
    description:
      'Lets the Amazon EFS CSI driver controller manage access points and read EFS and EC2 resources.',
    versionId: 'v1',
    createDate: '2023-07-25T20:10:00Z',
    updateDate: '2023-07-25T20:10:00Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Describe',
          ...allow([
            'elasticfilesystem:DescribeAccessPoints',
            'elasticfilesystem:DescribeFileSystems',
            'elasticfilesystem:DescribeMountTargets',
            'ec2:DescribeAvailabilityZones',
          ]),
        },
        {
          Sid: 'CreateTaggedAccessPoints',
          ...allow(['elasticfilesystem:CreateAccessPoint'], '*', {
            Condition: {
              Null: { 'aws:RequestTag/efs.csi.aws.com/cluster': 'false' },
              'ForAllValues:StringEquals': { 'aws:TagKeys': 'efs.csi.aws.com/cluster' },
            },
          }),
        },
        {
          Sid: 'TagOnCreate',
          ...allow(['elasticfilesystem:TagResource'], '*', {
            Condition: {
              StringEquals: { 'elasticfilesystem:CreateAction': 'CreateAccessPoint' },
              Null: { 'aws:RequestTag/efs.csi.aws.com/cluster': 'false' },
              'ForAllValues:StringEquals': { 'aws:TagKeys': 'efs.csi.aws.com/cluster' },
            },
          }),
        },
        {
          Sid: 'DeleteOwnAccessPoints',
          ...allow(['elasticfilesystem:DeleteAccessPoint'], '*', {
            Condition: { Null: { 'aws:ResourceTag/efs.csi.aws.com/cluster': 'false' } },
          }),
        },
      ],
    },
  },
  {
    // checked: client mount, write and root on every S3 Files file system.
    name: 'AmazonS3FilesClientFullAccess',
    path: '/',
    description: 'Root client access to S3 Files file systems.',
    versionId: 'v1',
    createDate: '2026-04-07T12:57:00Z',
    updateDate: '2026-04-07T12:57:00Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ClientAccess',
          ...allow(['s3files:ClientMount', 's3files:ClientWrite', 's3files:ClientRootAccess']),
        },
      ],
    },
  },
  {
    // guess (from memory): read and list on every bucket and object, and S3 Object Lambda reads.
    name: 'AmazonS3ReadOnlyAccess',
    path: '/',
    description: 'Read-only access to all buckets.',
    versionId: 'v3',
    createDate: '2015-02-06T18:40:59Z',
    updateDate: '2023-08-10T21:31:39Z',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadEverything',
          ...allow([
            's3:Get*',
            's3:List*',
            's3:Describe*',
            's3-object-lambda:Get*',
            's3-object-lambda:List*',
          ]),
        },
      ],
    },
  },
];

function toPolicy(definition: ManagedPolicyDefinition): IamManagedPolicy {
  const arn = `arn:aws:iam::aws:policy${definition.path}${definition.name}`;
  const createDate = new Date(definition.createDate);
  return {
    arn,
    policyName: definition.name,
    // Stable per ARN, as AWS's are (the same ID in every account).
    policyId: iamId('ANPA', arn),
    path: definition.path,
    defaultVersionId: definition.versionId,
    versions: new Map([
      [
        definition.versionId,
        {
          document: JSON.stringify(definition.document, null, 4),
          createDate: new Date(definition.updateDate),
        },
      ],
    ]),
    createDate,
    updateDate: new Date(definition.updateDate),
    attachmentCount: 0,
    description: definition.description,
  };
}

/** Every AWS-managed policy of the sandbox, by ARN. Shared by all accounts: never mutate one per account. */
export const AWS_MANAGED_POLICIES: ReadonlyMap<string, IamManagedPolicy> = new Map(
  DEFINITIONS.map((d) => [`arn:aws:iam::aws:policy${d.path}${d.name}`, toPolicy(d)]),
);

/** An AWS-managed policy by ARN, or undefined. */
export function awsManagedPolicy(arn: string): IamManagedPolicy | undefined {
  return AWS_MANAGED_POLICIES.get(arn);
}

import { defaultConfig, type Config } from '../config/config';
import type { Finding } from '../model/finding';
import type { AwsOrigin, KubeOrigin } from '../model/origin';
import { emptySnapshot, type Pod, type Role, type Snapshot } from '../model/snapshot';
import {
  fileSystemAllowStatement,
  irsaTrustPolicy,
  nodePermissionsPolicy,
  podIdentityTrustPolicy,
} from '../policy/generate';
import { normalizePolicy } from '../policy/normalize';
import { evaluateSnapshot } from './engine';
import type { Rule } from './rule';

/**
 * Test support for the live rules: a healthy snapshot as the AWS and Kubernetes collectors would produce it (every
 * rule of ALL_RULES is silent on it), and small mutations, one per fault. Live input has no fixture files.
 */

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const CLUSTER = 'prod';
export const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
export const ISSUER_HOST = `oidc.eks.${REGION}.amazonaws.com/id/5A0C2F8E1B3D4A6F9E7C1B2D3A4F5E6D`;
export const OIDC_PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER_HOST}`;
export const NODE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/efs-csi-node`;
export const CONTROLLER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/efs-csi-controller`;
export const INSTANCE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/prod-nodes`;
export const FS_ID = 'fs-0123456789abcdef0';
export const FS_ARN = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${FS_ID}`;
export const EFS_ADDON_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:addon/${CLUSTER}/aws-efs-csi-driver/4ac9b2f1-0d2e-4b8c-9e51-2f6c1d0a7e33`;
export const AGENT_ADDON_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:addon/${CLUSTER}/eks-pod-identity-agent/8e2d4c1a-51b7-4f0e-a3c9-6d1e2b7f9a04`;
export const NODE_ASSOCIATION_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:podidentityassociation/${CLUSTER}/a-node0123456789abc`;
export const CONTROLLER_ASSOCIATION_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:podidentityassociation/${CLUSTER}/a-ctrl0123456789abc`;
export const IMAGE = `602401143452.dkr.ecr.${REGION}.amazonaws.com/eks/aws-efs-csi-driver:v3.4.1`;
/** When the node association was created (and the add-on last updated). */
export const ASSOCIATED_AT = '2026-06-02T10:15:00Z';
/** When the healthy node pods were created: after the association. */
export const POD_CREATED_AT = '2026-06-02T10:21:40Z';

export const POD_IDENTITY_ENV = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
    '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
};
export const IRSA_ENV = {
  AWS_ROLE_ARN: NODE_ROLE_ARN,
  AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
};

export const aws = (arn: string): AwsOrigin => ({ kind: 'aws', arn });
export const k8s = (ref: string): KubeOrigin => ({ kind: 'k8s', ref });

const NODES = [
  {
    name: 'ip-10-0-1-10.eu-west-1.compute.internal',
    zone: 'eu-west-1a',
    zoneId: 'euw1-az1',
    instance: 'i-0a1b2c3d4e5f60718',
    pod: 'efs-csi-node-7xk2p',
  },
  {
    name: 'ip-10-0-2-20.eu-west-1.compute.internal',
    zone: 'eu-west-1b',
    zoneId: 'euw1-az2',
    instance: 'i-0b2c3d4e5f6071829',
    pod: 'efs-csi-node-q9d4m',
  },
];

function role(arn: string, trust: object, extra: Partial<Role> = {}): Role {
  const name = arn.split('/').pop() as string;
  return {
    id: arn,
    name,
    arn,
    accountId: ACCOUNT,
    trustPolicy: normalizePolicy(trust, aws(arn)),
    inlinePolicies: [],
    managedPolicies: [],
    origin: aws(arn),
    ...extra,
  };
}

function managed(path: string) {
  const arn = `arn:aws:iam::aws:policy/${path}`;
  return { arn, name: path.split('/').pop() as string, origin: aws(arn) };
}

/** A running efs-csi-node pod with the given efs-plugin environment. */
export function nodePod(index: number, env: Record<string, string>, createdAt = POD_CREATED_AT): Pod {
  const node = NODES[index % NODES.length];
  const name = index < NODES.length ? node.pod : `efs-csi-node-extra${index}`;
  return {
    namespace: 'kube-system',
    name,
    nodeName: node.name,
    availabilityZoneId: node.zoneId,
    ownerDaemonSet: 'efs-csi-node',
    serviceAccountName: 'efs-csi-node-sa',
    phase: 'Running',
    createdAt,
    containers: [
      { name: 'efs-plugin', image: IMAGE, env: { CSI_ENDPOINT: 'unix:/csi/csi.sock', ...env } },
      {
        name: 'csi-driver-registrar',
        image: 'public.ecr.aws/eks-distro/kubernetes-csi/node-driver-registrar:v2.13.0',
        env: {},
      },
      {
        name: 'liveness-probe',
        image: 'public.ecr.aws/eks-distro/kubernetes-csi/livenessprobe:v2.15.0',
        env: {},
      },
    ],
    origin: k8s(`Pod/kube-system/${name}`),
  };
}

/**
 * A healthy cluster using EKS Pod Identity for the node SA: the add-on owns both associations, the agent add-on is
 * ACTIVE, the node pods were created after the association and carry its variables, the file system policy allows
 * the node role, the instance role carries the worker node policies only, mount targets in both zones.
 */
export function healthyLiveSnapshot(): Snapshot {
  const s = emptySnapshot(['A', 'K']);
  s.clusters.push({
    name: CLUSTER,
    arn: CLUSTER_ARN,
    accountId: ACCOUNT,
    region: REGION,
    oidcIssuer: `https://${ISSUER_HOST}`,
    version: '1.33',
    vpcId: 'vpc-0c1a2b3c4d5e6f708',
    vpcCidrs: ['10.0.0.0/16'],
    clusterSecurityGroupId: 'sg-0c1a2b3c4d5e6f708',
    nodeSecurityGroupIds: ['sg-0c1a2b3c4d5e6f708'],
    origin: aws(CLUSTER_ARN),
  });
  s.addons.push(
    {
      cluster: CLUSTER,
      name: 'aws-efs-csi-driver',
      version: 'v3.4.1-eksbuild.1',
      status: 'ACTIVE',
      healthIssues: [],
      podIdentityAssociations: [
        { serviceAccount: 'efs-csi-controller-sa', roleArn: CONTROLLER_ROLE_ARN },
        { serviceAccount: 'efs-csi-node-sa', roleArn: NODE_ROLE_ARN },
      ],
      modifiedAt: ASSOCIATED_AT,
      podIdentityCapableServiceAccounts: ['efs-csi-controller-sa', 'efs-csi-node-sa'],
      origin: aws(EFS_ADDON_ARN),
    },
    {
      cluster: CLUSTER,
      name: 'eks-pod-identity-agent',
      version: 'v1.3.8-eksbuild.2',
      status: 'ACTIVE',
      healthIssues: [],
      modifiedAt: '2026-05-01T09:00:00Z',
      origin: aws(AGENT_ADDON_ARN),
    },
  );
  s.podIdentityAssociations.push(
    {
      cluster: CLUSTER,
      namespace: 'kube-system',
      serviceAccount: 'efs-csi-controller-sa',
      roleArn: CONTROLLER_ROLE_ARN,
      disableSessionTags: false,
      ownerAddon: 'aws-efs-csi-driver',
      associationId: 'a-ctrl0123456789abc',
      createdAt: ASSOCIATED_AT,
      modifiedAt: ASSOCIATED_AT,
      origin: aws(CONTROLLER_ASSOCIATION_ARN),
    },
    {
      cluster: CLUSTER,
      namespace: 'kube-system',
      serviceAccount: 'efs-csi-node-sa',
      roleArn: NODE_ROLE_ARN,
      disableSessionTags: false,
      ownerAddon: 'aws-efs-csi-driver',
      associationId: 'a-node0123456789abc',
      createdAt: ASSOCIATED_AT,
      modifiedAt: ASSOCIATED_AT,
      origin: aws(NODE_ASSOCIATION_ARN),
    },
  );
  s.serviceAccounts.push(
    {
      namespace: 'kube-system',
      name: 'efs-csi-node-sa',
      annotations: {},
      origin: k8s('ServiceAccount/kube-system/efs-csi-node-sa'),
    },
    {
      namespace: 'kube-system',
      name: 'efs-csi-controller-sa',
      annotations: {},
      origin: k8s('ServiceAccount/kube-system/efs-csi-controller-sa'),
    },
  );
  s.daemonSets.push(
    {
      namespace: 'kube-system',
      name: 'efs-csi-node',
      serviceAccountName: 'efs-csi-node-sa',
      containers: [{ name: 'efs-plugin', image: IMAGE, env: { CSI_ENDPOINT: 'unix:/csi/csi.sock' } }],
      origin: k8s('DaemonSet/kube-system/efs-csi-node'),
      status: {
        desiredNumberScheduled: 2,
        numberReady: 2,
        updatedNumberScheduled: 2,
        numberAvailable: 2,
        observedGeneration: 3,
      },
      generation: 3,
    },
    {
      namespace: 'kube-system',
      name: 'eks-pod-identity-agent',
      serviceAccountName: 'default',
      containers: [
        {
          name: 'eks-pod-identity-agent',
          image: `602401143452.dkr.ecr.${REGION}.amazonaws.com/eks/eks-pod-identity-agent:v0.1.29`,
          env: {},
        },
      ],
      origin: k8s('DaemonSet/kube-system/eks-pod-identity-agent'),
      status: {
        desiredNumberScheduled: 2,
        numberReady: 2,
        updatedNumberScheduled: 2,
        numberAvailable: 2,
        observedGeneration: 1,
      },
      generation: 1,
    },
  );
  s.pods.push(nodePod(0, POD_IDENTITY_ENV), nodePod(1, POD_IDENTITY_ENV));
  s.nodes.push(
    ...NODES.map((n) => ({
      name: n.name,
      availabilityZone: n.zone,
      availabilityZoneId: n.zoneId,
      instanceRoleArn: INSTANCE_ROLE_ARN,
      origin: k8s(`Node/${n.name}`),
    })),
  );
  s.roles.push(
    role(NODE_ROLE_ARN, podIdentityTrustPolicy({ accountId: ACCOUNT, clusterArn: CLUSTER_ARN }), {
      inlinePolicies: [
        {
          name: 'efs-client',
          document: normalizePolicy(
            nodePermissionsPolicy({ fileSystemArns: [FS_ARN], access: 'write' }),
            aws(NODE_ROLE_ARN),
          ),
          origin: aws(NODE_ROLE_ARN),
        },
      ],
    }),
    role(CONTROLLER_ROLE_ARN, podIdentityTrustPolicy({ accountId: ACCOUNT }), {
      managedPolicies: [managed('service-role/AmazonEFSCSIDriverPolicy')],
    }),
    role(
      INSTANCE_ROLE_ARN,
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
      {
        nodeInstanceRole: true,
        managedPolicies: [
          managed('AmazonEKSWorkerNodeMinimalPolicy'),
          managed('AmazonEKS_CNI_Policy'),
          managed('AmazonEC2ContainerRegistryPullOnly'),
        ],
      },
    ),
  );
  const fsPolicy = {
    Version: '2012-10-17',
    Statement: [
      fileSystemAllowStatement({
        cluster: CLUSTER,
        roleArn: NODE_ROLE_ARN,
        fileSystemArn: FS_ARN,
        access: 'write',
      }),
    ],
  };
  s.fileSystems.push({
    type: 'efs',
    id: FS_ID,
    arn: FS_ARN,
    accountId: ACCOUNT,
    region: REGION,
    policy: normalizePolicy(fsPolicy, aws(FS_ARN), { size: JSON.stringify(fsPolicy).length }),
    mountTargets: NODES.map((n, i) => ({
      id: `fsmt-0${i + 1}a2b3c4d5e6f7081`,
      fileSystemId: FS_ID,
      accountId: ACCOUNT,
      availabilityZoneId: n.zoneId,
      availabilityZoneName: n.zone,
      ipAddress: `10.0.${i + 1}.100`,
      state: 'available',
      subnetId: `subnet-0${i + 1}a2b3c4d5e6f7081`,
      vpcId: 'vpc-0c1a2b3c4d5e6f708',
      securityGroupIds: ['sg-0e0f5a6b7c8d9e0f1'],
      origin: aws(
        `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT}:file-system/${FS_ID}/mount-target/fsmt-0${i + 1}a2b3c4d5e6f7081`,
      ),
    })),
    origin: aws(FS_ARN),
  });
  s.network.securityGroups.push(
    {
      id: 'sg-0e0f5a6b7c8d9e0f1',
      vpcId: 'vpc-0c1a2b3c4d5e6f708',
      accountId: ACCOUNT,
      ingress: [
        { protocol: 'tcp', fromPort: 2049, toPort: 2049, sourceSecurityGroupId: 'sg-0c1a2b3c4d5e6f708' },
      ],
      origin: aws(`arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0e0f5a6b7c8d9e0f1`),
    },
    {
      id: 'sg-0c1a2b3c4d5e6f708',
      vpcId: 'vpc-0c1a2b3c4d5e6f708',
      accountId: ACCOUNT,
      ingress: [{ protocol: '-1', sourceSecurityGroupId: 'sg-0c1a2b3c4d5e6f708' }],
      origin: aws(`arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0c1a2b3c4d5e6f708`),
    },
  );
  s.storageClasses.push({
    name: 'efs-sc',
    provisioner: 'efs.csi.aws.com',
    mountOptions: ['tls', 'iam'],
    parameters: { provisioningMode: 'efs-ap', fileSystemId: FS_ID, directoryPerms: '700' },
    origin: k8s('StorageClass/efs-sc'),
  });
  s.persistentVolumes.push({
    name: 'efs-static',
    driver: 'efs.csi.aws.com',
    volumeHandle: `${FS_ID}::fsap-0a1b2c3d4e5f60718`,
    volumeAttributes: {},
    mountOptions: ['iam'],
    accessModes: ['ReadWriteMany'],
    storageClassName: '',
    origin: k8s('PersistentVolume/efs-static'),
  });
  return s;
}

/**
 * The same cluster with IRSA for the node SA instead of Pod Identity: the add-on owns the controller's association
 * only, the node SA carries the role-arn annotation (set before the pods were created), the node role trusts the
 * cluster's OIDC provider, and the pods carry the web identity variables.
 */
export function healthyIrsaSnapshot(): Snapshot {
  const s = healthyLiveSnapshot();
  s.podIdentityAssociations = s.podIdentityAssociations.filter((a) => a.serviceAccount !== 'efs-csi-node-sa');
  const addon = s.addons[0];
  addon.podIdentityAssociations = (addon.podIdentityAssociations ?? []).filter(
    (a) => a.serviceAccount !== 'efs-csi-node-sa',
  );
  const sa = s.serviceAccounts[0];
  sa.annotations['eks.amazonaws.com/role-arn'] = NODE_ROLE_ARN;
  sa.annotationsUpdatedAt = ASSOCIATED_AT;
  const nodeRole = s.roles[0];
  nodeRole.trustPolicy = normalizePolicy(
    irsaTrustPolicy({
      oidcProviderArn: OIDC_PROVIDER_ARN,
      namespace: 'kube-system',
      serviceAccount: 'efs-csi-node-sa',
    }),
    aws(NODE_ROLE_ARN),
  );
  s.oidcProviders.push({
    arn: OIDC_PROVIDER_ARN,
    url: ISSUER_HOST,
    clientIds: ['sts.amazonaws.com'],
    origin: aws(OIDC_PROVIDER_ARN),
  });
  s.pods = [nodePod(0, IRSA_ENV), nodePod(1, IRSA_ENV)];
  return s;
}

/** Runs the engine on a live snapshot (one rule, or every rule) with the default config. */
export function checkLive(snapshot: Snapshot, rules?: Rule[], config: Partial<Config> = {}): Finding[] {
  return evaluateSnapshot(
    snapshot,
    { ...defaultConfig(), ...config },
    { today: '2026-11-26', ...(rules ? { rules } : {}) },
  ).findings;
}

// Generates the static-scan input: a deterministic 10,000-file infrastructure repository with the mix a platform
// monorepo has (mostly Kubernetes YAML and IAM JSON, some eksctl / Helm / CloudFormation / Terraform, and files the
// tool must skip or ignore), including the faults the rules exist for, so the rules have real work to do.
import { Buffer } from 'node:buffer';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createRng } from './lib/rng.mjs';
import { world, identityPolicy, fileSystemPolicy, trustPolicy } from './lib/fixtures.mjs';

/** Share of the files of each kind (the rest up to the total is Kubernetes YAML). Terraform is counted in modules. */
const MIX = {
  policyJson: 0.25,
  eksctl: 0.04,
  helmValues: 0.05,
  cloudFormation: 0.03,
  terraformPlan: 0.005,
  unrelated: 0.16,
};
const TERRAFORM_MODULES = 20; // three .tf files each: "a few modules", as the brief says.

export async function generateRepo(root, total = 10_000, seed = 7) {
  const rng = createRng(seed);
  const w = world(rng, 60);
  const teams = ['payments', 'search', 'ml', 'platform', 'data', 'web', 'identity', 'billing'];
  const envs = ['dev', 'staging', 'prod'];
  const dirs = [];
  for (const team of teams)
    for (const env of envs)
      for (const area of ['k8s', 'iam', 'storage', 'addons']) dirs.push(`${team}/${env}/${area}`);
  const counts = {
    kubernetes: 0,
    policyJson: 0,
    eksctl: 0,
    helmValues: 0,
    cloudFormation: 0,
    terraform: 0,
    terraformPlan: 0,
    unrelated: 0,
  };
  const files = [];
  const add = (kind, rel, text) => {
    counts[kind]++;
    files.push([rel, text]);
  };
  for (let m = 0; m < TERRAFORM_MODULES; m++) {
    const dir = `terraform/${rng.pick(teams)}-${m}`;
    for (const [name, text] of terraformModule(rng, w, m)) add('terraform', `${dir}/${name}`, text);
  }
  const quota = (share) => Math.round(total * share);
  for (let i = 0; i < quota(MIX.policyJson); i++)
    add('policyJson', `${rng.pick(dirs)}/policy-${i}.json`, policyFile(rng, w));
  for (let i = 0; i < quota(MIX.eksctl); i++)
    add('eksctl', `clusters/${rng.pick(teams)}-${i}.yaml`, eksctlConfig(rng, w, i));
  for (let i = 0; i < quota(MIX.helmValues); i++)
    add('helmValues', `${rng.pick(dirs)}/values-${i}.yaml`, helmValues(rng, w));
  for (let i = 0; i < quota(MIX.cloudFormation); i++) {
    const json = rng.chance(0.3);
    add(
      'cloudFormation',
      `cfn/${rng.pick(teams)}/stack-${i}.${json ? 'json' : 'yaml'}`,
      cloudFormation(rng, w, i, json),
    );
  }
  for (let i = 0; i < quota(MIX.terraformPlan); i++)
    add('terraformPlan', `plans/plan-${i}.json`, terraformPlan(rng, w, i));
  for (let i = 0; i < quota(MIX.unrelated); i++) {
    const [name, text] = unrelated(rng, i);
    add('unrelated', `${rng.pick(dirs)}/${name}`, text);
  }
  for (let i = 0; files.length < total; i++)
    add('kubernetes', `${rng.pick(dirs)}/manifest-${i}.yaml`, kubernetesFile(rng, w, i));
  let bytes = 0;
  const made = new Set();
  for (const [rel, text] of files) {
    const dir = path.join(root, path.dirname(rel));
    if (!made.has(dir)) {
      await fs.mkdir(dir, { recursive: true });
      made.add(dir);
    }
    await fs.writeFile(path.join(root, rel), text);
    bytes += Buffer.byteLength(text);
  }
  return { root, files: files.length, bytes, counts };
}

const json = (value) => JSON.stringify(value, null, 2) + '\n';

function policyFile(rng, w) {
  const fs = rng.pick(w.fileSystems);
  const role = rng.pick(w.roles);
  const kind = rng.int(3);
  if (kind === 0) return json(trustPolicy(rng, role));
  if (kind === 1) return json(identityPolicy(rng, w, fs));
  return json(fileSystemPolicy(rng, w, fs, role));
}

function storageClass(rng, fs, name) {
  const options = rng.pick([['tls', 'iam'], ['tls'], ['tls', 'iam', 'crossaccount'], ['iam'], []]);
  return `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: ${name}
provisioner: efs.csi.aws.com
${options.length ? `mountOptions:\n${options.map((o) => `  - ${o}`).join('\n')}\n` : ''}parameters:
  provisioningMode: efs-ap
  fileSystemId: ${fs.id}
  directoryPerms: "700"
  basePath: /dynamic
`;
}

function persistentVolume(rng, fs, name) {
  return `apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${name}
spec:
  capacity:
    storage: 5Gi
  volumeMode: Filesystem
  accessModes:
    - ReadWriteMany
  persistentVolumeReclaimPolicy: Retain
  storageClassName: efs-static
  mountOptions:
    - tls${rng.chance(0.7) ? '\n    - iam' : ''}
  csi:
    driver: efs.csi.aws.com
    volumeHandle: ${fs.id}${rng.chance(0.3) ? `::fsap-${rng.hex(17)}` : ''}
`;
}

function serviceAccount(rng, role) {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${rng.chance(0.8) ? 'efs-csi-node-sa' : 'efs-csi-controller-sa'}
  namespace: kube-system
  labels:
    app.kubernetes.io/name: aws-efs-csi-driver
${rng.chance(0.5) ? `  annotations:\n    eks.amazonaws.com/role-arn: ${role.arn}\n` : ''}`;
}

function daemonSet(rng) {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: efs-csi-node
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: efs-csi-node
  template:
    metadata:
      labels:
        app: efs-csi-node
    spec:
      serviceAccountName: efs-csi-node-sa
      priorityClassName: system-node-critical
      containers:
        - name: efs-plugin
          image: public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v${rng.pick(['1.7.0', '2.1.4', '3.0.0'])}
          args: ["--endpoint=$(CSI_ENDPOINT)", "--logtostderr", "--v=2"]
          env:
            - name: CSI_NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
            - name: AWS_REGION
              value: us-east-1
          volumeMounts:
            - name: kubelet-dir
              mountPath: /var/lib/kubelet
              mountPropagation: Bidirectional
      volumes:
        - name: kubelet-dir
          hostPath:
            path: /var/lib/kubelet
            type: Directory
`;
}

function deployment(name) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: &labels
    app: ${name}
spec:
  replicas: 2
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels: *labels
    spec:
      containers:
        - name: app
          image: nginx:1.27
          volumeMounts:
            - name: data
              mountPath: /data
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: ${name}-data
`;
}

function kubernetesFile(rng, w, i) {
  // One to six documents per file, as kustomize bases and rendered charts have.
  const docs = [];
  const n = 1 + rng.int(rng.chance(0.3) ? 6 : 2);
  for (let d = 0; d < n; d++) {
    const fs = rng.pick(w.fileSystems);
    const k = rng.int(10);
    if (k < 3) docs.push(storageClass(rng, fs, `efs-sc-${i}-${d}`));
    else if (k < 5) docs.push(persistentVolume(rng, fs, `efs-pv-${i}-${d}`));
    else if (k < 7) docs.push(serviceAccount(rng, rng.pick(w.roles)));
    else if (k === 7) docs.push(daemonSet(rng));
    else docs.push(deployment(`app-${i}-${d}`));
  }
  return (rng.chance(0.2) ? '# Managed by the platform team.\n' : '') + docs.join('---\n');
}

function eksctlConfig(rng, w, i) {
  const role = rng.pick(w.roles);
  const podIdentity = rng.chance(0.6);
  return `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: cluster-${i}
  region: ${rng.pick(w.regions)}
  version: "1.31"
iam:
  withOIDC: true
${
  podIdentity
    ? `  podIdentityAssociations:
    - namespace: kube-system
      serviceAccountName: efs-csi-node-sa
      roleARN: ${role.arn}
`
    : `  serviceAccounts:
    - metadata:
        name: efs-csi-node-sa
        namespace: kube-system
      roleARN: ${role.arn}
`
}addons:
  - name: aws-efs-csi-driver
    version: v2.1.4-eksbuild.1
${
  podIdentity && rng.chance(0.5)
    ? `    podIdentityAssociations:
      - serviceAccountName: efs-csi-node-sa
        roleARN: ${role.arn}
`
    : ''
}managedNodeGroups:
  - name: ng-1
    instanceType: m6i.large
    desiredCapacity: 3
`;
}

function helmValues(rng, w) {
  const role = rng.pick(w.roles);
  return `# values for the aws-efs-csi-driver chart
image:
  repository: public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver
controller:
  serviceAccount:
    create: true
    name: efs-csi-controller-sa
node:
  serviceAccount:
    create: ${rng.chance(0.8)}
    name: ${rng.chance(0.8) ? 'efs-csi-node-sa' : 'efs-node'}
${rng.chance(0.6) ? `    annotations:\n      eks.amazonaws.com/role-arn: ${role.arn}\n` : ''}storageClasses:
  - name: efs-sc
    mountOptions:
      - tls
    parameters:
      provisioningMode: efs-ap
      fileSystemId: ${rng.pick(w.fileSystems).id}
`;
}

function cloudFormation(rng, w, i, asJson) {
  const fs = rng.pick(w.fileSystems);
  if (asJson) {
    return json({
      AWSTemplateFormatVersion: '2010-09-09',
      Parameters: { ClusterName: { Type: 'String', Default: `cluster-${i}` } },
      Resources: {
        NodeRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: trustPolicy(rng, rng.pick(w.roles)),
            Policies: [{ PolicyName: 'efs', PolicyDocument: identityPolicy(rng, w, fs) }],
          },
        },
        Association: {
          Type: 'AWS::EKS::PodIdentityAssociation',
          Properties: {
            ClusterName: { Ref: 'ClusterName' },
            Namespace: 'kube-system',
            ServiceAccount: 'efs-csi-node-sa',
            RoleArn: { 'Fn::GetAtt': ['NodeRole', 'Arn'] },
          },
        },
      },
    });
  }
  return `AWSTemplateFormatVersion: '2010-09-09'
Description: EFS CSI node identity for cluster-${i}
Parameters:
  ClusterName:
    Type: String
    Default: cluster-${i}
Resources:
  FileSystem:
    Type: AWS::EFS::FileSystem
    Properties:
      Encrypted: true
      FileSystemPolicy:
        Version: '2012-10-17'
        Statement:
          - Sid: NodeRole
            Effect: ${rng.chance(0.8) ? 'Allow' : 'Deny'}
            Principal:
              AWS: !GetAtt NodeRole.Arn
            Action:
              - elasticfilesystem:ClientMount
              - elasticfilesystem:ClientWrite
            Condition:
              Bool:
                elasticfilesystem:AccessedViaMountTarget: 'true'
          - Sid: DenyInsecureTransport
            Effect: Deny
            Principal: '*'
            Action: '*'
            Condition:
              Bool:
                aws:SecureTransport: 'false'
  NodeRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub efs-csi-node-\${ClusterName}
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              Service: pods.eks.amazonaws.com
            Action: [sts:AssumeRole, sts:TagSession]
  Association:
    Type: AWS::EKS::PodIdentityAssociation
    Properties:
      ClusterName: !Ref ClusterName
      Namespace: kube-system
      ServiceAccount: efs-csi-node-sa
      RoleArn: !GetAtt NodeRole.Arn
`;
}

function terraformPlan(rng, w, i) {
  const role = rng.pick(w.roles);
  const resource = (type, name, values) => ({
    address: `${type}.${name}`,
    mode: 'managed',
    type,
    name,
    provider_name: 'registry.terraform.io/hashicorp/aws',
    schema_version: 0,
    values,
    sensitive_values: {},
  });
  return json({
    format_version: '1.2',
    terraform_version: '1.9.8',
    planned_values: {
      root_module: {
        resources: [
          resource('aws_iam_role', 'efs_node', {
            name: role.name,
            assume_role_policy: JSON.stringify(trustPolicy(rng, role)),
            path: '/',
          }),
          resource('aws_eks_pod_identity_association', 'efs_node', {
            cluster_name: `cluster-${i}`,
            namespace: 'kube-system',
            service_account: 'efs-csi-node-sa',
          }),
        ],
      },
    },
  });
}

function terraformModule(rng, w, m) {
  const fs = rng.pick(w.fileSystems);
  const irsa = rng.chance(0.4);
  return [
    [
      'main.tf',
      `locals {
  cluster_name = "cluster-${m}"
  node_sa      = "efs-csi-node-sa"
}

# The dedicated identity of the EFS CSI node component.
resource "aws_iam_role" "efs_node" {
  name = "\${local.cluster_name}-efs-csi-node"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = ${irsa ? `{ Federated = "arn:aws:iam::${fs.account}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/${rng.hex(32).toUpperCase()}" }` : '{ Service = "pods.eks.amazonaws.com" }'}
        Action    = ${irsa ? '"sts:AssumeRoleWithWebIdentity"' : '["sts:AssumeRole", "sts:TagSession"]'}
      }
    ]
  })
}

resource "aws_eks_addon" "efs" {
  cluster_name  = local.cluster_name
  addon_name    = "aws-efs-csi-driver"
  addon_version = "v3.1.0-eksbuild.1"
${
  irsa
    ? ''
    : `
  pod_identity_association {
    role_arn        = aws_iam_role.efs_node.arn
    service_account = local.node_sa
  }
`
}}
`,
    ],
    [
      'efs.tf',
      `resource "aws_efs_file_system" "shared" {
  creation_token = "\${local.cluster_name}-shared"
  encrypted      = true
}

data "aws_iam_policy_document" "shared_fs" {
  statement {
    sid    = "EfsCsiNode"
    effect = "${rng.chance(0.8) ? 'Allow' : 'Deny'}"
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.efs_node.arn]
    }
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [aws_efs_file_system.shared.arn]
    condition {
      test     = "Bool"
      variable = "elasticfilesystem:AccessedViaMountTarget"
      values   = ["true"]
    }
  }
}

resource "aws_efs_file_system_policy" "shared" {
  file_system_id = aws_efs_file_system.shared.id
  policy         = data.aws_iam_policy_document.shared_fs.json
}
`,
    ],
    [
      'variables.tf',
      `variable "region" {
  type    = string
  default = "${rng.pick(w.regions)}"
}

variable "tags" {
  type    = map(string)
  default = {}
}
`,
    ],
  ];
}

function unrelated(rng, i) {
  const k = rng.int(6);
  if (k === 0)
    return [
      `package-${i}.json`,
      json({
        name: `svc-${i}`,
        version: '1.0.0',
        scripts: { build: 'tsc' },
        dependencies: { express: '^4.19.2' },
      }),
    ];
  if (k === 1) {
    return [
      `workflow-${i}.yml`,
      `name: ci\non:\n  push:\n    branches: [main]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n`,
    ];
  }
  if (k === 2)
    return [
      `compose-${i}.yaml`,
      `services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: example\n    ports: ["5432:5432"]\n`,
    ];
  if (k === 3)
    return [
      `dashboard-${i}.json`,
      json({
        title: `dash ${i}`,
        panels: Array.from({ length: 5 }, (_, p) => ({
          id: p,
          type: 'graph',
          targets: [{ expr: `rate(http_requests_total[5m])` }],
        })),
      }),
    ];
  if (k === 4) return [`README-${i}.md`, `# Service ${i}\n\nNothing for the checker here.\n`];
  return [`notes-${i}.txt`, `todo ${i}\n`];
}

import { stringify } from 'yaml';
import { HOSTILE_STRINGS, PROTOTYPE_KEYS, type Rng } from './kit';

/**
 * Grammar-based generators: documents with the shape each source looks for (so the source claims them and reads
 * deep), filled with values of the right and the wrong type. Test code only.
 */

const ACTIONS = [
  'elasticfilesystem:ClientMount',
  'elasticfilesystem:ClientWrite',
  'elasticfilesystem:ClientRootAccess',
  'elasticfilesystem:*',
  'sts:AssumeRole',
  'sts:TagSession',
  'sts:AssumeRoleWithWebIdentity',
  '*',
  's3files:ClientMount',
];
const ARNS = [
  'arn:aws:iam::111122223333:role/efs-csi-node',
  'arn:aws:iam::111122223333:root',
  'arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0a1b2c3d4e5f60718',
  'arn:aws:elasticfilesystem:eu-west-1:111122223333:access-point/fsap-0a1b2c3d4e5f60718',
  'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC',
  '*',
  'arn:aws:iam::*:role/*',
];
const CONDITION_OPERATORS = [
  'StringEquals',
  'StringLike',
  'ArnEquals',
  'ArnLike',
  'Bool',
  'StringEqualsIfExists',
  'ForAnyValue:StringEquals',
  'ForAllValues:StringLike',
  'Null',
  'NumericLessThan',
  'DateGreaterThan',
  'IpAddress',
  'StringNotEquals',
  'Unknown',
];
const CONDITION_KEYS = [
  'aws:PrincipalArn',
  'aws:SecureTransport',
  'elasticfilesystem:AccessPointArn',
  'elasticfilesystem:AccessedViaMountTarget',
  'aws:RequestTag/eks-cluster-name',
  'aws:PrincipalTag/kubernetes-namespace',
  'oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub',
  'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud',
  'sts:ExternalId',
  'aws:SourceAccount',
];

/** A value of any JSON type, sometimes hostile, sometimes deep. */
export function anyValue(rng: Rng, depth = 0): unknown {
  const r = rng.int(0, depth > 4 ? 6 : 9);
  switch (r) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 0.1]);
    case 3:
      return rng.pick(HOSTILE_STRINGS);
    case 4:
      return rng.pick(ARNS);
    case 5:
      return rng.pick(ACTIONS);
    case 6:
      return '';
    case 7:
      return Array.from({ length: rng.int(0, 4) }, () => anyValue(rng, depth + 1));
    default: {
      const obj: Record<string, unknown> = {};
      for (let k = rng.int(0, 4); k > 0; k--)
        defineKey(obj, rng.pick([...PROTOTYPE_KEYS, 'a', 'Ref', 'Fn::Sub', 'AWS']), anyValue(rng, depth + 1));
      return obj;
    }
  }
}

/** Sets a key as an own property, `__proto__` included (a plain assignment would set the prototype instead). */
function defineKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Usually `good()`, sometimes any other value: the wrong type in the right place. */
function maybe<T>(rng: Rng, good: () => T, p = 0.75): unknown {
  return rng.chance(p) ? good() : anyValue(rng);
}

function oneOrMany<T>(rng: Rng, item: () => T): unknown {
  return rng.chance(0.5) ? item() : Array.from({ length: rng.int(0, 4) }, item);
}

export function policyDocument(rng: Rng): unknown {
  const statement = () => {
    const s: Record<string, unknown> = {
      Sid: maybe(rng, () => `S${rng.int(0, 9)}`),
      Effect: maybe(rng, () => rng.pick(['Allow', 'Deny', 'allow', 'Maybe'])),
    };
    if (rng.chance(0.8))
      s[rng.chance(0.9) ? 'Principal' : 'NotPrincipal'] = maybe(rng, () =>
        rng.chance(0.2)
          ? '*'
          : {
              [rng.pick(['AWS', 'Service', 'Federated', 'CanonicalUser', '__proto__'])]: oneOrMany(rng, () =>
                rng.pick([...ARNS, 'pods.eks.amazonaws.com', '111122223333', 'AROAEXAMPLEID']),
              ),
            },
      );
    s[rng.chance(0.9) ? 'Action' : 'NotAction'] = maybe(rng, () => oneOrMany(rng, () => rng.pick(ACTIONS)));
    s[rng.chance(0.9) ? 'Resource' : 'NotResource'] = maybe(rng, () => oneOrMany(rng, () => rng.pick(ARNS)));
    if (rng.chance(0.6))
      s.Condition = maybe(rng, () =>
        Object.fromEntries(
          Array.from({ length: rng.int(1, 3) }, () => [
            rng.pick(CONDITION_OPERATORS),
            maybe(rng, () =>
              Object.fromEntries(
                Array.from({ length: rng.int(1, 3) }, () => [
                  rng.pick(CONDITION_KEYS),
                  oneOrMany(rng, () =>
                    rng.pick([
                      ...ARNS,
                      'true',
                      'false',
                      'system:serviceaccount:kube-system:efs-csi-node-sa',
                      '*',
                    ]),
                  ),
                ]),
              ),
            ),
          ]),
        ),
      );
    return s;
  };
  return {
    Version: maybe(rng, () => rng.pick(['2012-10-17', '2008-10-17', '2099-01-01'])),
    ...(rng.chance(0.3) ? { Id: anyValue(rng) } : {}),
    Statement: maybe(rng, () => oneOrMany(rng, statement), 0.9),
  };
}

const KINDS = [
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'ServiceAccount',
  'DaemonSet',
  'Deployment',
  'Pod',
  'Secret',
  'ConfigMap',
  'List',
  'ClusterConfig',
  'PodIdentityAssociation',
];

export function kubernetesObject(rng: Rng): unknown {
  const kind = rng.pick(KINDS);
  const metadata = maybe(rng, () => ({
    name: maybe(rng, () => rng.pick(['efs-csi-node', 'efs-csi-node-sa', 'efs-sc', 'data', 'x'.repeat(300)])),
    namespace: maybe(rng, () => rng.pick(['kube-system', 'default', ''])),
    annotations: maybe(rng, () => ({
      'eks.amazonaws.com/role-arn': maybe(rng, () => rng.pick(ARNS)),
      'efs-node-identity.io/ignore': maybe(rng, () => 'FS-02'),
    })),
    labels: anyValue(rng),
  }));
  const csi = () => ({
    driver: maybe(rng, () => rng.pick(['efs.csi.aws.com', 'ebs.csi.aws.com'])),
    volumeHandle: maybe(rng, () =>
      rng.pick([
        'fs-0a1b2c3d4e5f60718',
        'fs-0a1b2c3d4e5f60718::fsap-0a1b2c3d4e5f60718',
        'fs-x:/a:b:c',
        's3files:fs-1',
        '',
      ]),
    ),
    volumeAttributes: maybe(rng, () => ({ encryptInTransit: anyValue(rng), path: anyValue(rng) })),
  });
  const container = () => ({
    name: maybe(rng, () => rng.pick(['efs-plugin', 'csi-provisioner'])),
    image: maybe(rng, () => 'public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v3.0.0'),
    env: maybe(rng, () => oneOrMany(rng, () => ({ name: anyValue(rng), value: anyValue(rng) }))),
    args: anyValue(rng),
  });
  const podSpec = () => ({
    serviceAccountName: maybe(rng, () => 'efs-csi-node-sa'),
    containers: maybe(rng, () => oneOrMany(rng, container)),
    volumes: anyValue(rng),
  });
  const body: Record<string, unknown> = {
    apiVersion: maybe(rng, () =>
      rng.pick(['v1', 'apps/v1', 'storage.k8s.io/v1', 'eksctl.io/v1alpha5', 'v2', '']),
    ),
    kind: maybe(rng, () => kind, 0.95),
    metadata,
  };
  switch (kind) {
    case 'StorageClass':
      body.provisioner = maybe(rng, () => 'efs.csi.aws.com');
      body.mountOptions = maybe(rng, () =>
        oneOrMany(rng, () => rng.pick(['tls', 'iam', 'crossaccount', ''])),
      );
      body.parameters = maybe(rng, () => ({
        provisioningMode: anyValue(rng),
        fileSystemId: maybe(rng, () => 'fs-0a1b2c3d4e5f60718'),
        'csi.storage.k8s.io/provisioner-secret-name': anyValue(rng),
      }));
      break;
    case 'PersistentVolume':
      body.spec = maybe(rng, () => ({ csi: maybe(rng, csi), mountOptions: anyValue(rng) }));
      break;
    case 'DaemonSet':
    case 'Deployment':
      body.spec = maybe(rng, () => ({ template: maybe(rng, () => ({ spec: maybe(rng, podSpec) })) }));
      break;
    case 'Pod':
      body.spec = maybe(rng, podSpec);
      break;
    case 'List':
      body.items = maybe(rng, () => Array.from({ length: rng.int(0, 3) }, () => kubernetesObject(rng)));
      break;
    case 'ClusterConfig':
      body.metadata = maybe(rng, () => ({ name: anyValue(rng), region: maybe(rng, () => 'eu-west-1') }));
      body.iam = maybe(rng, () => ({
        withOIDC: anyValue(rng),
        podIdentityAssociations: maybe(rng, () =>
          oneOrMany(rng, () => ({
            namespace: maybe(rng, () => 'kube-system'),
            serviceAccountName: maybe(rng, () => 'efs-csi-node-sa'),
            roleARN: maybe(rng, () => rng.pick(ARNS)),
            wellKnownPolicies: anyValue(rng),
            permissionPolicy: maybe(rng, () => policyDocument(rng)),
          })),
        ),
        serviceAccounts: anyValue(rng),
      }));
      body.addons = maybe(rng, () =>
        oneOrMany(rng, () => ({
          name: maybe(rng, () => 'aws-efs-csi-driver'),
          version: anyValue(rng),
          podIdentityAssociations: anyValue(rng),
        })),
      );
      break;
    default:
      body.spec = anyValue(rng);
      body.data = anyValue(rng);
  }
  return body;
}

export function helmValues(rng: Rng): unknown {
  return {
    node: maybe(rng, () => ({
      serviceAccount: maybe(rng, () => ({
        create: anyValue(rng),
        name: maybe(rng, () => rng.pick(['efs-csi-node-sa', 'renamed', ''])),
        annotations: maybe(rng, () => ({ 'eks.amazonaws.com/role-arn': maybe(rng, () => rng.pick(ARNS)) })),
      })),
      env: anyValue(rng),
    })),
    controller: anyValue(rng),
    image: maybe(rng, () => ({ repository: anyValue(rng), tag: anyValue(rng) })),
    storageClasses: maybe(rng, () =>
      oneOrMany(rng, () => ({ name: anyValue(rng), mountOptions: anyValue(rng), parameters: anyValue(rng) })),
    ),
    ...(rng.chance(0.5) ? { 'aws-efs-csi-driver': anyValue(rng) } : {}),
  };
}

const INTRINSICS = [
  'Ref',
  'Fn::Sub',
  'Fn::Join',
  'Fn::GetAtt',
  'Fn::If',
  'Fn::Select',
  'Fn::Split',
  'Fn::ImportValue',
  'Fn::FindInMap',
  'Fn::Base64',
  'Fn::Equals',
  'Fn::Not',
  'Fn::And',
  'Fn::Or',
  'Fn::ToJsonString',
  'Fn::GetAZs',
  'Fn::Cidr',
  'Condition',
];

/** A CloudFormation intrinsic with arguments of the right and wrong arity and type, nested. */
export function intrinsic(rng: Rng, depth = 0): unknown {
  if (depth > 3 || rng.chance(0.3))
    return rng.pick(['NodeRole', 'AWS::AccountId', 'AWS::Partition', 'fs', ...ARNS]);
  const fn = rng.pick(INTRINSICS);
  const arg = () => intrinsic(rng, depth + 1);
  const args = rng.pick([
    () => arg(),
    () => [arg(), arg()],
    () => [arg(), arg(), arg()],
    () => [],
    () => ['${NodeRole.Arn}-${AWS::Region}-${!Literal}-${', { NodeRole: arg() }],
    () => [rng.pick([',', '', '/']), [arg(), arg()]],
    () => anyValue(rng),
  ])();
  return { [fn]: args };
}

export function cloudFormationTemplate(rng: Rng): unknown {
  const resources: Record<string, unknown> = {};
  const types = [
    'AWS::IAM::Role',
    'AWS::IAM::Policy',
    'AWS::IAM::ManagedPolicy',
    'AWS::EFS::FileSystem',
    'AWS::EFS::AccessPoint',
    'AWS::EKS::PodIdentityAssociation',
    'AWS::EKS::Addon',
    'AWS::EKS::Cluster',
    'AWS::IAM::OIDCProvider',
    'Custom::Thing',
    'AWS::CloudFormation::Stack',
  ];
  for (let k = rng.int(1, 5); k > 0; k--) {
    const name = rng.pick(['NodeRole', 'Fs', 'Assoc', 'Addon', 'Policy', '__proto__', 'constructor', 'X']);
    const value = () => (rng.chance(0.5) ? intrinsic(rng) : anyValue(rng));
    const res = {
      Type: maybe(rng, () => rng.pick(types), 0.9),
      Condition: rng.chance(0.2) ? anyValue(rng) : undefined,
      Metadata: rng.chance(0.3) ? { 'aws:cdk:path': maybe(rng, () => `Stack/${name}/Resource`) } : undefined,
      Properties: maybe(rng, () => ({
        RoleName: value(),
        AssumeRolePolicyDocument: maybe(rng, () => policyDocument(rng)),
        Policies: maybe(rng, () =>
          oneOrMany(rng, () => ({
            PolicyName: value(),
            PolicyDocument: maybe(rng, () => policyDocument(rng)),
          })),
        ),
        PolicyDocument: maybe(rng, () => policyDocument(rng)),
        FileSystemPolicy: maybe(rng, () => policyDocument(rng)),
        Roles: maybe(rng, () => oneOrMany(rng, value)),
        ManagedPolicyArns: maybe(rng, () => oneOrMany(rng, value)),
        ClusterName: value(),
        Namespace: value(),
        ServiceAccount: value(),
        RoleArn: value(),
        TargetRoleArn: rng.chance(0.3) ? value() : undefined,
        AddonName: value(),
        PodIdentityAssociations: maybe(rng, () =>
          oneOrMany(rng, () => ({ ServiceAccount: value(), RoleArn: value() })),
        ),
        Tags: anyValue(rng),
      })),
    };
    defineKey(resources, name, res);
  }
  return {
    AWSTemplateFormatVersion: maybe(rng, () => '2010-09-09'),
    ...(rng.chance(0.5)
      ? {
          Parameters: maybe(rng, () => ({
            ClusterName: { Type: 'String', Default: anyValue(rng) },
            __proto__x: anyValue(rng),
          })),
        }
      : {}),
    ...(rng.chance(0.3) ? { Conditions: { IsProd: intrinsic(rng) } } : {}),
    ...(rng.chance(0.3) ? { Mappings: anyValue(rng) } : {}),
    Resources: maybe(rng, () => resources, 0.9),
    ...(rng.chance(0.2) ? { Outputs: anyValue(rng) } : {}),
  };
}

/** The same template in YAML with short-form tags (`!Ref`, `!Sub`, `!GetAtt a.b`). */
export function cloudFormationYaml(rng: Rng): string {
  const tags = [
    '!Ref',
    '!Sub',
    '!GetAtt',
    '!Join',
    '!If',
    '!Select',
    '!Split',
    '!ImportValue',
    '!FindInMap',
    '!Base64',
    '!Equals',
    '!Not',
    '!GetAZs',
    '!Condition',
    '!Unknown',
  ];
  const scalar = () =>
    rng.pick([
      'NodeRole',
      'NodeRole.Arn',
      '${AWS::AccountId}',
      "''",
      '[]',
      '{}',
      '[a, b]',
      '[",", [a, b]]',
      '',
    ]);
  const lines = [
    "AWSTemplateFormatVersion: '2010-09-09'",
    'Resources:',
    '  NodeRole:',
    `    Type: ${rng.pick(['AWS::IAM::Role', 'AWS::EKS::PodIdentityAssociation', 'AWS::EFS::FileSystem', '!Ref X'])}`,
    '    Properties:',
  ];
  for (let k = rng.int(1, 6); k > 0; k--) {
    const key = rng.pick([
      'RoleName',
      'RoleArn',
      'ClusterName',
      'Namespace',
      'ServiceAccount',
      'FileSystemPolicy',
      'AssumeRolePolicyDocument',
      '__proto__',
    ]);
    const tag = rng.pick(tags);
    const nested = rng.chance(0.3) ? ` ${rng.pick(tags)}` : '';
    lines.push(`      ${key}: ${tag}${nested} ${scalar()}`);
  }
  return lines.join('\n') + '\n';
}

export function terraformPlan(rng: Rng): unknown {
  const resource = () => ({
    address: maybe(rng, () =>
      rng.pick([
        'aws_iam_role.node',
        'aws_efs_file_system_policy.p',
        'module.m.aws_eks_pod_identity_association.a[0]',
        'aws_eks_addon.efs["x"]',
      ]),
    ),
    mode: maybe(rng, () => rng.pick(['managed', 'data'])),
    type: maybe(rng, () =>
      rng.pick([
        'aws_iam_role',
        'aws_iam_role_policy',
        'aws_iam_policy',
        'aws_iam_role_policy_attachment',
        'aws_efs_file_system',
        'aws_efs_file_system_policy',
        'aws_efs_access_point',
        'aws_eks_pod_identity_association',
        'aws_eks_addon',
        'aws_iam_openid_connect_provider',
        'kubernetes_service_account',
        'helm_release',
      ]),
    ),
    name: anyValue(rng),
    index: rng.chance(0.3) ? anyValue(rng) : undefined,
    values: maybe(rng, () => ({
      name: anyValue(rng),
      arn: maybe(rng, () => rng.pick(ARNS)),
      role: anyValue(rng),
      role_arn: maybe(rng, () => rng.pick(ARNS)),
      policy: maybe(rng, () => JSON.stringify(policyDocument(rng))),
      assume_role_policy: maybe(rng, () => JSON.stringify(policyDocument(rng))),
      file_system_id: anyValue(rng),
      cluster_name: anyValue(rng),
      namespace: anyValue(rng),
      service_account: anyValue(rng),
      pod_identity_association: anyValue(rng),
      values: maybe(rng, () => [stringify(helmValues(rng))]),
      metadata: anyValue(rng),
    })),
  });
  const module = (depth: number): unknown => ({
    resources: maybe(rng, () => Array.from({ length: rng.int(0, 4) }, resource)),
    child_modules:
      depth < 3
        ? maybe(rng, () => Array.from({ length: rng.int(0, 2) }, () => module(depth + 1)), 0.5)
        : undefined,
    address: rng.chance(0.5) ? anyValue(rng) : undefined,
  });
  return {
    format_version: maybe(rng, () => rng.pick(['1.2', '0.1', '9.9'])),
    terraform_version: maybe(rng, () => '1.9.0'),
    planned_values: maybe(rng, () => ({ root_module: maybe(rng, () => module(0)) })),
    ...(rng.chance(0.5) ? { resource_changes: anyValue(rng) } : {}),
    ...(rng.chance(0.5) ? { configuration: anyValue(rng) } : {}),
    ...(rng.chance(0.3) ? { prior_state: { values: { root_module: module(0) } } } : {}),
  };
}

/** A document of one of the grammars, as JSON or YAML text. */
export function grammarDocument(rng: Rng): { text: string; ext: string; how: string } {
  const which = rng.int(0, 6);
  const asYaml = rng.chance(0.5);
  const render = (value: unknown): string => {
    if (!asYaml) return JSON.stringify(value, null, rng.chance(0.5) ? 2 : undefined);
    try {
      return stringify(value, { aliasDuplicateObjects: false });
    } catch {
      return JSON.stringify(value);
    }
  };
  switch (which) {
    case 0:
      return {
        text: render(policyDocument(rng)),
        ext: asYaml ? '.yaml' : '.json',
        how: 'grammar: IAM policy',
      };
    case 1: {
      const docs = Array.from({ length: rng.int(1, 5) }, () => kubernetesObject(rng));
      const text = docs
        .map((d) => {
          try {
            return stringify(d, { aliasDuplicateObjects: false });
          } catch {
            return JSON.stringify(d);
          }
        })
        .join(rng.pick(['---\n', '--- \n', '---\n---\n', '...\n---\n']));
      return { text, ext: '.yaml', how: `grammar: ${docs.length} Kubernetes documents` };
    }
    case 2:
      return { text: render(helmValues(rng)), ext: '.yaml', how: 'grammar: Helm values' };
    case 3:
      return {
        text: render(cloudFormationTemplate(rng)),
        ext: asYaml ? '.yaml' : '.json',
        how: 'grammar: CloudFormation',
      };
    case 4:
      return { text: cloudFormationYaml(rng), ext: '.yaml', how: 'grammar: CloudFormation short-form tags' };
    case 5:
      return { text: JSON.stringify(terraformPlan(rng)), ext: '.json', how: 'grammar: Terraform plan' };
    default:
      return {
        text: render(kubernetesObject(rng)),
        ext: asYaml ? '.yaml' : '.json',
        how: 'grammar: Kubernetes object',
      };
  }
}

const HCL_TYPES = [
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_policy',
  'aws_iam_role_policy_attachment',
  'aws_efs_file_system_policy',
  'aws_efs_file_system',
  'aws_eks_pod_identity_association',
  'aws_eks_addon',
  'aws_iam_policy_document',
  'kubernetes_service_account',
  'helm_release',
];

/** An HCL expression: literals, references, function calls, templates, for-expressions, conditionals. */
export function hclExpression(rng: Rng, depth = 0): string {
  if (depth > 4) return rng.pick(['"x"', '1', 'true', 'null', 'var.x', 'local.y']);
  const e = () => hclExpression(rng, depth + 1);
  switch (rng.int(0, 16)) {
    case 0:
      return JSON.stringify(rng.pick(HOSTILE_STRINGS));
    case 1:
      return rng.pick(['1', '-1', '1e999', '0.5', '9007199254740993', 'true', 'null']);
    case 2:
      return rng.pick([
        'var.x',
        'local.y',
        'aws_iam_role.node.arn',
        'aws_iam_role.node[0].name',
        'data.aws_iam_policy_document.d.json',
        'each.value',
        'each.key',
        'count.index',
        'module.m.out',
        'self.x',
        'path.module',
        'var.x.y.z[*].w',
      ]);
    case 3:
      return `jsonencode(${e()})`;
    case 4:
      return `${rng.pick(['format', 'join', 'concat', 'merge', 'lookup', 'element', 'length', 'tolist', 'toset', 'replace', 'coalesce', 'try', 'can', 'file', 'templatefile', 'jsondecode', 'yamldecode', 'unknownfn'])}(${Array.from({ length: rng.int(0, 3) }, e).join(', ')})`;
    case 5:
      return `[${Array.from({ length: rng.int(0, 3) }, e).join(', ')}]`;
    case 6:
      return `{ ${Array.from({ length: rng.int(0, 3) }, () => `${rng.pick(['a', 'Effect', 'Statement', '"__proto__"', 'constructor', '"k"'])} = ${e()}`).join(', ')} }`;
    case 7:
      return `"\${${e()}}-${rng.pick(['x', '%{ if true }a%{ endif }', '$${lit}', '\\n', '\\u0000'])}"`;
    case 8:
      return `[for ${rng.pick(['x', 'k, v'])} in ${e()} : ${e()}${rng.chance(0.3) ? ` if ${e()}` : ''}]`;
    case 9:
      return `{for k, v in ${e()} : k => ${e()}${rng.chance(0.3) ? '...' : ''}}`;
    case 10:
      return `${e()} ? ${e()} : ${e()}`;
    case 11:
      return `<<-EOT\n  ${rng.pick(['{"Version": "2012-10-17"}', '${var.x}', '%{ for x in y }${x}%{ endfor }', 'plain'])}\n  EOT`;
    case 12:
      return `${e()}${rng.pick([' + ', ' == ', ' && ', ' % ', ' / '])}${e()}`;
    case 13:
      return `!${e()}`;
    case 14:
      return `(${e()})`;
    case 15:
      return `${e()}[${e()}]`;
    default:
      return `${e()}.*`;
  }
}

/** A Terraform module of resources, data sources, locals and variables built from the grammar. */
export function hclModule(rng: Rng): string {
  const blocks: string[] = [];
  for (let k = rng.int(1, 5); k > 0; k--) {
    const attr = () =>
      `  ${rng.pick(['name', 'role', 'policy', 'assume_role_policy', 'file_system_id', 'cluster_name', 'namespace', 'service_account', 'role_arn', 'for_each', 'count', 'policy_arn', 'values', 'set', '__proto__'])} = ${hclExpression(rng)}`;
    switch (rng.int(0, 4)) {
      case 0:
      case 1:
        blocks.push(
          `resource "${rng.pick(HCL_TYPES)}" "${rng.pick(['node', 'p', 'a', 'x'])}" {\n${Array.from({ length: rng.int(0, 5) }, attr).join('\n')}\n${rng.chance(0.3) ? '  dynamic "statement" {\n    for_each = var.x\n    content { actions = statement.value }\n  }\n' : ''}}`,
        );
        break;
      case 2:
        blocks.push(
          `data "aws_iam_policy_document" "d" {\n  statement {\n    effect = ${hclExpression(rng)}\n    actions = ${hclExpression(rng)}\n    principals {\n      type = ${hclExpression(rng)}\n      identifiers = ${hclExpression(rng)}\n    }\n    condition {\n      test = ${hclExpression(rng)}\n      variable = ${hclExpression(rng)}\n      values = ${hclExpression(rng)}\n    }\n  }\n}`,
        );
        break;
      case 3:
        blocks.push(`locals {\n  y = ${hclExpression(rng)}\n  z = ${hclExpression(rng)}\n}`);
        break;
      default:
        blocks.push(`variable "x" {\n  default = ${hclExpression(rng)}\n}`);
    }
  }
  return blocks.join('\n\n') + '\n';
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileOrigin } from '../model/origin';
import type { Snapshot } from '../model/snapshot';
import { isUnknown, type Unknown } from '../model/unknown';
import { readTerraformModule } from './terraform-hcl';
import type { SourceFile } from './types';

const FIXTURES = join(__dirname, '__fixtures__', 'terraform');

/** The `.tf` files of a fixture directory, named as the loader would (relative to a scanned root). */
function module(dir: string): SourceFile[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.tf'))
    .sort()
    .map((f) => ({ file: `infra/${dir}/${f}`, text: readFileSync(join(FIXTURES, dir, f), 'utf8') }));
}

const line = (origin: unknown) => (origin as FileOrigin).line;
const file = (origin: unknown) => (origin as FileOrigin).file;
const expression = (value: unknown) => {
  expect(isUnknown(value)).toBe(true);
  return (value as Unknown).expression;
};

/** One inline module from `name → text`. */
const inline = (files: Record<string, string>) =>
  readTerraformModule(Object.entries(files).map(([name, text]) => ({ file: `m/${name}`, text })));

describe('readTerraformModule: Pod Identity module split across files', () => {
  let snapshot: Snapshot;
  beforeAll(async () => {
    snapshot = await readTerraformModule(module('pod-identity'));
  });

  it('marks the snapshot as static input and reports no notices', () => {
    expect(snapshot.inputs).toEqual(['S']);
    expect(snapshot.notices).toEqual([]);
  });

  it('reads the role with a name built from a local in another file and an ARN from the provider account', () => {
    expect(snapshot.roles).toHaveLength(1);
    const role = snapshot.roles[0];
    expect(role.id).toBe('tf:infra/pod-identity:aws_iam_role.efs_node');
    expect(role.name).toBe('prod-efs-csi-node');
    expect(role.arn).toBe('arn:aws:iam::111122223333:role/prod-efs-csi-node');
    expect(role.accountId).toBe('111122223333');
    expect(role.tags).toEqual({ team: 'storage' });
    expect(role.origin).toEqual({
      kind: 'file',
      file: 'infra/pod-identity/main.tf',
      line: 7,
      path: 'aws_iam_role.efs_node',
    });
  });

  it('reads a jsonencode trust policy with the line of its statement and the size of the rendered JSON', () => {
    const trust = snapshot.roles[0].trustPolicy!;
    expect(trust.problems).toEqual([]);
    expect(trust.statements).toHaveLength(1);
    const [statement] = trust.statements;
    expect(statement.sid).toBe('AllowEksAuthToAssumeRoleForPodIdentity');
    expect(statement.principal).toEqual({ Service: ['pods.eks.amazonaws.com'] });
    expect(statement.action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(line(statement.origin)).toBe(12);
    // jsonencode writes minified JSON with sorted keys
    expect(trust.size).toBe(
      JSON.stringify({
        Statement: [
          {
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Sid: 'AllowEksAuthToAssumeRoleForPodIdentity',
          },
        ],
        Version: '2012-10-17',
      }).length,
    );
  });

  it('attaches a customer policy from an aws_iam_policy_document of the module and keeps AWS-managed ones by ARN', () => {
    const [customer, utils] = snapshot.roles[0].managedPolicies;
    expect(customer.arn).toBe('arn:aws:iam::111122223333:policy/prod-efs-client');
    expect(customer.name).toBe('prod-efs-client');
    const statement = customer.document!.statements[0];
    expect(statement.sid).toBe('EfsClient');
    expect(statement.action).toEqual(['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']);
    expect(expression(statement.resource![0])).toBe('aws_efs_file_system.shared.arn (known after apply)');
    expect(statement.conditions).toEqual([
      { operator: 'Bool', key: 'elasticfilesystem:AccessedViaMountTarget', values: ['true'] },
    ]);
    expect(file(statement.origin)).toBe('infra/pod-identity/iam.tf');
    expect(line(statement.origin)).toBe(2);
    expect(utils).toEqual({
      arn: 'arn:aws:iam::aws:policy/AmazonElasticFileSystemsUtils',
      name: 'AmazonElasticFileSystemsUtils',
    });
  });

  it('turns the add-on pod_identity_association block into an add-on owned association linked to the role', () => {
    expect(snapshot.addons).toHaveLength(1);
    const addon = snapshot.addons[0];
    expect(addon).toMatchObject({
      cluster: 'prod',
      name: 'aws-efs-csi-driver',
      version: 'v3.1.0-eksbuild.1',
    });
    expect(addon.podIdentityAssociations).toEqual([
      {
        serviceAccount: 'efs-csi-node-sa',
        roleArn: 'arn:aws:iam::111122223333:role/prod-efs-csi-node',
        roleId: 'tf:infra/pod-identity:aws_iam_role.efs_node',
      },
    ]);
    expect(snapshot.podIdentityAssociations).toHaveLength(1);
    const association = snapshot.podIdentityAssociations[0];
    expect(association).toMatchObject({
      cluster: 'prod',
      namespace: 'kube-system',
      serviceAccount: 'efs-csi-node-sa',
      ownerAddon: 'aws-efs-csi-driver',
      roleId: 'tf:infra/pod-identity:aws_iam_role.efs_node',
    });
    expect(line(association.origin)).toBe(31);
  });

  it('puts the file system policy on the file system it references, whose id is known only after apply', () => {
    expect(snapshot.fileSystems).toHaveLength(1);
    const fs = snapshot.fileSystems[0];
    expect(expression(fs.id)).toBe('aws_efs_file_system.shared.id (known after apply)');
    expect(fs.region).toBe('eu-west-1');
    expect(line(fs.origin)).toBe(1);
    const statement = fs.policy!.statements[0];
    expect(statement.sid).toBe('EfsCsiNode-prod');
    expect(statement.principal).toEqual({ AWS: ['arn:aws:iam::111122223333:role/prod-efs-csi-node'] });
    expect(line(statement.origin)).toBe(7);
    // the Resource is unknown, so the rendered length is too
    expect(fs.policy!.size).toBeUndefined();
  });

  it('reads a StorageClass with the lines of its mount options and an unknown fileSystemId', () => {
    const [sc] = snapshot.storageClasses;
    expect(sc.name).toBe('efs-sc');
    expect(sc.provisioner).toBe('efs.csi.aws.com');
    expect(sc.mountOptions).toEqual(['tls', 'iam']);
    expect(sc.mountOptionOrigins!.map(line)).toEqual([40, 40]);
    expect(sc.parameters.provisioningMode).toBe('efs-ap');
    expect(expression(sc.parameters.fileSystemId)).toBe('aws_efs_file_system.shared.id (known after apply)');
    expect(line(sc.parameterOrigins!.fileSystemId)).toBe(43);
  });
});

describe('readTerraformModule: IRSA module', () => {
  let snapshot: Snapshot;
  beforeAll(async () => {
    snapshot = await readTerraformModule(module('irsa'));
  });

  it('resolves a StringEquals sub condition whose key is built from a local over the OIDC provider URL', () => {
    const trust = snapshot.roles[0].trustPolicy!;
    const [statement] = trust.statements;
    expect(statement.action).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(statement.conditions).toEqual([
      {
        operator: 'StringEquals',
        key: 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub',
        values: ['system:serviceaccount:kube-system:efs-csi-node-sa'],
      },
      {
        operator: 'StringEquals',
        key: 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud',
        values: ['sts.amazonaws.com'],
      },
    ]);
    expect(line(statement.origin)).toBe(16);
  });

  it('keeps ARNs that depend on the unknown account as unknowns, not guesses', () => {
    const role = snapshot.roles[0];
    expect(role.name).toBe('efs-csi-node-irsa');
    expect(expression(role.arn)).toBe('aws_iam_role.node.arn (known after apply)');
    const federated = role.trustPolicy!.statements[0].principal!.Federated!;
    expect(expression(federated[0])).toBe('aws_iam_openid_connect_provider.eks.arn (known after apply)');
    expect(expression(snapshot.oidcProviders[0].arn)).toBe(
      'aws_iam_openid_connect_provider.eks.arn (known after apply)',
    );
    expect(snapshot.oidcProviders[0]).toMatchObject({
      url: 'https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
      clientIds: ['sts.amazonaws.com'],
    });
  });

  it('reads an indented heredoc policy on the role it names, with statement lines inside the heredoc', () => {
    const [inlinePolicy] = snapshot.roles[0].inlinePolicies;
    expect(inlinePolicy.name).toBe('efs-client');
    const statement = inlinePolicy.document!.statements[0];
    expect(statement.sid).toBe('Mount');
    expect(line(statement.origin)).toBe(51);
    // the account interpolated into the ARN is unknown: the Resource stays a readable unknown
    expect(expression(statement.resource![0])).toBe(
      'arn:aws:elasticfilesystem:us-east-1:${data.aws_caller_identity.current.account_id (read from AWS when Terraform runs)}:file-system/fs-0123456789abcdef0',
    );
    expect(inlinePolicy.document!.problems).toEqual([]);
  });

  it('reads the IRSA annotation of a kubernetes_service_account_v1 as unknown, with its line', () => {
    const [sa] = snapshot.serviceAccounts;
    expect(sa).toMatchObject({ namespace: 'kube-system', name: 'efs-csi-node-sa' });
    expect(expression(sa.annotations['eks.amazonaws.com/role-arn'])).toBe(
      'aws_iam_role.node.arn (known after apply)',
    );
    expect(line(sa.annotationOrigins!['eks.amazonaws.com/role-arn'])).toBe(6);
  });

  it('reads the helm_release node SA name from a set block that references the ServiceAccount resource', () => {
    // node.serviceAccount.create = false: the chart creates no ServiceAccount of its own
    expect(snapshot.serviceAccounts).toHaveLength(1);
    expect(snapshot.daemonSets).toHaveLength(1);
    const [ds] = snapshot.daemonSets;
    expect(ds).toMatchObject({
      namespace: 'kube-system',
      name: 'efs-csi-node',
      serviceAccountName: 'efs-csi-node-sa',
      containers: [{ name: 'efs-plugin', env: {} }],
    });
    expect(line(ds.serviceAccountOrigin)).toBe(22);
  });

  it('reads a PersistentVolume with its volume handle, attributes and mount options', () => {
    const [pv] = snapshot.persistentVolumes;
    expect(pv).toMatchObject({
      name: 'efs-shared',
      driver: 'efs.csi.aws.com',
      volumeHandle: 'fs-0123456789abcdef0::fsap-0123456789abcdef0',
      volumeAttributes: { encryptInTransit: 'true' },
      mountOptions: ['tls', 'iam'],
      accessModes: ['ReadWriteMany'],
    });
    expect(line(pv.volumeHandleOrigin)).toBe(42);
  });
});

describe('readTerraformModule: values that cannot be known statically', () => {
  let snapshot: Snapshot;
  beforeAll(async () => {
    snapshot = await readTerraformModule(module('variables'));
  });

  it('leaves var.* unknown, naming the variable and its default', () => {
    const [association] = snapshot.podIdentityAssociations;
    expect(expression(association.cluster)).toBe('var.cluster_name (default "dev")');
    expect(expression(association.roleArn)).toBe('var.node_role_arn');
    expect(association.roleId).toBeUndefined();
    expect(association.serviceAccount).toBe('efs-csi-node-sa');
    expect(line(association.origin)).toBe(29);
  });

  it('reads a role with an unknown count once, its name_prefix name unknown and a module output unknown', () => {
    expect(snapshot.roles).toHaveLength(1);
    const role = snapshot.roles[0];
    expect(role.id).toBe('tf:infra/variables:aws_iam_role.efs_node');
    expect(expression(role.name)).toBe(
      'aws_iam_role.efs_node.name (name_prefix "efs-node-", known after apply)',
    );
    const condition = role.trustPolicy!.statements[0].conditions[0];
    expect(condition.key).toBe('aws:RequestTag/eks-cluster-name');
    expect(expression(condition.values[0])).toBe('module.eks.cluster_name');
  });

  it('turns a dynamic statement block into an unknown statement and creates the file system from its policy', () => {
    expect(snapshot.fileSystems).toHaveLength(1);
    const fs = snapshot.fileSystems[0];
    expect(expression(fs.id)).toBe('var.file_system_id');
    const [deny, dynamic] = fs.policy!.statements;
    expect(deny).toMatchObject({ sid: 'DenyInsecureTransport', effect: 'Deny', principal: { AWS: ['*'] } });
    expect(line(deny.origin)).toBe(55);
    expect(dynamic.unknownParts).toEqual(['dynamic "statement" block']);
    expect(line(dynamic.origin)).toBe(70);
  });
});

describe('readTerraformModule: parse errors', () => {
  it('reports a file with a syntax error with its line and still reads the other files', async () => {
    const snapshot = await readTerraformModule(module('syntax-error'));
    expect(snapshot.notices).toEqual([
      expect.objectContaining({ kind: 'parse-error', file: 'infra/syntax-error/broken.tf', line: 6 }),
    ]);
    expect(snapshot.notices[0].message).toMatch(/expression/i);
    expect(snapshot.roles).toEqual([]);
    expect(snapshot.serviceAccounts).toMatchObject([{ name: 'efs-csi-node-sa', namespace: 'kube-system' }]);
  });

  it('never throws on input that is not HCL at all', async () => {
    const snapshot = await inline({ 'a.tf': '{{{ ]]] "', 'b.tf': '\u0000\u0001 resource' });
    expect(snapshot.notices.map((n) => n.kind)).toEqual(['parse-error', 'parse-error']);
  });

  it('returns an empty static snapshot for no files', async () => {
    expect(await readTerraformModule([])).toMatchObject({ inputs: ['S'], roles: [], notices: [] });
  });
});

describe('readTerraformModule: expressions', () => {
  it('reads a flush heredoc, inline_policy blocks and managed_policy_arns of the role', async () => {
    const snapshot = await inline({
      'main.tf': `resource "aws_iam_role" "node" {
  name = "node"
  assume_role_policy = <<EOF
{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}
]}
EOF
  managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonElasticFileSystemClientFullAccess"]
  inline_policy {
    name   = "mount"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "elasticfilesystem:ClientMount", Resource = "*" }] })
  }
}
`,
    });
    const role = snapshot.roles[0];
    expect(role.trustPolicy!.statements[0].principal).toEqual({ Service: ['pods.eks.amazonaws.com'] });
    expect(line(role.trustPolicy!.statements[0].origin)).toBe(5);
    expect(role.trustPolicy!.size).toBe(
      '{"Version": "2012-10-17", "Statement": [\n  {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}\n]}\n'
        .length,
    );
    expect(role.managedPolicies).toEqual([
      {
        arn: 'arn:aws:iam::aws:policy/AmazonElasticFileSystemClientFullAccess',
        name: 'AmazonElasticFileSystemClientFullAccess',
      },
    ]);
    expect(role.inlinePolicies[0].name).toBe('mount');
    expect(role.inlinePolicies[0].document!.statements[0].resource).toEqual(['*']);
    expect(line(role.inlinePolicies[0].document!.statements[0].origin)).toBe(11);
  });

  it('reports a policy string that is not JSON as a problem of the document', async () => {
    const snapshot = await inline({
      'main.tf': `resource "aws_efs_file_system_policy" "fs" {
  file_system_id = "fs-0123456789abcdef0"
  policy = "{not json"
}
`,
    });
    const fs = snapshot.fileSystems[0];
    expect(fs.id).toBe('fs-0123456789abcdef0');
    expect(fs.policy!.problems[0]).toMatch(/not valid JSON/);
  });

  it('evaluates escapes, conditionals on known values, for expressions, count and for_each instances', async () => {
    const snapshot = await inline({
      'locals.tf': `locals {
  enabled = true
  sas     = ["efs-csi-node-sa", "efs-csi-controller-sa"]
  upper   = [for s in local.sas : upper(s) if s != "efs-csi-controller-sa"]
  quoted  = "a \\"b\\" $\${c}"
}
`,
      'main.tf': `resource "kubernetes_service_account_v1" "sa" {
  for_each = toset(local.sas)
  metadata {
    name      = each.key
    namespace = local.enabled ? "kube-system" : "default"
    annotations = {
      note  = local.quoted
      upper = join(",", local.upper)
    }
  }
}

resource "aws_eks_pod_identity_association" "a" {
  count           = 2
  cluster_name    = format("c-%d", count.index)
  namespace       = "kube-system"
  service_account = local.sas[count.index]
  role_arn        = "arn:aws:iam::111122223333:role/x"
}
`,
    });
    expect(snapshot.serviceAccounts.map((s) => [s.namespace, s.name])).toEqual([
      ['kube-system', 'efs-csi-node-sa'],
      ['kube-system', 'efs-csi-controller-sa'],
    ]);
    expect(snapshot.serviceAccounts[0].annotations).toEqual({ note: 'a "b" ${c}', upper: 'EFS-CSI-NODE-SA' });
    expect(snapshot.podIdentityAssociations.map((a) => [a.cluster, a.serviceAccount])).toEqual([
      ['c-0', 'efs-csi-node-sa'],
      ['c-1', 'efs-csi-controller-sa'],
    ]);
  });

  it('links an association to a role of the module by a literal ARN when no reference says so', async () => {
    const snapshot = await inline({
      'main.tf': `resource "aws_iam_role" "node" {
  name               = "efs-node"
  assume_role_policy = "{}"
}
resource "aws_eks_pod_identity_association" "a" {
  cluster_name    = "c"
  namespace       = "kube-system"
  service_account = "efs-csi-node-sa"
  role_arn        = "arn:aws:iam::111122223333:role/efs-node"
}
`,
    });
    expect(snapshot.podIdentityAssociations[0].roleId).toBe('tf:m:aws_iam_role.node');
  });

  it('keeps functions it does not implement and template directives unknown', async () => {
    const snapshot = await inline({
      'main.tf': `resource "kubernetes_service_account_v1" "sa" {
  metadata {
    name      = templatefile("name.tpl", {})
    namespace = "%{ if true }kube-system%{ endif }"
  }
}
`,
    });
    const [sa] = snapshot.serviceAccounts;
    expect(expression(sa.name)).toBe('templatefile("name.tpl", {})');
    expect(expression(sa.namespace)).toBe('"%{ if true }kube-system%{ endif }"');
  });

  it('puts an inline role policy whose role is not in the module into the loose policies', async () => {
    const snapshot = await inline({
      'main.tf': `resource "aws_iam_role_policy" "p" {
  role   = var.role_name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "elasticfilesystem:ClientMount", Resource = "*" }] })
}
`,
    });
    expect(snapshot.loosePolicies).toHaveLength(1);
    expect(snapshot.loosePolicies[0].kind).toBe('identity');
  });
});

// Found by the fuzz campaign (src/sources/fuzz-terraform.test.ts, FUZZ_SEED=2782800395 and 381054786): a deeply nested
// expression overflowed the stack while the syntax tree was copied ("could not parse HCL: RangeError: Maximum call
// stack size exceeded") and in HCL's own parser, and the runtime error reached the user.
describe('readTerraformModule: hostile nesting', () => {
  it.each([
    ['objects', 'locals {\n  y = ' + '{ a = '.repeat(4000) + '1' + ' }'.repeat(4000) + '\n}\n'],
    ['tuples, unclosed', 'locals {\n  y = ' + '['.repeat(5000) + '\n}\n'],
    [
      'jsonencode of objects',
      'locals {\n  y = jsonencode(' + '{"a":'.repeat(3600) + '1' + '}'.repeat(3600) + ')\n}\n',
    ],
  ])('deep %s: a parse error naming the file, the good file beside it still read', async (_label, text) => {
    const good = {
      file: 'infra/good.tf',
      text: 'resource "aws_iam_role" "node" {\n  name = "good-node"\n  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [] })\n}\n',
    };
    const snapshot = await readTerraformModule([{ file: 'infra/deep.tf', text }, good]);
    const notices = snapshot.notices.filter((n) => n.file === 'infra/deep.tf');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toMatch(/too deep|deeper than/);
    expect(notices[0]!.message).not.toMatch(/Maximum call stack|RangeError/);
    expect(snapshot.roles.map((r) => r.name)).toContain('good-node');
  });
});

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FileOrigin } from '../model/origin';
import type { Snapshot } from '../model/snapshot';
import { isUnknown, type Maybe } from '../model/unknown';
import { parseLocatedJson, parseLocatedYaml } from '../util/located';
import { cloudFormationSource, cloudFormationTag } from './cloudformation';
import type { ParsedFile } from './types';

const FIXTURES = path.join(__dirname, '__fixtures__', 'cloudformation');

/** Parses a fixture the way the loader does: JSON strictly, YAML with the CloudFormation tag hook. */
function parsed(relative: string): ParsedFile {
  const text = readFileSync(path.join(FIXTURES, relative), 'utf8');
  const file = `infra/${relative}`;
  if (relative.endsWith('.json')) {
    return { file, text, format: 'json', documents: [parseLocatedJson(text, { onTag: cloudFormationTag })] };
  }
  return { file, text, format: 'yaml', documents: parseLocatedYaml(text, { onTag: cloudFormationTag }) };
}

function read(relative: string): Snapshot {
  const file = parsed(relative);
  expect(file.documents.every((d) => cloudFormationSource.claims(d, file))).toBe(true);
  return cloudFormationSource.read(file.documents, file);
}

/** The line in a fixture of the first line containing `needle` (1-based). */
function lineOf(relative: string, needle: string, from = 1): number {
  const lines = readFileSync(path.join(FIXTURES, relative), 'utf8').split('\n');
  const index = lines.findIndex((l, i) => i >= from - 1 && l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in ${relative}`);
  return index + 1;
}

function expression(value: Maybe<unknown> | undefined): string {
  if (!isUnknown(value)) throw new Error(`expected an unknown, got ${JSON.stringify(value)}`);
  return value.expression;
}

describe('cloudFormationTag', () => {
  it('turns short forms into the long forms of a JSON template', () => {
    expect(cloudFormationTag('!Ref', 'NodeRole')).toEqual({ Ref: 'NodeRole' });
    expect(cloudFormationTag('!GetAtt', 'NodeRole.Arn')).toEqual({ 'Fn::GetAtt': ['NodeRole', 'Arn'] });
    expect(cloudFormationTag('!GetAtt', ['NodeRole', 'Arn'])).toEqual({ 'Fn::GetAtt': ['NodeRole', 'Arn'] });
    expect(cloudFormationTag('!Sub', 'arn:${AWS::Partition}:x')).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:x',
    });
    expect(cloudFormationTag('!If', ['C', 'a', 'b'])).toEqual({ 'Fn::If': ['C', 'a', 'b'] });
    expect(cloudFormationTag('!Condition', 'C')).toEqual({ Condition: 'C' });
    for (const name of [
      'Join',
      'Select',
      'Split',
      'Equals',
      'FindInMap',
      'ImportValue',
      'GetAZs',
      'Base64',
      'Cidr',
      'Not',
      'And',
      'Or',
    ]) {
      expect(cloudFormationTag(`!${name}`, 'x')).toEqual({ [`Fn::${name}`]: 'x' });
    }
  });

  it('keeps the attribute path after the first dot of a GetAtt short form', () => {
    expect(cloudFormationTag('!GetAtt', 'Db.Endpoint.Address')).toEqual({
      'Fn::GetAtt': ['Db', 'Endpoint.Address'],
    });
  });

  it('returns the plain value for any other tag', () => {
    expect(cloudFormationTag('!Vault', 'secret/path')).toBe('secret/path');
    expect(cloudFormationTag('!reference', ['a', 'b'])).toEqual(['a', 'b']);
  });
});

describe('cloudFormationSource.claims', () => {
  const claims = (text: string, format: 'json' | 'yaml' = 'yaml') => {
    const documents = parseLocatedYaml(text, { onTag: cloudFormationTag });
    return cloudFormationSource.claims(documents[0], { file: 'x', text, format, documents });
  };

  it('claims a template by its format version or by AWS-typed resources', () => {
    expect(claims("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n")).toBe(true);
    expect(claims('{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}}', 'json')).toBe(true);
  });

  it('does not claim Kubernetes objects, policies or other YAML with a Resources key', () => {
    expect(claims('apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: efs-csi-node-sa}\n')).toBe(false);
    expect(claims('{"Version": "2012-10-17", "Statement": []}', 'json')).toBe(false);
    expect(claims('Resources:\n  cpu: 100m\n')).toBe(false);
    expect(claims('Resources:\n  Thing: {Type: Custom::Thing}\n')).toBe(false);
  });
});

describe('cloudFormationSource: Pod Identity node role in YAML with short-form tags', () => {
  const FILE = 'pod-identity-node-role.yaml';
  const snapshot = read(FILE);
  const role = snapshot.roles[0];

  it('reads the role with its literal name, the line of its logical ID and a snapshot id naming the file', () => {
    expect(snapshot.roles).toHaveLength(1);
    expect(role.id).toBe('cfn:infra/pod-identity-node-role.yaml#EfsCsiNodeRole');
    expect(role.name).toBe('efs-csi-node-platform-prod');
    expect(role.origin).toEqual({
      kind: 'file',
      file: 'infra/pod-identity-node-role.yaml',
      line: lineOf(FILE, '  EfsCsiNodeRole:'),
      path: 'EfsCsiNodeRole',
    });
  });

  it('keeps the role ARN unknown, because the account is the deploying one, but shows its shape', () => {
    expect(expression(role.arn)).toBe('arn:aws:iam::${AWS::AccountId}:role/eks/efs-csi-node-platform-prod');
  });

  it('normalizes the trust policy with each statement on its own line', () => {
    const trust = role.trustPolicy!;
    expect(trust.problems).toEqual([]);
    expect(trust.origin.kind === 'file' && trust.origin.line).toBe(lineOf(FILE, 'AssumeRolePolicyDocument'));
    const [statement] = trust.statements;
    expect(statement.principal).toEqual({ Service: ['pods.eks.amazonaws.com'] });
    expect(statement.action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect((statement.origin as FileOrigin).line).toBe(
      lineOf(FILE, '- Effect: Allow', lineOf(FILE, 'AssumeRolePolicyDocument')),
    );
    expect((statement.origin as FileOrigin).path).toBe(
      'EfsCsiNodeRole.AssumeRolePolicyDocument.Statement[0]',
    );
    expect(statement.conditions).toContainEqual({
      operator: 'StringEquals',
      key: 'aws:RequestTag/kubernetes-service-account',
      values: ['efs-csi-node-sa'],
    });
  });

  it('resolves a Sub over AWS::Partition to a managed policy ARN', () => {
    expect(role.managedPolicies).toEqual([
      { arn: 'arn:aws:iam::aws:policy/AmazonElasticFileSystemsUtils', name: 'AmazonElasticFileSystemsUtils' },
    ]);
  });

  it('reads inline policies and keeps a GetAtt of the file system ARN unknown', () => {
    expect(role.inlinePolicies).toHaveLength(1);
    const policy = role.inlinePolicies[0];
    expect(policy.name).toBe('efs-client');
    const [statement] = policy.document!.statements;
    expect(statement.sid).toBe('MountSharedFileSystem');
    expect((statement.origin as FileOrigin).line).toBe(lineOf(FILE, '- Sid: MountSharedFileSystem'));
    expect(expression(statement.resource![0])).toBe('!GetAtt SharedFileSystem.Arn');
  });

  it('keeps tags whose values are known and drops parameter-valued ones', () => {
    expect(role.tags).toEqual({ team: 'platform' });
  });

  it('links the association to the role through GetAtt, with the cluster name unknown (a parameter, not its Default)', () => {
    expect(snapshot.podIdentityAssociations).toHaveLength(1);
    const association = snapshot.podIdentityAssociations[0];
    expect(association.roleId).toBe(role.id);
    expect(association.namespace).toBe('kube-system');
    expect(association.serviceAccount).toBe('efs-csi-node-sa');
    expect(expression(association.roleArn)).toBe(
      'arn:aws:iam::${AWS::AccountId}:role/eks/efs-csi-node-platform-prod',
    );
    expect(expression(association.cluster)).toBe('!Ref ClusterName');
    expect((association.origin as FileOrigin).line).toBe(lineOf(FILE, '  EfsCsiNodeAssociation:'));
  });

  it('reads the file system with an unknown id and its policy, whose principal is the role ARN (unknown)', () => {
    expect(snapshot.fileSystems).toHaveLength(1);
    const fs = snapshot.fileSystems[0];
    expect(fs.type).toBe('efs');
    expect(expression(fs.id)).toBe('!Ref SharedFileSystem');
    const policy = fs.policy!;
    expect(policy.problems).toEqual([]);
    expect(policy.size).toBeUndefined(); // the principal is unknown, so the deployed length is too
    expect(policy.statements.map((s) => s.sid)).toEqual([
      'EfsCsiNode-platform-prod',
      'DenyInsecureTransport',
    ]);
    expect(policy.statements.map((s) => (s.origin as FileOrigin).line)).toEqual([
      lineOf(FILE, '- Sid: EfsCsiNode-platform-prod'),
      lineOf(FILE, '- Sid: DenyInsecureTransport'),
    ]);
    expect(expression(policy.statements[0].principal!.AWS![0])).toBe(
      'arn:aws:iam::${AWS::AccountId}:role/eks/efs-csi-node-platform-prod',
    );
    expect(policy.statements[1].principal).toEqual({ AWS: ['*'] });
  });
});

describe('cloudFormationSource: IRSA role in JSON with the trust policy built by Fn::Sub', () => {
  const FILE = 'irsa-node-role.json';
  const snapshot = read(FILE);
  const role = snapshot.roles[0];

  it('renders the Sub text, keeping the known statement and the unknown issuer in place', () => {
    const trust = role.trustPolicy!;
    expect(trust.problems).toEqual([]);
    const [statement] = trust.statements;
    expect(statement.action).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(expression(statement.principal!.Federated![0])).toBe(
      'arn:aws:iam::${AWS::AccountId}:oidc-provider/${Issuer}',
    );
    expect(statement.conditions).toEqual([
      {
        operator: 'StringEquals',
        key: '${Issuer}:sub',
        values: ['system:serviceaccount:kube-system:efs-csi-node-sa'],
      },
      { operator: 'StringEquals', key: '${Issuer}:aud', values: ['sts.amazonaws.com'] },
    ]);
  });

  it('flags condition keys that hold an unresolved Sub variable as unknown parts of the statement', () => {
    expect(role.trustPolicy!.statements[0].unknownParts).toEqual([
      'condition key ${Issuer}:sub',
      'condition key ${Issuer}:aud',
    ]);
  });

  it('points statements of JSON text in a JSON file at the line of the policy property', () => {
    expect((role.trustPolicy!.statements[0].origin as FileOrigin).line).toBe(
      lineOf(FILE, '"AssumeRolePolicyDocument"'),
    );
  });

  it('attaches an AWS::IAM::Policy to the role it Refs', () => {
    expect(role.inlinePolicies).toHaveLength(1);
    expect(role.inlinePolicies[0].name).toBe('efs-csi-node-client');
    const [statement] = role.inlinePolicies[0].document!.statements;
    expect(expression(statement.resource![0])).toBe(
      'arn:aws:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/fs-0123456789abcdef0',
    );
    expect(snapshot.loosePolicies).toEqual([]);
  });

  it('reads the cluster with a literal name and the OIDC provider with an unknown URL', () => {
    expect(snapshot.clusters).toHaveLength(1);
    expect(snapshot.clusters[0].name).toBe('analytics');
    expect(snapshot.clusters[0].version).toBe('1.33');
    expect(expression(snapshot.clusters[0].oidcIssuer)).toBe('!GetAtt Cluster.OpenIdConnectIssuerUrl');
    expect(snapshot.oidcProviders).toHaveLength(1);
    expect(expression(snapshot.oidcProviders[0].url)).toBe('!GetAtt Cluster.OpenIdConnectIssuerUrl');
    expect(snapshot.oidcProviders[0].clientIds).toEqual(['sts.amazonaws.com']);
    expect((snapshot.oidcProviders[0].origin as FileOrigin).line).toBe(lineOf(FILE, '"ClusterOidcProvider"'));
  });
});

describe('cloudFormationSource: CDK synth output', () => {
  const FILE = 'cdk.out/EfsNodeIdentityStack.template.json';
  const snapshot = read(FILE);
  const role = snapshot.roles[0];

  it('claims the template although it has no AWSTemplateFormatVersion', () => {
    expect(snapshot.roles.map((r) => r.id)).toEqual([
      'cfn:infra/cdk.out/EfsNodeIdentityStack.template.json#EfsCsiNodeRole4C7E1F3A',
    ]);
  });

  it('leaves a generated role name and ARN unknown', () => {
    expect(expression(role.name)).toBe('!Ref EfsCsiNodeRole4C7E1F3A');
    expect(expression(role.arn)).toBe('!GetAtt EfsCsiNodeRole4C7E1F3A.Arn');
  });

  it('renders an Fn::Join-built managed policy ARN', () => {
    expect(role.managedPolicies).toEqual([
      { arn: 'arn:aws:iam::aws:policy/AmazonElasticFileSystemsUtils', name: 'AmazonElasticFileSystemsUtils' },
    ]);
  });

  it('attaches the DefaultPolicy to the role and links the association by roleId', () => {
    expect(role.inlinePolicies.map((p) => p.name)).toEqual(['EfsCsiNodeRoleDefaultPolicy8B2D9A61']);
    const statement = role.inlinePolicies[0].document!.statements[0];
    // The statement starts at its `{`, the line after `"Statement": [` of the DefaultPolicy.
    expect((statement.origin as FileOrigin).line).toBe(
      lineOf(FILE, '"Statement": [', lineOf(FILE, '"EfsCsiNodeRoleDefaultPolicy8B2D9A61": {')) + 1,
    );
    const [association] = snapshot.podIdentityAssociations;
    expect(association.roleId).toBe(role.id);
    expect(association.cluster).toBe('analytics');
  });

  it('reads the file system policy naming the role by an unknown ARN', () => {
    const [fs] = snapshot.fileSystems;
    expect(expression(fs.id)).toBe('!Ref SharedFileSystemB1C0E5D2');
    expect(fs.policy!.statements[0].sid).toBe('EfsCsiNode-analytics');
    expect(expression(fs.policy!.statements[0].principal!.AWS![0])).toBe(
      '!GetAtt EfsCsiNodeRole4C7E1F3A.Arn',
    );
  });
});

describe('cloudFormationSource: parameters', () => {
  const FILE = 'parameters.yaml';
  const snapshot = read(FILE);

  it('keeps a parameter unknown instead of using its Default', () => {
    const [association] = snapshot.podIdentityAssociations;
    expect(expression(association.roleArn)).toBe('!Ref NodeRoleArn');
    expect(association.roleArn).toEqual(
      expect.objectContaining({
        origin: {
          kind: 'file',
          file: 'infra/parameters.yaml',
          line: lineOf(FILE, 'RoleArn: !Ref NodeRoleArn'),
          path: 'NodeAssociation',
        },
      }),
    );
    expect(association.roleId).toBeUndefined();
  });

  it('makes Fn::If unknown', () => {
    expect(expression(snapshot.podIdentityAssociations[0].disableSessionTags)).toMatch(/^!If \[DisableTags/);
  });

  it('keeps a policy attached to a role named by a parameter as a loose identity policy', () => {
    expect(snapshot.roles).toEqual([]);
    expect(snapshot.loosePolicies).toHaveLength(1);
    const { kind, document } = snapshot.loosePolicies[0];
    expect(kind).toBe('identity');
    expect(expression(document.statements[0].resource![0])).toBe(
      'arn:aws:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/${FileSystemId}',
    );
  });
});

describe('cloudFormationSource: the EFS add-on', () => {
  const FILE = 'efs-addon.yaml';
  const snapshot = read(FILE);

  it('reads the add-on and one association per entry, owned by the add-on in kube-system', () => {
    expect(snapshot.addons).toHaveLength(1);
    const [addon] = snapshot.addons;
    expect(addon.name).toBe('aws-efs-csi-driver');
    expect(addon.version).toBe('v2.1.6-eksbuild.1');
    expect(addon.podIdentityAssociations!.map((a) => [a.serviceAccount, a.roleId])).toEqual([
      ['efs-csi-controller-sa', 'cfn:infra/efs-addon.yaml#ControllerRole'],
      ['efs-csi-node-sa', 'cfn:infra/efs-addon.yaml#NodeRole'],
    ]);
    expect(
      snapshot.podIdentityAssociations.map((a) => [a.namespace, a.serviceAccount, a.ownerAddon]),
    ).toEqual([
      ['kube-system', 'efs-csi-controller-sa', 'aws-efs-csi-driver'],
      ['kube-system', 'efs-csi-node-sa', 'aws-efs-csi-driver'],
    ]);
    expect((snapshot.podIdentityAssociations[1].origin as FileOrigin).line).toBe(
      lineOf(FILE, '- ServiceAccount: efs-csi-node-sa'),
    );
  });

  it('reads the node service account name from the ConfigurationValues', () => {
    expect(snapshot.daemonSets).toHaveLength(1);
    expect(snapshot.daemonSets[0].serviceAccountName).toBe('efs-csi-node-dedicated');
    expect((snapshot.daemonSets[0].origin as FileOrigin).line).toBe(lineOf(FILE, 'ConfigurationValues'));
  });

  it('reads a trust policy given as JSON text in a block scalar with the lines of the text', () => {
    const controller = snapshot.roles.find((r) => r.id.endsWith('#ControllerRole'))!;
    expect(controller.trustPolicy!.problems).toEqual([]);
    // The statement's `{` is the line after `"Statement": [` inside the block scalar.
    expect((controller.trustPolicy!.statements[0].origin as FileOrigin).line).toBe(
      lineOf(FILE, '"Statement": [') + 1,
    );
  });

  it('attaches a template managed policy referenced by ManagedPolicyArns once, with its document', () => {
    const node = snapshot.roles.find((r) => r.id.endsWith('#NodeRole'))!;
    expect(node.managedPolicies).toHaveLength(1);
    expect(node.managedPolicies[0].name).toBe('efs-csi-node-client');
    expect(expression(node.managedPolicies[0].arn)).toBe('!Ref NodeClientPolicy');
    expect(node.managedPolicies[0].document!.statements[0].resource).toEqual(['*']);
  });
});

describe('cloudFormationSource: intrinsics', () => {
  const template = (resources: string, extra = '') =>
    `AWSTemplateFormatVersion: '2010-09-09'\n${extra}Resources:\n${resources}`;
  const readText = (text: string): Snapshot => {
    const documents = parseLocatedYaml(text, { onTag: cloudFormationTag });
    return cloudFormationSource.read(documents, { file: 't.yaml', text, format: 'yaml', documents });
  };

  it('resolves FindInMap with literal keys, Select over a literal list and drops AWS::NoValue items', () => {
    const snapshot = readText(
      template(
        [
          '  Assoc:',
          '    Type: AWS::EKS::PodIdentityAssociation',
          '    Properties:',
          '      ClusterName: !FindInMap [Clusters, prod, name]',
          '      Namespace: !Select [1, [default, kube-system]]',
          '      ServiceAccount: !Join ["-", [efs, csi, node, sa]]',
          "      RoleArn: !Sub 'arn:${AWS::Partition}:iam::111122223333:role/${Name}'",
          '      DisableSessionTags: false',
          '',
        ].join('\n'),
        'Mappings:\n  Clusters:\n    prod:\n      name: platform\n',
      ),
    );
    const [association] = snapshot.podIdentityAssociations;
    expect(association.cluster).toBe('platform');
    expect(association.namespace).toBe('kube-system');
    expect(association.serviceAccount).toBe('efs-csi-node-sa');
    expect(expression(association.roleArn)).toBe('arn:aws:iam::111122223333:role/${Name}');
    expect(association.disableSessionTags).toBe(false);
  });

  it("reads an association's session policy written as JSON text; none is null", () => {
    const snapshot = readText(
      template(
        [
          '  Assoc:',
          '    Type: AWS::EKS::PodIdentityAssociation',
          '    Properties:',
          '      ClusterName: prod',
          '      Namespace: kube-system',
          '      ServiceAccount: efs-csi-node-sa',
          '      RoleArn: arn:aws:iam::111122223333:role/efs-csi-node',
          '      DisableSessionTags: true',
          '      Policy: \'{"Version":"2012-10-17","Statement":[{"Sid":"Mount","Effect":"Allow","Action":"elasticfilesystem:ClientMount","Resource":"*"}]}\'',
          '  Plain:',
          '    Type: AWS::EKS::PodIdentityAssociation',
          '    Properties:',
          '      ClusterName: prod',
          '      Namespace: default',
          '      ServiceAccount: app',
          '      RoleArn: arn:aws:iam::111122223333:role/app',
          '',
        ].join('\n'),
      ),
    );
    const [withPolicy, plain] = snapshot.podIdentityAssociations;
    expect(withPolicy.sessionPolicy?.statements).toHaveLength(1);
    expect(withPolicy.sessionPolicy?.statements[0]).toMatchObject({ sid: 'Mount', effect: 'Allow' });
    expect(withPolicy.sessionPolicy?.problems).toEqual([]);
    expect(plain.sessionPolicy).toBeNull();
  });

  it('reads add-on ConfigurationValues written with Fn::ToJsonString', () => {
    const snapshot = readText(
      template(
        [
          '  Efs:',
          '    Type: AWS::EKS::Addon',
          '    Properties:',
          '      ClusterName: c',
          '      AddonName: aws-efs-csi-driver',
          '      ConfigurationValues:',
          '        Fn::ToJsonString: {node: {serviceAccount: {name: efs-node}}}',
          '',
        ].join('\n'),
        'Transform: AWS::LanguageExtensions\n',
      ),
    );
    expect(snapshot.daemonSets[0].serviceAccountName).toBe('efs-node');
  });

  it('says nothing about the node service account when ConfigurationValues are unknown', () => {
    const snapshot = readText(
      template(
        '  Efs:\n    Type: AWS::EKS::Addon\n    Properties: {ClusterName: c, AddonName: aws-efs-csi-driver, ConfigurationValues: !Ref Config}\n',
        'Parameters:\n  Config: {Type: String}\n',
      ),
    );
    expect(snapshot.addons).toHaveLength(1);
    expect(snapshot.daemonSets).toEqual([]);
    expect(snapshot.serviceAccounts).toEqual([]);
  });

  it('links a literal role ARN to a template role with that literal RoleName', () => {
    const snapshot = readText(
      template(
        [
          '  Node:',
          '    Type: AWS::IAM::Role',
          '    Properties: {RoleName: efs-node, AssumeRolePolicyDocument: {Statement: []}}',
          '  Assoc:',
          '    Type: AWS::EKS::PodIdentityAssociation',
          '    Properties: {ClusterName: c, Namespace: kube-system, ServiceAccount: efs-csi-node-sa, RoleArn: "arn:aws:iam::111122223333:role/efs-node"}',
          '',
        ].join('\n'),
      ),
    );
    expect(snapshot.podIdentityAssociations[0].roleId).toBe('cfn:t.yaml#Node');
    expect(snapshot.podIdentityAssociations[0].roleArn).toBe('arn:aws:iam::111122223333:role/efs-node');
  });

  it('gives a file system without FileSystemPolicy a null policy (the template creates it without one)', () => {
    const snapshot = readText(
      template('  Fs:\n    Type: AWS::EFS::FileSystem\n    Properties: {Encrypted: true}\n'),
    );
    expect(snapshot.fileSystems[0].policy).toBeNull();
  });

  it('measures a fully known file system policy so the 20,000-character limit can be checked', () => {
    const snapshot = readText(
      template(
        '  Fs:\n    Type: AWS::EFS::FileSystem\n    Properties:\n      FileSystemPolicy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*", Action: "elasticfilesystem:ClientMount"}]}\n',
      ),
    );
    const policy = snapshot.fileSystems[0].policy!;
    expect(policy.size).toBe(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 'elasticfilesystem:ClientMount' }],
      }).length,
    );
  });

  it('reports policy text that is not JSON as a problem of the policy', () => {
    const snapshot = readText(
      template(
        '  Fs:\n    Type: AWS::EFS::FileSystem\n    Properties:\n      FileSystemPolicy: "{not json"\n',
      ),
    );
    expect(snapshot.fileSystems[0].policy!.problems[0]).toBe('the policy text is not valid JSON');
  });

  it('marks the node group role as a node instance role', () => {
    const snapshot = readText(
      template(
        [
          '  NodeInstanceRole:',
          '    Type: AWS::IAM::Role',
          '    Properties: {AssumeRolePolicyDocument: {Statement: []}}',
          '  Workers:',
          '    Type: AWS::EKS::Nodegroup',
          '    Properties: {ClusterName: c, NodeRole: !GetAtt NodeInstanceRole.Arn, Subnets: [subnet-1]}',
          '',
        ].join('\n'),
      ),
    );
    expect(snapshot.roles[0].nodeInstanceRole).toBe(true);
  });

  it('does not loop on a role whose name refers to itself', () => {
    const snapshot = readText(
      template('  R:\n    Type: AWS::IAM::Role\n    Properties: {RoleName: !Ref R}\n'),
    );
    expect(isUnknown(snapshot.roles[0].name)).toBe(true);
  });
});

describe('cloudFormationSource: a file system policy resource without a policy', () => {
  it.each([
    ['no Policy property', ''],
    ['Policy: !Ref AWS::NoValue', '      Policy: !Ref AWS::NoValue\n'],
  ])(
    'reads a template whose S3 Files file system policy has %s as an invalid policy, not a crash',
    (_, policy) => {
      const text =
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Media:\n    Type: AWS::S3Files::FileSystem\n" +
        '    Properties:\n      Bucket: arn:aws:s3:::media-archive\n  MediaPolicy:\n' +
        '    Type: AWS::S3Files::FileSystemPolicy\n    Properties:\n      FileSystemId: !Ref Media\n' +
        policy;
      const file: ParsedFile = {
        file: 'infra/s3files.yaml',
        text,
        format: 'yaml',
        documents: parseLocatedYaml(text, { onTag: cloudFormationTag }),
      };
      const snapshot = cloudFormationSource.read(file.documents, file);
      const fileSystem = snapshot.fileSystems.find((f) => f.type === 's3files');
      expect(fileSystem?.policy?.problems).toContain('the policy is not a JSON object');
      expect(fileSystem?.policy?.size).toBeUndefined();
    },
  );
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileOrigin } from '../model/origin';
import { isUnknown, type Unknown } from '../model/unknown';
import { parseLocatedJson } from '../util/located';
import { terraformPlanSource } from './terraform-plan';
import type { ParsedFile } from './types';

const FIXTURE = join(__dirname, '__fixtures__', 'terraform', 'plan', 'plan.json');

function parsed(text: string, file = 'plans/prod.json'): ParsedFile {
  return { file, text, format: 'json', documents: [parseLocatedJson(text)] };
}

const expression = (value: unknown) => {
  expect(isUnknown(value)).toBe(true);
  return (value as Unknown).expression;
};
const line = (origin: unknown) => (origin as FileOrigin).line;

describe('terraformPlanSource', () => {
  const file = parsed(readFileSync(FIXTURE, 'utf8'));
  const snapshot = terraformPlanSource.read(file.documents, file);

  it('claims plan JSON and not other JSON documents', () => {
    expect(terraformPlanSource.claims(file.documents[0], file)).toBe(true);
    const state = parsed('{"format_version": "1.0", "values": {}}');
    expect(terraformPlanSource.claims(state.documents[0], state)).toBe(false);
    const policy = parsed('{"Version": "2012-10-17", "Statement": []}');
    expect(terraformPlanSource.claims(policy.documents[0], policy)).toBe(false);
  });

  it('reads a role whose ARN is known only after apply as unknown, at the line of its resource change', () => {
    expect(snapshot.inputs).toEqual(['S']);
    expect(snapshot.roles).toHaveLength(1);
    const role = snapshot.roles[0];
    expect(role.id).toBe('tf:aws_iam_role.efs_node');
    expect(role.name).toBe('prod-efs-csi-node');
    expect(expression(role.arn)).toBe('aws_iam_role.efs_node.arn (known after apply)');
    expect(role.origin).toEqual({
      kind: 'file',
      file: 'plans/prod.json',
      line: 79,
      path: 'aws_iam_role.efs_node',
    });
    expect(role.accountId).toBe('111122223333');
  });

  it('reads the planned trust policy and ignores the inline/managed policy lists the provider computes', () => {
    const role = snapshot.roles[0];
    expect(role.trustPolicy!.statements[0].principal).toEqual({ Service: ['pods.eks.amazonaws.com'] });
    expect(role.trustPolicy!.statements[0].action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(line(role.trustPolicy!.statements[0].origin)).toBe(79);
    expect(role.trustPolicy!.size).toBeGreaterThan(100);
    expect(role.inlinePolicies).toEqual([]);
    expect(role.managedPolicies).toEqual([]);
  });

  it('links the association to its role through configuration references while the role ARN is unknown', () => {
    const [association] = snapshot.podIdentityAssociations;
    expect(association).toMatchObject({
      cluster: 'prod',
      namespace: 'kube-system',
      serviceAccount: 'efs-csi-node-sa',
      roleId: 'tf:aws_iam_role.efs_node',
    });
    expect(expression(association.roleArn)).toBe(
      'aws_eks_pod_identity_association.efs_node.role_arn (known after apply)',
    );
    expect(line(association.origin)).toBe(116);
  });

  it('links a file system policy in a child module to the file system of that module', () => {
    expect(snapshot.fileSystems).toHaveLength(1);
    const fs = snapshot.fileSystems[0];
    expect(expression(fs.id)).toBe('module.storage.aws_efs_file_system.this.id (known after apply)');
    expect(fs.region).toBe('eu-west-1');
    expect(line(fs.origin)).toBe(147);
    expect(fs.policy!.statements[0].unknownParts).toEqual([
      'module.storage.aws_efs_file_system_policy.this.policy (known after apply)',
    ]);
  });

  it('leaves out resources the plan deletes', () => {
    expect(snapshot.loosePolicies).toEqual([]);
    expect(snapshot.roles.flatMap((r) => r.inlinePolicies)).toEqual([]);
  });

  it('reads known plan values of an add-on and of Kubernetes resources', () => {
    const plan = {
      format_version: '1.2',
      resource_changes: [
        {
          address: 'aws_eks_addon.efs',
          mode: 'managed',
          type: 'aws_eks_addon',
          name: 'efs',
          change: {
            actions: ['update'],
            after: {
              addon_name: 'aws-efs-csi-driver',
              addon_version: 'v2.1.0-eksbuild.1',
              cluster_name: 'prod',
              configuration_values: '{"node":{"serviceAccount":{"name":"custom-node-sa"}}}',
              pod_identity_association: [
                { role_arn: 'arn:aws:iam::111122223333:role/efs-node', service_account: 'custom-node-sa' },
              ],
            },
            after_unknown: { pod_identity_association: [{}] },
          },
        },
        {
          address: 'kubernetes_storage_class_v1.efs',
          mode: 'managed',
          type: 'kubernetes_storage_class_v1',
          name: 'efs',
          change: {
            actions: ['create'],
            after: {
              metadata: [{ name: 'efs-sc' }],
              storage_provisioner: 'efs.csi.aws.com',
              mount_options: ['tls'],
              parameters: { fileSystemId: 'fs-0123456789abcdef0' },
            },
            after_unknown: { metadata: [{ uid: true }] },
          },
        },
      ],
    };
    const f = parsed(JSON.stringify(plan, null, 2));
    const s = terraformPlanSource.read(f.documents, f);
    expect(s.addons[0]).toMatchObject({
      name: 'aws-efs-csi-driver',
      version: 'v2.1.0-eksbuild.1',
      cluster: 'prod',
    });
    expect(s.podIdentityAssociations[0]).toMatchObject({
      namespace: 'kube-system',
      serviceAccount: 'custom-node-sa',
      roleArn: 'arn:aws:iam::111122223333:role/efs-node',
      ownerAddon: 'aws-efs-csi-driver',
    });
    expect(s.daemonSets[0]).toMatchObject({ name: 'efs-csi-node', serviceAccountName: 'custom-node-sa' });
    expect(s.storageClasses[0]).toMatchObject({
      name: 'efs-sc',
      provisioner: 'efs.csi.aws.com',
      mountOptions: ['tls'],
      parameters: { fileSystemId: 'fs-0123456789abcdef0' },
    });
  });
});

import { headerLines, RenderError, type RenderedFile, type RenderModel } from './model';

/**
 * Kubernetes manifests: the node ServiceAccount (annotated with the role in IRSA mode) and one StorageClass per EFS
 * file system. Every value is written as a JSON string, which YAML reads as the same double-quoted scalar, so no
 * value can change the document's structure (they are validated by the spec parser anyway).
 */
export function renderKubernetes(model: RenderModel): RenderedFile[] {
  const { spec } = model;
  const q = (s: string) => JSON.stringify(s);
  const sa = spec.nodeServiceAccount;
  const documents: string[] = [];
  const header = [
    ...headerLines(model, 'Kubernetes manifests'),
    "The ServiceAccount is the one the efs-csi-node DaemonSet runs as. Where the driver's Helm chart or EKS add-on",
    spec.mode === 'irsa'
      ? 'creates it, set the same annotation there (Helm: node.serviceAccount.annotations) instead of applying it here.'
      : 'creates it, skip it here: Pod Identity binds the role through the association, not through the object.',
  ]
    .map((l) => `# ${l}`)
    .join('\n');

  const account: string[] = [
    'apiVersion: v1',
    'kind: ServiceAccount',
    'metadata:',
    `  name: ${q(sa.name)}`,
    `  namespace: ${q(sa.namespace)}`,
    '  labels:',
    '    app.kubernetes.io/name: "aws-efs-csi-driver"',
    '    app.kubernetes.io/managed-by: "efs-node-identity"',
  ];
  if (spec.mode === 'irsa') {
    if (!model.accountId) {
      // The annotation is used as it is: an ARN with a made-up account would be a guess that looks like a fact.
      throw new RenderError(
        'the kubernetes format in irsa mode needs the account ID (--account-id) for the role ARN annotation',
      );
    }
    account.push('  annotations:', `    eks.amazonaws.com/role-arn: ${q(model.roleArn)}`);
  }
  documents.push(account.join('\n'));

  for (const fs of model.fileSystems) {
    if (fs.type !== 'efs') continue; // S3 Files volumes are statically provisioned (PV with s3files:fs-…).
    documents.push(
      [
        'apiVersion: storage.k8s.io/v1',
        'kind: StorageClass',
        'metadata:',
        `  name: ${q(`efs-${fs.id.slice(3)}`)}`,
        'provisioner: efs.csi.aws.com',
        // `iam` makes the mount use the node identity; efs-utils refuses `iam` without `tls`.
        'mountOptions:',
        '  - tls',
        '  - iam',
        'parameters:',
        '  provisioningMode: efs-ap',
        `  fileSystemId: ${q(fs.id)}`,
        `  directoryPerms: "700"`,
        'reclaimPolicy: Delete',
        'volumeBindingMode: Immediate',
      ].join('\n'),
    );
  }
  return [
    {
      path: 'kubernetes/efs-csi-node-identity.yaml',
      content: `${header}\n${documents.map((d) => `---\n${d}\n`).join('')}`,
    },
  ];
}

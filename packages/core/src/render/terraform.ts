import { ACCOUNT_SENTINEL, headerLines, type RenderedFile, type RenderModel } from './model';

/**
 * Terraform HCL for the node identity: the role with its trust (jsonencode), its inline policy, and the Pod Identity
 * association (or, for IRSA, the annotated ServiceAccount). Values that are not known at render time (the account,
 * the OIDC issuer) are input variables; known ones are locals, so that `check` can evaluate them.
 *
 * No `aws_efs_file_system_policy` is rendered: that resource owns the whole policy of a file system, so applying one
 * built from our statement alone would silently drop every other statement. The statement to merge is a comment.
 */
export function renderTerraform(model: RenderModel): RenderedFile[] {
  const { spec } = model;
  const out: string[] = [];
  out.push(...headerLines(model, 'Terraform (AWS provider >= 5.x)').map((l) => `# ${l}`), '');

  const variables: string[] = [];
  const locals: Array<[string, string]> = [];
  if (model.accountId) locals.push(['account_id', lit(model.accountId)]);
  else {
    variables.push(
      variable(
        'account_id',
        'The AWS account of the cluster (12 digits).',
        '^[0-9]{12}$',
        'a 12-digit AWS account ID',
      ),
    );
    locals.push(['account_id', 'var.account_id']);
  }
  if (spec.mode === 'irsa') {
    if (model.oidcIssuer) locals.push(['oidc_provider', lit(model.oidcIssuer.replace(/^https:\/\//, ''))]);
    else {
      variables.push(
        variable(
          'oidc_issuer',
          `The OIDC issuer URL of cluster ${spec.cluster} (aws eks describe-cluster --query cluster.identity.oidc.issuer).`,
          '^https://oidc\\\\.eks\\\\.[a-z0-9-]+\\\\.amazonaws\\\\.com(\\\\.cn)?/id/[0-9A-Fa-f]+$',
          'an EKS OIDC issuer URL',
        ),
      );
      locals.push(['oidc_provider', 'trimprefix(var.oidc_issuer, "https://")']);
    }
  }
  out.push(...variables);
  // Aligned as `terraform fmt` aligns consecutive attributes, so a fmt check in CI leaves the file unchanged.
  const width = Math.max(...locals.map(([k]) => k.length));
  out.push('locals {', ...locals.map(([k, v]) => `  ${k.padEnd(width)} = ${v}`), '}', '');

  const tags = hcl(model.tags, 1);
  out.push(
    'resource "aws_iam_role" "efs_csi_node" {',
    `  name               = ${str(model.roleName)}`,
    `  description        = ${str(`EFS CSI driver node component of ${spec.cluster} (${spec.mode})`)}`,
    `  assume_role_policy = jsonencode(${hcl(model.trust, 1)})`,
    `  tags               = ${tags}`,
    '}',
    '',
    'resource "aws_iam_role_policy" "efs_csi_node" {',
    `  name   = ${str(spec.targetRoleArn ? 'efs-csi-node-assume-target' : 'efs-csi-node-client-access')}`,
    '  role   = aws_iam_role.efs_csi_node.id',
    `  policy = jsonencode(${hcl(model.permissions, 1)})`,
    '}',
    '',
  );

  if (spec.mode === 'pod-identity') {
    const lines = [
      'resource "aws_eks_pod_identity_association" "efs_csi_node" {',
      `  cluster_name    = ${str(spec.cluster)}`,
      `  namespace       = ${str(spec.nodeServiceAccount.namespace)}`,
      `  service_account = ${str(spec.nodeServiceAccount.name)}`,
      '  role_arn        = aws_iam_role.efs_csi_node.arn',
    ];
    if (spec.targetRoleArn) lines.push(`  target_role_arn = ${str(spec.targetRoleArn)}`);
    if (spec.disableSessionTags) lines.push('  disable_session_tags = true');
    lines.push(`  tags            = ${tags}`, '}', '');
    out.push(
      '# Pods running before the association keep the credentials they started with: restart the DaemonSet once',
      '# (kubectl rollout restart daemonset efs-csi-node -n kube-system).',
      ...lines,
    );
  } else {
    out.push(
      "# Where the driver's Helm chart or EKS add-on creates this ServiceAccount, set the annotation there instead",
      '# (Helm: node.serviceAccount.annotations); two owners of one object fight over it.',
      'resource "kubernetes_service_account_v1" "efs_csi_node" {',
      '  metadata {',
      `    name      = ${str(spec.nodeServiceAccount.name)}`,
      `    namespace = ${str(spec.nodeServiceAccount.namespace)}`,
      '    annotations = {',
      // Built from the account and the role's name rather than `.arn` (known only after apply), so that a review
      // of this file can tell that the annotation names this role.
      `      "eks.amazonaws.com/role-arn" = "arn:${model.partition}:iam::\${local.account_id}:role/\${aws_iam_role.efs_csi_node.name}"`,
      '    }',
      '  }',
      '}',
      '',
    );
  }

  out.push(
    '# File system policies: NOT managed here. aws_efs_file_system_policy replaces the whole policy of a file system,',
    '# so a resource built from this statement alone would silently drop every other statement. Merge it by Sid into',
    '# the existing policy instead (efs-node-identity apply does; or edit the resource that already owns the policy):',
  );
  for (const { id, statement } of model.fileSystemStatements) {
    out.push(`#`, `# ${id}:`);
    const json = JSON.stringify(statement, null, 2).replaceAll(
      ACCOUNT_SENTINEL,
      model.accountId ?? '<account ID>',
    );
    for (const line of json.split('\n')) out.push(`#   ${line}`);
  }
  return [{ path: 'terraform/efs_csi_node.tf', content: `${out.join('\n')}\n` }];
}

function variable(name: string, description: string, pattern: string, what: string): string {
  return [
    `variable "${name}" {`,
    `  description = ${lit(description)}`,
    '  type        = string',
    '  validation {',
    `    condition     = can(regex("${pattern}", var.${name}))`,
    `    error_message = ${lit(`${name} must be ${what}.`)}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** An HCL string literal of a value taken as it is (`${` and `%{` escaped: HCL would read them as templates). */
function lit(value: string): string {
  return JSON.stringify(value).replaceAll('${', '$${').replaceAll('%{', '%%{');
}

/** An HCL string in a generated document: the sentinels become references to the locals that hold the values. */
function str(value: string): string {
  return lit(value)
    .replace(/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[0-9A-Fa-f]+/g, '${local.oidc_provider}')
    .replaceAll(ACCOUNT_SENTINEL, '${local.account_id}');
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A JSON value as an HCL expression (for `jsonencode`), with stable indentation. */
function hcl(value: unknown, depth: number): string {
  const pad = '  '.repeat(depth);
  const inner = '  '.repeat(depth + 1);
  if (typeof value === 'string') return str(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string'))
      return `[${value.map((v) => str(v as string)).join(', ')}]`;
    return `[\n${value.map((v) => `${inner}${hcl(v, depth + 1)},`).join('\n')}\n${pad}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return `{\n${entries
      .map(([k, v]) => `${inner}${IDENTIFIER.test(k) ? k : str(k)} = ${hcl(v, depth + 1)}`)
      .join('\n')}\n${pad}}`;
  }
  return 'null';
}

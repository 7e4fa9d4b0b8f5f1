import {
  ACCOUNT_SENTINEL,
  headerLines,
  OIDC_ID_SENTINEL,
  RenderError,
  type RenderedFile,
  type RenderModel,
} from './model';

/**
 * Policy JSON files, as `aws iam create-role --assume-role-policy-document file://…` and friends take them. JSON has
 * no comments, so the header and the merge instructions live in a README beside them.
 */
export function renderJson(model: RenderModel): RenderedFile[] {
  if (!model.accountId) {
    // A policy file is used as is: an ARN with a made-up account in it would be a guess that looks like a fact.
    throw new RenderError(
      'the json format needs the account ID (--account-id): policy JSON has no variables',
    );
  }
  const dir = 'policies';
  const files: RenderedFile[] = [];
  const trust = JSON.stringify(model.trust, null, 2).replaceAll(
    OIDC_ID_SENTINEL,
    'REPLACE-WITH-OIDC-PROVIDER-ID',
  );
  files.push({ path: `${dir}/${model.roleName}.trust.json`, content: `${trust}\n` });
  files.push({
    path: `${dir}/${model.roleName}.permissions.json`,
    content: `${JSON.stringify(model.permissions, null, 2)}\n`,
  });
  for (const { id, statement } of model.fileSystemStatements) {
    // Wrapped in a policy document so that it can be checked and compared; what is merged is the one statement.
    const document = { Version: '2012-10-17', Statement: [statement] };
    files.push({
      path: `${dir}/file-system-${id}.statement.json`,
      content: `${JSON.stringify(document, null, 2)}\n`,
    });
  }
  files.push({ path: `${dir}/README.md`, content: readme(model) });
  return files;
}

function readme(model: RenderModel): string {
  const { spec } = model;
  const lines = [
    ...headerLines(model, 'IAM policy JSON').map((l) => `<!-- ${l} -->`),
    '',
    `# EFS CSI node identity of ${spec.cluster}: policies`,
    '',
    `- \`${model.roleName}.trust.json\`: the trust policy of the node role \`${model.roleName}\` (${
      spec.mode === 'pod-identity'
        ? 'EKS Pod Identity: `pods.eks.amazonaws.com` with `sts:AssumeRole` and `sts:TagSession`'
        : `IRSA: the cluster's OIDC provider, \`sub\` = \`system:serviceaccount:${spec.nodeServiceAccount.namespace}:${spec.nodeServiceAccount.name}\`, \`aud\` = \`sts.amazonaws.com\``
    }).`,
    `- \`${model.roleName}.permissions.json\`: its inline policy (${
      spec.targetRoleArn
        ? `AssumeRole and TagSession on the target role ${spec.targetRoleArn}, which mounts`
        : 'EFS client actions on the named file systems only'
    }).`,
    '- `file-system-<id>.statement.json`: the statement to **merge** into the file system policy of that file system.',
    '',
    '## Merging the file system policy statement',
    '',
    `Each file holds one statement with Sid \`EfsCsiNode-${spec.cluster}\`. A file system has one policy, and`,
    '`aws efs put-file-system-policy` replaces all of it: read the current policy, replace the statement with this',
    'Sid (or add it), keep every other statement, and put the result. Putting the file as it is would drop every other',
    'statement. `efs-node-identity apply` does this merge (and re-reads until the statement is there).',
  ];
  if (spec.mode === 'irsa' && !model.oidcIssuer) {
    lines.push(
      '',
      '## Placeholder',
      '',
      'The OIDC issuer of the cluster was not given: the trust policy names the provider',
      '`…/id/REPLACE-WITH-OIDC-PROVIDER-ID`. Re-render with `--oidc-issuer $(aws eks describe-cluster --name',
      `${spec.cluster} --query cluster.identity.oidc.issuer --output text)\` instead of editing the file.`,
    );
  }
  if (spec.targetRoleArn) {
    lines.push(
      '',
      '## Target role (file system account)',
      '',
      `The pods mount as ${spec.targetRoleArn}. Its trust policy must allow the association role`,
      `\`${model.roleArn}\` \`sts:AssumeRole\` and \`sts:TagSession\` with \`sts:ExternalId\` = the association's`,
      'external ID (known only once the association exists), and its permissions must allow the EFS client actions on',
      'the file systems above. The file system policy statements name the target role.',
    );
  }
  return `${lines.join('\n').replaceAll(ACCOUNT_SENTINEL, model.accountId ?? ACCOUNT_SENTINEL)}\n`;
}

import {
  ACCOUNT_SENTINEL,
  headerLines,
  OIDC_ID_SENTINEL,
  type RenderedFile,
  type RenderModel,
} from './model';

/** A CloudFormation intrinsic in short form (`!Ref X`, `!GetAtt R.Arn`, `!Sub "…"`). */
class Intrinsic {
  constructor(
    readonly tag: '!Ref' | '!GetAtt' | '!Sub',
    readonly value: string,
  ) {}
}

/**
 * A CloudFormation template (YAML, short-form intrinsics) for the node role, its inline policy and the Pod Identity
 * association. Unknown values are parameters or pseudo parameters (`AWS::AccountId`), never guesses. File system
 * policies are not in the template: `AWS::EFS::FileSystem.FileSystemPolicy` is the whole policy of a file system
 * and belongs to the stack that owns the file system, so the statement to merge is given as a comment.
 */
export function renderCloudFormation(model: RenderModel): RenderedFile[] {
  const { spec } = model;
  const parameters: Record<string, unknown> = {};
  const irsaUnknownIssuer = spec.mode === 'irsa' && !model.oidcIssuer;
  if (irsaUnknownIssuer) {
    parameters.OidcProvider = {
      Type: 'String',
      Description: `The OIDC issuer of cluster ${spec.cluster} without https:// (oidc.eks.<region>.amazonaws.com/id/<ID>)`,
      AllowedPattern: '^oidc\\.eks\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/id/[0-9A-Fa-f]+$',
    };
  }
  const tags = Object.entries(model.tags).map(([Key, Value]) => ({ Key, Value }));
  const resources: Record<string, unknown> = {
    NodeRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: model.roleName,
        Description: `EFS CSI driver node component of ${spec.cluster} (${spec.mode})`,
        AssumeRolePolicyDocument: irsaUnknownIssuer ? subJson(model.trust) : intrinsics(model.trust),
        Tags: tags,
      },
    },
    NodeRolePolicy: {
      Type: 'AWS::IAM::RolePolicy',
      Properties: {
        RoleName: new Intrinsic('!Ref', 'NodeRole'),
        PolicyName: spec.targetRoleArn ? 'efs-csi-node-assume-target' : 'efs-csi-node-client-access',
        PolicyDocument: intrinsics(model.permissions),
      },
    },
  };
  if (spec.mode === 'pod-identity') {
    resources.NodePodIdentityAssociation = {
      Type: 'AWS::EKS::PodIdentityAssociation',
      Properties: {
        ClusterName: spec.cluster,
        Namespace: spec.nodeServiceAccount.namespace,
        ServiceAccount: spec.nodeServiceAccount.name,
        RoleArn: new Intrinsic('!GetAtt', 'NodeRole.Arn'),
        ...(spec.targetRoleArn ? { TargetRoleArn: spec.targetRoleArn } : {}),
        ...(spec.disableSessionTags ? { DisableSessionTags: true } : {}),
        Tags: tags,
      },
    };
  }
  const template: Record<string, unknown> = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `EFS CSI node identity of ${spec.cluster} (rendered by efs-node-identity)`,
    ...(Object.keys(parameters).length > 0 ? { Parameters: parameters } : {}),
    Resources: resources,
    Outputs: {
      NodeRoleArn: {
        Description:
          spec.mode === 'irsa'
            ? `Annotate ${spec.nodeServiceAccount.namespace}/${spec.nodeServiceAccount.name} with eks.amazonaws.com/role-arn set to this`
            : 'The node role of the Pod Identity association',
        Value: new Intrinsic('!GetAtt', 'NodeRole.Arn'),
      },
    },
  };
  const header = [
    ...headerLines(model, 'CloudFormation'),
    '',
    'File system policies are NOT in this template: a file system has one policy, and writing it from this statement',
    'alone would drop every other statement. Merge each statement by Sid into the existing policy (efs-node-identity',
    'apply does), or add it to the FileSystemPolicy of the stack that owns the file system:',
  ];
  for (const { id, statement } of model.fileSystemStatements) {
    header.push('', `${id}:`);
    const json = JSON.stringify(statement, null, 2).replaceAll(
      ACCOUNT_SENTINEL,
      model.accountId ?? '<account ID>',
    );
    header.push(...json.split('\n').map((l) => `  ${l}`));
  }
  if (spec.mode === 'irsa') {
    header.push(
      '',
      `IRSA: annotate the node ServiceAccount with the NodeRoleArn output (the kubernetes format does).`,
    );
  }
  const text = `${header.map((l) => (l ? `# ${l}` : '#')).join('\n')}\n${yaml(template, 0)}\n`;
  return [{ path: 'cloudformation/efs-csi-node-identity.yaml', content: text }];
}

/** Replaces the account sentinel by the stack's account (the cluster's) where the account was not given. */
function intrinsics(value: unknown): unknown {
  if (typeof value === 'string') {
    if (value === ACCOUNT_SENTINEL) return new Intrinsic('!Ref', 'AWS::AccountId');
    if (value.includes(ACCOUNT_SENTINEL))
      return new Intrinsic('!Sub', value.replaceAll(ACCOUNT_SENTINEL, '${AWS::AccountId}'));
    return value;
  }
  if (Array.isArray(value)) return value.map(intrinsics);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, intrinsics(v)]));
  }
  return value;
}

/**
 * The whole document as one `!Sub` JSON string: needed where the OIDC provider is a parameter, because it is part of
 * the condition keys, and CloudFormation does not evaluate intrinsics in keys.
 */
function subJson(policy: unknown): Intrinsic {
  const text = JSON.stringify(policy)
    .replace(/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[0-9A-Fa-f]+/g, (host) =>
      host.endsWith(OIDC_ID_SENTINEL) ? '${OidcProvider}' : host,
    )
    .replaceAll(ACCOUNT_SENTINEL, '${AWS::AccountId}');
  return new Intrinsic('!Sub', text);
}

/** A small YAML emitter: every scalar as a JSON string (a valid YAML double-quoted scalar), stable key order. */
function yaml(value: unknown, depth: number): string {
  const pad = '  '.repeat(depth);
  const scalar = (v: unknown): string | undefined => {
    if (v instanceof Intrinsic) return `${v.tag} ${v.tag === '!Sub' ? JSON.stringify(v.value) : v.value}`;
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v) && v.length === 0) return '[]';
    if (v && typeof v === 'object' && Object.keys(v).length === 0) return '{}';
    return undefined;
  };
  if (Array.isArray(value)) {
    return value
      .map((item) => {
        const s = scalar(item);
        if (s !== undefined) return `${pad}- ${s}`;
        // The first key of a mapping goes on the dash line, the others align under it.
        const body = yaml(item, depth + 1);
        return `${pad}- ${body.slice(pad.length + 2)}`;
      })
      .join('\n');
  }
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => {
      const key = /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k);
      const s = scalar(v);
      if (s !== undefined) return `${pad}${key}: ${s}`;
      return `${pad}${key}:\n${yaml(v, depth + 1)}`;
    })
    .join('\n');
}

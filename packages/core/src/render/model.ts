import { ACCOUNT_ID } from '../policy/arn';
import {
  clientActions,
  fileSystemAllowStatement,
  irsaTrustPolicy,
  nodePermissionsPolicy,
  podIdentityTrustPolicy,
  type Access,
  type JsonPolicy,
  type JsonStatement,
} from '../policy/generate';
import { desiredSpecSchema, nodeRoleName, OWNERSHIP_TAG, type DesiredSpec } from '../plan/spec';

/** What `render` writes: one file per entry, paths relative to the output directory, always `/`-separated. */
export interface RenderedFile {
  path: string;
  content: string;
}

export type RenderFormat = 'terraform' | 'cloudformation' | 'kubernetes' | 'json' | 'all';
export const RENDER_FORMATS: readonly RenderFormat[] = [
  'terraform',
  'cloudformation',
  'kubernetes',
  'json',
  'all',
];

export interface RenderOptions {
  format: RenderFormat;
  /** The cluster's account (and the file systems' unless they name their own). Unknown: a variable / placeholder. */
  accountId?: string;
  /** The cluster's OIDC issuer URL (IRSA only). Unknown: a variable / placeholder. */
  oidcIssuer?: string;
  /** How to re-render, as shown in every header; default: the equivalent command line built from the spec. */
  command?: string;
}

export class RenderError extends Error {}

const OIDC_ISSUER = /^https:\/\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[0-9A-Fa-f]{8,40}$/;

/**
 * A sentinel account that the generators accept where the real account is an expression of the target format
 * (Terraform `local.account_id`, CloudFormation `${AWS::AccountId}`); the renderers replace it in their output. It
 * is not a valid AWS account (no account is all zeros), so it never collides with a real value.
 */
export const ACCOUNT_SENTINEL = '000000000000';
/** The same for the OIDC provider's ID when the issuer is not known. */
export const OIDC_ID_SENTINEL = '0000000000000000000000000000dead';

/** Everything the renderers need, resolved once from the spec, so that every format says the same thing. */
export interface RenderModel {
  spec: DesiredSpec;
  partition: string;
  roleName: string;
  /** The cluster account when known; otherwise the renderers use a variable (never a guess). */
  accountId?: string;
  oidcIssuer?: string;
  /** Same-account placeholders replaced by the sentinel, see {@link ACCOUNT_SENTINEL}. */
  roleArn: string;
  fileSystems: Array<{
    id: string;
    access: Access;
    arn: string;
    accountId?: string;
    type: 'efs' | 's3files';
    /** S3 Files: the linked bucket and prefix the node reads directly. */
    bucket?: string;
    prefix?: string;
  }>;
  trust: JsonPolicy;
  permissions: JsonPolicy;
  /** One statement per file system, to merge into that file system's policy by Sid. */
  fileSystemStatements: Array<{ id: string; statement: JsonStatement }>;
  /** The principal that mounts: the target role when the association chains into one, else the node role. */
  mountPrincipalArn: string;
  tags: Record<string, string>;
  command: string;
}

export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Re-checks that the spec went through the parser: rendering writes names into policies and templates, so an
 * object that was not validated (a hostile name with quotes, `*` or newlines) must never reach it.
 */
function requireParsed(spec: unknown): DesiredSpec {
  const result = desiredSpecSchema.safeParse(spec);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new RenderError(
      `refusing to render a spec that does not parse: ${issue.path.join('.') || 'spec'}: ${issue.message}`,
    );
  }
  // Defaults filled by the parser must already be there: a raw object that only happens to validate is refused too.
  const parsed = result.data;
  if (JSON.stringify(sortKeys(parsed)) !== JSON.stringify(sortKeys(spec))) {
    throw new RenderError('refusing to render a spec that was not produced by parseDesiredSpec');
  }
  return parsed;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function buildModel(input: DesiredSpec, options: RenderOptions): RenderModel {
  const spec = requireParsed(input);
  if (options.accountId !== undefined && !ACCOUNT_ID.test(options.accountId)) {
    throw new RenderError(`not a 12-digit AWS account ID: ${JSON.stringify(options.accountId)}`);
  }
  if (options.oidcIssuer !== undefined && !OIDC_ISSUER.test(options.oidcIssuer)) {
    throw new RenderError(
      `not an EKS OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/<ID>): ${JSON.stringify(options.oidcIssuer)}`,
    );
  }
  if (options.oidcIssuer !== undefined && spec.mode !== 'irsa') {
    throw new RenderError('--oidc-issuer is for mode irsa only');
  }
  const partition = partitionOfRegion(spec.region);
  const roleName = nodeRoleName(spec);
  const account = options.accountId ?? ACCOUNT_SENTINEL;
  const roleArn = `arn:${partition}:iam::${account}:role/${roleName}`;
  const fileSystems = [...spec.fileSystems]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((fs) => {
      const service = fs.type === 's3files' ? 's3files' : 'elasticfilesystem';
      const fsAccount = fs.accountId ?? account;
      return {
        id: fs.id,
        access: fs.access,
        type: fs.type,
        ...(fs.accountId ? { accountId: fs.accountId } : {}),
        ...(fs.bucket ? { bucket: fs.bucket } : {}),
        ...(fs.prefix ? { prefix: fs.prefix } : {}),
        arn: `arn:${partition}:${service}:${fs.region ?? spec.region}:${fsAccount}:file-system/${fs.id}`,
      };
    });
  const mountPrincipalArn = spec.targetRoleArn ?? roleArn;

  let trust: JsonPolicy;
  if (spec.mode === 'pod-identity') {
    trust = podIdentityTrustPolicy({ accountId: account });
  } else {
    const issuerHost = options.oidcIssuer
      ? options.oidcIssuer.replace(/^https:\/\//, '')
      : `oidc.eks.${spec.region}.amazonaws.com/id/${OIDC_ID_SENTINEL}`;
    trust = irsaTrustPolicy({
      oidcProviderArn: `arn:${partition}:iam::${account}:oidc-provider/${issuerHost}`,
      namespace: spec.nodeServiceAccount.namespace,
      serviceAccount: spec.nodeServiceAccount.name,
    });
  }

  const permissions = spec.targetRoleArn
    ? // The association role only chains into the target role: EKS assumes it with the association role's
      // credentials, passing session tags on, so the role needs AssumeRole and TagSession on that one ARN.
      {
        Version: '2012-10-17' as const,
        Statement: [
          {
            Sid: 'AssumeEfsTargetRole',
            Effect: 'Allow' as const,
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Resource: spec.targetRoleArn,
          },
        ],
      }
    : clientAccessPolicy(fileSystems);

  const fileSystemStatements = fileSystems.map((fs) => ({
    id: fs.id,
    statement: fileSystemAllowStatement({
      cluster: spec.cluster,
      roleArn: mountPrincipalArn,
      fileSystemArn: fs.arn,
      access: fs.access,
    }),
  }));

  const tags: Record<string, string> = { ...spec.tags, [OWNERSHIP_TAG.key]: OWNERSHIP_TAG.value };
  return {
    spec,
    partition,
    roleName,
    ...(options.accountId ? { accountId: options.accountId } : {}),
    ...(options.oidcIssuer ? { oidcIssuer: options.oidcIssuer } : {}),
    roleArn,
    fileSystems,
    trust,
    permissions,
    fileSystemStatements,
    mountPrincipalArn,
    tags: Object.fromEntries(Object.entries(tags).sort(([a], [b]) => a.localeCompare(b))),
    command: options.command ?? renderCommand(spec, options),
  };
}

/**
 * The client policy for file systems that may differ in access level: one generated policy per level, their
 * statements combined, with the level in the Sid so that Sids stay unique.
 */
export function clientAccessPolicy(
  fileSystems: Array<{ arn: string; access: Access; bucket?: string; prefix?: string }>,
): JsonPolicy {
  const levels = (['read', 'write', 'root'] as const).filter((level) =>
    fileSystems.some((f) => f.access === level),
  );
  const statements = levels.flatMap((level) => {
    const atLevel = fileSystems.filter((f) => f.access === level);
    const policy = nodePermissionsPolicy({
      fileSystemArns: atLevel.map((f) => f.arn),
      access: level,
      // S3 Files: the direct reads from each linked bucket, in place of AmazonS3ReadOnlyAccess.
      linkedBuckets: atLevel.flatMap((f) =>
        f.bucket ? [{ bucket: f.bucket, ...(f.prefix ? { prefix: f.prefix } : {}) }] : [],
      ),
    });
    return policy.Statement.map((s) =>
      levels.length > 1 ? { ...s, Sid: `${s.Sid}${level[0].toUpperCase()}${level.slice(1)}` } : s,
    );
  });
  return { Version: '2012-10-17', Statement: statements };
}

/** The command that renders the same files again: flags where the spec fits in flags, else a spec file. */
export function renderCommand(spec: DesiredSpec, options: RenderOptions): string {
  const fitsFlags =
    Object.keys(spec.tags).length === 0 &&
    !spec.disableSessionTags &&
    !spec.adopt &&
    spec.nodeServiceAccount.namespace === 'kube-system' &&
    spec.nodeServiceAccount.name === 'efs-csi-node-sa' &&
    spec.fileSystems.every((f) => !f.accountId && !f.region && f.type === 'efs');
  const parts = ['efs-node-identity render'];
  if (fitsFlags) {
    parts.push(`--cluster ${spec.cluster}`, `--region ${spec.region}`, `--mode ${spec.mode}`);
    for (const fs of spec.fileSystems) parts.push(`--file-system ${fs.id}:${fs.access}`);
    if (spec.roleName) parts.push(`--role-name ${spec.roleName}`);
    if (spec.targetRoleArn) parts.push(`--target-role-arn ${spec.targetRoleArn}`);
  } else {
    parts.push('--spec <the spec file of this cluster>');
  }
  parts.push(`--format ${options.format}`);
  if (options.accountId) parts.push(`--account-id ${options.accountId}`);
  if (options.oidcIssuer) parts.push(`--oidc-issuer ${options.oidcIssuer}`);
  parts.push('--out <this directory> --force');
  return parts.join(' ');
}

/** The header lines every file carries (in the comment syntax of its format). */
export function headerLines(model: RenderModel, what: string): string[] {
  return [
    `Rendered by efs-node-identity from the desired spec of cluster ${model.spec.cluster} (${model.spec.mode}): ${what}.`,
    'Do not edit by hand: change the spec and re-render with',
    `  ${model.command}`,
  ];
}

export { clientActions };

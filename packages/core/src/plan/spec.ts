import { z } from 'zod';
import { parseLocatedYaml, LocatedParseError } from '../util/located';
import {
  ACCOUNT_ID,
  bucketArnOf,
  FILE_SYSTEM_ID,
  REGION,
  ROLE_ARN,
  ROLE_NAME,
  S3FILES_FILE_SYSTEM_ID,
} from '../policy/arn';

/**
 * The desired state that `plan`, `apply` and `render` converge to: one cluster's node identity. Every value is
 * validated here, before it can reach a policy document or an API call (names with quotes, `*`, newlines and
 * malformed ARNs are refused with the field named).
 */

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const TAG_KEY = /^[\w.:/=+@-]{1,128}$/;
const TAG_VALUE = /^[\w.:/=+@ -]{0,256}$/;

const fileSystemSchema = z
  .object({
    id: z.string().regex(FILE_SYSTEM_ID, 'a file system ID: fs- followed by 8–40 lowercase hex digits'),
    /** read: ClientMount; write: + ClientWrite; root: + ClientRootAccess. */
    access: z.enum(['read', 'write', 'root']).default('write'),
    /** The file system's account, when it is not the cluster's (cross-account). */
    accountId: z.string().regex(ACCOUNT_ID, 'a 12-digit AWS account ID').optional(),
    region: z.string().regex(REGION, 'an AWS region such as eu-west-1').optional(),
    type: z.enum(['efs', 's3files']).default('efs'),
    /**
     * S3 Files: the linked bucket (ARN or name) and the key prefix the file system exposes. With them the node role
     * gets the direct reads (`s3:GetObject` under the prefix, `s3:ListBucket` on the bucket) in place of
     * AmazonS3ReadOnlyAccess; without them the live state's linked bucket is used when the collector read it.
     */
    bucket: z
      .string()
      .refine((b) => bucketArnOf(b) !== undefined, 'an S3 bucket ARN (arn:aws:s3:::<bucket>) or bucket name')
      .optional(),
    prefix: z
      .string()
      .max(1024, 'an S3 key prefix (at most 1,024 characters)')
      .refine(
        (p) => !/[*?]/.test(p) && [...p].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f),
        'an S3 key prefix without wildcards or control characters',
      )
      .optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.type === 's3files' && !S3FILES_FILE_SYSTEM_ID.test(f.id))
      ctx.addIssue({
        code: 'custom',
        path: ['id'],
        message: 'an S3 Files file system ID: fs- followed by 17–40 lowercase hex digits',
      });
    for (const key of ['bucket', 'prefix'] as const) {
      if (f[key] !== undefined && f.type !== 's3files')
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} belongs to S3 file systems (type: s3files)`,
        });
    }
  });

export const desiredSpecSchema = z
  .object({
    cluster: z.string().regex(CLUSTER_NAME, 'an EKS cluster name: letters, digits, - and _ (at most 100)'),
    region: z.string().regex(REGION, 'an AWS region such as eu-west-1'),
    mode: z.enum(['pod-identity', 'irsa']).default('pod-identity'),
    nodeServiceAccount: z
      .object({
        namespace: z.string().regex(K8S_NAME, 'a Kubernetes name').default('kube-system'),
        name: z.string().regex(K8S_NAME, 'a Kubernetes name').default('efs-csi-node-sa'),
      })
      .strict()
      .default({ namespace: 'kube-system', name: 'efs-csi-node-sa' }),
    /** The node role's name; default `<cluster>-efs-csi-node`. */
    roleName: z
      .string()
      .regex(ROLE_NAME, 'an IAM role name: letters, digits and +=,.@_- (at most 64)')
      .optional(),
    fileSystems: z.array(fileSystemSchema).min(1, 'at least one file system'),
    /**
     * Cross-account with Pod Identity: the role in the file system account that the association's role chains to
     * (`targetRoleArn` on the association; its trust must name the association role with the association's externalId).
     */
    targetRoleArn: z.string().regex(ROLE_ARN, 'an IAM role ARN').optional(),
    disableSessionTags: z.boolean().default(false),
    tags: z
      .record(z.string().regex(TAG_KEY, 'a tag key'), z.string().regex(TAG_VALUE, 'a tag value'))
      .default({}),
    /** Take over a role that exists but was not created by this tool (no ownership tag). */
    adopt: z.boolean().default(false),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.targetRoleArn && spec.mode !== 'pod-identity') {
      ctx.addIssue({
        code: 'custom',
        path: ['targetRoleArn'],
        message: 'targetRoleArn exists only with mode pod-identity',
      });
    }
    // A role of another partition (aws-cn, aws-us-gov) cannot be assumed from a cluster of this one: IAM roles and
    // STS sessions do not cross partitions.
    const partition = spec.targetRoleArn?.split(':')[1];
    if (partition !== undefined && partition !== partitionOfRegion(spec.region)) {
      ctx.addIssue({
        code: 'custom',
        path: ['targetRoleArn'],
        message: `a role in partition ${partition}, but ${spec.region} is in partition ${partitionOfRegion(spec.region)}`,
      });
    }
    const ids = spec.fileSystems.map((f) => f.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({ code: 'custom', path: ['fileSystems', i, 'id'], message: `${id} is listed twice` });
    });
  });

export type DesiredSpec = z.output<typeof desiredSpecSchema>;
export type DesiredSpecInput = z.input<typeof desiredSpecSchema>;

/** The partition of a region's ARNs. */
function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The tag that marks what this tool created; without it a role is never modified unless `adopt` is set. */
export const OWNERSHIP_TAG = { key: 'efs-node-identity.io/managed-by', value: 'efs-node-identity' } as const;

export class SpecError extends Error {}

/** The node role's name for a spec. */
export function nodeRoleName(spec: DesiredSpec): string {
  return spec.roleName ?? `${spec.cluster}-efs-csi-node`.slice(0, 64);
}

/** Validates a spec given as an object (flags); the error names the field. */
export function parseDesiredSpec(input: unknown, where = 'the spec'): DesiredSpec {
  const result = desiredSpecSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SpecError(`${where}: ${issue.path.join('.') || 'spec'}: ${issue.message}`);
  }
  return result.data;
}

/** Reads a spec file (YAML or JSON); the error names the file, the line and the field. */
export function parseDesiredSpecFile(text: string, file: string): DesiredSpec {
  let document;
  try {
    document = parseLocatedYaml(text)[0];
  } catch (error) {
    const line = error instanceof LocatedParseError && error.line ? `:${error.line}` : '';
    throw new SpecError(`${file}${line}: not valid YAML: ${(error as Error).message}`);
  }
  const dropped = document?.droppedKeys?.[0];
  if (dropped) {
    throw new SpecError(
      `${file}${dropped.line ? `:${dropped.line}` : ''}: ${dropped.key}: not a field of the spec (refused, not ignored)`,
    );
  }
  const result = desiredSpecSchema.safeParse(document?.value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    let line: number | undefined;
    let container: unknown = document?.value;
    for (const key of issue.path) {
      if (container && typeof container === 'object') {
        line = document?.lineOf(container as object, key as string | number) ?? line;
        container = (container as Record<string | number, unknown>)[key as string | number];
      }
    }
    throw new SpecError(
      `${file}${line ? `:${line}` : ''}: ${issue.path.join('.') || 'spec'}: ${issue.message}`,
    );
  }
  return result.data;
}

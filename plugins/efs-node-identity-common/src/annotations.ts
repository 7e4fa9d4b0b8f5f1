import type { Entity } from '@backstage/catalog-model';
import type { FileSystemType } from './api-types';

/** The EKS cluster the entity's workloads run on: `arn:aws:eks:<region>:<account>:cluster/<name>`. */
export const ANNOTATION_CLUSTER_ARN = 'efs-node-identity.io/cluster-arn';
/**
 * The file systems the workloads mount, comma-separated (verified besides those the cluster's volumes name): `fs-…`
 * or `efs:fs-…` for Amazon EFS, `s3files:fs-…` for Amazon S3 Files (the volume handle's prefixes in driver v3).
 */
export const ANNOTATION_FILE_SYSTEM_IDS = 'efs-node-identity.io/file-system-ids';
/** The Kubernetes service account of the EFS CSI node component, `<namespace>/<name>`. */
export const ANNOTATION_SERVICE_ACCOUNT = 'efs-node-identity.io/service-account';
/** How the node component gets its identity: `pod-identity` (EKS Pod Identity) or `irsa` (IAM roles for SAs). */
export const ANNOTATION_MODE = 'efs-node-identity.io/mode';

/** Every annotation the plugins read, in the order a catalog-info.yaml usually lists them. */
export const EFS_NODE_IDENTITY_ANNOTATIONS = [
  ANNOTATION_CLUSTER_ARN,
  ANNOTATION_FILE_SYSTEM_IDS,
  ANNOTATION_SERVICE_ACCOUNT,
  ANNOTATION_MODE,
] as const;

/** The identity mechanisms the tool provisions and verifies. */
export const IDENTITY_MODES = ['pod-identity', 'irsa'] as const;
export type IdentityMode = (typeof IDENTITY_MODES)[number];

/** The annotations of one entity, validated. */
export interface EfsNodeIdentityAnnotations {
  clusterArn: string;
  /** Partition, region, account and name, taken from the ARN. */
  cluster: { partition: string; region: string; accountId: string; name: string };
  /** The IDs alone, of both types. Empty when the annotation is absent: the cluster's volumes still name file systems. */
  fileSystemIds: string[];
  /** The same file systems with their type. */
  fileSystems: Array<{ id: string; type: FileSystemType }>;
  serviceAccount?: { namespace: string; name: string };
  mode?: IdentityMode;
}

/** An annotation is present but malformed: the message names the annotation and the value. */
export class InvalidAnnotationError extends Error {
  override readonly name = 'InvalidAnnotationError';
  constructor(
    readonly annotation: string,
    readonly value: string,
    expected: string,
  ) {
    super(`annotation ${annotation}: "${value}" is not ${expected}`);
  }
}

// EKS cluster names: 1-100 characters, letters, digits, hyphens and underscores, starting with a letter or digit
// (CreateCluster's `name` constraint). Regions are like eu-west-1 or us-gov-west-1; partitions aws, aws-cn, aws-us-gov.
const CLUSTER_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):eks:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):cluster\/([0-9A-Za-z][A-Za-z0-9_-]{0,99})$/;
// EFS file system IDs: fs- and 8 or 17 hexadecimal digits (the long form since 2018); 8-40 accepted like the CLI.
// S3 Files IDs: fs- and 17 to 40. A prefix names the type as in a driver v3 volume handle; none means EFS.
const FILE_SYSTEM_ID = /^(?:(efs|s3files):)?(fs-[0-9a-f]{8,40})$/;
// Kubernetes: a namespace is a DNS-1123 label (63), a service account name a DNS-1123 subdomain (253).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True when the entity carries the cluster annotation, the one every other annotation needs. */
export function isEfsNodeIdentityAvailable(entity: Entity): boolean {
  return Boolean(entity.metadata.annotations?.[ANNOTATION_CLUSTER_ARN]);
}

/**
 * Reads and validates the entity's efs-node-identity annotations.
 *
 * @returns undefined when the entity has no `efs-node-identity.io/cluster-arn` annotation (not set up).
 * @throws InvalidAnnotationError naming the first malformed annotation; values never reach an AWS call unchecked.
 */
export function parseEfsNodeIdentityAnnotations(entity: Entity): EfsNodeIdentityAnnotations | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const clusterArn = annotations[ANNOTATION_CLUSTER_ARN]?.trim();
  if (!clusterArn) {
    for (const key of [ANNOTATION_FILE_SYSTEM_IDS, ANNOTATION_SERVICE_ACCOUNT, ANNOTATION_MODE]) {
      if (annotations[key] !== undefined) {
        throw new InvalidAnnotationError(key, annotations[key], `usable without ${ANNOTATION_CLUSTER_ARN}`);
      }
    }
    return undefined;
  }
  const arn = CLUSTER_ARN.exec(clusterArn);
  if (!arn) {
    throw new InvalidAnnotationError(
      ANNOTATION_CLUSTER_ARN,
      clusterArn,
      'an EKS cluster ARN (arn:aws:eks:<region>:<account>:cluster/<name>)',
    );
  }
  const result: EfsNodeIdentityAnnotations = {
    clusterArn,
    cluster: { partition: arn[1]!, region: arn[2]!, accountId: arn[3]!, name: arn[4]! },
    fileSystemIds: [],
    fileSystems: [],
  };

  const fileSystems = annotations[ANNOTATION_FILE_SYSTEM_IDS];
  if (fileSystems !== undefined) {
    const seen = new Set<string>();
    for (const entry of fileSystems.split(',').map((id) => id.trim())) {
      const match = FILE_SYSTEM_ID.exec(entry);
      const type = (match?.[1] ?? 'efs') as FileSystemType;
      if (!match || (type === 's3files' && match[2]!.length < 'fs-'.length + 17)) {
        throw new InvalidAnnotationError(
          ANNOTATION_FILE_SYSTEM_IDS,
          fileSystems,
          `a comma-separated list of file system IDs (fs-… or efs:fs-… for EFS, s3files:fs-… for S3 Files): "${entry}" is not one`,
        );
      }
      const id = match[2]!;
      if (seen.has(id)) continue;
      seen.add(id);
      result.fileSystemIds.push(id);
      result.fileSystems.push({ id, type });
    }
  }

  const serviceAccount = annotations[ANNOTATION_SERVICE_ACCOUNT]?.trim();
  if (serviceAccount !== undefined) {
    const [namespace, name, ...rest] = serviceAccount.split('/');
    if (!namespace || !name || rest.length || !DNS_LABEL.test(namespace) || !DNS_SUBDOMAIN.test(name)) {
      throw new InvalidAnnotationError(
        ANNOTATION_SERVICE_ACCOUNT,
        serviceAccount,
        'a Kubernetes service account as <namespace>/<name> (lower-case DNS names)',
      );
    }
    result.serviceAccount = { namespace, name };
  }

  const mode = annotations[ANNOTATION_MODE]?.trim();
  if (mode !== undefined) {
    if (!(IDENTITY_MODES as readonly string[]).includes(mode)) {
      throw new InvalidAnnotationError(ANNOTATION_MODE, mode, `one of ${IDENTITY_MODES.join(', ')}`);
    }
    result.mode = mode as IdentityMode;
  }
  return result;
}

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Entity } from '@backstage/catalog-model';
import { parse } from 'yaml';
import {
  ANNOTATION_CLUSTER_ARN,
  ANNOTATION_FILE_SYSTEM_IDS,
  ANNOTATION_MODE,
  ANNOTATION_SERVICE_ACCOUNT,
  InvalidAnnotationError,
  isEfsNodeIdentityAvailable,
  parseEfsNodeIdentityAnnotations,
} from './annotations';

const fixture = (name: string): Entity =>
  parse(readFileSync(path.join(__dirname, '__fixtures__', name), 'utf8')) as Entity;

function entityWith(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'svc', annotations },
    spec: {},
  };
}

const CLUSTER_ARN = 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eks';

/** The message of what parsing throws, or a failure when it does not throw. */
function parseError(annotations: Record<string, string>): InvalidAnnotationError {
  try {
    parseEfsNodeIdentityAnnotations(entityWith(annotations));
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidAnnotationError);
    return error as InvalidAnnotationError;
  }
  throw new Error(`accepted ${JSON.stringify(annotations)}`);
}

describe('parseEfsNodeIdentityAnnotations', () => {
  it('reads every annotation of a catalog-info.yaml: cluster parts, deduplicated file systems, SA, mode', () => {
    const entity = fixture('payments-catalog-info.yaml');
    expect(isEfsNodeIdentityAvailable(entity)).toBe(true);
    expect(parseEfsNodeIdentityAnnotations(entity)).toEqual({
      clusterArn: CLUSTER_ARN,
      cluster: { partition: 'aws', region: 'eu-west-1', accountId: '111122223333', name: 'prod-eks' },
      fileSystemIds: ['fs-0a1b2c3d4e5f60718', 'fs-12345678'],
      fileSystems: [
        { id: 'fs-0a1b2c3d4e5f60718', type: 'efs' },
        { id: 'fs-12345678', type: 'efs' },
      ],
      serviceAccount: { namespace: 'kube-system', name: 'efs-csi-node-sa' },
      mode: 'pod-identity',
    });
  });

  it('answers undefined for an entity without the annotations (not set up, not an error)', () => {
    const entity = entityWith({ 'backstage.io/techdocs-ref': 'dir:.' });
    expect(isEfsNodeIdentityAvailable(entity)).toBe(false);
    expect(parseEfsNodeIdentityAnnotations(entity)).toBeUndefined();
  });

  it('needs only the cluster ARN; the other annotations are optional', () => {
    expect(parseEfsNodeIdentityAnnotations(entityWith({ [ANNOTATION_CLUSTER_ARN]: CLUSTER_ARN }))).toEqual({
      clusterArn: CLUSTER_ARN,
      cluster: { partition: 'aws', region: 'eu-west-1', accountId: '111122223333', name: 'prod-eks' },
      fileSystemIds: [],
      fileSystems: [],
    });
  });

  it('names the file system annotation and the bad ID in a catalog-info.yaml with a typo', () => {
    let error: unknown;
    try {
      parseEfsNodeIdentityAnnotations(fixture('typo-catalog-info.yaml'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidAnnotationError);
    expect((error as InvalidAnnotationError).annotation).toBe(ANNOTATION_FILE_SYSTEM_IDS);
    expect((error as Error).message).toBe(
      'annotation efs-node-identity.io/file-system-ids: "fs-0a1b2c3d4e5f60718,fs-0A1B2C3" is not a comma-separated list of file system IDs (fs-… or efs:fs-… for EFS, s3files:fs-… for S3 Files): "fs-0A1B2C3" is not one',
    );
  });

  it('reads S3 Files file systems by their s3files: prefix and EFS ones with or without efs:, as volume handles write them', () => {
    const parsed = parseEfsNodeIdentityAnnotations(
      entityWith({
        [ANNOTATION_CLUSTER_ARN]: CLUSTER_ARN,
        [ANNOTATION_FILE_SYSTEM_IDS]: 's3files:fs-0123456789abcdef0, efs:fs-0a1b2c3d4e5f60718,fs-12345678',
      }),
    );
    expect(parsed?.fileSystems).toEqual([
      { id: 'fs-0123456789abcdef0', type: 's3files' },
      { id: 'fs-0a1b2c3d4e5f60718', type: 'efs' },
      { id: 'fs-12345678', type: 'efs' },
    ]);
    expect(parsed?.fileSystemIds).toEqual(['fs-0123456789abcdef0', 'fs-0a1b2c3d4e5f60718', 'fs-12345678']);
  });

  it.each([
    's3files:fs-12345678', // S3 Files IDs have 17 to 40 hex digits
    'S3FILES:fs-0123456789abcdef0',
    'nfs:fs-0123456789abcdef0',
    's3files:arn:aws:s3files:eu-west-1:111122223333:file-system/fs-0123456789abcdef0',
    's3files:',
  ])('refuses %j in the file system annotation, naming it', (value) => {
    const error = parseError({ [ANNOTATION_CLUSTER_ARN]: CLUSTER_ARN, [ANNOTATION_FILE_SYSTEM_IDS]: value });
    expect(error.annotation).toBe(ANNOTATION_FILE_SYSTEM_IDS);
    expect(error.message).toContain(`"${value}" is not one`);
  });

  it.each([
    ['an IAM role ARN', 'arn:aws:iam::111122223333:role/prod-eks'],
    ['a bare cluster name', 'prod-eks'],
    ['an 11-digit account', 'arn:aws:eks:eu-west-1:11112222333:cluster/prod-eks'],
    ['a name with a slash', 'arn:aws:eks:eu-west-1:111122223333:cluster/prod/eks'],
    ['a policy-document wildcard', 'arn:aws:eks:eu-west-1:111122223333:cluster/*'],
  ])('rejects %s as cluster ARN, naming the annotation', (_what, value) => {
    const error = parseError({ [ANNOTATION_CLUSTER_ARN]: value });
    expect(error.annotation).toBe(ANNOTATION_CLUSTER_ARN);
    expect(error.message).toContain(
      `annotation ${ANNOTATION_CLUSTER_ARN}: "${value}" is not an EKS cluster ARN`,
    );
  });

  it('accepts the China and GovCloud partitions', () => {
    const arn = 'arn:aws-us-gov:eks:us-gov-west-1:111122223333:cluster/gov_eks-1';
    expect(parseEfsNodeIdentityAnnotations(entityWith({ [ANNOTATION_CLUSTER_ARN]: arn }))?.cluster).toEqual({
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      accountId: '111122223333',
      name: 'gov_eks-1',
    });
  });

  it.each(['kube-system', 'kube-system/', '/efs-csi-node-sa', 'Kube-System/efs-csi-node-sa', 'a/b/c'])(
    'rejects service account "%s", naming the annotation',
    (value) => {
      const error = parseError({
        [ANNOTATION_CLUSTER_ARN]: CLUSTER_ARN,
        [ANNOTATION_SERVICE_ACCOUNT]: value,
      });
      expect(error.annotation).toBe(ANNOTATION_SERVICE_ACCOUNT);
      expect(error.message).toContain('<namespace>/<name>');
    },
  );

  it('rejects a mode other than pod-identity or irsa', () => {
    const error = parseError({ [ANNOTATION_CLUSTER_ARN]: CLUSTER_ARN, [ANNOTATION_MODE]: 'node-role' });
    expect(error.message).toBe(
      'annotation efs-node-identity.io/mode: "node-role" is not one of pod-identity, irsa',
    );
  });

  it('rejects an annotation that cannot be used without the cluster ARN instead of ignoring it', () => {
    const error = parseError({ [ANNOTATION_FILE_SYSTEM_IDS]: 'fs-12345678' });
    expect(error.annotation).toBe(ANNOTATION_FILE_SYSTEM_IDS);
    expect(error.message).toContain(`usable without ${ANNOTATION_CLUSTER_ARN}`);
  });
});

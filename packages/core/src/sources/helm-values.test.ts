import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FileOrigin } from '../model/origin';
import { isUnknown } from '../model/unknown';
import { parseLocatedJson, parseLocatedYaml } from '../util/located';
import { cloudFormationTag } from './cloudformation';
import { driverValuesToSnapshot, helmValuesSource } from './helm-values';
import type { ParsedFile } from './types';

const FIXTURES = path.join(__dirname, '__fixtures__');

function parsed(relative: string, file = `deploy/${path.basename(relative)}`): ParsedFile {
  const text = readFileSync(path.join(FIXTURES, relative), 'utf8');
  if (relative.endsWith('.json')) {
    return { file, text, format: 'json', documents: [parseLocatedJson(text, { onTag: cloudFormationTag })] };
  }
  return { file, text, format: 'yaml', documents: parseLocatedYaml(text, { onTag: cloudFormationTag }) };
}

function claims(relative: string, file?: string): boolean {
  const f = parsed(relative, file);
  return f.documents.some((d) => helmValuesSource.claims(d, f));
}

function read(relative: string) {
  const f = parsed(relative);
  expect(f.documents.every((d) => helmValuesSource.claims(d, f))).toBe(true);
  return helmValuesSource.read(f.documents, f);
}

/** The line in a fixture of the first line at or after `from` that contains `needle` (1-based). */
function lineOf(relative: string, needle: string, from = 1): number {
  const lines = readFileSync(path.join(FIXTURES, relative), 'utf8').split('\n');
  const index = lines.findIndex((l, i) => i >= from - 1 && l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in ${relative}`);
  return index + 1;
}

describe('helmValuesSource.claims', () => {
  it('claims values of the aws-efs-csi-driver chart', () => {
    expect(claims('helm/values-renamed-node-sa.yaml')).toBe(true);
    expect(claims('helm/values-irsa.yaml')).toBe(true);
    expect(claims('helm/values-existing-sa.yaml')).toBe(true);
    expect(claims('helm/helmfile-values.yaml')).toBe(true);
  });

  it('does not claim a StorageClass manifest', () => {
    expect(claims('helm/storageclass.yaml')).toBe(false);
  });

  it('does not claim CloudFormation templates', () => {
    expect(claims('cloudformation/pod-identity-node-role.yaml')).toBe(false);
    expect(claims('cloudformation/irsa-node-role.json')).toBe(false);
    expect(claims('cloudformation/cdk.out/EfsNodeIdentityStack.template.json')).toBe(false);
  });

  it('does not claim values of another chart with the same service account layout', () => {
    expect(claims('helm/ebs-csi-values.yaml')).toBe(false);
  });

  it('does not claim policies or unrelated YAML', () => {
    const claimsText = (text: string, file = 'x.yaml') => {
      const documents = parseLocatedYaml(text);
      return helmValuesSource.claims(documents[0], { file, text, format: 'yaml', documents });
    };
    expect(claimsText('{"Version": "2012-10-17", "Statement": []}')).toBe(false);
    expect(claimsText('replicaCount: 2\nimage:\n  repository: nginx\n')).toBe(false);
    // The bare shape alone is too common: it needs an EFS marker, here the file's path.
    expect(claimsText('node:\n  serviceAccount:\n    name: custom-node\n')).toBe(false);
    expect(claimsText('node:\n  serviceAccount:\n    name: custom-node\n', 'charts/efs/values.yaml')).toBe(
      true,
    );
  });
});

describe('helmValuesSource: values renaming the node service account', () => {
  const FILE = 'helm/values-renamed-node-sa.yaml';
  const snapshot = read(FILE);

  it('gives the node DaemonSet the renamed service account, pointing at the name line', () => {
    expect(snapshot.daemonSets).toHaveLength(1);
    const [ds] = snapshot.daemonSets;
    expect(ds.namespace).toBe('kube-system');
    expect(ds.name).toBe('efs-csi-node');
    expect(ds.serviceAccountName).toBe('efs-csi-node-dedicated');
    expect(ds.serviceAccountOrigin).toEqual({
      kind: 'file',
      file: 'deploy/values-renamed-node-sa.yaml',
      line: lineOf(FILE, 'name: efs-csi-node-dedicated'),
      path: 'node.serviceAccount.name',
    });
    expect((ds.origin as FileOrigin).line).toBe(lineOf(FILE, 'node:'));
  });

  it('builds the efs-plugin image from repository and tag, with the env from node.env', () => {
    const [container] = snapshot.daemonSets[0].containers;
    expect(container.name).toBe('efs-plugin');
    expect(container.image).toBe('public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v2.1.4');
    expect(container.env).toEqual({ AWS_STS_REGIONAL_ENDPOINTS: 'regional' });
  });

  it('creates the node and controller service accounts the chart would create', () => {
    expect(snapshot.serviceAccounts.map((sa) => [sa.namespace, sa.name])).toEqual([
      ['kube-system', 'efs-csi-node-dedicated'],
      ['kube-system', 'efs-csi-controller-sa'],
    ]);
    expect((snapshot.serviceAccounts[0].origin as FileOrigin).line).toBe(
      lineOf(FILE, 'serviceAccount:', lineOf(FILE, 'node:')),
    );
  });

  it('turns storageClasses into StorageClasses of the driver with lines for options and parameters', () => {
    expect(snapshot.storageClasses).toHaveLength(1);
    const [sc] = snapshot.storageClasses;
    expect(sc.name).toBe('efs-shared');
    expect(sc.provisioner).toBe('efs.csi.aws.com');
    expect(sc.mountOptions).toEqual(['tls', 'iam']);
    expect(sc.parameters).toEqual({
      provisioningMode: 'efs-ap',
      fileSystemId: 'fs-0123456789abcdef0',
      directoryPerms: '700',
    });
    expect((sc.origin as FileOrigin).line).toBe(lineOf(FILE, '- name: efs-shared'));
    expect(sc.mountOptionOrigins!.map((o) => (o as FileOrigin).line)).toEqual([
      lineOf(FILE, '- tls'),
      lineOf(FILE, '- iam'),
    ]);
    expect((sc.parameterOrigins!.fileSystemId as FileOrigin).line).toBe(lineOf(FILE, 'fileSystemId:'));
  });
});

describe('helmValuesSource: values with IRSA annotations', () => {
  const FILE = 'helm/values-irsa.yaml';
  const snapshot = read(FILE);

  it('keeps the role-arn annotation of each service account with its line', () => {
    const node = snapshot.serviceAccounts.find((sa) => sa.name === 'efs-csi-node-sa')!;
    expect(node.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/efs-csi-node',
    });
    expect((node.annotationOrigins!['eks.amazonaws.com/role-arn'] as FileOrigin).line).toBe(
      lineOf(FILE, 'role/efs-csi-node'),
    );
    const controller = snapshot.serviceAccounts.find((sa) => sa.name === 'efs-csi-controller-sa')!;
    expect(controller.annotations['eks.amazonaws.com/role-arn']).toBe(
      'arn:aws:iam::111122223333:role/efs-csi-controller',
    );
  });

  it('leaves the image absent when the values do not set it (it depends on the chart version)', () => {
    expect(snapshot.daemonSets[0].containers[0].image).toBeUndefined();
  });
});

describe('helmValuesSource: other shapes', () => {
  it('does not create a service account the values say exists already, but the DaemonSet still uses it', () => {
    const snapshot = read('helm/values-existing-sa.yaml');
    expect(snapshot.serviceAccounts.map((sa) => sa.name)).toEqual(['efs-csi-controller-sa']);
    expect(snapshot.daemonSets[0].serviceAccountName).toBe('efs-csi-node-sa');
  });

  it('reads the driver values under an umbrella chart key and makes template expressions unknown', () => {
    const FILE = 'helm/helmfile-values.yaml';
    const snapshot = read(FILE);
    const node = snapshot.serviceAccounts.find((sa) => sa.name === 'efs-csi-node-sa')!;
    const arn = node.annotations['eks.amazonaws.com/role-arn'];
    expect(isUnknown(arn) && arn.expression).toBe('{{ requiredEnv "EFS_NODE_ROLE_ARN" }}');
    expect(isUnknown(arn) && (arn.origin as FileOrigin).line).toBe(lineOf(FILE, 'requiredEnv'));
    expect((node.origin as FileOrigin).path).toBe('aws-efs-csi-driver.node.serviceAccount');
    const image = snapshot.daemonSets[0].containers[0].image;
    expect(isUnknown(image) && image.expression).toBe(
      'public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:{{ .Values.efsDriverTag }}',
    );
  });
});

describe('driverValuesToSnapshot', () => {
  const origin: FileOrigin = { kind: 'file', file: 'values.json', line: 1 };

  it('applies the chart defaults to empty values', () => {
    const snapshot = driverValuesToSnapshot({}, origin);
    expect(snapshot.inputs).toEqual(['S']);
    expect(snapshot.serviceAccounts.map((sa) => sa.name)).toEqual([
      'efs-csi-node-sa',
      'efs-csi-controller-sa',
    ]);
    expect(snapshot.daemonSets[0]).toEqual(
      expect.objectContaining({
        namespace: 'kube-system',
        name: 'efs-csi-node',
        serviceAccountName: 'efs-csi-node-sa',
      }),
    );
    expect(snapshot.storageClasses).toEqual([]);
  });

  it('uses the release namespace when the caller knows it', () => {
    const snapshot = driverValuesToSnapshot({}, origin, undefined, { namespace: 'storage' });
    expect(snapshot.serviceAccounts.every((sa) => sa.namespace === 'storage')).toBe(true);
    expect(snapshot.daemonSets[0].namespace).toBe('storage');
  });

  it('leaves the image unknown when only the repository is set (the tag defaults to the chart appVersion)', () => {
    const snapshot = driverValuesToSnapshot(
      { image: { repository: 'registry.example.com/aws-efs-csi-driver' } },
      origin,
    );
    const image = snapshot.daemonSets[0].containers[0].image;
    expect(isUnknown(image) && image.expression).toBe(
      'registry.example.com/aws-efs-csi-driver:v<chart appVersion>',
    );
  });

  it('renders a numeric tag as the chart does (toString)', () => {
    const snapshot = driverValuesToSnapshot(
      { image: { repository: 'r/aws-efs-csi-driver', tag: 2.1 } },
      origin,
    );
    expect(snapshot.daemonSets[0].containers[0].image).toBe('r/aws-efs-csi-driver:2.1');
  });
});

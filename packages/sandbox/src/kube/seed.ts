import { randomBytes } from 'node:crypto';
import type { EksCluster } from '../state/eks';
import type { KubeObject } from '../state/kube';
import { TEMPLATE_GENERATION, createDaemonPod, podsOf, refreshDaemonSetStatus } from './controller';
import { isObject } from './patch';
import { objectKey, resourceOfKind } from './resources';
import { createObject, objectsOf, updateObject } from './store';
import { admitPod } from './webhook';

/**
 * Helpers that put Kubernetes objects into a sandbox cluster directly (for the scenario loader and tests). Times are
 * epoch ms and default to "now" of the caller (`Date.now()` unless given), so a scenario can say "pods created a day
 * before the association" (never-restarted) by passing `createdAt`.
 *
 * Order matters the way it does on a real cluster: the simulated Pod Identity/IRSA webhook runs when pods are created,
 * so seed Pod Identity associations and ServiceAccount annotations that pods should see BEFORE `addEfsCsiNode` /
 * `addDaemonSet` (or recreate the pods later with a restart).
 */

const now = (at?: number) => at ?? Date.now();

/** Stores any object of a served kind as given (no webhook, no controller); replaces one with the same name. */
export function addObject(cluster: EksCluster, object: KubeObject, createdAt?: number): KubeObject {
  const copy = structuredClone(object);
  const type = resourceOfKind(copy.kind);
  if (type.namespaced) ensureNamespace(cluster, copy.metadata.namespace ?? 'default', createdAt);
  return createObject(cluster.kube, copy, now(createdAt));
}

export function getObject(
  cluster: EksCluster,
  kind: string,
  namespace: string | undefined,
  name: string,
): KubeObject | undefined {
  const type = resourceOfKind(kind);
  return cluster.kube.objects.get(
    objectKey(type.plural, type.namespaced ? (namespace ?? 'default') : undefined, name),
  );
}

export function ensureNamespace(cluster: EksCluster, name: string, createdAt?: number): KubeObject {
  const existing = cluster.kube.objects.get(objectKey('namespaces', undefined, name));
  if (existing) return existing;
  return createObject(
    cluster.kube,
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    },
    now(createdAt),
  );
}

export interface NodeSeed {
  /** Default: `ip-<ip dashed>.<region>.compute.internal`, as EKS names nodes. */
  name?: string;
  /** AZ name, e.g. `eu-west-1a`. */
  zone: string;
  /** AZ ID (`euw1-az1`): EKS nodes carry it as `topology.k8s.aws/zone-id`. */
  zoneId?: string;
  instanceId?: string;
  internalIp?: string;
  instanceType?: string;
  nodegroup?: string;
  labels?: Record<string, string>;
  createdAt?: number;
}

export function addNode(cluster: EksCluster, seed: NodeSeed): KubeObject {
  const ip = seed.internalIp ?? `10.0.${1 + (randomBytes(1)[0]! % 200)}.${1 + (randomBytes(1)[0]! % 250)}`;
  const name = seed.name ?? `ip-${ip.replace(/\./g, '-')}.${cluster.region}.compute.internal`;
  const instanceId = seed.instanceId ?? `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
  const instanceType = seed.instanceType ?? 'm5.large';
  return createObject(
    cluster.kube,
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node.kubernetes.io/instance-type': instanceType,
          'topology.kubernetes.io/region': cluster.region,
          'topology.kubernetes.io/zone': seed.zone,
          ...(seed.zoneId ? { 'topology.k8s.aws/zone-id': seed.zoneId } : {}),
          ...(seed.nodegroup ? { 'eks.amazonaws.com/nodegroup': seed.nodegroup } : {}),
          ...seed.labels,
        },
      },
      spec: { providerID: `aws:///${seed.zone}/${instanceId}` },
      status: {
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'InternalDNS', address: name },
          { type: 'Hostname', address: name },
        ],
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
          },
        ],
        nodeInfo: {
          kubeletVersion: `v${cluster.version}.0-eks-sandbox`,
          operatingSystem: 'linux',
          architecture: 'amd64',
          osImage: 'Amazon Linux 2023',
          containerRuntimeVersion: 'containerd://1.7.0',
        },
      },
    },
    now(seed.createdAt),
  );
}

export interface ServiceAccountSeed {
  name: string;
  namespace?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  createdAt?: number;
}

/** Adds a ServiceAccount, or merges labels and annotations into an existing one. */
export function addServiceAccount(cluster: EksCluster, seed: ServiceAccountSeed): KubeObject {
  const namespace = seed.namespace ?? 'default';
  const existing = cluster.kube.objects.get(objectKey('serviceaccounts', namespace, seed.name));
  if (existing) {
    if (seed.annotations)
      existing.metadata.annotations = { ...existing.metadata.annotations, ...seed.annotations };
    if (seed.labels) existing.metadata.labels = { ...existing.metadata.labels, ...seed.labels };
    return updateObject(cluster.kube, existing);
  }
  return addObject(
    cluster,
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: seed.name,
        namespace,
        ...(seed.labels ? { labels: seed.labels } : {}),
        ...(seed.annotations ? { annotations: seed.annotations } : {}),
      },
    },
    seed.createdAt,
  );
}

export interface DaemonSetOptions {
  /** Pods are created on every Node of the cluster (these are added first). */
  nodes?: NodeSeed[];
  updateStrategy?: 'RollingUpdate' | 'OnDelete';
  /** When the DaemonSet was created (default now). */
  createdAt?: number;
  /** When its pods were created and admitted by the simulated webhook (default: `createdAt`). */
  podsCreatedAt?: number;
}

/**
 * Adds a DaemonSet (a full object: `spec.selector`, `spec.template`) and creates its pods on every Node, admitted by
 * the simulated webhook at `podsCreatedAt`. Creates the namespace and, when missing, the pod ServiceAccount.
 */
export function addDaemonSet(
  cluster: EksCluster,
  daemonSet: KubeObject,
  options: DaemonSetOptions = {},
): KubeObject {
  for (const node of options.nodes ?? []) addNode(cluster, node);
  const createdAt = now(options.createdAt);
  const ds = structuredClone(daemonSet);
  const spec = (ds.spec ??= {}) as Record<string, unknown>;
  if (options.updateStrategy)
    spec.updateStrategy =
      options.updateStrategy === 'OnDelete'
        ? { type: 'OnDelete' }
        : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } };
  spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
  spec.revisionHistoryLimit ??= 10;
  ds.metadata.annotations = {
    ...ds.metadata.annotations,
    [TEMPLATE_GENERATION]: ds.metadata.annotations?.[TEMPLATE_GENERATION] ?? '1',
  };
  const namespace = ds.metadata.namespace ?? 'default';
  const template = isObject(spec.template) ? spec.template : {};
  const saName =
    isObject(template.spec) && typeof template.spec.serviceAccountName === 'string'
      ? template.spec.serviceAccountName
      : 'default';
  if (!cluster.kube.objects.has(objectKey('serviceaccounts', namespace, saName)))
    addServiceAccount(cluster, { name: saName, namespace, createdAt });
  const stored = addObject(cluster, ds, createdAt);
  const podsAt = options.podsCreatedAt ?? createdAt;
  for (const node of objectsOf(cluster.kube, 'nodes')) {
    if (
      !podsOf(cluster.kube, stored).some(
        (p) => (p.spec as Record<string, unknown>).nodeName === node.metadata.name,
      )
    ) {
      createDaemonPod(cluster, stored, node.metadata.name, podsAt);
    }
  }
  return refreshDaemonSetStatus(cluster.kube, stored);
}

export interface EfsCsiNodeOptions extends DaemonSetOptions {
  /** Tag of the efs-plugin image (default `v2.1.0`). */
  imageTag?: string;
  /** Repository of the efs-plugin image (default: the EKS add-on's ECR repository in the cluster's region). */
  imageRepository?: string;
  serviceAccountName?: string;
  namespace?: string;
  /** Extra env for the efs-plugin container (e.g. AWS_REGION, or credentials set by hand). */
  env?: Array<{ name: string; value: string }>;
}

export const EFS_CSI_NODE_LABELS = {
  app: 'efs-csi-node',
  'app.kubernetes.io/name': 'aws-efs-csi-driver',
  'app.kubernetes.io/instance': 'aws-efs-csi-driver',
};

/**
 * The EFS CSI driver's node DaemonSet `efs-csi-node` with containers efs-plugin, csi-driver-registrar and
 * liveness-probe, shaped like the one the EKS add-on / Helm chart installs (abridged: written from the chart's
 * documented shape, not copied; fields the product does not read are left out).
 */
export function efsCsiNodeDaemonSet(cluster: EksCluster, options: EfsCsiNodeOptions = {}): KubeObject {
  const namespace = options.namespace ?? 'kube-system';
  const repository =
    options.imageRepository ?? `602401143452.dkr.ecr.${cluster.region}.amazonaws.com/eks/aws-efs-csi-driver`;
  const sidecars = `602401143452.dkr.ecr.${cluster.region}.amazonaws.com/eks`;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: 'efs-csi-node',
      namespace,
      labels: { ...EFS_CSI_NODE_LABELS, 'app.kubernetes.io/managed-by': 'EKS' },
    },
    spec: {
      selector: { matchLabels: { ...EFS_CSI_NODE_LABELS } },
      template: {
        metadata: { labels: { ...EFS_CSI_NODE_LABELS } },
        spec: {
          serviceAccountName: options.serviceAccountName ?? 'efs-csi-node-sa',
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          priorityClassName: 'system-node-critical',
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ operator: 'Exists' }],
          containers: [
            {
              name: 'efs-plugin',
              image: `${repository}:${options.imageTag ?? 'v2.1.0'}`,
              args: ['--endpoint=$(CSI_ENDPOINT)', '--logtostderr', '--v=2', '--vol-metrics-opt-in=false'],
              env: [
                { name: 'CSI_ENDPOINT', value: 'unix:/csi/csi.sock' },
                {
                  name: 'CSI_NODE_NAME',
                  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } },
                },
                ...(options.env ?? []),
              ],
              securityContext: { privileged: true },
              ports: [{ name: 'healthz', containerPort: 9809, protocol: 'TCP' }],
              volumeMounts: [
                { name: 'kubelet-dir', mountPath: '/var/lib/kubelet', mountPropagation: 'Bidirectional' },
                { name: 'plugin-dir', mountPath: '/csi' },
                { name: 'efs-state-dir', mountPath: '/var/run/efs' },
                { name: 'efs-utils-config', mountPath: '/var/amazon/efs' },
              ],
            },
            {
              name: 'csi-driver-registrar',
              image: `${sidecars}/csi-node-driver-registrar:v2.13.0-eks-1-33-1`,
              args: [
                '--csi-address=$(ADDRESS)',
                '--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)',
                '--v=2',
              ],
              env: [
                { name: 'ADDRESS', value: '/csi/csi.sock' },
                { name: 'DRIVER_REG_SOCK_PATH', value: '/var/lib/kubelet/plugins/efs.csi.aws.com/csi.sock' },
              ],
              volumeMounts: [
                { name: 'plugin-dir', mountPath: '/csi' },
                { name: 'registration-dir', mountPath: '/registration' },
              ],
            },
            {
              name: 'liveness-probe',
              image: `${sidecars}/livenessprobe:v2.14.0-eks-1-33-1`,
              args: ['--csi-address=/csi/csi.sock', '--health-port=9809', '--v=2'],
              volumeMounts: [{ name: 'plugin-dir', mountPath: '/csi' }],
            },
          ],
          volumes: [
            { name: 'kubelet-dir', hostPath: { path: '/var/lib/kubelet', type: 'Directory' } },
            {
              name: 'plugin-dir',
              hostPath: { path: '/var/lib/kubelet/plugins/efs.csi.aws.com/', type: 'DirectoryOrCreate' },
            },
            {
              name: 'registration-dir',
              hostPath: { path: '/var/lib/kubelet/plugins_registry/', type: 'Directory' },
            },
            { name: 'efs-state-dir', hostPath: { path: '/var/run/efs', type: 'DirectoryOrCreate' } },
            { name: 'efs-utils-config', hostPath: { path: '/var/amazon/efs', type: 'DirectoryOrCreate' } },
          ],
        },
      },
    },
  };
}

/** Adds the `efs-csi-node` DaemonSet and its pods on every Node (see `addDaemonSet` for times and webhook order). */
export function addEfsCsiNode(cluster: EksCluster, options: EfsCsiNodeOptions = {}): KubeObject {
  return addDaemonSet(cluster, efsCsiNodeDaemonSet(cluster, options), options);
}

/** Adds a bare pod (not owned by a controller), admitted by the simulated webhook at `createdAt`. */
export function addPod(cluster: EksCluster, pod: KubeObject, createdAt?: number): KubeObject {
  const copy = structuredClone(pod);
  copy.metadata.namespace ??= 'default';
  admitPod(cluster, copy, now(createdAt));
  copy.status ??= { phase: 'Running' };
  return addObject(cluster, copy, createdAt);
}

export interface StorageClassSeed {
  name: string;
  /** Default `efs.csi.aws.com`. */
  provisioner?: string;
  parameters?: Record<string, string>;
  mountOptions?: string[];
  reclaimPolicy?: 'Delete' | 'Retain';
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
}

export function addStorageClass(cluster: EksCluster, seed: StorageClassSeed, createdAt?: number): KubeObject {
  return addObject(
    cluster,
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: seed.name },
      provisioner: seed.provisioner ?? 'efs.csi.aws.com',
      ...(seed.parameters ? { parameters: seed.parameters } : {}),
      ...(seed.mountOptions ? { mountOptions: seed.mountOptions } : {}),
      reclaimPolicy: seed.reclaimPolicy ?? 'Delete',
      volumeBindingMode: seed.volumeBindingMode ?? 'Immediate',
    },
    createdAt,
  );
}

export interface PersistentVolumeSeed {
  name: string;
  /** `fs-…`, `fs-…::fsap-…` or `fs-…:/path`, as the EFS CSI driver reads `volumeHandle`. */
  volumeHandle: string;
  driver?: string;
  capacity?: string;
  storageClassName?: string;
  mountOptions?: string[];
  volumeAttributes?: Record<string, string>;
  /** `<namespace>/<name>` of the claim it is bound to. */
  claim?: string;
  nodePublishSecretRef?: { name: string; namespace: string };
}

export function addPersistentVolume(
  cluster: EksCluster,
  seed: PersistentVolumeSeed,
  createdAt?: number,
): KubeObject {
  const [claimNamespace, claimName] = seed.claim?.split('/') ?? [];
  return addObject(
    cluster,
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: seed.name },
      spec: {
        capacity: { storage: seed.capacity ?? '5Gi' },
        volumeMode: 'Filesystem',
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: seed.storageClassName ?? '',
        ...(seed.mountOptions ? { mountOptions: seed.mountOptions } : {}),
        csi: {
          driver: seed.driver ?? 'efs.csi.aws.com',
          volumeHandle: seed.volumeHandle,
          ...(seed.volumeAttributes ? { volumeAttributes: seed.volumeAttributes } : {}),
          ...(seed.nodePublishSecretRef ? { nodePublishSecretRef: seed.nodePublishSecretRef } : {}),
        },
        ...(claimName
          ? {
              claimRef: {
                kind: 'PersistentVolumeClaim',
                namespace: claimNamespace,
                name: claimName,
                apiVersion: 'v1',
              },
            }
          : {}),
      },
      status: { phase: claimName ? 'Bound' : 'Available' },
    },
    createdAt,
  );
}

export interface PersistentVolumeClaimSeed {
  name: string;
  namespace?: string;
  storageClassName?: string;
  volumeName?: string;
  storage?: string;
}

export function addPersistentVolumeClaim(
  cluster: EksCluster,
  seed: PersistentVolumeClaimSeed,
  createdAt?: number,
): KubeObject {
  return addObject(
    cluster,
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: seed.name, namespace: seed.namespace ?? 'default' },
      spec: {
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: seed.storage ?? '5Gi' } },
        ...(seed.storageClassName !== undefined ? { storageClassName: seed.storageClassName } : {}),
        ...(seed.volumeName ? { volumeName: seed.volumeName } : {}),
        volumeMode: 'Filesystem',
      },
      status: seed.volumeName
        ? { phase: 'Bound', accessModes: ['ReadWriteMany'], capacity: { storage: seed.storage ?? '5Gi' } }
        : { phase: 'Pending' },
    },
    createdAt,
  );
}

export interface SecretSeed {
  name: string;
  namespace?: string;
  type?: string;
  /** Plain-text values (stored base64-encoded in `data`, as the API returns them). */
  stringData?: Record<string, string>;
}

export function addSecret(cluster: EksCluster, seed: SecretSeed, createdAt?: number): KubeObject {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(seed.stringData ?? {}))
    data[k] = Buffer.from(v, 'utf8').toString('base64');
  return addObject(
    cluster,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: seed.name, namespace: seed.namespace ?? 'default' },
      type: seed.type ?? 'Opaque',
      data,
    },
    createdAt,
  );
}

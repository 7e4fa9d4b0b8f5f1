/** The resource types the sandbox's Kubernetes API serves (the subset the product reads and patches). */
export interface ResourceType {
  /** URL plural, also the first part of the state key (`daemonsets`). */
  plural: string;
  kind: string;
  /** API group; '' for the core group. */
  group: string;
  version: string;
  namespaced: boolean;
  /** Has a `/status` subresource: PATCH on the main resource ignores `status`, PATCH on `/status` only changes it. */
  hasStatus: boolean;
  /** Spec changes bump `metadata.generation` (the API server does so for workloads, not for pods or config objects). */
  hasGeneration: boolean;
  /** Verbs beyond get/list/patch. */
  deletable?: boolean;
}

export const RESOURCES: ResourceType[] = [
  {
    plural: 'pods',
    kind: 'Pod',
    group: '',
    version: 'v1',
    namespaced: true,
    hasStatus: true,
    hasGeneration: false,
    deletable: true,
  },
  {
    plural: 'serviceaccounts',
    kind: 'ServiceAccount',
    group: '',
    version: 'v1',
    namespaced: true,
    hasStatus: false,
    hasGeneration: false,
  },
  {
    plural: 'secrets',
    kind: 'Secret',
    group: '',
    version: 'v1',
    namespaced: true,
    hasStatus: false,
    hasGeneration: false,
  },
  {
    plural: 'configmaps',
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    namespaced: true,
    hasStatus: false,
    hasGeneration: false,
  },
  {
    plural: 'persistentvolumeclaims',
    kind: 'PersistentVolumeClaim',
    group: '',
    version: 'v1',
    namespaced: true,
    hasStatus: true,
    hasGeneration: false,
  },
  {
    plural: 'persistentvolumes',
    kind: 'PersistentVolume',
    group: '',
    version: 'v1',
    namespaced: false,
    hasStatus: true,
    hasGeneration: false,
  },
  {
    plural: 'nodes',
    kind: 'Node',
    group: '',
    version: 'v1',
    namespaced: false,
    hasStatus: true,
    hasGeneration: false,
  },
  {
    plural: 'namespaces',
    kind: 'Namespace',
    group: '',
    version: 'v1',
    namespaced: false,
    hasStatus: true,
    hasGeneration: false,
  },
  {
    plural: 'daemonsets',
    kind: 'DaemonSet',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    hasStatus: true,
    hasGeneration: true,
  },
  {
    plural: 'storageclasses',
    kind: 'StorageClass',
    group: 'storage.k8s.io',
    version: 'v1',
    namespaced: false,
    hasStatus: false,
    hasGeneration: false,
  },
  {
    plural: 'csidrivers',
    kind: 'CSIDriver',
    group: 'storage.k8s.io',
    version: 'v1',
    namespaced: false,
    hasStatus: false,
    hasGeneration: false,
  },
];

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceOfKind(kind: string): ResourceType {
  const type = RESOURCES.find((r) => r.kind === kind);
  if (!type) throw new Error(`the sandbox does not serve kind ${kind}`);
  return type;
}

/** State key of an object: `<plural>/<namespace or "">/<name>`. */
export function objectKey(plural: string, namespace: string | undefined, name: string): string {
  return `${plural}/${namespace ?? ''}/${name}`;
}

/**
 * The Kubernetes objects of one cluster, stored as plain JSON objects as the API server would return them.
 * Owned by the Kubernetes API module; extend here.
 */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
};

export interface KubeState {
  /** Objects by `<kind>/<namespace or "">/<name>` (kind is the resource plural, e.g. `daemonsets`). */
  objects: Map<string, KubeObject>;
  resourceVersion: number;
}

export function emptyKubeState(): KubeState {
  return { objects: new Map(), resourceVersion: 1 };
}

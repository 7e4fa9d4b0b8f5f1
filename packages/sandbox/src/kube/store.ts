import { randomUUID } from 'node:crypto';
import type { KubeObject, KubeState } from '../state/kube';
import { objectKey, resourceOfKind } from './resources';

/** RFC 3339 with second precision, as the API server writes `metav1.Time`. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function keyOf(object: KubeObject): string {
  return objectKey(resourceOfKind(object.kind).plural, object.metadata.namespace, object.metadata.name);
}

/** Takes the next resourceVersion of the cluster (one counter per cluster, like etcd's revision). */
export function nextResourceVersion(kube: KubeState): string {
  kube.resourceVersion += 1;
  return String(kube.resourceVersion);
}

/**
 * Stores a new object, filling what the API server sets on create: uid, creationTimestamp, resourceVersion and, for
 * kinds that have it, generation 1. Replaces an object with the same key (seeding is idempotent by name).
 */
export function createObject(kube: KubeState, object: KubeObject, createdAt: number): KubeObject {
  const type = resourceOfKind(object.kind);
  object.metadata.uid ??= randomUUID();
  object.metadata.creationTimestamp ??= timestamp(createdAt);
  if (type.hasGeneration) object.metadata.generation ??= 1;
  if (type.namespaced) object.metadata.namespace ??= 'default';
  else delete object.metadata.namespace;
  object.metadata.resourceVersion = nextResourceVersion(kube);
  kube.objects.set(keyOf(object), object);
  return object;
}

/** Stores a changed object under a new resourceVersion. */
export function updateObject(kube: KubeState, object: KubeObject): KubeObject {
  object.metadata.resourceVersion = nextResourceVersion(kube);
  kube.objects.set(keyOf(object), object);
  return object;
}

export function deleteObject(kube: KubeState, object: KubeObject): void {
  kube.objects.delete(keyOf(object));
  // A delete is a change too: list resourceVersions move on.
  nextResourceVersion(kube);
}

/** Objects of one resource, optionally in one namespace, in the API server's order (namespace, then name). */
export function objectsOf(kube: KubeState, plural: string, namespace?: string): KubeObject[] {
  const prefix = namespace === undefined ? `${plural}/` : `${plural}/${namespace}/`;
  return [...kube.objects.entries()]
    .filter(([key]) => key.startsWith(prefix))
    .map(([, object]) => object)
    .sort((a, b) => {
      const na = a.metadata.namespace ?? '';
      const nb = b.metadata.namespace ?? '';
      return na < nb
        ? -1
        : na > nb
          ? 1
          : a.metadata.name < b.metadata.name
            ? -1
            : a.metadata.name > b.metadata.name
              ? 1
              : 0;
    });
}

import { createHash, randomBytes } from 'node:crypto';
import type { EksCluster } from '../state/eks';
import type { KubeObject, KubeState } from '../state/kube';
import { deepEqual, isObject } from './patch';
import { createObject, deleteObject, objectsOf, timestamp, updateObject } from './store';
import { admitPod } from './webhook';

/**
 * A minimal DaemonSet controller, run synchronously by the API (no background loop): after every change and at the
 * start of every request, `reconcile` brings each DaemonSet's pods and status in line with its template and the
 * cluster's Nodes. Being lazy and driven by `state.now()`, it works with tests that move the clock.
 *
 * Simplifications: every Node is eligible (no nodeSelector, affinity or taints); pods are Running and Ready as soon as
 * they exist; a RollingUpdate replaces all outdated pods at once (after `rolloutDelayMs`) instead of `maxUnavailable`
 * at a time, so during a delayed rollout the old pods stay available and only `updatedNumberScheduled` lags.
 */

/** The annotation the real DaemonSet controller keeps the template generation in. */
export const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

type Spec = Record<string, unknown>;

export function specOf(object: KubeObject): Spec {
  return (isObject(object.spec) ? object.spec : (object.spec = {})) as Spec;
}

export function templateOf(ds: KubeObject): Spec {
  const spec = specOf(ds);
  return (isObject(spec.template) ? spec.template : (spec.template = {})) as Spec;
}

export function updateStrategyOf(ds: KubeObject): string {
  const strategy = specOf(ds).updateStrategy;
  return (
    (isObject(strategy) && typeof strategy.type === 'string' ? strategy.type : undefined) ?? 'RollingUpdate'
  );
}

/** `controller-revision-hash` of a template: stands for the ControllerRevision the real controller would create. */
export function templateHash(template: unknown): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256')
    .update(JSON.stringify(template ?? {}))
    .digest();
  return [...digest.subarray(0, 10)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Five characters from the alphabet the API server uses for `generateName` suffixes. */
function suffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

const dsKey = (ds: KubeObject) => `${ds.metadata.namespace ?? 'default'}/${ds.metadata.name}`;

/** The pods a DaemonSet owns (by controller ownerReference). */
export function podsOf(kube: KubeState, ds: KubeObject): KubeObject[] {
  return objectsOf(kube, 'pods', ds.metadata.namespace).filter((pod) => {
    const owners = pod.metadata.ownerReferences;
    return (
      Array.isArray(owners) &&
      owners.some((o) => isObject(o) && o.uid === ds.metadata.uid && o.controller === true)
    );
  });
}

function nodeIp(node: KubeObject): string {
  const addresses = (
    isObject(node.status) && Array.isArray(node.status.addresses) ? node.status.addresses : []
  ) as Array<Record<string, unknown>>;
  return (addresses.find((a) => a.type === 'InternalIP')?.address as string | undefined) ?? '10.0.0.10';
}

/** Creates one pod of a DaemonSet on a node, as admitted at time `at` (the simulated webhook runs here). */
export function createDaemonPod(
  cluster: EksCluster,
  ds: KubeObject,
  nodeName: string,
  at: number,
): KubeObject {
  const kube = cluster.kube;
  const template = structuredClone(templateOf(ds));
  const templateMeta = (isObject(template.metadata) ? template.metadata : {}) as Record<string, unknown>;
  const podSpec = (isObject(template.spec) ? template.spec : {}) as Spec;
  let name: string;
  do name = `${ds.metadata.name}-${suffix()}`;
  while (kube.objects.has(`pods/${ds.metadata.namespace ?? 'default'}/${name}`));
  const serviceAccountName = (podSpec.serviceAccountName as string | undefined) ?? 'default';
  const node = kube.objects.get(`nodes//${nodeName}`);
  const hostIP = node ? nodeIp(node) : '10.0.0.10';
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace ?? 'default',
      labels: {
        ...((templateMeta.labels as Record<string, string> | undefined) ?? {}),
        'controller-revision-hash': templateHash(templateOf(ds)),
        'pod-template-generation': ds.metadata.annotations?.[TEMPLATE_GENERATION] ?? '1',
      },
      ...(templateMeta.annotations
        ? { annotations: { ...(templateMeta.annotations as Record<string, string>) } }
        : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          name: ds.metadata.name,
          uid: ds.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      ...podSpec,
      serviceAccountName,
      serviceAccount: serviceAccountName,
      nodeName,
    },
  };
  admitPod(cluster, pod, at);
  const started = timestamp(at);
  const containers = (specOf(pod).containers as Array<Record<string, unknown>> | undefined) ?? [];
  pod.status = {
    phase: 'Running',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(
      (type) => ({
        type,
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: started,
      }),
    ),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    // Simplification: host-network pods (the EFS CSI node plugin is one) get the node's IP, others a made-up pod IP.
    podIP:
      specOf(pod).hostNetwork === true
        ? hostIP
        : `10.0.${100 + (name.charCodeAt(name.length - 1) % 100)}.${name.charCodeAt(name.length - 2) % 250}`,
    startTime: started,
    qosClass: 'Burstable',
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `${String(c.image).split(':')[0]}@sha256:${createHash('sha256').update(String(c.image)).digest('hex')}`,
      containerID: `containerd://${randomBytes(32).toString('hex')}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: started } },
    })),
  };
  return createObject(kube, pod, at);
}

/** Recomputes `status` of a DaemonSet from its pods and the Nodes; stores it when it changed. */
export function refreshDaemonSetStatus(kube: KubeState, ds: KubeObject): KubeObject {
  const nodes = objectsOf(kube, 'nodes').map((n) => n.metadata.name);
  const pods = podsOf(kube, ds);
  const hash = templateHash(templateOf(ds));
  const scheduled = pods.filter((p) => nodes.includes(specOf(p).nodeName as string));
  const updated = scheduled.filter((p) => p.metadata.labels?.['controller-revision-hash'] === hash).length;
  const ready = scheduled.filter((p) => isObject(p.status) && p.status.phase === 'Running').length;
  const desired = nodes.length;
  const old = isObject(ds.status) ? ds.status : {};
  // Fields without `omitempty` in the Go type are always present; the others are left out when zero, as on the wire.
  const status: Record<string, unknown> = {
    currentNumberScheduled: new Set(scheduled.map((p) => specOf(p).nodeName)).size,
    numberMisscheduled: pods.length - scheduled.length,
    desiredNumberScheduled: desired,
    numberReady: ready,
    ...(ds.metadata.generation ? { observedGeneration: ds.metadata.generation } : {}),
    ...(updated ? { updatedNumberScheduled: updated } : {}),
    ...(ready ? { numberAvailable: ready } : {}),
    ...(desired - ready > 0 ? { numberUnavailable: desired - ready } : {}),
  };
  if (deepEqual(old, status)) return ds;
  ds.status = status;
  return updateObject(kube, ds);
}

/**
 * Called after a DaemonSet's template changed: with RollingUpdate, replaces its pods now (delay 0) or schedules the
 * replacement; with OnDelete, nothing (outdated pods stay until deleted). Then reconciles.
 */
export function templateChanged(cluster: EksCluster, ds: KubeObject, now: number): void {
  const kube = cluster.kube;
  kube.rollouts = kube.rollouts.filter((r) => r.daemonSet !== dsKey(ds));
  if (updateStrategyOf(ds) === 'RollingUpdate' && kube.settings.rolloutDelayMs > 0) {
    kube.rollouts.push({ daemonSet: dsKey(ds), dueAt: now + kube.settings.rolloutDelayMs });
  }
  reconcile(cluster, now);
}

/**
 * Brings one DaemonSet's pods in line at time `at`: a pod on every Node (created with the current template), none on
 * Nodes that are gone, and (RollingUpdate, no pending delay) outdated pods replaced by new ones.
 */
function reconcileDaemonSet(cluster: EksCluster, ds: KubeObject, at: number): void {
  const kube = cluster.kube;
  const nodes = objectsOf(kube, 'nodes').map((n) => n.metadata.name);
  const hash = templateHash(templateOf(ds));
  const waiting = kube.rollouts.some((r) => r.daemonSet === dsKey(ds));
  const rolling = updateStrategyOf(ds) === 'RollingUpdate' && !waiting;
  const pods = podsOf(kube, ds);
  for (const pod of pods) {
    const nodeName = specOf(pod).nodeName as string;
    const outdated = pod.metadata.labels?.['controller-revision-hash'] !== hash;
    if (!nodes.includes(nodeName) || (rolling && outdated)) deleteObject(kube, pod);
  }
  const remaining = podsOf(kube, ds);
  for (const nodeName of nodes) {
    if (!remaining.some((p) => specOf(p).nodeName === nodeName)) createDaemonPod(cluster, ds, nodeName, at);
  }
  refreshDaemonSetStatus(kube, ds);
}

/** Runs the controller: due rollouts first (pods created at their due time), then every DaemonSet at `now`. */
export function reconcile(cluster: EksCluster, now: number): void {
  const kube = cluster.kube;
  const due = kube.rollouts.filter((r) => r.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt);
  for (const rollout of due) {
    kube.rollouts = kube.rollouts.filter((r) => r !== rollout);
    const [namespace, name] = rollout.daemonSet.split('/') as [string, string];
    const ds = kube.objects.get(`daemonsets/${namespace}/${name}`);
    if (ds) reconcileDaemonSet(cluster, ds, rollout.dueAt);
  }
  for (const ds of objectsOf(kube, 'daemonsets')) reconcileDaemonSet(cluster, ds, now);
}

/**
 * The Kubernetes objects of one cluster, stored as plain JSON objects as the API server would return them.
 * Owned by the Kubernetes API module (src/kube); extend here.
 */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
};

/** Who a static bearer token authenticates as (for tests and the printed kubeconfig; not an EKS feature). */
export interface StaticToken {
  username: string;
  /**
   * `admin`: everything; `read-only`: get/list only (also `get pods/log`, as the `view` ClusterRole allows), writes
   * and `create pods/exec` answer 403 Forbidden.
   */
  access: 'admin' | 'read-only';
}

export interface KubeSettings {
  /**
   * With `RollingUpdate`, how long after a template change the DaemonSet's pods are replaced (ms). 0: at once, within
   * the PATCH request. Until then `updatedNumberScheduled` stays below `desiredNumberScheduled`, so a rollout wait can
   * be tested.
   */
  rolloutDelayMs: number;
  /**
   * How long an EKS bearer token is accepted after its `X-Amz-Date` (ms). EKS accepts a token for 15 minutes even though
   * `aws eks get-token` presigns with `X-Amz-Expires=60`.
   */
  tokenLifetimeMs: number;
  /** Static bearer tokens accepted besides EKS tokens, by token. */
  staticTokens: Map<string, StaticToken>;
}

/** A DaemonSet rollout waiting for `rolloutDelayMs` (RollingUpdate only). */
export interface PendingRollout {
  /** `<namespace>/<name>` of the DaemonSet. */
  daemonSet: string;
  dueAt: number;
}

/**
 * What a node's host holds that the `efs-plugin` container of its efs-csi-node pod shows: the efs-utils mount state
 * files (`/var/run/efs` is a hostPath in the driver's DaemonSet, so they outlive pod restarts) and the lines the
 * container logged. Served by the exec and log endpoints (src/kube/node-exec.ts).
 */
export interface NodeHost {
  /** `/var/run/efs/<name>` → content (text, or bytes for hostile input). */
  efsState: Map<string, string | Buffer>;
  /** Log lines of `efs-plugin` with their time (ms); a pod serves only the lines logged since it was created. */
  pluginLog: Array<{ at: number; line: string }>;
}

export interface KubeState {
  /** Objects by `<kind>/<namespace or "">/<name>` (kind is the resource plural, e.g. `daemonsets`). */
  objects: Map<string, KubeObject>;
  /** Per node name: the node's mount state files and efs-plugin log. */
  nodeHosts: Map<string, NodeHost>;
  resourceVersion: number;
  settings: KubeSettings;
  rollouts: PendingRollout[];
}

/** The static token every sandbox cluster accepts with full access (documented for tests and the demo kubeconfig). */
export const SANDBOX_ADMIN_TOKEN = 'sandbox-admin-token';
/** A static token that may only read (to test 403 Forbidden). */
export const SANDBOX_READONLY_TOKEN = 'sandbox-readonly-token';

export function emptyKubeState(): KubeState {
  return {
    objects: new Map(),
    nodeHosts: new Map(),
    resourceVersion: 1,
    settings: {
      rolloutDelayMs: 0,
      tokenLifetimeMs: 15 * 60 * 1000,
      staticTokens: new Map([
        [SANDBOX_ADMIN_TOKEN, { username: 'sandbox-admin', access: 'admin' }],
        [SANDBOX_READONLY_TOKEN, { username: 'sandbox-readonly', access: 'read-only' }],
      ]),
    },
    rollouts: [],
  };
}

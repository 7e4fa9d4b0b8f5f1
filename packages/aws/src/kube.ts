import type { KubeObjectInfo, KubePort, KubeWriter } from '@efs-node-identity/core';

/** How to reach the cluster's API server. */
export type KubeAccess =
  /** A kubeconfig file (`--kubeconfig`, or `KUBECONFIG` / `~/.kube/config` when `path` is omitted). */
  | { kind: 'kubeconfig'; path?: string; context?: string }
  /** A bearer token for the endpoint (the EKS token from eks-token.ts). */
  | { kind: 'token'; server: string; token: string; certificateAuthority?: string; clusterName: string };

export interface KubeAdapterOptions {
  access: KubeAccess;
  /** Preferred kubeconfig context names, in order (the cluster ARN, the cluster name): the sandbox and `aws eks
   * update-kubeconfig` name contexts by the cluster ARN. The current context is used when none exists. */
  preferredContexts?: string[];
  /** Called once per API request, for the call count. */
  onCall?: (operation: string) => void;
  /**
   * How long one API request may wait for its answer (default 30 s, as the AWS clients): an API server that accepts
   * the connection and never answers would otherwise hold `verify`, `apply` or a fleet refresh forever.
   */
  requestTimeoutMs?: number;
}

/** An API request that got no answer in time: the message names the request and the limit. */
export class KubeTimeoutError extends Error {}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export type ClientNode = typeof import('@kubernetes/client-node');

/**
 * @kubernetes/client-node 2.x is ESM-only and this package is CommonJS. It is loaded with a dynamic import on first
 * use, so that `check` and the AWS-only paths never load it. (TypeScript's CommonJS output turns the import() into a
 * lazy require(), which Node ≥ 22.12 resolves for ESM without top-level await, as this package is.)
 */
let clientNode: Promise<ClientNode> | undefined;
export function loadClientNode(): Promise<ClientNode> {
  clientNode ??= import('@kubernetes/client-node');
  return clientNode;
}

const PAGE = 500;

/** The KubeConfig of the access: a kubeconfig file's preferred context, or a bearer token for the endpoint. */
export async function loadKubeConfig(
  options: Pick<KubeAdapterOptions, 'access' | 'preferredContexts'>,
): Promise<{ k8s: ClientNode; kc: InstanceType<ClientNode['KubeConfig']> }> {
  const k8s = await loadClientNode();
  const kc = new k8s.KubeConfig();
  const access = options.access;
  if (access.kind === 'kubeconfig') {
    if (access.path) kc.loadFromFile(access.path);
    else kc.loadFromDefault();
    const names = kc.getContexts().map((c) => c.name);
    const wanted = [access.context, ...(options.preferredContexts ?? [])].find((n) => n && names.includes(n));
    if (wanted) kc.setCurrentContext(wanted);
  } else {
    const insecureHttp = access.server.startsWith('http:');
    kc.loadFromOptions({
      clusters: [
        {
          name: access.clusterName,
          server: access.server,
          ...(access.certificateAuthority ? { caData: access.certificateAuthority } : {}),
          // client-node refuses a plain-http server unless TLS verification is off; there is no TLS to verify then
          // (a loopback sandbox). EKS endpoints are https with their CA, and stay verified.
          ...(insecureHttp ? { skipTLSVerify: true } : {}),
        },
      ],
      users: [{ name: 'eks-token', token: access.token }],
      contexts: [{ name: access.clusterName, cluster: access.clusterName, user: 'eks-token' }],
      currentContext: access.clusterName,
    });
  }
  return { k8s, kc };
}

/** The Kubernetes port over @kubernetes/client-node: get and list, and the executor's two patches. */
export async function createKubePort(options: KubeAdapterOptions): Promise<KubePort & KubeWriter> {
  const { k8s, kc } = await loadKubeConfig(options);
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Every request of the API clients passes the KubeConfig's authentication hook just before it is sent; the abort
  // signal set there bounds the whole request (client-node's fetch takes the request's signal).
  const authenticate = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (context) => {
    await authenticate(context);
    context.setSignal(AbortSignal.timeout(timeoutMs));
  };
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const storage = kc.makeApiClient(k8s.StorageV1Api);
  const count = options.onCall ?? (() => undefined);
  /** Counts the request and turns an expired request into a KubeTimeoutError naming it. */
  const call = async <T>(operation: string, request: () => Promise<T>): Promise<T> => {
    count(operation);
    try {
      return await request();
    } catch (error) {
      if (
        (error as Error)?.name === 'TimeoutError' ||
        (error as { cause?: Error })?.cause?.name === 'TimeoutError'
      ) {
        throw new KubeTimeoutError(`Kubernetes API: no answer to ${operation} within ${timeoutMs / 1000}s`, {
          cause: error,
        });
      }
      throw error;
    }
  };

  const plain = (kind: string, obj: unknown): KubeObjectInfo => {
    // The generated models hold Dates and class instances; the rules want the API's JSON shape.
    const raw = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
    const meta = (raw.metadata ?? {}) as { name?: string; namespace?: string };
    return { kind, name: meta.name ?? '', ...(meta.namespace ? { namespace: meta.namespace } : {}), raw };
  };
  const orUndefined = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  };
  /** Lists every page (`limit` + `continue`), so a large cluster does not come back in one response. */
  const listAll = async (
    kind: string,
    operation: string,
    page: (cont: string | undefined) => Promise<{ items: unknown[]; metadata?: { _continue?: string } }>,
  ): Promise<KubeObjectInfo[]> => {
    const out: KubeObjectInfo[] = [];
    let cont: string | undefined;
    do {
      const list = await call(operation, () => page(cont));
      out.push(...list.items.map((i) => plain(kind, i)));
      cont = list.metadata?._continue || undefined;
    } while (cont);
    return out;
  };

  // client-node's generated patch methods send application/json-patch+json unless told otherwise; our bodies are
  // merge patches (RFC 7386), so the content type is set explicitly (a JSON Patch body must be an array).
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

  return {
    async patchServiceAccountAnnotations(namespace, name, annotations) {
      // In a merge patch a null value deletes the key: that is how a rollback removes an annotation we added.
      await call('patch serviceaccounts', () =>
        core.patchNamespacedServiceAccount(
          { name, namespace, body: { metadata: { annotations } } },
          mergePatch,
        ),
      );
    },
    async restartDaemonSet(namespace, name, restartedAt) {
      // What `kubectl rollout restart` does: a new pod-template annotation, so the controller replaces every pod.
      const ds = await call('patch daemonsets', () =>
        apps.patchNamespacedDaemonSet(
          {
            name,
            namespace,
            body: {
              spec: {
                template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } },
              },
            },
          },
          mergePatch,
        ),
      );
      return ds.metadata?.generation ?? 0;
    },
    async getServiceAccount(namespace, name) {
      const sa = await call('get serviceaccounts', () =>
        orUndefined(core.readNamespacedServiceAccount({ name, namespace })),
      );
      return sa ? plain('ServiceAccount', sa) : undefined;
    },
    async getDaemonSet(namespace, name) {
      const ds = await call('get daemonsets', () =>
        orUndefined(apps.readNamespacedDaemonSet({ name, namespace })),
      );
      return ds ? plain('DaemonSet', ds) : undefined;
    },
    listPods(namespace, labelSelector) {
      return listAll('Pod', 'list pods', (cont) =>
        core.listNamespacedPod({
          namespace,
          labelSelector,
          limit: PAGE,
          ...(cont ? { _continue: cont } : {}),
        }),
      );
    },
    listNodes() {
      return listAll('Node', 'list nodes', (cont) =>
        core.listNode({ limit: PAGE, ...(cont ? { _continue: cont } : {}) }),
      );
    },
    listStorageClasses() {
      return listAll('StorageClass', 'list storageclasses', (cont) =>
        storage.listStorageClass({ limit: PAGE, ...(cont ? { _continue: cont } : {}) }),
      );
    },
    listPersistentVolumes() {
      return listAll('PersistentVolume', 'list persistentvolumes', (cont) =>
        core.listPersistentVolume({ limit: PAGE, ...(cont ? { _continue: cont } : {}) }),
      );
    },
    async getSecretKeys(namespace, name, keys) {
      const secret = await call('get secrets', () =>
        orUndefined(core.readNamespacedSecret({ name, namespace })),
      );
      if (!secret) return undefined;
      // Keep only the keys a rule reads; everything else in the Secret is dropped here and never leaves this scope.
      const out: Record<string, string> = {};
      for (const key of keys) {
        const encoded = secret.data?.[key];
        if (encoded !== undefined) out[key] = Buffer.from(encoded, 'base64').toString('utf8');
        else if (secret.stringData?.[key] !== undefined) out[key] = secret.stringData[key]!;
      }
      return out;
    },
  };
}

import { Writable } from 'node:stream';
import {
  MOUNT_STATE_COMMAND,
  MOUNT_STATE_CONTAINER,
  parseMountStateOutput,
  parsePluginLog,
  printable,
  type InspectionOutcome,
  type NodePodInspection,
  type Pod,
} from '@efs-node-identity/core';
import { loadKubeConfig, type KubeAdapterOptions } from './kube';
import { limiter } from './limit';

/** Limits of the opt-in node inspection (`verify --inspect-mounts`). */
export interface InspectMountsOptions {
  /** Lines of the `efs-plugin` log read per pod (`tailLines`). Default 500. */
  tailLines?: number;
  /** Bytes of exec output and of log read per pod; the rest is cut and reported. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Time for one exec or log read, in ms; then it is abandoned and reported. Default 15 s. */
  timeoutMs?: number;
  /** Pods inspected at once. Default 4. */
  concurrency?: number;
}

/** What one exec or log read returned, before parsing. */
export interface NodePodReads {
  execMountState(namespace: string, pod: string): Promise<{ stdout: Buffer; truncated: boolean }>;
  readPluginLog(namespace: string, pod: string): Promise<{ text: string; truncated: boolean }>;
}

/** A read refused or failed: the outcome to report instead of facts. */
export class InspectionError extends Error {
  constructor(readonly outcome: Exclude<InspectionOutcome, { status: 'read' }>) {
    super(outcome.message);
    this.name = 'InspectionError';
  }
}

const DEFAULTS = { tailLines: 500, maxOutputBytes: 1024 * 1024, timeoutMs: 15_000, concurrency: 4 };

/**
 * The reads over `@kubernetes/client-node`: `Exec` (the WebSocket channel protocol) running the fixed
 * `MOUNT_STATE_COMMAND` in container `efs-plugin`, and `readNamespacedPodLog` of `efs-plugin` with `tailLines`,
 * `timestamps` and `limitBytes`. Nothing from the user or the cluster reaches the command: only the namespace and
 * pod name (from the pod list) address it. Output beyond `maxOutputBytes` is dropped and the stream closed; a read
 * that takes longer than `timeoutMs` is abandoned.
 */
export async function createNodePodReads(
  access: Pick<KubeAdapterOptions, 'access' | 'preferredContexts' | 'onCall'>,
  options: InspectMountsOptions = {},
): Promise<NodePodReads> {
  const { k8s, kc } = await loadKubeConfig(access);
  const limits = { ...DEFAULTS, ...options };
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const call = access.onCall ?? (() => undefined);
  return {
    execMountState(namespace, pod) {
      call('create pods/exec');
      return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        let socket: { close(): void; terminate?: () => void } | undefined;
        let settled = false;
        const finish = (error?: InspectionError) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket?.terminate?.();
          if (error) reject(error);
          else resolve({ stdout: Buffer.concat(chunks), truncated });
        };
        const timer = setTimeout(
          () =>
            finish(
              new InspectionError({
                status: 'failed',
                message: `no answer from exec within ${limits.timeoutMs / 1000}s`,
              }),
            ),
          limits.timeoutMs,
        );
        const stdout = new Writable({
          write(chunk: Buffer, _encoding, done) {
            if (!truncated) {
              const room = limits.maxOutputBytes - size;
              if (chunk.length > room) {
                chunks.push(chunk.subarray(0, room));
                size += room;
                truncated = true;
                // Enough: stop the stream instead of receiving the rest.
                finish();
              } else {
                chunks.push(chunk);
                size += chunk.length;
              }
            }
            done();
          },
        });
        const stderrChunks: Buffer[] = [];
        let stderrSize = 0;
        const stderr = new Writable({
          write(chunk: Buffer, _encoding, done) {
            if (stderrSize < 4096) stderrChunks.push(chunk.subarray(0, 4096 - stderrSize));
            stderrSize += chunk.length;
            done();
          },
        });
        new k8s.Exec(kc)
          .exec(
            namespace,
            pod,
            MOUNT_STATE_CONTAINER,
            [...MOUNT_STATE_COMMAND],
            stdout,
            stderr,
            null,
            false,
            (status) => {
              if (status.status === 'Success') return finish();
              const said = printable(Buffer.concat(stderrChunks).toString('utf8'), 200);
              finish(
                new InspectionError({
                  status: 'failed',
                  message: `the command failed in ${MOUNT_STATE_CONTAINER}: ${printable(status.message ?? status.reason ?? 'no message', 200)}${said ? ` (${said})` : ''}`,
                }),
              );
            },
          )
          .then((ws) => {
            socket = ws as unknown as typeof socket;
            if (settled) socket?.terminate?.();
            // A stream that ends without a status (the server went away) ends the read with what came.
            (ws as unknown as { onclose: (() => void) | null }).onclose = () =>
              finish(
                truncated
                  ? undefined
                  : new InspectionError({
                      status: 'failed',
                      message: 'the exec stream closed without a status',
                    }),
              );
          })
          .catch((error: unknown) => finish(upgradeError(error)));
      });
    },
    async readPluginLog(namespace, pod) {
      call('get pods/log');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new InspectionError({
                status: 'failed',
                message: `no answer from the log endpoint within ${limits.timeoutMs / 1000}s`,
              }),
            ),
          limits.timeoutMs,
        );
      });
      try {
        const text = await Promise.race([
          core.readNamespacedPodLog({
            name: pod,
            namespace,
            container: MOUNT_STATE_CONTAINER,
            tailLines: limits.tailLines,
            timestamps: true,
            limitBytes: limits.maxOutputBytes,
          }),
          timeout,
        ]);
        return { text, truncated: Buffer.byteLength(text) >= limits.maxOutputBytes };
      } catch (error) {
        if (error instanceof InspectionError) throw error;
        const code = (error as { code?: number }).code;
        if (code === 403)
          throw new InspectionError({
            status: 'forbidden',
            message: `get pods/log on ${namespace}/${pod} is forbidden`,
          });
        throw new InspectionError({
          status: 'failed',
          message: `reading the log failed${code ? ` (HTTP ${code})` : ''}: ${printable((error as Error).message ?? String(error), 200)}`,
        });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** client-node rejects a refused upgrade with the WebSocket error event: `Unexpected server response: 403`. */
function upgradeError(error: unknown): InspectionError {
  const message = String((error as { message?: unknown })?.message ?? error);
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  if (status === '403')
    return new InspectionError({ status: 'forbidden', message: 'create pods/exec is forbidden' });
  return new InspectionError({
    status: 'failed',
    message: `exec failed${status ? ` (HTTP ${status})` : ''}: ${printable(message, 200)}`,
  });
}

/**
 * Inspects every running pod of the node DaemonSet: the mount state files through exec and the `efs-plugin` log,
 * parsed into facts. A refused or failed read becomes that part's outcome (NR-03 and LG-01 report it as "not
 * inspected"); it never fails the run.
 */
export async function inspectNodePods(
  reads: NodePodReads,
  pods: Pod[],
  options: InspectMountsOptions = {},
): Promise<NodePodInspection[]> {
  const limit = limiter(options.concurrency ?? DEFAULTS.concurrency);
  return Promise.all(
    pods.map((pod) =>
      limit(async (): Promise<NodePodInspection> => {
        const target = { namespace: pod.namespace, name: pod.name };
        const inspection: NodePodInspection = {
          namespace: pod.namespace,
          pod: pod.name,
          ...(pod.nodeName ? { nodeName: pod.nodeName } : {}),
          stateFiles: { status: 'read' },
          logs: { status: 'read' },
          mounts: [],
          logEvents: [],
          problems: [],
          origin: { kind: 'k8s', ref: `Pod/${pod.namespace}/${pod.name}` },
        };
        const [state, log] = await Promise.allSettled([
          reads.execMountState(pod.namespace, pod.name),
          reads.readPluginLog(pod.namespace, pod.name),
        ]);
        if (state.status === 'fulfilled') {
          const parsed = parseMountStateOutput(state.value.stdout, target, state.value.truncated);
          inspection.mounts = parsed.mounts;
          inspection.problems.push(...parsed.problems);
        } else inspection.stateFiles = outcomeOf(state.reason);
        if (log.status === 'fulfilled') {
          const parsed = parsePluginLog(log.value.text, log.value.truncated);
          inspection.logEvents = parsed.events;
          inspection.problems.push(...parsed.problems);
        } else inspection.logs = outcomeOf(log.reason);
        return inspection;
      }),
    ),
  );
}

function outcomeOf(error: unknown): InspectionOutcome {
  if (error instanceof InspectionError) return error.outcome;
  return { status: 'failed', message: printable(String((error as Error)?.message ?? error), 200) };
}

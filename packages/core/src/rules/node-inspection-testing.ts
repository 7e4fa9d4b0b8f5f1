import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { NodePodInspection } from '../model/node-inspection';
import { parseMountStateOutput, parsePluginLog } from '../sources/node-inspection';
import { nodePod } from './live-testing';

/**
 * Test support for NR-03 and LG-01: node pod inspections built from the real state files and log under
 * src/sources/__fixtures__/node-inspection, framed the way MOUNT_STATE_COMMAND prints them.
 */

export const INSPECTION_FIXTURES = path.join(__dirname, '..', 'sources', '__fixtures__', 'node-inspection');
export const POD_IDENTITY_STATE_FILE =
  'fs-0123456789abcdef0.var.lib.kubelet.pods.3f1c2a7e-8b4d-4e6f-9a10-2b3c4d5e6f70.volumes.kubernetes.io~csi.orders-data-pv.mount.20049';
export const INSTANCE_ROLE_STATE_FILE =
  'fs-0123456789abcdef0.var.lib.kubelet.pods.9e8d7c6b-5a49-4382-b716-0f1e2d3c4b5a.volumes.kubernetes.io~csi.reports-pv.mount.20050';

/** `file <size> <name>\n<content>\n` per file: what the fixed command prints. */
export function commandOutput(files: Array<{ name: string; content: Buffer | string }>): Buffer {
  return Buffer.concat(
    files.flatMap(({ name, content }) => {
      const bytes = Buffer.from(content);
      return [Buffer.from(`file ${bytes.length} ${name}\n`), bytes, Buffer.from('\n')];
    }),
  );
}

export function fixtureFile(name: string): { name: string; content: Buffer } {
  return { name, content: readFileSync(path.join(INSPECTION_FIXTURES, name)) };
}

export function stateFileNames(): string[] {
  return readdirSync(INSPECTION_FIXTURES).filter((f) => f.startsWith('fs-'));
}

/** The inspection of node pod `index` of the live-testing snapshot, from the given state files and log text. */
export function inspection(index: number, stateFiles: string[], log = ''): NodePodInspection {
  const pod = nodePod(index, {});
  const target = { namespace: pod.namespace, name: pod.name };
  const state = parseMountStateOutput(commandOutput(stateFiles.map(fixtureFile)), target);
  const logs = parsePluginLog(log);
  return {
    namespace: pod.namespace,
    pod: pod.name,
    ...(pod.nodeName ? { nodeName: pod.nodeName } : {}),
    stateFiles: { status: 'read' },
    logs: { status: 'read' },
    mounts: state.mounts,
    logEvents: logs.events,
    problems: [...state.problems, ...logs.problems],
    origin: { kind: 'k8s', ref: `Pod/${pod.namespace}/${pod.name}` },
  };
}

export const pluginLog = () => readFileSync(path.join(INSPECTION_FIXTURES, 'efs-plugin.log'), 'utf8');

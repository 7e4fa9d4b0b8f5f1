import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  canonicalJson,
  executePlan,
  fileLock,
  parseDesiredSpec,
  type DesiredSpecInput,
  type ExecuteOptions,
  type ExecutorPorts,
  type Finding,
  type Journal,
  type KubePort,
  type KubeWriter,
  type Plan,
} from '@efs-node-identity/core';
import { adminCredentials, type Sandbox } from '@efs-node-identity/sandbox';
import { collectAndPlan, createAwsPorts, createKubePort, verifyLive, type AwsPorts } from '../src';
import {
  CLUSTER,
  PLATFORM_ACCOUNT,
  REGION,
  sandboxEnv,
  STORAGE_ACCOUNT,
  useEnv,
  type SandboxEnv,
} from './sandbox-env';

/**
 * plan → apply → verify against a sandbox, in-process with the real SDK clients and client-node over HTTP. The
 * executor's ports are built with `maxAttempts` given by the test (1: the SDK does not retry, the executor must).
 */

export const FS = 'fs-0a1b2c3d4e5f60718';
export const STORAGE_FS = 'fs-0c7d8e9f0a1b2c3d4';
export const TARGET_ROLE = `arn:aws:iam::${STORAGE_ACCOUNT}:role/prod-eks-efs-provisioner`;

export interface World {
  s: SandboxEnv;
  sandbox: Sandbox;
  ports: AwsPorts;
  storage?: AwsPorts;
  kube: KubePort & KubeWriter;
  lockDir: string;
  /** Moves the sandbox clock forward. */
  advance(ms: number): void;
  stop(): Promise<void>;
}

export async function openWorld(
  scenario: string,
  options: {
    seed?: (state: Sandbox['state']) => void;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  } = {},
): Promise<World> {
  // The sandbox's clock runs ahead by what the executor "sleeps", so waits for IAM and association propagation take
  // sandbox time, not test time.
  let offset = 0;
  const s = await sandboxEnv(scenario, (state) => {
    state.now = () => Date.now() + offset;
    options.seed?.(state);
  });
  const restore = useEnv(s.env);
  const ports = createAwsPorts({
    region: REGION,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const storageKeys = adminCredentials(s.sandbox.state, STORAGE_ACCOUNT);
  const storage = storageKeys ? createAwsPorts({ region: REGION, credentials: storageKeys }) : undefined;
  const kube = await createKubePort({ access: { kind: 'kubeconfig', path: s.kubeconfig } });
  const lockDir = mkdtempSync(path.join(tmpdir(), 'efs-node-identity-locks-'));
  return {
    s,
    sandbox: s.sandbox,
    ports,
    ...(storage ? { storage } : {}),
    kube,
    lockDir,
    advance(ms) {
      offset += ms;
    },
    async stop() {
      ports.destroy();
      storage?.destroy();
      restore();
      await s.stop();
    },
  };
}

export function specOf(input: Partial<DesiredSpecInput> = {}) {
  return parseDesiredSpec({ cluster: CLUSTER, region: REGION, fileSystems: [{ id: FS }], ...input });
}

export async function planWorld(w: World, input: Partial<DesiredSpecInput> = {}): Promise<Plan> {
  const { plan } = await collectAndPlan(specOf(input), {
    ports: w.ports,
    others: w.storage ? [w.storage] : [],
    kube: { kind: 'kubeconfig', path: w.s.kubeconfig },
  });
  return plan;
}

export function executorPorts(
  w: World,
  maxAttempts?: number,
  requestTimeoutMs?: number,
): { ports: ExecutorPorts; destroy(): void } {
  const timeout = requestTimeoutMs ? { requestTimeoutMs } : {};
  const main = maxAttempts
    ? createAwsPorts({ region: REGION, maxAttempts, credentials: w.ports.credentials, ...timeout })
    : w.ports;
  const storageKeys = adminCredentials(w.sandbox.state, STORAGE_ACCOUNT);
  const storage =
    maxAttempts && storageKeys
      ? createAwsPorts({ region: REGION, maxAttempts, credentials: storageKeys, ...timeout })
      : w.storage;
  return {
    ports: {
      account: PLATFORM_ACCOUNT,
      cluster: CLUSTER,
      iam: main.iam,
      eks: main.eks,
      efs: main.efs,
      kube: w.kube,
      ...(storage ? { otherAccounts: { [STORAGE_ACCOUNT]: { iam: storage.iam, efs: storage.efs } } } : {}),
    },
    destroy() {
      if (main !== w.ports) main.destroy();
      if (storage && storage !== w.storage) storage.destroy();
    },
  };
}

export const fastOptions = (
  w: World,
): Pick<ExecuteOptions, 'lock' | 'pollMs' | 'retry' | 'sleep' | 'now'> => ({
  now: () => new Date(w.sandbox.state.now()),
  sleep: (ms) => {
    w.advance(ms);
    return new Promise((r) => setTimeout(r, Math.min(ms, 5)));
  },
  lock: fileLock({ dir: w.lockDir }),
  pollMs: 20,
  retry: { attempts: 12, baseMs: 10, maxMs: 200 },
});

export async function applyWorld(
  w: World,
  plan: Plan,
  options: ExecuteOptions & { maxAttempts?: number } = {},
): Promise<Journal> {
  const { ports, destroy } = executorPorts(w, options.maxAttempts);
  try {
    return await executePlan(plan.steps, ports, { ...fastOptions(w), ...options });
  } finally {
    destroy();
  }
}

export async function verifyWorld(w: World, fileSystemIds: string[] = [FS]): Promise<Finding[]> {
  const { findings } = await verifyLive(
    { cluster: CLUSTER, region: REGION, fileSystemIds },
    {
      ports: w.ports,
      others: w.storage ? [w.storage] : [],
      kube: { kind: 'kubeconfig', path: w.s.kubeconfig },
    },
  );
  return findings;
}

/** What rollback must restore: file system policies (canonical), trusts and inline policies, associations. */
export async function stateOf(w: World, roles: string[], fileSystems: Array<[string, string]>) {
  const out: Record<string, unknown> = {};
  const portsOf = (account: string) => (account === STORAGE_ACCOUNT ? w.storage! : w.ports);
  for (const [account, fs] of fileSystems)
    out[`fs:${fs}`] = canonicalJson(await portsOf(account).efs.describeFileSystemPolicy(fs));
  for (const arn of roles) {
    const p = portsOf(arn.split(':')[4]!);
    const name = arn.split('/').pop()!;
    const role = await p.iam.getRole(name);
    if (!role) {
      out[`role:${arn}`] = null;
      continue;
    }
    const policies: Record<string, unknown> = {};
    for (const n of (await p.iam.listRolePolicyNames(name)).sort())
      policies[n] = canonicalJson(await p.iam.getRolePolicy(name, n));
    out[`role:${arn}`] = { trust: canonicalJson(role.trustPolicy), tags: role.tags, policies };
  }
  const ids = await w.ports.eks.listPodIdentityAssociationIds(CLUSTER);
  const assocs = [];
  for (const id of ids) {
    const a = (await w.ports.eks.describePodIdentityAssociation(CLUSTER, id))!;
    assocs.push(
      `${a.namespace}/${a.serviceAccount} → ${a.roleArn} target=${a.targetRoleArn ?? '-'} owner=${a.ownerArn ? 'addon' : '-'} policy=${a.policy ? canonicalJson(a.policy) : '-'}`,
    );
  }
  out.associations = assocs.sort();
  const sa = await w.kube.getServiceAccount('kube-system', 'efs-csi-node-sa');
  out.saAnnotations = (sa?.raw.metadata as { annotations?: unknown } | undefined)?.annotations ?? null;
  return out;
}

export const errorsAbout = (findings: Finding[], rules: string[]) =>
  findings
    .filter((f) => f.severity === 'error' && rules.includes(f.ruleId))
    .map((f) => `${f.ruleId}: ${f.message}`);

export { CLUSTER, PLATFORM_ACCOUNT, REGION, STORAGE_ACCOUNT };

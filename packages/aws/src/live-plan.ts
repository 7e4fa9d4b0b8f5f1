import {
  defaultConfig,
  emptyPolicyTexts,
  evaluateSnapshot,
  planSteps,
  recordingEfsPort,
  recordingEksPort,
  recordingIamPort,
  recordingS3FilesPort,
  type DesiredSpec,
  type ExecutorPorts,
  type Finding,
  type KubePort,
  type KubeWriter,
  type Plan,
} from '@efs-node-identity/core';
import type { AwsPorts } from './aws-ports';
import { collectLiveSnapshot, type CollectOptions, type CollectResult } from './collect';

/**
 * The live side of plan, apply and verify, shared by every front door (the CLI, the Backstage scaffolder actions):
 * one way to read the state, plan over it, build the executor's ports and verify afterwards, so that each reports
 * the same steps and the same rule IDs for the same world.
 */
export interface LiveAccess {
  /** Ports of the cluster's account. */
  ports: AwsPorts;
  /** Ports of the file system accounts (cross-account), one per account. */
  others: AwsPorts[];
  /** Kubernetes access, as for {@link collectLiveSnapshot}. */
  kube: NonNullable<CollectOptions['kube']>;
  env?: Record<string, string | undefined>;
}

/** A plan and the live state it was made from. */
export interface LivePlan {
  plan: Plan;
  collected: CollectResult;
}

/**
 * Reads the live state of the spec's cluster and file systems and plans the steps that converge it to the spec.
 * The policy texts are recorded while the collector reads them (no extra call): a merge must start from a policy as
 * stored, not from its normalized form.
 */
export async function collectAndPlan(
  spec: DesiredSpec,
  live: LiveAccess,
  options: { force?: boolean } = {},
): Promise<LivePlan> {
  const texts = emptyPolicyTexts();
  const recording = (p: AwsPorts): AwsPorts => ({
    ...p,
    iam: recordingIamPort(p.iam, texts),
    efs: recordingEfsPort(p.efs, texts),
    eks: recordingEksPort(p.eks, texts),
    s3files: recordingS3FilesPort(p.s3files, texts),
  });
  const collected = await collectLiveSnapshot({
    cluster: spec.cluster,
    region: spec.region,
    fileSystemIds: spec.fileSystems.filter((f) => f.type !== 's3files').map((f) => f.id),
    s3FileSystemIds: spec.fileSystems.filter((f) => f.type === 's3files').map((f) => f.id),
    ports: recording(live.ports),
    otherAccounts: live.others.map(recording),
    kube: live.kube,
    ...(live.env ? { env: live.env } : {}),
  });
  const plan = planSteps(spec, collected.snapshot, { force: options.force === true, texts });
  return { plan, collected };
}

/** True when a step of the plan needs the Kubernetes API (a DaemonSet restart, the IRSA annotation). */
export function planNeedsKube(plan: Plan): boolean {
  return plan.steps.some((s) => s.kind === 'restart-daemonset' || s.kind === 'annotate-service-account');
}

/**
 * The executor's ports over live adapters: the cluster account's and, by account ID, each file system account's.
 * `otherAccountIds[i]` is the account of `others[i]`.
 */
export function liveExecutorPorts(options: {
  ports: AwsPorts;
  others: AwsPorts[];
  otherAccountIds: string[];
  account: string;
  cluster: string;
  kube?: KubePort & KubeWriter;
}): ExecutorPorts {
  return {
    account: options.account,
    cluster: options.cluster,
    iam: options.ports.iam,
    eks: options.ports.eks,
    efs: options.ports.efs,
    s3files: options.ports.s3files,
    ...(options.kube ? { kube: options.kube } : {}),
    otherAccounts: Object.fromEntries(
      options.others.map((p, i) => [options.otherAccountIds[i]!, { iam: p.iam, efs: p.efs }]),
    ),
  };
}

/** The cluster's account as the collected snapshot has it ('' when unknown: the planner refuses then anyway). */
export function clusterAccountOf(collected: CollectResult, cluster: string): string {
  const found = collected.snapshot.clusters.find((c) => c.name === cluster);
  return typeof found?.accountId === 'string' ? found.accountId : '';
}

/** Reads the live state again and runs every rule on it (the default config): what `verify` reports. */
export async function verifyLive(
  target: { cluster: string; region: string; fileSystemIds: string[]; s3FileSystemIds?: string[] },
  live: LiveAccess,
): Promise<{ findings: Finding[]; collected: CollectResult }> {
  const collected = await collectLiveSnapshot({
    cluster: target.cluster,
    region: target.region,
    fileSystemIds: target.fileSystemIds,
    ...(target.s3FileSystemIds ? { s3FileSystemIds: target.s3FileSystemIds } : {}),
    ports: live.ports,
    otherAccounts: live.others,
    kube: live.kube,
    ...(live.env ? { env: live.env } : {}),
  });
  return { findings: evaluateSnapshot(collected.snapshot, defaultConfig()).findings, collected };
}

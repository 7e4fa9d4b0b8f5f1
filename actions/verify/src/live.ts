import { collectLiveSnapshot, type CollectStats, type UnreadFact } from '@efs-node-identity/aws';
import { evaluateSnapshot, type Config, type EvaluationResult } from '@efs-node-identity/core';

/** What the live check adds to the report. */
export interface LiveResult {
  findings: EvaluationResult['findings'];
  suppressed: EvaluationResult['suppressed'];
  stats: CollectStats;
  unread: UnreadFact[];
}

/**
 * Reads the cluster and its file systems the way `efs-node-identity verify` does (the collector of
 * @efs-node-identity/aws with the SDK's default credential chain, so `AWS_*` and `AWS_ENDPOINT_URL*` from the
 * environment apply) and runs every rule on that snapshot. Kubernetes access: `KUBECONFIG` when a previous step set
 * it (e.g. `aws eks update-kubeconfig`), else an EKS token signed with the same AWS credentials, as `verify` does.
 * This module is loaded only in live mode, so a static run never loads the AWS SDK or @kubernetes/client-node.
 */
export async function checkLive(
  live: { cluster: string; region: string; fileSystems: string[] },
  config: Config,
  env: NodeJS.ProcessEnv,
): Promise<LiveResult> {
  const { snapshot, stats, unread } = await collectLiveSnapshot({
    cluster: live.cluster,
    region: live.region,
    fileSystemIds: live.fileSystems.filter((id) => !id.startsWith('s3files:')),
    s3FileSystemIds: live.fileSystems
      .filter((id) => id.startsWith('s3files:'))
      .map((id) => id.slice('s3files:'.length)),
    kube: env.KUBECONFIG ? { kind: 'kubeconfig' } : 'eks-token',
    env,
  });
  const result = evaluateSnapshot(snapshot, config);
  return { findings: result.findings, suppressed: result.suppressed, stats, unread };
}

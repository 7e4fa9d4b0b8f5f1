import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { DefaultAwsCredentialsManager, type AwsCredentialsManager } from '@backstage/integration-aws-node';
import type { EfsNodeIdentityAnnotations, FileSystemType } from '@efs-node-identity/backstage-plugin-common';
import {
  defaultConfig,
  describeLiveFailure,
  evaluateSnapshot,
  isKnown,
  NodeIdentityView,
  summarizeLiveMounts,
  type Config as RulesConfig,
} from '@efs-node-identity/core';
import { collectLiveSnapshot, createAwsPorts, type AwsPorts } from '@efs-node-identity/aws';
import { countBySeverity, stateOf, toStatusFinding } from './findings';
import { INSPECTION_DISABLED, liveMountsStatus } from './live-mounts';
import type { StoredVerification } from './status-store';

/** What a verification of one entity's cluster produced, before it is stored under the entity's ref. */
export type VerificationOutcome = Omit<StoredVerification, 'entityRef'>;

/** Verifies the cluster and file systems that an entity's annotations name. */
export interface EntityVerifier {
  verify(target: EfsNodeIdentityAnnotations): Promise<VerificationOutcome>;
}

export interface LiveVerifierOptions {
  credentialsManager: AwsCredentialsManager;
  logger: LoggerService;
  /** Parallel AWS and Kubernetes reads of one verification (the collector's limiter). */
  concurrency: number;
  /** `eks-token`: the Kubernetes API with a token signed by the account's credentials; `none`: AWS APIs only. */
  kubernetes: 'eks-token' | 'none';
  /**
   * Accounts that may own the file systems the clusters mount (cross-account EFS): a file system the cluster's account
   * does not know is looked up in each, with that account's credentials from the `aws:` config.
   */
  fileSystemAccounts?: string[];
  /**
   * Also read each running efs-csi-node pod's mount state files and `efs-plugin` log (pods/exec, pods/log), so NR-03
   * and LG-01 judge what the nodes really did and the status reports the live mounts by identity. Needs Kubernetes.
   */
  inspectMounts?: boolean;
  rules?: RulesConfig;
}

/**
 * The live path of `efs-node-identity verify`: the collector reads the cluster's account (AWS SDK v3 clients) and the
 * cluster (Kubernetes API), and the core rules judge the snapshot, so the status API reports the rule IDs the CLI
 * reports for the same world. Credentials come per account from `@backstage/integration-aws-node` (the `aws:`
 * app-config, else the SDK's default chain); endpoints from the SDK's own settings (AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE>), since the `aws:` config has no endpoint override.
 */
export class LiveEntityVerifier implements EntityVerifier {
  static fromConfig(config: Config, logger: LoggerService): LiveEntityVerifier {
    const pluginConfig = config.getOptionalConfig('efsNodeIdentity');
    const concurrency = pluginConfig?.getOptionalNumber('concurrency') ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new Error(`efsNodeIdentity.concurrency must be an integer from 1 to 64, got ${concurrency}`);
    }
    const kubernetes = pluginConfig?.getOptionalString('kubernetes') ?? 'eks-token';
    if (kubernetes !== 'eks-token' && kubernetes !== 'none') {
      throw new Error(`efsNodeIdentity.kubernetes must be eks-token or none, got "${kubernetes}"`);
    }
    const fileSystemAccounts = pluginConfig?.getOptionalStringArray('fileSystemAccounts') ?? [];
    for (const id of fileSystemAccounts) {
      if (!/^\d{12}$/.test(id)) {
        throw new Error(`efsNodeIdentity.fileSystemAccounts: "${id}" is not a 12-digit AWS account ID`);
      }
    }
    const inspectMounts = pluginConfig?.getOptionalBoolean('inspectMounts') ?? false;
    if (inspectMounts && kubernetes === 'none') {
      throw new Error(
        'efsNodeIdentity.inspectMounts reads the node pods through the Kubernetes API: it needs efsNodeIdentity.kubernetes eks-token, not none',
      );
    }
    return new LiveEntityVerifier({
      credentialsManager: DefaultAwsCredentialsManager.fromConfig(config),
      logger,
      concurrency,
      kubernetes,
      fileSystemAccounts,
      inspectMounts,
    });
  }

  constructor(private readonly options: LiveVerifierOptions) {}

  async verify(target: EfsNodeIdentityAnnotations): Promise<VerificationOutcome> {
    const { region, accountId, name } = target.cluster;
    const base = {
      clusterArn: target.clusterArn,
      fileSystemIds: target.fileSystemIds,
      verifiedAt: new Date(),
    };
    const idsOf = (type: FileSystemType) =>
      target.fileSystems.filter((f) => f.type === type).map((f) => f.id);
    const inspectMounts = this.options.inspectMounts === true && this.options.kubernetes !== 'none';
    let awsCalls = 0;
    let ports: AwsPorts | undefined;
    const otherAccounts: AwsPorts[] = [];
    try {
      const portsOf = async (id: string) => {
        const { sdkCredentialProvider } = await this.options.credentialsManager.getCredentialProvider({
          accountId: id,
        });
        return createAwsPorts({ region, credentials: sdkCredentialProvider, onCall: () => awsCalls++ });
      };
      ports = await portsOf(accountId);
      for (const id of new Set(this.options.fileSystemAccounts ?? [])) {
        if (id !== accountId) otherAccounts.push(await portsOf(id));
      }
      const { snapshot, stats, unread } = await collectLiveSnapshot({
        cluster: name,
        region,
        fileSystemIds: idsOf('efs'),
        s3FileSystemIds: idsOf('s3files'),
        ports,
        otherAccounts,
        kube: this.options.kubernetes === 'none' ? false : 'eks-token',
        concurrency: this.options.concurrency,
        inspectMounts,
      });
      const rules = this.options.rules ?? defaultConfig();
      const result = evaluateSnapshot(snapshot, rules);
      const findings = result.findings.map(toStatusFinding);
      const counts = countBySeverity(findings);
      return {
        ...base,
        state: stateOf(counts) as VerificationOutcome['state'],
        findings,
        counts,
        // The collector counts Kubernetes calls itself; AWS calls go through our ports, so we count those.
        calls: { aws: awsCalls, kubernetes: stats.kubernetesCalls },
        // Every file system the run read, with its type: the annotated ones and those the cluster's volumes name.
        fileSystems: snapshot.fileSystems.flatMap((f) => (isKnown(f.id) ? [{ id: f.id, type: f.type }] : [])),
        notRead: unread.map((fact) => {
          if (fact.kind === 'bucket-policy') {
            return `the policy of bucket ${fact.id} (linked to an S3 file system): ${fact.reason}; S3F-04 could not judge it (the verifier needs s3:GetBucketPolicy on it)`;
          }
          const what = fact.kind === 'file-system' ? `file system ${fact.id}` : `role ${fact.id}`;
          const hint = fact.accountId
            ? `add account ${fact.accountId} to efsNodeIdentity.fileSystemAccounts and aws.accounts`
            : 'if it is in another account, add that account to efsNodeIdentity.fileSystemAccounts and aws.accounts';
          return `${what}: ${fact.reason}; ${hint}`;
        }),
        liveMounts: inspectMounts
          ? liveMountsStatus(summarizeLiveMounts(snapshot, new NodeIdentityView(snapshot, rules)))
          : INSPECTION_DISABLED,
      };
    } catch (error) {
      // The one-line messages the CLI and the Action print: no stack trace, nothing secret.
      const message = describeLiveFailure(error, name, region);
      this.options.logger.warn(`could not verify ${target.clusterArn}: ${message}`);
      return {
        ...base,
        state: 'unverifiable',
        findings: [],
        counts: { error: 0, warning: 0, info: 0 },
        error: message,
        notRead: [],
        calls: { aws: awsCalls, kubernetes: 0 },
      };
    } finally {
      ports?.destroy();
      for (const other of otherAccounts) other.destroy();
    }
  }
}

import { parseArgs } from 'node:util';
import {
  ROLE_ARN,
  S3FILES_FILE_SYSTEM_ID,
  defaultConfig,
  describeLiveFailure,
  evaluateSnapshot,
  loadConfigFor,
  type CheckReport,
} from '@efs-node-identity/core';
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io';
import { exitCodeFor, printReport, reportOptions } from '../report-output';
import { VERSION } from '../version';

export const VERIFY_HELP = `Usage: efs-node-identity verify --cluster NAME --region R [options]

Reads the live state of an EKS cluster and the file systems it uses, EFS and Amazon S3 Files (AWS APIs and the
Kubernetes API, read-only), and runs the same rules as check on it.

Options:
  --cluster NAME                      the EKS cluster (required)
  --region R                          its region (default: AWS_REGION / AWS_DEFAULT_REGION / the profile's)
  --file-system fs-…                  also verify this EFS file system (repeatable); those named by the cluster's
                                      StorageClasses and PersistentVolumes are always verified
  --file-system s3files:fs-…          also verify this Amazon S3 Files file system (fs- and 17-40 hex digits), with
                                      its policy and its linked bucket's policy; those of s3files: volumes always are
  --kubeconfig FILE                   Kubernetes access through this kubeconfig (default: KUBECONFIG when set, else
                                      an EKS token signed with the AWS credentials, like aws eks get-token)
  --no-kubernetes                     AWS APIs only (rules that need the Kubernetes API do not run)
  --inspect-mounts                    also read the ground truth from the node pods (NR-03, LG-01): each running
                                      efs-csi-node pod's mount state files (/var/run/efs, through pods/exec with a
                                      fixed read-only command in efs-plugin) and the last lines of its efs-plugin log
                                      (pods/log); without those permissions the rules say "not inspected"
  --log-lines N                       efs-plugin log lines read per node pod with --inspect-mounts (default 500)
  --efs-role-arn ARN                  a role in a file system's account (cross-account; repeatable): assumed with
                                      STS AssumeRole from the default credentials, so that account's file systems,
                                      mount targets, policies, roles and network are read too
  --efs-external-id ID                the ExternalId sent with every --efs-role-arn AssumeRole
  --format text|json|sarif|markdown   output format (default: text on a terminal, json otherwise)
  --config FILE                       config file (severities, suppressions)
  --fail-on error|warning|never       exit 1 when a finding of this severity or worse remains (default: error)
  --verbose                           print the evaluator trace under each finding (text format)
  -h, --help                          show this help

AWS credentials, region and endpoints come from the SDK's standard environment (AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, …). The number of API calls made (in every account) is printed on
stderr, with a note for each file system or role that could not be read (another account without --efs-role-arn).
The least-privilege IAM policies and Kubernetes RBAC for verify are in docs/permissions.md.

Exit codes: 0 no findings at the --fail-on level, 1 findings at that level, 2 usage, access or internal error.
`;

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
const FILE_SYSTEM_ID = /^fs-[0-9a-f]{8,40}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** What STS accepts as ExternalId. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    strict: true,
    options: {
      cluster: { type: 'string' },
      region: { type: 'string' },
      'file-system': { type: 'string', multiple: true, default: [] },
      kubeconfig: { type: 'string' },
      'no-kubernetes': { type: 'boolean', default: false },
      'inspect-mounts': { type: 'boolean', default: false },
      'log-lines': { type: 'string' },
      'efs-role-arn': { type: 'string', multiple: true, default: [] },
      'efs-external-id': { type: 'string' },
      format: { type: 'string' },
      config: { type: 'string' },
      'fail-on': { type: 'string', default: 'error' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(VERIFY_HELP);
    return EXIT_OK;
  }
  // Refuse malformed input before any call: these values end up in URLs and messages.
  const cluster = values.cluster;
  if (!cluster) throw new UsageError('--cluster is required');
  if (!CLUSTER_NAME.test(cluster)) throw new UsageError(`--cluster "${cluster}" is not an EKS cluster name`);
  const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('--region is required (or set AWS_REGION)');
  if (!REGION.test(region)) throw new UsageError(`--region "${region}" is not an AWS region`);
  const { efs: fileSystemIds, s3files: s3FileSystemIds } = fileSystemIdFlags(
    values['file-system'] as string[],
  );
  const roleArns = values['efs-role-arn'] as string[];
  for (const arn of roleArns) {
    if (!ROLE_ARN.test(arn))
      throw new UsageError(
        `--efs-role-arn "${arn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
      );
  }
  if (new Set(roleArns.map((a) => a.split(':')[4])).size !== roleArns.length) {
    throw new UsageError('--efs-role-arn: one role per account');
  }
  const externalId = values['efs-external-id'];
  if (externalId !== undefined) {
    // Not echoed: an external ID is not a secret, but it is no business of a log either.
    if (!EXTERNAL_ID.test(externalId))
      throw new UsageError('--efs-external-id must be 2-1224 characters of letters, digits and +=,.@:/-');
    if (roleArns.length === 0) throw new UsageError('--efs-external-id needs --efs-role-arn');
  }
  const inspectMounts = values['inspect-mounts'] as boolean;
  if (inspectMounts && values['no-kubernetes'])
    throw new UsageError(
      '--inspect-mounts reads the node pods and needs the Kubernetes API: drop --no-kubernetes',
    );
  let tailLines: number | undefined;
  if (values['log-lines'] !== undefined) {
    tailLines = Number(values['log-lines']);
    if (!/^\d+$/.test(values['log-lines']) || tailLines < 1 || tailLines > 100_000)
      throw new UsageError(`--log-lines must be an integer from 1 to 100000, not "${values['log-lines']}"`);
    if (!inspectMounts) throw new UsageError('--log-lines needs --inspect-mounts');
  }
  const { format, failOn } = reportOptions(values.format, values['fail-on'] as string, io);
  const config = values.config ? await loadConfigFor(io.cwd, values.config) : defaultConfig();
  const kubeconfig = values.kubeconfig ?? io.env.KUBECONFIG;

  // Loaded here, not at the top: `check` and `simulate` never need the AWS SDK or client-node.
  const { assumeRolePorts, collectLiveSnapshot } = await import('@efs-node-identity/aws');
  let collected;
  // Calls made in the other accounts (AssumeRole included): the collector counts only the cluster account's.
  let otherCalls = 0;
  const otherAccounts: Array<Awaited<ReturnType<typeof assumeRolePorts>>> = [];
  try {
    for (const roleArn of roleArns) {
      otherAccounts.push(
        await assumeRolePorts({
          roleArn,
          region,
          ...(externalId !== undefined ? { externalId } : {}),
          onCall: () => otherCalls++,
        }),
      );
    }
    collected = await collectLiveSnapshot({
      cluster,
      region,
      fileSystemIds,
      s3FileSystemIds,
      otherAccounts,
      kube: values['no-kubernetes']
        ? false
        : kubeconfig
          ? { kind: 'kubeconfig', ...(values.kubeconfig ? { path: values.kubeconfig } : {}) }
          : 'eks-token',
      ...(inspectMounts ? { inspectMounts: tailLines !== undefined ? { tailLines } : true } : {}),
      env: io.env,
    });
  } catch (error) {
    io.stderr(`efs-node-identity verify: ${describeFailure(error, cluster, region)}\n`);
    if (io.env.EFS_NODE_IDENTITY_DEBUG) io.stderr(`${(error as Error).stack}\n`);
    return EXIT_USAGE;
  } finally {
    for (const p of otherAccounts) p.destroy();
  }
  const { snapshot, stats, unread } = collected;
  const result = evaluateSnapshot(snapshot, config);
  const clusterArn = snapshot.clusters[0]?.arn;
  const report: CheckReport = {
    tool: { name: 'efs-node-identity', version: VERSION },
    // No files were scanned: the root names what was read instead, and `files` is 0.
    root: typeof clusterArn === 'string' ? clusterArn : `eks:${region}:${cluster}`,
    files: 0,
    findings: result.findings,
    suppressed: result.suppressed,
  };
  printReport(report, format, io, values.verbose);
  io.stderr(
    `verify: ${stats.awsCalls + otherCalls} AWS calls, ${stats.kubernetesCalls} Kubernetes calls` +
      (snapshot.inputs.includes('K') ? '' : ' (no Kubernetes access: K rules skipped)') +
      '\n',
  );
  // Facts of another account are absent from the snapshot, so rules about them stay silent: say so, on stderr so
  // that the JSON/SARIF on stdout keeps the check schema.
  for (const fact of unread) {
    const what =
      fact.kind === 'file-system'
        ? `file system ${fact.id}`
        : fact.kind === 'bucket-policy'
          ? `the policy of the linked bucket ${fact.id}`
          : `role ${fact.id}`;
    const hint =
      fact.kind === 'bucket-policy'
        ? 'S3F-04 is not judged for it (the bucket owner can grant s3:GetBucketPolicy)'
        : fact.kind === 'role' && fact.accountId
          ? `pass --efs-role-arn with a role in account ${fact.accountId}`
          : 'if it is in another account, pass --efs-role-arn with a role in that account';
    io.stderr(`verify: not read: ${what}: ${fact.reason}; ${hint}\n`);
  }
  return exitCodeFor(report, failOn);
}

/**
 * `--file-system` values of verify: an EFS ID (`fs-…`) or an Amazon S3 Files ID with its volume-handle prefix
 * (`s3files:fs-…`, the S3 Files API's `fs-[0-9a-f]{17,40}`): both services use `fs-` IDs, so the prefix says which
 * API to ask. Validated before any call.
 */
export function fileSystemIdFlags(values: string[]): { efs: string[]; s3files: string[] } {
  const efs: string[] = [];
  const s3files: string[] = [];
  for (const value of values) {
    if (value.startsWith('s3files:')) {
      const id = value.slice('s3files:'.length);
      if (!S3FILES_FILE_SYSTEM_ID.test(id))
        throw new UsageError(
          `--file-system ${JSON.stringify(value)} is not an S3 Files file system ID (s3files:fs- and 17-40 lowercase hex digits)`,
        );
      s3files.push(id);
    } else if (FILE_SYSTEM_ID.test(value)) efs.push(value);
    else
      throw new UsageError(
        `--file-system ${JSON.stringify(value)} is not a file system ID (fs-… for EFS, s3files:fs-… for S3 Files)`,
      );
  }
  return { efs, s3files };
}

/** One line for a failed collection (kept under this name for plan, apply and rollback). */
export const describeFailure = describeLiveFailure;

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  parseDesiredSpec,
  parseDesiredSpecFile,
  ROLE_ARN,
  renderPlanText,
  SpecError,
  type DesiredSpec,
} from '@efs-node-identity/core';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from '../io';
import { describeFailure } from './verify';

export const PLAN_HELP = `Usage: efs-node-identity plan --cluster NAME --region R --file-system [s3files:]fs-… [options]
       efs-node-identity plan --spec FILE [options]

Reads the live state of an EKS cluster and its file systems (read-only, like verify) and prints the steps that would
converge it to the desired node identity: each with the resource, why, and a before/after diff. Nothing is changed.

Options:
  --cluster NAME                      the EKS cluster (required unless in --spec)
  --region R                          its region (default: the spec's, AWS_REGION, AWS_DEFAULT_REGION)
  --mode pod-identity|irsa            how the node ServiceAccount gets the role (default: pod-identity)
  --file-system fs-…[:read|write|root]
                                      an EFS file system the node role may mount, with its access (repeatable;
                                      default access: --access, else write)
  --file-system s3files:fs-…[:read|write|root]
                                      an Amazon S3 Files file system (fs- and 17-40 hex digits): the node role gets
                                      s3files:Client* on it and s3:GetObject/s3:ListBucket on its linked bucket and
                                      prefix (read live), the broad managed policies AmazonS3FilesClient*Access and
                                      AmazonS3ReadOnlyAccess are detached, and our Allow is merged into its policy
  --access read|write|root            access for --file-system entries without one
  --role-name N                       the node role's name (default: <cluster>-efs-csi-node)
  --target-role-arn ARN               cross-account: the role in the file system account the association chains to
                                      (Pod Identity association API only; its trust gets the association's externalId)
  --spec FILE                         the desired spec in YAML or JSON (flags given as well override its fields)
  --efs-role-arn ARN                  a role in a file system's account (cross-account; repeatable, one per
                                      account): assumed to read that file system, its policy and the target role
  --efs-external-id ID                the ExternalId sent with every --efs-role-arn AssumeRole
  --kubeconfig FILE                   Kubernetes access through this kubeconfig (default: KUBECONFIG when set, else
                                      an EKS token signed with the AWS credentials)
  --format text|json                  output (default: text on a terminal, json otherwise)
  --force                             plan a first file system policy even though volumes mount without iam (they
                                      lose access)
  --adopt                             take over an existing role that lacks the ownership tag
  -h, --help                          show this help

Every value is validated before any call (names with quotes, *, newlines and malformed ARNs are refused).
Exit codes: 0 the plan is printed (no steps: nothing to change), 1 something is refused (reasons printed),
2 usage, access or internal error.
`;

const FORMATS = ['text', 'json'] as const;
const ACCESS = ['read', 'write', 'root'] as const;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** One `--file-system [s3files:]fs-…[:read|write|root]` flag as a spec entry (plan, apply and render read it alike). */
export function fileSystemFlag(value: string, access?: string) {
  // `s3files:` names an Amazon S3 Files file system, as in the driver's volume handles; the spec checks the ID.
  const s3files = value.startsWith('s3files:');
  const rest = s3files ? value.slice('s3files:'.length) : value;
  const at = rest.indexOf(':');
  const id = at < 0 ? rest : rest.slice(0, at);
  const level = at < 0 ? access : rest.slice(at + 1);
  if (level !== undefined && !(ACCESS as readonly string[]).includes(level)) {
    throw new UsageError(`--file-system ${JSON.stringify(value)}: the access must be read, write or root`);
  }
  return { id, ...(s3files ? { type: 's3files' } : {}), ...(level ? { access: level } : {}) };
}

/** The spec from --spec and flags; the spec parser refuses hostile values before anything is read. */
export async function desiredSpec(values: Record<string, unknown>, io: CliIo): Promise<DesiredSpec> {
  let base: Record<string, unknown> = {};
  if (typeof values.spec === 'string') {
    const file = path.resolve(io.cwd, values.spec);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--spec ${values.spec}: ${(error as Error).message}`);
    }
    try {
      base = { ...parseDesiredSpecFile(text, values.spec) };
    } catch (error) {
      if (error instanceof SpecError) throw new UsageError(error.message);
      throw error;
    }
  }
  const fileSystems = (values['file-system'] as string[]).map((v) =>
    fileSystemFlag(v, values.access as string | undefined),
  );
  if (values.access !== undefined && !(ACCESS as readonly string[]).includes(values.access as string)) {
    throw new UsageError('--access must be read, write or root');
  }
  const input: Record<string, unknown> = {
    ...base,
    ...(values.cluster !== undefined ? { cluster: values.cluster } : {}),
    region: values.region ?? base.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION,
    ...(values.mode !== undefined ? { mode: values.mode } : {}),
    ...(values['role-name'] !== undefined ? { roleName: values['role-name'] } : {}),
    ...(values['target-role-arn'] !== undefined ? { targetRoleArn: values['target-role-arn'] } : {}),
    ...(fileSystems.length > 0 ? { fileSystems } : {}),
    ...(values.adopt ? { adopt: true } : {}),
  };
  if (input.cluster === undefined) throw new UsageError('--cluster is required (or a --spec with cluster)');
  if (input.region === undefined) throw new UsageError('--region is required (or set AWS_REGION)');
  if (input.fileSystems === undefined) throw new UsageError('at least one --file-system is required');
  try {
    return parseDesiredSpec(input, 'the desired spec');
  } catch (error) {
    if (error instanceof SpecError) throw new UsageError(error.message);
    throw error;
  }
}

/** The flags plan and apply share. */
export const PLAN_OPTIONS = {
  cluster: { type: 'string' },
  region: { type: 'string' },
  mode: { type: 'string' },
  'file-system': { type: 'string', multiple: true, default: [] as string[] },
  access: { type: 'string' },
  'role-name': { type: 'string' },
  'target-role-arn': { type: 'string' },
  spec: { type: 'string' },
  kubeconfig: { type: 'string' },
  'efs-role-arn': { type: 'string', multiple: true, default: [] as string[] },
  'efs-external-id': { type: 'string' },
  format: { type: 'string' },
  force: { type: 'boolean', default: false },
  adopt: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** --efs-role-arn / --efs-external-id, validated before any call. */
export function efsAccessFlags(values: Record<string, unknown>): { roleArns: string[]; externalId?: string } {
  const roleArns = (values['efs-role-arn'] as string[] | undefined) ?? [];
  for (const arn of roleArns) {
    if (!ROLE_ARN.test(arn))
      throw new UsageError(`--efs-role-arn ${JSON.stringify(arn)} is not an IAM role ARN`);
  }
  if (new Set(roleArns.map((a) => a.split(':')[4])).size !== roleArns.length) {
    throw new UsageError('--efs-role-arn: one role per account');
  }
  const externalId = values['efs-external-id'] as string | undefined;
  if (externalId !== undefined) {
    if (!EXTERNAL_ID.test(externalId))
      throw new UsageError('--efs-external-id must be 2-1224 characters of letters, digits and +=,.@:/-');
    if (roleArns.length === 0) throw new UsageError('--efs-external-id needs --efs-role-arn');
  }
  return { roleArns, ...(externalId !== undefined ? { externalId } : {}) };
}

type AwsModule = typeof import('@efs-node-identity/aws');
export type LivePorts = ReturnType<AwsModule['createAwsPorts']>;

/** The ports of a run: the cluster account's and, assumed, the file system accounts'. */
export async function openPorts(
  region: string,
  efs: { roleArns: string[]; externalId?: string },
  onCall: () => void,
): Promise<{ ports: LivePorts; others: LivePorts[]; destroy(): void }> {
  const { assumeRolePorts, createAwsPorts } = await import('@efs-node-identity/aws');
  const ports = createAwsPorts({ region, onCall });
  const others: LivePorts[] = [];
  const destroy = () => {
    ports.destroy();
    for (const p of others) p.destroy();
  };
  try {
    for (const roleArn of efs.roleArns) {
      others.push(
        await assumeRolePorts({
          roleArn,
          region,
          ...(efs.externalId !== undefined ? { externalId: efs.externalId } : {}),
          onCall,
        }),
      );
    }
  } catch (error) {
    destroy();
    throw error;
  }
  return { ports, others, destroy };
}

/** The Kubernetes access of a run: the kubeconfig (--kubeconfig or KUBECONFIG) or an EKS token. */
export function kubeAccess(kubeconfig: string | undefined, flag: unknown) {
  return kubeconfig
    ? ({ kind: 'kubeconfig', ...(typeof flag === 'string' ? { path: flag } : {}) } as const)
    : ('eks-token' as const);
}

/** Collects the live state (policy texts recorded as read) and plans: the path every front door shares. */
export async function collectAndPlan(
  spec: DesiredSpec,
  live: { ports: LivePorts; others: LivePorts[] },
  kubeconfig: string | undefined,
  values: Record<string, unknown>,
  io: CliIo,
) {
  const aws = await import('@efs-node-identity/aws');
  return aws.collectAndPlan(
    spec,
    { ports: live.ports, others: live.others, kube: kubeAccess(kubeconfig, values.kubeconfig), env: io.env },
    { force: values.force === true },
  );
}

export async function planCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, allowPositionals: false, strict: true, options: PLAN_OPTIONS });
  if (values.help) {
    io.stdout(PLAN_HELP);
    return EXIT_OK;
  }
  const format = values.format ?? (io.isTTY ? 'text' : 'json');
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`);
  }
  const spec = await desiredSpec(values, io);
  const efs = efsAccessFlags(values);
  const kubeconfig = values.kubeconfig ?? io.env.KUBECONFIG;

  // The collector counts only the calls of ports it creates itself: these are counted here.
  let awsCalls = 0;
  let result;
  let live;
  try {
    live = await openPorts(spec.region, efs, () => awsCalls++);
    result = await collectAndPlan(spec, live, kubeconfig, values, io);
  } catch (error) {
    io.stderr(`efs-node-identity plan: ${describeFailure(error, spec.cluster, spec.region)}\n`);
    if (io.env.EFS_NODE_IDENTITY_DEBUG) io.stderr(`${(error as Error).stack}\n`);
    return EXIT_USAGE;
  } finally {
    live?.destroy();
  }
  const { plan, collected } = result;
  if (format === 'json') {
    io.stdout(
      `${JSON.stringify({ steps: plan.steps, refusals: plan.refusals, notes: plan.notes }, null, 2)}\n`,
    );
  } else {
    io.stdout(renderPlanText(plan));
  }
  io.stderr(
    `plan: ${plan.steps.length} step(s), ${plan.refusals.length} refused; ` +
      `${awsCalls} AWS calls, ${collected.stats.kubernetesCalls} Kubernetes calls\n`,
  );
  return plan.refusals.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

import { readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ExecutionError,
  executePlan,
  fileLock,
  renderPlanText,
  rollbackJournal,
  type DesiredSpec,
  type ExecutorPorts,
  type Journal,
} from '@efs-node-identity/core';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, terminalSafe, UsageError, type CliIo } from '../io';
import { journalProblem } from '../journal-check';
import {
  collectAndPlan,
  desiredSpec,
  efsAccessFlags,
  kubeAccess,
  openPorts,
  PLAN_OPTIONS,
  type LivePorts,
} from './plan';
import { describeFailure } from './verify';

export const APPLY_HELP = `Usage: efs-node-identity apply --cluster NAME --region R --file-system [s3files:]fs-… [options] [--yes]
       efs-node-identity apply --spec FILE [options] [--yes]

Plans exactly as \`plan\` does, prints the plan, asks for confirmation, then runs the steps in order. Each step
re-reads what it changes first; the value it read is written to a journal before the next step, so that
\`rollback --journal FILE\` can restore it. Shared policies (file system policies, a target role's trust) are
re-merged by Sid right before the write and re-read after it. Progress is printed per step on stderr; a verify of
the live state follows.

Options: every option of \`plan\` (see efs-node-identity plan --help), and
  --yes                 apply without the confirmation prompt (required without a terminal)
  --journal FILE        where the journal goes (default: efs-node-identity-journal-<time>.json)
  --stop-after-steps N  testing: stop after N steps, as a kill between two steps would
  -h, --help            show this help

Writers of one file system policy or one role's policy on this machine take turns (a lock file per resource in the
temporary directory). Across machines, PutFileSystemPolicy has no conditional write: a statement lost to a
concurrent writer elsewhere is what verify reports, and the next apply restores it.
The prompt wants the word yes; any other answer changes nothing.
Exit codes: 0 applied and verify has no error, 1 refused (by the plan, or not confirmed) or verify reports errors,
2 usage (also: no terminal to confirm on and no --yes), access or step failure (the journal holds what was done).
`;

export const ROLLBACK_HELP = `Usage: efs-node-identity rollback --journal FILE [--yes] [--efs-role-arn ARN]… [--kubeconfig FILE]

Restores what an apply changed, from its journal, last step first: each resource gets the value read right before
the apply wrote it (a policy that did not exist is deleted again, a created role or association is deleted, our
statement is removed from a file system policy while statements others added since are kept, a managed policy that
was detached is attached again). A DaemonSet restart
cannot be undone: the node pods are restarted again so they drop the credentials of the undone binding.

Options:
  --journal FILE        the journal apply wrote (required)
  --yes                 roll back without the confirmation prompt (required without a terminal)
  --region R            overrides the journal's region
  --efs-role-arn ARN    a role in a file system account the apply wrote to (repeatable), as for apply
  --efs-external-id ID  the ExternalId sent with every --efs-role-arn AssumeRole
  --kubeconfig FILE     Kubernetes access (default: KUBECONFIG when set, else an EKS token)
  -h, --help            show this help

Exit codes: 0 restored, 2 usage, access error or an entry that could not be restored (named on stderr).
`;

const ts = () => new Date().toISOString().replace(/[:.]/g, '-');

async function confirm(io: CliIo, yes: boolean, what: string): Promise<boolean | 'no-tty'> {
  if (yes) return true;
  if (!io.isTTY || !io.stdinIsTTY) return 'no-tty';
  io.stderr(`${what} Type yes to continue: `);
  for await (const chunk of io.stdin()) {
    const line = String(chunk).split('\n')[0]!.trim();
    return line === 'yes';
  }
  return false;
}

/** Writes the journal atomically (a temporary file renamed over it), so a kill never leaves half a file. */
async function saveJournal(file: string, journal: Journal): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(journal, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

async function executorPorts(
  main: LivePorts,
  others: LivePorts[],
  account: string,
  cluster: string,
  kube: ExecutorPorts['kube'],
  otherAccountIds: string[],
): Promise<ExecutorPorts> {
  const { liveExecutorPorts } = await import('@efs-node-identity/aws');
  return liveExecutorPorts({
    ports: main,
    others,
    otherAccountIds,
    account,
    cluster,
    ...(kube ? { kube } : {}),
  });
}

async function openKube(
  main: LivePorts,
  spec: { cluster: string; region: string },
  kubeconfig: string | undefined,
  flag: string | undefined,
  io: CliIo,
) {
  const { openClusterKube } = await import('@efs-node-identity/aws');
  return openClusterKube({
    ports: main,
    cluster: spec.cluster,
    region: spec.region,
    ...(kubeconfig ? { kubeconfig: flag ?? true } : {}),
    env: io.env,
  });
}

export async function applyCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    strict: true,
    options: {
      ...PLAN_OPTIONS,
      yes: { type: 'boolean', default: false },
      journal: { type: 'string' },
      // Tests: stop between two steps, as a kill would (the journal keeps what was done).
      'stop-after-steps': { type: 'string' },
    },
  });
  if (values.help) {
    io.stdout(APPLY_HELP);
    return EXIT_OK;
  }
  const spec: DesiredSpec = await desiredSpec(values, io);
  const efs = efsAccessFlags(values);
  const kubeconfig = values.kubeconfig ?? io.env.KUBECONFIG;
  const journalFile = path.resolve(io.cwd, values.journal ?? `efs-node-identity-journal-${ts()}.json`);
  const stopAfter = values['stop-after-steps'];
  if (stopAfter !== undefined && !/^\d+$/.test(stopAfter))
    throw new UsageError('--stop-after-steps takes a number');

  let awsCalls = 0;
  let live;
  try {
    live = await openPorts(spec.region, efs, () => awsCalls++);
    const { plan, collected } = await collectAndPlan(spec, live, kubeconfig, values, io);
    io.stdout(renderPlanText(plan));
    if (plan.refusals.length > 0) {
      io.stderr('apply: refused (see above); nothing was changed\n');
      return EXIT_FINDINGS;
    }
    if (plan.steps.length === 0) {
      io.stderr('apply: nothing to change\n');
      return EXIT_OK;
    }
    const ok = await confirm(
      io,
      values.yes,
      `apply: ${plan.steps.length} step(s) will change ${spec.cluster}.`,
    );
    if (ok === 'no-tty') {
      io.stderr('efs-node-identity apply: no terminal to confirm on: pass --yes to apply without a prompt\n');
      return EXIT_USAGE;
    }
    if (!ok) {
      io.stderr('apply: not confirmed; nothing was changed\n');
      return EXIT_FINDINGS;
    }
    const { clusterAccountOf, planNeedsKube, verifyLive } = await import('@efs-node-identity/aws');
    const account = clusterAccountOf(collected, spec.cluster);
    const needsKube = planNeedsKube(plan);
    const kube = needsKube ? await openKube(live.ports, spec, kubeconfig, values.kubeconfig, io) : undefined;
    const otherIds = efs.roleArns.map((a) => a.split(':')[4]!);
    const ports = await executorPorts(live.ports, live.others, account, spec.cluster, kube, otherIds);
    let verifyErrors = 0;
    io.stderr(`apply: journal ${journalFile}\n`);
    try {
      await executePlan(plan.steps, ports, {
        meta: { cluster: spec.cluster, region: spec.region },
        lock: fileLock(),
        onJournal: (j) => saveJournal(journalFile, j),
        ...(stopAfter !== undefined ? { stopAfterSteps: Number(stopAfter) } : {}),
        onProgress: (e) => {
          const head = `[${e.index + 1}/${e.total}]`;
          if (e.phase === 'start') io.stderr(`${head} ${e.step.title}\n`);
          else if (e.phase === 'unchanged') io.stderr(`${head} already as wanted, nothing written\n`);
          else if (e.phase === 'done') io.stderr(`${head} done${e.message ? `: ${e.message}` : ''}\n`);
          else io.stderr(`${head} ${e.phase}: ${e.message ?? ''}\n`);
        },
        verify: async () => {
          const { findings } = await verifyLive(
            {
              cluster: spec.cluster,
              region: spec.region,
              fileSystemIds: spec.fileSystems.filter((f) => f.type !== 's3files').map((f) => f.id),
              s3FileSystemIds: spec.fileSystems.filter((f) => f.type === 's3files').map((f) => f.id),
            },
            {
              ports: live!.ports,
              others: live!.others,
              kube: kubeAccess(kubeconfig, values.kubeconfig),
              env: io.env,
            },
          );
          const errors = findings.filter((f) => f.severity === 'error');
          verifyErrors = errors.length;
          for (const f of errors) io.stderr(`  error ${f.ruleId}: ${f.message}\n`);
          return `verify: ${errors.length} error(s), ${findings.length - errors.length} other finding(s)`;
        },
      });
    } catch (error) {
      const message =
        error instanceof ExecutionError ? error.message : describeFailure(error, spec.cluster, spec.region);
      io.stderr(
        `efs-node-identity apply: ${message}\nWhat was done is in ${journalFile}: run plan and apply again to converge, or rollback --journal ${journalFile}\n`,
      );
      return EXIT_USAGE;
    }
    io.stderr(`apply: done; ${awsCalls} AWS calls; journal ${journalFile}\n`);
    return verifyErrors > 0 ? EXIT_FINDINGS : EXIT_OK;
  } catch (error) {
    io.stderr(`efs-node-identity apply: ${describeFailure(error, spec.cluster, spec.region)}\n`);
    if (io.env.EFS_NODE_IDENTITY_DEBUG) io.stderr(`${(error as Error).stack}\n`);
    return EXIT_USAGE;
  } finally {
    live?.destroy();
  }
}

export async function rollbackCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    strict: true,
    options: {
      journal: { type: 'string' },
      yes: { type: 'boolean', default: false },
      region: { type: 'string' },
      kubeconfig: { type: 'string' },
      'efs-role-arn': { type: 'string', multiple: true, default: [] as string[] },
      'efs-external-id': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout(ROLLBACK_HELP);
    return EXIT_OK;
  }
  if (!values.journal) throw new UsageError('--journal FILE is required');
  let journal: Journal;
  try {
    journal = JSON.parse(await readFile(path.resolve(io.cwd, values.journal), 'utf8')) as Journal;
  } catch (error) {
    throw new UsageError(`--journal ${values.journal}: ${(error as Error).message}`);
  }
  const problem = journalProblem(journal);
  if (problem) throw new UsageError(`--journal ${values.journal}: ${problem}; nothing was changed`);
  const region = values.region ?? journal.region ?? io.env.AWS_REGION;
  if (!region || !journal.cluster || !journal.account)
    throw new UsageError(`--journal ${values.journal}: it names no cluster, account or region`);
  const efs = efsAccessFlags(values);
  const entries = journal.entries.filter((e) => e.undo.kind !== 'none');
  for (const e of [...entries].reverse()) io.stdout(`undo: ${terminalSafe(e.title)}\n`);
  if (entries.length === 0) {
    io.stderr('rollback: nothing to restore\n');
    return EXIT_OK;
  }
  const ok = await confirm(io, values.yes, `rollback: ${entries.length} change(s) will be restored.`);
  if (ok === 'no-tty') {
    io.stderr(
      'efs-node-identity rollback: no terminal to confirm on: pass --yes to roll back without a prompt\n',
    );
    return EXIT_USAGE;
  }
  if (!ok) {
    io.stderr('rollback: not confirmed; nothing was changed\n');
    return EXIT_FINDINGS;
  }
  const kubeconfig = values.kubeconfig ?? io.env.KUBECONFIG;
  let live;
  try {
    live = await openPorts(region, efs, () => undefined);
    const needsKube = entries.some(
      (e) => e.undo.kind === 'restart-daemonset' || e.undo.kind === 'restore-annotation',
    );
    const kube = needsKube
      ? await openKube(live.ports, { cluster: journal.cluster, region }, kubeconfig, values.kubeconfig, io)
      : undefined;
    const ports = await executorPorts(
      live.ports,
      live.others,
      journal.account,
      journal.cluster,
      kube,
      efs.roleArns.map((a) => a.split(':')[4]!),
    );
    await rollbackJournal(journal, ports, {
      lock: fileLock(),
      onProgress: (e) => {
        if (e.phase === 'start') io.stderr(`[${e.entry.index + 1}] restore: ${e.entry.title}\n`);
        else io.stderr(`[${e.entry.index + 1}] ${e.phase}${e.message ? `: ${e.message}` : ''}\n`);
      },
    });
    io.stderr('rollback: done\n');
    return EXIT_OK;
  } catch (error) {
    io.stderr(`efs-node-identity rollback: ${describeFailure(error, journal.cluster, region)}\n`);
    return EXIT_USAGE;
  } finally {
    live?.destroy();
  }
}

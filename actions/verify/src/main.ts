import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import {
  countBySeverity,
  describeLiveFailure,
  loadConfigFor,
  renderSarif,
  runCheck,
  type CheckReport,
} from '@efs-node-identity/core';
import packageJson from '../package.json' with { type: 'json' };
import { planAnnotations } from './annotations';
import { readInputs, type ActionInputs } from './inputs';
import type { LiveResult } from './live';
import { listChangedFiles, upsertComment, type PullRequestRef } from './pull-request';
import { scopeFindings, type ReportedFinding } from './scope';
import { byImportance, COMMENT_LIMIT_CHARS, renderReport, SUMMARY_LIMIT_BYTES } from './summary';
import { expandPaths } from './targets';

const TITLE = 'EFS CSI node identity';

/** `1 file`, `2 files`. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The action: check the repository, report within GitHub's limits, and set the verdict. */
export async function run(): Promise<void> {
  try {
    const workspace = path.resolve(process.env.GITHUB_WORKSPACE || process.cwd());
    const inputs = readInputs({ env: process.env, eventName: github.context.eventName, workspace });
    if (inputs.token) core.setSecret(inputs.token);
    await check(inputs, workspace);
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

type LiveOutcome = { result: LiveResult } | { failure: string };

/**
 * Live mode: the cluster's live findings, or why they could not be read (one line, no stack, no secret). Started
 * before the static check so that the AWS and Kubernetes round trips overlap the parsing.
 */
async function checkLiveMode(
  live: NonNullable<ActionInputs['live']>,
  configPath: string | undefined,
  workspace: string,
): Promise<LiveOutcome> {
  const config = await loadConfigFor(workspace, configPath);
  // A separate bundle file: a static run never loads the AWS SDK or @kubernetes/client-node.
  const { checkLive } = await import('./live');
  try {
    return { result: await checkLive(live, config, process.env) };
  } catch (error) {
    return {
      failure: `live check of ${live.cluster} in ${live.region} failed: ${describeLiveFailure(error, live.cluster, live.region)}`,
    };
  }
}

async function check(inputs: ActionInputs, workspace: string): Promise<void> {
  const livePending = inputs.live
    ? checkLiveMode(inputs.live, inputs.config, workspace)
    : Promise.resolve(undefined);
  // Settled at once so that a failing static check does not leave it unhandled; awaited below.
  livePending.catch(() => undefined);
  const staticReport = await runCheck(await expandPaths(inputs.paths, workspace), {
    ...(inputs.config ? { configPath: inputs.config } : {}),
    version: packageJson.version,
  });
  const live = await livePending;
  const liveResult = live && 'result' in live ? live.result : undefined;
  // One report for the SARIF, the summary and the counts: live findings have no file, so they keep their
  // ARN or Kubernetes reference as location.
  const report: CheckReport = liveResult
    ? {
        ...staticReport,
        findings: [...staticReport.findings, ...liveResult.findings],
        suppressed: [...staticReport.suppressed, ...liveResult.suppressed],
      }
    : staticReport;
  const pr = pullRequestOf(github.context);
  const octokit = inputs.token ? github.getOctokit(inputs.token) : undefined;
  const changed =
    inputs.changedFilesOnly && pr && octokit ? await listChangedFiles(octokit, pr, workspace) : undefined;
  const liveReported: ReportedFinding[] =
    liveResult && inputs.live
      ? liveResult.findings.map((finding) => ({
          finding,
          live: { cluster: inputs.live!.cluster, region: inputs.live!.region },
        }))
      : [];
  // Live findings are about the cluster as it runs, not about the diff: always reported.
  const reported = byImportance([...scopeFindings(staticReport, workspace, changed), ...liveReported]);
  if (liveResult) {
    core.info(
      `live: ${count(liveResult.stats.awsCalls, 'AWS call')}, ${count(liveResult.stats.kubernetesCalls, 'Kubernetes call')}, ${count(liveResult.findings.length, 'finding')}`,
    );
    for (const fact of liveResult.unread) {
      core.notice(
        fact.kind === 'bucket-policy'
          ? `Live check: not read: the policy of the linked bucket ${fact.id}: ${fact.reason} (S3F-04 stays silent for it)`
          : `Live check: not read: ${fact.kind === 'file-system' ? 'file system' : 'role'} ${fact.id}: ${fact.reason} (a file system or role in another account is not read by the action; rules about it stay silent)`,
        { title: 'EFS CSI node identity: live check' },
      );
    }
  }

  // Code scanning compares the PR's analysis with the base branch's: a partial SARIF would mark alerts as fixed.
  await mkdir(path.dirname(inputs.sarifFile), { recursive: true });
  await writeFile(inputs.sarifFile, renderSarif(report));

  for (const a of planAnnotations(reported)) {
    core[a.level](a.message, {
      title: a.title,
      ...(a.file ? { file: a.file } : {}),
      ...(a.line ? { startLine: a.line } : {}),
    });
  }

  const staticScope = changed
    ? `Checked the whole repository (${count(staticReport.files, 'file')}); reported ${reported.length - liveReported.length} of ${count(staticReport.findings.length, 'finding')}: those in the ${count(changed.files.size, 'file')} this pull request changes, and those elsewhere that a change caused (marked "Caused by").`
    : `Checked ${count(staticReport.files, 'file')}; all findings reported.`;
  const liveScope = !inputs.live
    ? ''
    : liveResult
      ? ` Live: read cluster ${inputs.live.cluster} in ${inputs.live.region} (${count(liveResult.stats.awsCalls, 'AWS call')}, ${count(liveResult.stats.kubernetesCalls, 'Kubernetes call')}); ${liveResult.findings.length === 1 ? 'the live finding' : `all ${liveResult.findings.length} live findings`} reported (marked "Live cluster").`
      : ` Live: ${live && 'failure' in live ? live.failure : 'not run'}.`;
  const scope = staticScope + liveScope;
  const runUrl = `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${process.env.GITHUB_REPOSITORY ?? ''}/actions/runs/${process.env.GITHUB_RUN_ID ?? ''}`;
  const summary = renderReport(
    report,
    reported,
    { title: TITLE, scope, fullListAt: `the SARIF file has them all` },
    SUMMARY_LIMIT_BYTES,
    Buffer.byteLength,
  );
  await core.summary.addRaw(summary).write();

  if (inputs.comment && pr && octokit) {
    const body =
      reported.length > 0
        ? renderReport(
            report,
            reported,
            { title: TITLE, scope, fullListAt: `see the [job summary](${runUrl})` },
            COMMENT_LIMIT_CHARS,
            (s) => s.length,
          )
        : undefined;
    const outcome = await upsertComment(
      octokit,
      pr,
      body,
      `### ${TITLE}\n\n✅ Everything this pull request was flagged for is fixed.\n`,
    );
    if (outcome === 'forbidden') {
      core.notice(
        'Could not write the pull request comment (read-only token, e.g. a fork pull request); the findings are in the job summary and the annotations.',
      );
    }
  }

  const counts = countBySeverity(reported.map((r) => r.finding));
  const liveFailure = live && 'failure' in live ? live.failure : undefined;
  const failed =
    liveFailure !== undefined ||
    (inputs.failOn === 'error'
      ? counts.errors > 0
      : inputs.failOn === 'warning'
        ? counts.errors + counts.warnings > 0
        : false);
  core.setOutput('errors', counts.errors);
  core.setOutput('warnings', counts.warnings);
  core.setOutput('sarif-file', inputs.sarifFile);
  core.setOutput('result', failed ? 'fail' : 'pass');
  // A live mode that could not read the cluster fails the step whatever fail-on says: nothing was verified.
  if (liveFailure) core.setFailed(liveFailure);
  else if (failed)
    core.setFailed(
      `${counts.errors} error${counts.errors === 1 ? '' : 's'} and ${counts.warnings} warning${counts.warnings === 1 ? '' : 's'} (fail-on: ${inputs.failOn}); see the annotations and the job summary.`,
    );
}

function pullRequestOf(context: typeof github.context): PullRequestRef | undefined {
  const number = context.payload.pull_request?.number;
  if (typeof number !== 'number' || !process.env.GITHUB_REPOSITORY) return undefined;
  return { ...context.repo, number };
}

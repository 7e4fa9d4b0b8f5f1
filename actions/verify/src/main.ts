import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as core from '@actions/core';
import * as github from '@actions/github';
import { countBySeverity, renderSarif, runCheck } from '@efs-node-identity/core';
import packageJson from '../package.json' with { type: 'json' };
import { planAnnotations } from './annotations';
import { readInputs, type ActionInputs } from './inputs';
import { listChangedFiles, upsertComment, type PullRequestRef } from './pull-request';
import { scopeFindings } from './scope';
import { byImportance, COMMENT_LIMIT_CHARS, renderReport, SUMMARY_LIMIT_BYTES } from './summary';
import { expandPaths } from './targets';

const TITLE = 'EFS CSI node identity';

/** The action: check the repository, report within GitHub's limits, and set the verdict. */
export async function run(): Promise<void> {
  try {
    const workspace = path.resolve(process.env.GITHUB_WORKSPACE || process.cwd());
    const inputs = readInputs({ env: process.env, eventName: github.context.eventName, workspace });
    if (inputs.token) core.setSecret(inputs.token);
    if (inputs.live) {
      throw new Error(
        'live mode needs the live collector (@efs-node-identity/aws), which this version of the action does not bundle yet; remove `live: true` to run the static check',
      );
    }
    await check(inputs, workspace);
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

async function check(inputs: ActionInputs, workspace: string): Promise<void> {
  const report = await runCheck(await expandPaths(inputs.paths, workspace), {
    ...(inputs.config ? { configPath: inputs.config } : {}),
    version: packageJson.version,
  });
  const pr = pullRequestOf(github.context);
  const octokit = inputs.token ? github.getOctokit(inputs.token) : undefined;
  const changed =
    inputs.changedFilesOnly && pr && octokit ? await listChangedFiles(octokit, pr, workspace) : undefined;
  const reported = byImportance(scopeFindings(report, workspace, changed));

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

  const scope = changed
    ? `Checked the whole repository (${report.files} files); reported ${reported.length} of ${report.findings.length} findings: those in the ${changed.files.size} files this pull request changes, and those elsewhere that a change caused (marked "Caused by").`
    : `Checked ${report.files} files; all findings reported.`;
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
  const failed =
    inputs.failOn === 'error'
      ? counts.errors > 0
      : inputs.failOn === 'warning'
        ? counts.errors + counts.warnings > 0
        : false;
  core.setOutput('errors', counts.errors);
  core.setOutput('warnings', counts.warnings);
  core.setOutput('sarif-file', inputs.sarifFile);
  core.setOutput('result', failed ? 'fail' : 'pass');
  if (failed)
    core.setFailed(
      `${counts.errors} error${counts.errors === 1 ? '' : 's'} and ${counts.warnings} warning${counts.warnings === 1 ? '' : 's'} (fail-on: ${inputs.failOn}); see the annotations and the job summary.`,
    );
}

function pullRequestOf(context: typeof github.context): PullRequestRef | undefined {
  const number = context.payload.pull_request?.number;
  if (typeof number !== 'number' || !process.env.GITHUB_REPOSITORY) return undefined;
  return { ...context.repo, number };
}

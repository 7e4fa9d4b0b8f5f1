import * as path from 'node:path';
import { locationOf, type CheckReport, type Finding, type Origin } from '@efs-node-identity/core';

/** A finding placed in the repository, with why it is reported. */
export interface ReportedFinding {
  finding: Finding;
  /** Relative to the repository root (the workspace), POSIX separators. */
  file?: string;
  line?: number;
  /** Changed files that caused a finding located in an unchanged file. */
  causedBy?: string[];
  /** Found on the live cluster (live mode), not in a file: always reported, whatever the pull request changed. */
  live?: { cluster: string; region: string };
}

/** The pull request's changed files (repository-relative) and their current text, for the "caused by" rule. */
export interface ChangedFiles {
  files: Set<string>;
  texts: Map<string, string>;
}

function toRepoPath(report: CheckReport, workspace: string, file: string): string {
  return path.relative(workspace, path.resolve(report.root, file)).split(path.sep).join('/');
}

function fileOf(report: CheckReport, workspace: string, origin: Origin | undefined): string | undefined {
  return origin?.kind === 'file' ? toRepoPath(report, workspace, origin.file) : undefined;
}

/**
 * Which findings to report. Without a changed-file list: all of them. With one, the whole repository was still checked
 * (a StorageClass and the file system policy it mounts are usually in different files), and a finding is reported
 * when it is located in a changed file, or, located elsewhere, when the change caused it. The "caused" rule is
 * deliberately simple so a reviewer can predict it: a related or trace origin of the finding is in a changed file,
 * or the finding's resource name (`fs-0123…`, a role ARN, `StorageClass/name`'s name) appears in a changed file's text.
 */
export function scopeFindings(
  report: CheckReport,
  workspace: string,
  changed: ChangedFiles | undefined,
): ReportedFinding[] {
  const out: ReportedFinding[] = [];
  for (const finding of report.findings) {
    const { file: rootFile, line } = locationOf(finding);
    const file = rootFile === undefined ? undefined : toRepoPath(report, workspace, rootFile);
    const placed: ReportedFinding = { finding, ...(file ? { file } : {}), ...(line ? { line } : {}) };
    if (!changed || (file && changed.files.has(file))) {
      out.push(placed);
      continue;
    }
    const causes = new Set<string>();
    for (const origin of [...(finding.related ?? []), ...(finding.trace ?? []).map((t) => t.origin)]) {
      const related = fileOf(report, workspace, origin);
      if (related && changed.files.has(related)) causes.add(related);
    }
    const name = finding.resource?.split('/').pop();
    if (name && name.length >= 4) {
      for (const [changedFile, text] of changed.texts) if (text.includes(name)) causes.add(changedFile);
    }
    if (causes.size > 0) out.push({ ...placed, causedBy: [...causes].sort() });
  }
  return out;
}

/** The message as shown to the reviewer: a caused finding says which change caused it. */
export function shownMessage(reported: ReportedFinding): string {
  if (reported.live)
    return `Live cluster ${reported.live.cluster} (${reported.live.region}): ${reported.finding.message}`;
  return reported.causedBy
    ? `Caused by a change in ${reported.causedBy.join(', ')}: ${reported.finding.message}`
    : reported.finding.message;
}

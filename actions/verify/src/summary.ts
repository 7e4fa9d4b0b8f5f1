import { renderMarkdown, type CheckReport } from '@efs-node-identity/core';
import { shownMessage, type ReportedFinding } from './scope';

/** GitHub drops a step's whole job summary when it exceeds 1 MiB; stay under it with room for the note. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 4 * 1024;
/** GitHub rejects comment bodies over 65,536 characters. */
export const COMMENT_LIMIT_CHARS = 65_536 - 1_024;

export interface ReportText {
  title: string;
  /** What was reported and why: the changed-files rule in one line. */
  scope: string;
  /** Where the full list is, for a truncated text. */
  fullListAt: string;
}

/**
 * The findings as Markdown (the core's table, every cell escaped there), cut to fit `limit`: whole rows are dropped
 * from the end (the least important, since the caller sorts) and a note says how many and where the rest are.
 */
export function renderReport(
  report: CheckReport,
  reported: ReportedFinding[],
  text: ReportText,
  limit: number,
  measure: (s: string) => number,
): string {
  const findings = reported.map((r) => ({ ...r.finding, message: shownMessage(r) }));
  const render = (count: number) =>
    renderMarkdown({ ...report, findings: findings.slice(0, count) }, { title: text.title }) +
    `\n${text.scope}\n` +
    (count < findings.length
      ? `\n> **Truncated:** ${findings.length - count} more finding${findings.length - count === 1 ? '' : 's'} not shown here to stay within GitHub's size limit; ${text.fullListAt}.\n`
      : '');
  let count = findings.length;
  let body = render(count);
  // Halving then stepping up would be faster, but reports this large are rare and rendering is cheap.
  while (measure(body) > limit && count > 0) {
    count = Math.max(0, Math.floor(count * 0.9) - 1);
    body = render(count);
  }
  return body;
}

/** Reported findings most important first, for the tables (truncation drops from the end). */
export function byImportance(reported: ReportedFinding[]): ReportedFinding[] {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return [...reported].sort(
    (a, b) =>
      rank[a.finding.severity] - rank[b.finding.severity] ||
      Number(a.causedBy !== undefined) - Number(b.causedBy !== undefined) ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0),
  );
}

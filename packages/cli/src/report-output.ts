import {
  countBySeverity,
  renderJson,
  renderMarkdown,
  renderSarif,
  renderText,
  type CheckReport,
} from '@efs-node-identity/core';
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CliIo } from './io';

/** What `check` and `verify` print and when they fail: the same formats and exit codes for both. */
export const FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export const FAIL_ON = ['error', 'warning', 'never'] as const;

export type ReportFormat = (typeof FORMATS)[number];
export type FailOn = (typeof FAIL_ON)[number];

/** Validates --format (default: text on a terminal, json otherwise) and --fail-on, naming the flag. */
export function reportOptions(
  format: string | undefined,
  failOn: string,
  io: CliIo,
): { format: ReportFormat; failOn: FailOn } {
  const chosen = format ?? (io.isTTY ? 'text' : 'json');
  if (!(FORMATS as readonly string[]).includes(chosen)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${chosen}")`);
  }
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')} (got "${failOn}")`);
  }
  return { format: chosen as ReportFormat, failOn: failOn as FailOn };
}

/** Prints the report in the chosen format. */
export function printReport(report: CheckReport, format: ReportFormat, io: CliIo, verbose = false): void {
  switch (format) {
    case 'json':
      io.stdout(renderJson(report));
      break;
    case 'sarif':
      io.stdout(renderSarif(report));
      break;
    case 'markdown':
      io.stdout(renderMarkdown(report));
      break;
    default:
      io.stdout(renderText(report, { color: io.isTTY && !io.env.NO_COLOR, verbose }));
  }
}

/** 1 when a finding at the --fail-on level or worse remains, else 0. */
export function exitCodeFor(report: CheckReport, failOn: FailOn): number {
  const counts = countBySeverity(report.findings);
  if (failOn === 'error' && counts.errors > 0) return EXIT_FINDINGS;
  if (failOn === 'warning' && counts.errors + counts.warnings > 0) return EXIT_FINDINGS;
  return EXIT_OK;
}

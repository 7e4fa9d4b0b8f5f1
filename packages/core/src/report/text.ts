import type { Finding, Severity } from '../model/finding';
import { describeOrigin } from '../model/origin';
import { countBySeverity, type CheckReport } from './result';

export interface TextOptions {
  color: boolean;
  /** Print the evaluator trace under each finding. */
  verbose?: boolean;
}

const COLORS: Record<Severity | 'dim' | 'bold', [string, string]> = {
  error: ['\x1b[31m', '\x1b[39m'],
  warning: ['\x1b[33m', '\x1b[39m'],
  info: ['\x1b[36m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

/** Human-readable output for a terminal: one block per finding, grouped by file, then a summary line. */
export function renderText(report: CheckReport, options: TextOptions): string {
  const paint = (style: keyof typeof COLORS, text: string) =>
    options.color ? COLORS[style][0] + text + COLORS[style][1] : text;
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(
      `${paint(f.severity, f.severity.padEnd(7))} ${paint('bold', f.ruleId)} ${f.origin ? describeOrigin(f.origin) : ''}`,
    );
    lines.push(`  ${f.message}`);
    if (f.fix) lines.push(...indent(`fix: ${f.fix}`, '  ').map((l) => paint('dim', l)));
    if (options.verbose && f.trace?.length) {
      lines.push(paint('dim', '  why:'));
      for (const step of f.trace) {
        lines.push(
          paint(
            'dim',
            `    ${step.outcome.padEnd(8)} ${step.message}${step.origin ? ` (${describeOrigin(step.origin)})` : ''}`,
          ),
        );
      }
    }
    lines.push('');
  }
  lines.push(summaryLine(report, paint));
  return lines.join('\n') + '\n';
}

function indent(text: string, prefix: string): string[] {
  return text.split('\n').map((l) => prefix + l);
}

function summaryLine(report: CheckReport, paint: (s: keyof typeof COLORS, t: string) => string): string {
  const c = countBySeverity(report.findings);
  const parts = [
    paint(c.errors ? 'error' : 'dim', `${c.errors} error${c.errors === 1 ? '' : 's'}`),
    paint(c.warnings ? 'warning' : 'dim', `${c.warnings} warning${c.warnings === 1 ? '' : 's'}`),
    `${c.info} info`,
  ];
  const suppressed = report.suppressed.length ? `, ${report.suppressed.length} suppressed` : '';
  return `${parts.join(', ')}${suppressed} in ${report.files} file${report.files === 1 ? '' : 's'}`;
}

export function summarize(findings: Finding[]): string {
  const c = countBySeverity(findings);
  return `${c.errors} errors, ${c.warnings} warnings, ${c.info} info`;
}

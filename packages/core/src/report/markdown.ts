import { describeOrigin } from '../model/origin';
import { countBySeverity, type CheckReport } from './result';

const ICON = { error: '❌ error', warning: '⚠️ warning', info: 'ℹ️ info' } as const;

/** Escapes text for a Markdown table cell: pipes, HTML, backticks, newlines. */
export function escapeCell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/\r?\n/g, '<br>');
}

export interface MarkdownOptions {
  /** Link rule IDs to this base (e.g. a repository URL + /docs/rules); default: relative docs/rules. */
  docsBase?: string;
  /** A heading for the report. */
  title?: string;
}

/** A Markdown report for PR comments and job summaries: a summary line, a table, and the fixes. */
export function renderMarkdown(report: CheckReport, options: MarkdownOptions = {}): string {
  const c = countBySeverity(report.findings);
  const base = options.docsBase ?? 'docs/rules';
  const out: string[] = [];
  out.push(`### ${options.title ?? 'EFS CSI node identity'}`);
  out.push('');
  out.push(
    c.errors === 0 && c.warnings === 0
      ? `✅ No problems found in ${report.files} file${report.files === 1 ? '' : 's'}.`
      : `**${c.errors}** error${c.errors === 1 ? '' : 's'}, **${c.warnings}** warning${c.warnings === 1 ? '' : 's'}, ${c.info} info in ${report.files} file${report.files === 1 ? '' : 's'}.`,
  );
  if (report.findings.length > 0) {
    out.push('');
    out.push('| Severity | Rule | Location | Message |');
    out.push('|---|---|---|---|');
    for (const f of report.findings) {
      out.push(
        `| ${ICON[f.severity]} | [${escapeCell(f.ruleId)}](${base}/${encodeURIComponent(f.ruleId)}.md) | ${escapeCell(f.origin ? describeOrigin(f.origin) : '')} | ${escapeCell(f.message)} |`,
      );
    }
    const withFix = report.findings.filter((f) => f.fix);
    if (withFix.length > 0) {
      out.push('');
      out.push('<details><summary>How to fix</summary>');
      out.push('');
      for (const f of withFix) {
        out.push(`**${escapeCell(f.ruleId)}** ${escapeCell(f.origin ? describeOrigin(f.origin) : '')}`);
        out.push('');
        out.push('```');
        out.push((f.fix as string).replace(/```/g, "'''"));
        out.push('```');
        out.push('');
      }
      out.push('</details>');
    }
  }
  if (report.suppressed.length > 0) {
    out.push('');
    out.push(`${report.suppressed.length} finding${report.suppressed.length === 1 ? '' : 's'} suppressed.`);
  }
  return out.join('\n') + '\n';
}

import type { Severity } from '@efs-node-identity/core';
import { shownMessage, type ReportedFinding } from './scope';

/**
 * GitHub shows at most 10 error and 10 warning annotations per step (and 50 per job); the rest are dropped silently.
 * So the action picks which ones are shown and says how many it left out.
 */
export const SHOWN_PER_LEVEL = 10;

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  title: string;
  message: string;
  file?: string;
  line?: number;
}

/** Most important first: decided before undecidable, in the diff before caused elsewhere, then by place. */
function importance(a: ReportedFinding, b: ReportedFinding): number {
  return (
    Number(a.finding.undecidable ?? false) - Number(b.finding.undecidable ?? false) ||
    Number(a.causedBy !== undefined) - Number(b.causedBy !== undefined) ||
    (a.file ?? '\uffff').localeCompare(b.file ?? '\uffff') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    a.finding.ruleId.localeCompare(b.finding.ruleId)
  );
}

/** The annotations to emit: up to 10 errors and 10 warnings, and one notice that rolls up the rest. */
export function planAnnotations(reported: ReportedFinding[]): Annotation[] {
  const out: Annotation[] = [];
  const left: string[] = [];
  for (const level of ['error', 'warning'] as const satisfies Severity[]) {
    const ofLevel = reported.filter((r) => r.finding.severity === level).sort(importance);
    for (const r of ofLevel.slice(0, SHOWN_PER_LEVEL)) {
      out.push({
        level,
        title: `${r.finding.ruleId}: ${r.finding.title}`,
        message: r.finding.fix ? `${shownMessage(r)}\nFix: ${r.finding.fix}` : shownMessage(r),
        ...(r.file ? { file: r.file } : {}),
        ...(r.line ? { line: r.line } : {}),
      });
    }
    const more = ofLevel.length - SHOWN_PER_LEVEL;
    if (more > 0) left.push(`${more} more ${level}${more === 1 ? '' : 's'}`);
  }
  if (left.length > 0) {
    // A notice, not an error: an 11th error annotation would itself be dropped.
    out.push({
      level: 'notice',
      title: 'More EFS CSI node identity findings',
      message: `${left.join(' and ')} not shown as annotations (GitHub shows 10 per level and step); see the job summary.`,
    });
  }
  return out;
}

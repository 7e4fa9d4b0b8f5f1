import type { Finding, Severity } from '../model/finding';
import type { EvaluationResult } from '../rules/engine';

/** Everything a reporter prints: the findings of one run and what it looked at. */
export interface CheckReport {
  tool: { name: 'efs-node-identity'; version: string };
  /** The scanned root; finding files are relative to it. */
  root: string;
  files: number;
  findings: Finding[];
  suppressed: EvaluationResult['suppressed'];
}

export interface Counts {
  errors: number;
  warnings: number;
  info: number;
}

export function countBySeverity(findings: Finding[]): Counts {
  const counts: Counts = { errors: 0, warnings: 0, info: 0 };
  const key: Record<Severity, keyof Counts> = { error: 'errors', warning: 'warnings', info: 'info' };
  for (const f of findings) counts[key[f.severity]]++;
  return counts;
}

/** `file` and `line` of a finding when it points at a file. */
export function locationOf(finding: Finding): { file?: string; line?: number } {
  if (finding.origin?.kind !== 'file') return {};
  return {
    file: finding.origin.file,
    ...(finding.origin.line !== undefined ? { line: finding.origin.line } : {}),
  };
}

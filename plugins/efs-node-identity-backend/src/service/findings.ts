import type { Finding } from '@efs-node-identity/core';
import type { StatusFinding, VerificationState } from '@efs-node-identity/backstage-plugin-common';

/** A core finding as the API reports it: the fix becomes `remediation`; file origins do not apply to live reads. */
export function toStatusFinding(finding: Finding): StatusFinding {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    title: finding.title,
    message: finding.message,
    ...(finding.fix !== undefined ? { remediation: finding.fix } : {}),
    ...(finding.resource !== undefined ? { resource: finding.resource } : {}),
    ...(finding.trace?.length
      ? {
          trace: finding.trace.map((step) => ({
            outcome: step.outcome,
            message: step.message,
            ...(step.policy !== undefined ? { policy: step.policy } : {}),
            ...(step.sid !== undefined ? { sid: step.sid } : {}),
          })),
        }
      : {}),
    ...(finding.undecidable ? { undecidable: true } : {}),
  };
}

export function countBySeverity(findings: StatusFinding[]): { error: number; warning: number; info: number } {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/**
 * `failing` on any error, `warnings` on any warning, else `ok`. Notes (info findings) never change the state: they
 * describe, not fault (the live mount count of NR-03 is one on every inspected cluster, which would otherwise keep a
 * healthy service at "warnings" for ever); the card and the API still list them.
 */
export function stateOf(counts: { error: number; warning: number; info: number }): VerificationState {
  if (counts.error > 0) return 'failing';
  if (counts.warning > 0) return 'warnings';
  return 'ok';
}

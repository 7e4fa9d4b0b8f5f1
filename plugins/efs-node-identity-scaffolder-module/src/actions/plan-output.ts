import type { Finding, Plan } from '@efs-node-identity/core';

/** One step as the task output and the log show it: what, which resource, why, and the diff when there is one. */
export interface PlanStepOutput {
  kind: string;
  title: string;
  resource: string;
  reason: string;
  before?: string | null;
  after?: string | null;
  warnings?: string[];
  [key: string]: unknown;
}

/** The plan as plain JSON for a step output (the steps' write details stay in the executor). */
export function planOutput(plan: Plan): {
  steps: PlanStepOutput[];
  refusals: Array<{ resource: string; reason: string }>;
  notes: string[];
} {
  return {
    steps: plan.steps.map((s) => ({
      kind: s.kind,
      title: s.title,
      resource: s.resource,
      reason: s.reason,
      ...(s.diff ? { before: s.diff.before, after: s.diff.after } : {}),
      ...(s.warnings?.length ? { warnings: s.warnings } : {}),
    })),
    refusals: plan.refusals.map((r) => ({ resource: r.resource, reason: r.reason })),
    notes: [...plan.notes],
  };
}

/** A finding as plain JSON: rule, severity, message, resource and fix (traces and origins stay in `verify`). */
export function findingOutput(f: Finding): {
  ruleId: string;
  severity: string;
  message: string;
  resource?: string;
  fix?: string;
} {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    ...(f.resource ? { resource: f.resource } : {}),
    ...(f.fix ? { fix: f.fix } : {}),
  };
}

/** Describes a failed AWS or Kubernetes read without a stack trace and without anything secret. */
export function describeLiveFailure(error: unknown, cluster: string, region: string): string {
  const e = error as { name?: string; message?: string };
  const message = (e?.message ?? String(error)).split('\n')[0]!;
  return `could not read ${cluster} in ${region}: ${e?.name && e.name !== 'Error' ? `${e.name}: ` : ''}${message}`;
}

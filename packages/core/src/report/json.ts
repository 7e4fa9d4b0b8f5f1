import type { Finding } from '../model/finding';
import { describeOrigin } from '../model/origin';
import { countBySeverity, locationOf, type CheckReport } from './result';

/** Version of the JSON output; bumped only on incompatible changes (see schema/check-output.schema.json). */
export const JSON_SCHEMA_VERSION = 1;

function findingToJson(f: Finding) {
  const { file, line } = locationOf(f);
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    title: f.title,
    message: f.message,
    file: file ?? null,
    line: line ?? null,
    location: f.origin ? describeOrigin(f.origin) : null,
    resource: f.resource ?? null,
    undecidable: f.undecidable ?? false,
    fix: f.fix ?? null,
    trace: (f.trace ?? []).map((t) => ({
      outcome: t.outcome,
      message: t.message,
      ...(t.policy ? { policy: t.policy } : {}),
      ...(t.sid ? { sid: t.sid } : {}),
      ...(t.origin ? { location: describeOrigin(t.origin) } : {}),
    })),
    docs: `docs/rules/${f.ruleId}.md`,
  };
}

/** The stable JSON document of `check --format json` and `verify --format json`. */
export function toJson(report: CheckReport) {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: report.tool,
    root: report.root,
    summary: {
      ...countBySeverity(report.findings),
      suppressed: report.suppressed.length,
      files: report.files,
    },
    findings: report.findings.map(findingToJson),
    suppressed: report.suppressed.map((s) => ({ ...findingToJson(s), suppression: s.suppression })),
  };
}

export function renderJson(report: CheckReport): string {
  return JSON.stringify(toJson(report), null, 2) + '\n';
}

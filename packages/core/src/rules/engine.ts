import type { Config } from '../config/config';
import type { Finding, Severity } from '../model/finding';
import { describeOrigin, fileOrigin, type Origin } from '../model/origin';
import type { Snapshot } from '../model/snapshot';
import { globMatch } from '../policy/match';
import { ALL_RULES } from './catalog';
import type { Rule, RuleFinding } from './rule';
import { NodeIdentityView } from './view';

/** Rules about the inputs themselves, not about the setup. */
export const SOURCE_RULES = {
  'SRC-01': { severity: 'warning' as Severity, title: 'A file could not be parsed' },
  'SRC-02': { severity: 'info' as Severity, title: 'A file was skipped' },
  'SRC-03': { severity: 'warning' as Severity, title: 'A suppression is expired or has no reason' },
};

export interface EvaluationResult {
  findings: Finding[];
  /** Findings a valid suppression hid, with the suppression's reason. */
  suppressed: Array<Finding & { suppression: { reason: string; until?: string; origin: string } }>;
}

export interface EvaluateOptions {
  rules?: Rule[];
  /** Today's date (YYYY-MM-DD), for suppression expiry. */
  today?: string;
}

/** Runs every rule whose inputs are present, then applies severities and suppressions. Pure. */
export function evaluateSnapshot(
  snapshot: Snapshot,
  config: Config,
  options: EvaluateOptions = {},
): EvaluationResult {
  const rules = options.rules ?? ALL_RULES;
  const view = new NodeIdentityView(snapshot, config);
  const raw: Finding[] = [];
  for (const rule of rules) {
    if (!rule.requires.some((input) => snapshot.inputs.includes(input))) continue;
    let produced: RuleFinding[];
    try {
      produced = rule.check({ snapshot, config, view });
    } catch (error) {
      // A defect in one rule must not hide what the others found: report it, undecidable, and go on.
      produced = [
        {
          message: `${rule.id} could not decide: internal error (${(error as Error).message}); the other rules ran`,
          undecidable: true,
        },
      ];
    }
    for (const f of produced) {
      raw.push({
        ruleId: rule.id,
        severity: f.undecidable ? config.undecidableSeverity : (f.severity ?? rule.severity),
        title: rule.title,
        message: f.message,
        ...(f.fix ? { fix: f.fix } : {}),
        ...(f.origin ? { origin: f.origin } : {}),
        ...(f.resource ? { resource: f.resource } : {}),
        ...(f.trace ? { trace: f.trace } : {}),
        ...(f.undecidable ? { undecidable: true } : {}),
      });
    }
  }
  for (const notice of snapshot.notices) {
    const id = notice.kind === 'parse-error' ? 'SRC-01' : 'SRC-02';
    raw.push({
      ruleId: id,
      severity: SOURCE_RULES[id].severity,
      title: SOURCE_RULES[id].title,
      message: `${notice.file}${notice.line ? `:${notice.line}` : ''}: ${notice.message}`,
      origin: fileOrigin(notice.file, notice.line),
      resource: notice.file,
    });
  }
  return applySuppressions(
    applySeverities(raw, config),
    snapshot,
    config,
    options.today ?? new Date().toISOString().slice(0, 10),
  );
}

function applySeverities(findings: Finding[], config: Config): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const override = config.severities[f.ruleId];
    if (override === 'off') continue;
    out.push(override ? { ...f, severity: override } : f);
  }
  return out;
}

interface ActiveSuppression {
  rule: string;
  reason: string;
  until?: string;
  where: string;
  matches(finding: Finding): boolean;
}

function applySuppressions(
  findings: Finding[],
  snapshot: Snapshot,
  config: Config,
  today: string,
): EvaluationResult {
  const problems: Finding[] = [];
  const active: ActiveSuppression[] = [];
  const problem = (message: string, origin: Origin) =>
    problems.push({
      ruleId: 'SRC-03',
      severity: SOURCE_RULES['SRC-03'].severity,
      title: SOURCE_RULES['SRC-03'].title,
      message,
      origin,
      resource: describeOrigin(origin),
    });
  const usable = (
    rule: string,
    reason: string | undefined,
    until: string | undefined,
    origin: Origin,
  ): reason is string => {
    const where = describeOrigin(origin);
    if (!reason) {
      problem(
        `the suppression of ${rule} at ${where} has no reason, so it is refused: add reason="…"`,
        origin,
      );
      return false;
    }
    if (until !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(until)) {
      problem(
        `the suppression of ${rule} at ${where} has an invalid date until=${until} (use YYYY-MM-DD): refused`,
        origin,
      );
      return false;
    }
    if (until !== undefined && until < today) {
      problem(
        `the suppression of ${rule} at ${where} expired on ${until}: it no longer suppresses anything`,
        origin,
      );
      return false;
    }
    return true;
  };
  for (const s of snapshot.inlineSuppressions) {
    const origin = fileOrigin(s.file, s.line);
    if (!usable(s.ruleId, s.reason, s.until, origin)) continue;
    active.push({
      rule: s.ruleId,
      reason: s.reason as string,
      ...(s.until ? { until: s.until } : {}),
      where: describeOrigin(origin),
      matches: (f) =>
        f.origin?.kind === 'file' &&
        f.origin.file === s.file &&
        f.origin.line !== undefined &&
        f.origin.line >= s.fromLine &&
        f.origin.line <= s.toLine,
    });
  }
  for (const s of config.suppressions) {
    const origin = fileOrigin(config.file ?? '.efs-node-identity.yaml', s.line);
    if (!usable(s.rule, s.reason, s.until, origin)) continue;
    active.push({
      rule: s.rule,
      reason: s.reason as string,
      ...(s.until ? { until: s.until } : {}),
      where: describeOrigin(origin),
      matches: (f) => {
        if (s.resource === undefined) return true;
        const file = f.origin?.kind === 'file' ? f.origin.file : undefined;
        return (
          (f.resource !== undefined && globMatch(s.resource, f.resource)) ||
          (file !== undefined && globMatch(s.resource, file))
        );
      },
    });
  }
  const kept: Finding[] = [];
  const suppressed: EvaluationResult['suppressed'] = [];
  for (const f of findings) {
    const by = active.find((s) => s.rule === f.ruleId && s.matches(f));
    if (by) {
      suppressed.push({
        ...f,
        suppression: { reason: by.reason, ...(by.until ? { until: by.until } : {}), origin: by.where },
      });
    } else kept.push(f);
  }
  return { findings: sortFindings([...kept, ...problems]), suppressed };
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then by file and line, then by rule: a stable order for every reporter. */
export function sortFindings(findings: Finding[]): Finding[] {
  // The sort keys are worked out once per finding, not once per comparison.
  const keyed = findings.map((finding) => ({
    finding,
    rank: SEVERITY_ORDER[finding.severity],
    file: finding.origin
      ? describeOrigin({
          ...finding.origin,
          ...(finding.origin.kind === 'file' ? { line: undefined } : {}),
        } as Origin)
      : '',
    line: finding.origin?.kind === 'file' ? (finding.origin.line ?? 0) : 0,
  }));
  keyed.sort(
    (a, b) =>
      a.rank - b.rank ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.finding.ruleId.localeCompare(b.finding.ruleId) ||
      a.finding.message.localeCompare(b.finding.message),
  );
  return keyed.map((k) => k.finding);
}

import type { Config } from '../config/config';
import type { Finding, Severity } from '../model/finding';
import type { Origin } from '../model/origin';
import type { InputKind, Snapshot } from '../model/snapshot';
import type { NodeIdentityView } from './view';

/** What a rule sees: the snapshot, the config, and the joins every rule needs (node SA, node role, volumes). */
export interface RuleContext {
  snapshot: Snapshot;
  config: Config;
  view: NodeIdentityView;
}

/** A finding as a rule reports it; the runner adds id, title and default severity. */
export interface RuleFinding {
  message: string;
  /** Overrides the rule's severity (rules with E/W levels). */
  severity?: Severity;
  fix?: string;
  origin?: Origin;
  resource?: string;
  trace?: Finding['trace'];
  undecidable?: boolean;
}

export interface Rule {
  id: string;
  severity: Severity;
  title: string;
  /** Inputs the rule reads; it runs when the snapshot has at least one of them. */
  requires: InputKind[];
  check(context: RuleContext): RuleFinding[];
}

export const DOCS_BASE = 'docs/rules';

export function docsPath(ruleId: string): string {
  return `${DOCS_BASE}/${ruleId}.md`;
}

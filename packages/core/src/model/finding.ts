import type { Origin } from './origin';

export type Severity = 'error' | 'warning' | 'info';

/** One step of an evaluator decision, in reading order. */
export interface TraceStep {
  /** `allow`, `deny`, `no-match`, `default`, `unknown`, `note`. */
  outcome: 'allow' | 'deny' | 'no-match' | 'default' | 'unknown' | 'note';
  /** For the reader: "statement `DenyInsecure` matches because aws:SecureTransport=false". */
  message: string;
  /** Which policy: `file system policy`, `identity policy efs-node (inline)`, `trust policy`. */
  policy?: string;
  sid?: string;
  origin?: Origin;
}

/** A problem a rule found, written for a platform engineer. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  /** What to do about it: commands or a policy to copy. */
  fix?: string;
  /** Where the finding points. */
  origin?: Origin;
  /**
   * A stable name of the resource the finding is about (`fs-0123…`, a role ARN, `StorageClass/efs-sc`), used by
   * suppressions and SARIF fingerprints.
   */
  resource?: string;
  trace?: TraceStep[];
  /** The rule could not decide because a value is unknown (plan-time value, parameter). */
  undecidable?: boolean;
  /** A change elsewhere caused this finding (set by the Action for findings in unchanged files). */
  related?: Origin[];
}

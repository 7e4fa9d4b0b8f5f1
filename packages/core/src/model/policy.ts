import type { Origin } from './origin';
import type { Maybe } from './unknown';

/**
 * An IAM policy document, normalized: single values become lists, `"*"` principals become `{ AWS: ["*"] }`, and
 * every statement keeps the origin of its own text. Values may be unknown (Terraform, CloudFormation parameters).
 */
export interface PolicyDocument {
  version?: string;
  statements: Statement[];
  origin: Origin;
  /** Length of the document as written (the 20,000-character limit of EFS file system policies), when known. */
  size?: number;
  /** Why the document is not a valid policy (FS-07 reports these). Empty when valid. */
  problems: string[];
}

export type Effect = 'Allow' | 'Deny';

/** `{ AWS: [...], Service: [...], Federated: [...] }`; the JSON `"*"` principal is `{ AWS: ["*"] }`. */
export type PrincipalBlock = Partial<
  Record<'AWS' | 'Service' | 'Federated' | 'CanonicalUser', Maybe<string>[]>
>;

export interface ConditionEntry {
  /** The operator as written, e.g. `StringEquals`, `ForAnyValue:StringLike`, `ArnLikeIfExists`. */
  operator: string;
  /** The condition key as written (case kept; keys compare case-insensitively). */
  key: string;
  values: Maybe<string>[];
  /** The key itself (or the whole operator block) is unknown: the condition is undecidable. */
  keyUnknown?: boolean;
}

export interface Statement {
  sid?: string;
  effect: Maybe<Effect>;
  principal?: PrincipalBlock;
  notPrincipal?: PrincipalBlock;
  action?: Maybe<string>[];
  notAction?: Maybe<string>[];
  resource?: Maybe<string>[];
  notResource?: Maybe<string>[];
  conditions: ConditionEntry[];
  /** The statement as a whole is unknown (a `dynamic` block, a statement list from a variable). */
  unknownParts?: string[];
  origin: Origin;
}

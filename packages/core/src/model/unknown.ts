import type { Origin } from './origin';

/**
 * A value that cannot be known from the inputs: a Terraform value known only after apply, a CloudFormation
 * parameter, a Helm template expression, a Terraform variable. Rules treat it as undecidable, never as a guess.
 */
export interface Unknown {
  readonly unknown: true;
  /** What the value depends on, for the reader: `var.cluster_name`, `!Ref RoleArnParameter`, `(known after apply)`. */
  readonly expression: string;
  readonly origin?: Origin;
  /**
   * The Snapshot id of the fact this value is an attribute of, when it is one (`aws_iam_role.node.arn` →
   * `tf:infra:aws_iam_role.node`). Two unknown values with the same ref are the same value, so a policy that names
   * `aws_iam_role.node.arn` can be matched to that role even though its ARN is known only after apply.
   */
  readonly ref?: string;
}

/** A value that may be unknown. */
export type Maybe<T> = T | Unknown;

export function unknown(expression: string, origin?: Origin, ref?: string): Unknown {
  return { unknown: true, expression, ...(origin ? { origin } : {}), ...(ref ? { ref } : {}) };
}

export function isUnknown(value: unknown): value is Unknown {
  return typeof value === 'object' && value !== null && (value as { unknown?: unknown }).unknown === true;
}

export function isKnown<T>(value: Maybe<T> | undefined): value is T {
  return value !== undefined && !isUnknown(value);
}

/** Renders a maybe-unknown value for messages. */
export function show(value: Maybe<string> | undefined): string {
  if (value === undefined) return '(absent)';
  return isUnknown(value) ? `(unknown: ${value.expression})` : value;
}

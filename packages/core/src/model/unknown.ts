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
}

/** A value that may be unknown. */
export type Maybe<T> = T | Unknown;

export function unknown(expression: string, origin?: Origin): Unknown {
  return origin ? { unknown: true, expression, origin } : { unknown: true, expression };
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

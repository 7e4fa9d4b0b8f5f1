import type { JsonStatement } from '../policy/generate';
import { MAX_FILE_SYSTEM_POLICY_LENGTH } from '../policy/normalize';

/**
 * Merging our one statement into a policy someone else also writes (a file system policy, a target role's trust).
 * Only the statement with our Sid is ours: it is replaced or appended, and every other statement is carried over as
 * the parsed JSON value it was (property order included), so its meaning cannot change. Neither PutFileSystemPolicy
 * nor UpdateAssumeRolePolicy has a conditional write (last writer wins), which is why the executor re-reads and
 * re-merges with this same function right before it writes.
 */

export class PolicyMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyMergeError';
  }
}

export interface MergeResult {
  /** The merged policy text (pretty-printed; compact when the pretty form would exceed the limit). */
  text: string;
  /** `unchanged`: our statement is already there exactly; `text` is then the input text as it was. */
  action: 'created' | 'appended' | 'replaced' | 'unchanged';
}

export interface MergeOptions {
  /** Longest text the service accepts: 20,000 for EFS file system policies (the default). */
  maxLength?: number;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Merges `statement` (which must carry a Sid) into `policyText` (`null`: the resource has no policy yet).
 * Refuses, with a PolicyMergeError, text that is not a JSON policy object and a result longer than the limit.
 */
export function mergeAllowStatement(
  policyText: string | null,
  statement: JsonStatement,
  options: MergeOptions = {},
): MergeResult {
  const maxLength = options.maxLength ?? MAX_FILE_SYSTEM_POLICY_LENGTH;
  const sid = statement.Sid;
  if (!sid)
    throw new PolicyMergeError('the statement to merge has no Sid, so a merge could not find it again');
  let document: Record<string, unknown>;
  let action: MergeResult['action'];
  if (policyText === null) {
    document = { Version: '2012-10-17', Statement: [statement] };
    action = 'created';
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(policyText);
    } catch (error) {
      throw new PolicyMergeError(
        `the existing policy is not valid JSON (${(error as Error).message}); it is left as it is: fix it first`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new PolicyMergeError(
        'the existing policy is not a JSON object; it is left as it is: fix it first',
      );
    }
    document = parsed as Record<string, unknown>;
    const raw = document.Statement;
    if (raw !== undefined && (typeof raw !== 'object' || raw === null)) {
      throw new PolicyMergeError(
        'the existing policy\'s "Statement" is neither a statement nor a list of them',
      );
    }
    // A single statement object is the same policy as a one-element list; the list form is needed to append.
    const statements: unknown[] = raw === undefined ? [] : Array.isArray(raw) ? [...raw] : [raw];
    const ours = statements
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => typeof s === 'object' && s !== null && (s as { Sid?: unknown }).Sid === sid);
    if (ours.length === 1 && sameJson(ours[0]!.s, statement)) {
      return { text: policyText, action: 'unchanged' };
    }
    if (ours.length === 0) {
      statements.push(statement);
      action = 'appended';
    } else {
      // Sids are unique within a policy: a duplicate of ours (two writers racing) collapses into one.
      statements[ours[0]!.i] = statement;
      const drop = new Set(ours.slice(1).map((o) => o.i));
      for (let i = statements.length - 1; i >= 0; i--) if (drop.has(i)) statements.splice(i, 1);
      action = 'replaced';
    }
    document.Statement = statements;
  }
  let text = JSON.stringify(document, null, 2);
  if (text.length > maxLength) text = JSON.stringify(document);
  if (text.length > maxLength) {
    throw new PolicyMergeError(
      `the merged policy would be ${text.length} characters long; the limit is ${maxLength}: shorten the other statements first`,
    );
  }
  return { text, action };
}

/** Removes our statement (rollback of a merge into a policy that had other statements). Null: nothing is left. */
export function removeStatement(policyText: string, sid: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(policyText);
  } catch (error) {
    throw new PolicyMergeError(`the policy is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PolicyMergeError('the policy is not a JSON object');
  }
  const document = parsed as Record<string, unknown>;
  const raw = document.Statement;
  const statements: unknown[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const kept = statements.filter(
    (s) => !(typeof s === 'object' && s !== null && (s as { Sid?: unknown }).Sid === sid),
  );
  if (kept.length === 0) return null;
  document.Statement = kept;
  return JSON.stringify(document, null, 2);
}

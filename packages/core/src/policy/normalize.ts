import type { Origin } from '../model/origin';
import type { ConditionEntry, PolicyDocument, PrincipalBlock, Statement } from '../model/policy';
import { isUnknown, type Maybe, unknown } from '../model/unknown';

/** Finds the line of an object or of one of its keys in the source text, when the source knows it. */
export type LineLookup = (container: object, key?: string | number) => number | undefined;

/** The longest file system policy EFS (and S3 Files) accept. */
export const MAX_FILE_SYSTEM_POLICY_LENGTH = 20_000;

const PRINCIPAL_KINDS = ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const;

/**
 * Does this value look like an IAM policy document (`Statement` present)? Used to recognise policies by content,
 * whatever their file is called.
 */
export function looksLikePolicyDocument(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !isUnknown(value) &&
    'Statement' in value &&
    ('Version' in value || typeof (value as Record<string, unknown>).Statement === 'object')
  );
}

/**
 * Normalizes a policy document given as parsed JSON (strings may be {@link Unknown} values from Terraform or
 * CloudFormation). Never throws: what makes it an invalid policy is listed in `problems`.
 */
export function normalizePolicy(
  raw: unknown,
  origin: Origin,
  options: { lineOf?: LineLookup; size?: number } = {},
): PolicyDocument {
  const problems: string[] = [];
  const lineOf: LineLookup = options.lineOf ?? (() => undefined);
  const at = (container: object, key?: string | number, path?: string): Origin => {
    if (origin.kind !== 'file') return origin;
    const line = lineOf(container, key) ?? origin.line;
    return { ...origin, ...(line !== undefined ? { line } : {}), ...(path ? { path } : {}) };
  };
  const doc: PolicyDocument = { statements: [], origin, problems };
  if (options.size !== undefined) {
    doc.size = options.size;
    if (options.size > MAX_FILE_SYSTEM_POLICY_LENGTH) {
      problems.push(
        `the policy is ${options.size} characters long; the limit is ${MAX_FILE_SYSTEM_POLICY_LENGTH}`,
      );
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || isUnknown(raw)) {
    if (isUnknown(raw)) {
      doc.statements.push({ effect: raw, conditions: [], unknownParts: [raw.expression], origin });
      return doc;
    }
    problems.push('the policy is not a JSON object');
    return doc;
  }
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!['Version', 'Id', 'Statement'].includes(key)) problems.push(`unknown top-level element "${key}"`);
  }
  if (obj.Version !== undefined) {
    if (typeof obj.Version === 'string') {
      doc.version = obj.Version;
      if (obj.Version !== '2012-10-17' && obj.Version !== '2008-10-17') {
        problems.push(`Version "${obj.Version}" is not a policy language version (use "2012-10-17")`);
      }
    } else if (!isUnknown(obj.Version)) problems.push('Version is not a string');
  }
  const rawStatements = obj.Statement;
  if (rawStatements === undefined) {
    problems.push('the policy has no Statement');
    return doc;
  }
  if (isUnknown(rawStatements)) {
    doc.statements.push({
      effect: rawStatements,
      conditions: [],
      unknownParts: [rawStatements.expression],
      origin,
    });
    return doc;
  }
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  list.forEach((rawStatement, index) => {
    const path = Array.isArray(rawStatements) ? `Statement[${index}]` : 'Statement';
    const stmtOrigin = Array.isArray(rawStatements)
      ? at(rawStatements, index, path)
      : typeof rawStatement === 'object' && rawStatement
        ? at(rawStatement as object, undefined, path)
        : at(obj, 'Statement', path);
    if (isUnknown(rawStatement)) {
      doc.statements.push({
        effect: rawStatement,
        conditions: [],
        unknownParts: [rawStatement.expression],
        origin: stmtOrigin,
      });
      return;
    }
    if (typeof rawStatement !== 'object' || rawStatement === null || Array.isArray(rawStatement)) {
      problems.push(`${path} is not an object`);
      return;
    }
    doc.statements.push(
      normalizeStatement(rawStatement as Record<string, unknown>, path, stmtOrigin, problems),
    );
  });
  if (list.length === 0) problems.push('the policy has no statements');
  return doc;
}

function normalizeStatement(
  raw: Record<string, unknown>,
  path: string,
  origin: Origin,
  problems: string[],
): Statement {
  const statement: Statement = { effect: 'Deny', conditions: [], origin };
  const known = [
    'Sid',
    'Effect',
    'Principal',
    'NotPrincipal',
    'Action',
    'NotAction',
    'Resource',
    'NotResource',
    'Condition',
  ];
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) problems.push(`${path} has an unknown element "${key}"`);
  }
  if (typeof raw.Sid === 'string') statement.sid = raw.Sid;
  const effect = raw.Effect;
  if (effect === 'Allow' || effect === 'Deny') statement.effect = effect;
  else if (isUnknown(effect)) statement.effect = effect;
  else {
    problems.push(`${path}.Effect must be "Allow" or "Deny"`);
    statement.effect = unknown(`invalid Effect ${JSON.stringify(effect)}`, origin);
  }
  const list = (name: string): Maybe<string>[] | undefined => {
    const value = raw[name];
    if (value === undefined) return undefined;
    if (isUnknown(value)) return [value];
    const items = Array.isArray(value) ? value : [value];
    const out: Maybe<string>[] = [];
    for (const item of items) {
      if (typeof item === 'string') out.push(item);
      else if (isUnknown(item)) out.push(item);
      else problems.push(`${path}.${name} holds a value that is not a string`);
    }
    return out;
  };
  statement.action = list('Action');
  statement.notAction = list('NotAction');
  statement.resource = list('Resource');
  statement.notResource = list('NotResource');
  if (statement.action && statement.notAction) problems.push(`${path} has both Action and NotAction`);
  if (!statement.action && !statement.notAction) problems.push(`${path} has neither Action nor NotAction`);
  if (statement.resource && statement.notResource) problems.push(`${path} has both Resource and NotResource`);
  if (raw.Principal !== undefined)
    statement.principal = normalizePrincipal(raw.Principal, `${path}.Principal`, problems);
  if (raw.NotPrincipal !== undefined) {
    statement.notPrincipal = normalizePrincipal(raw.NotPrincipal, `${path}.NotPrincipal`, problems);
  }
  if (raw.Principal !== undefined && raw.NotPrincipal !== undefined) {
    problems.push(`${path} has both Principal and NotPrincipal`);
  }
  if (raw.Condition !== undefined) statement.conditions = normalizeConditions(raw.Condition, path, problems);
  for (const name of ['action', 'notAction', 'resource', 'notResource'] as const) {
    const unknownItem = statement[name]?.find(isUnknown);
    if (unknownItem && isUnknown(unknownItem)) (statement.unknownParts ??= []).push(unknownItem.expression);
  }
  return statement;
}

function normalizePrincipal(raw: unknown, path: string, problems: string[]): PrincipalBlock {
  if (raw === '*') return { AWS: ['*'] };
  if (isUnknown(raw)) return { AWS: [raw] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${path} must be "*" or an object such as {"AWS": "<ARN>"}`);
    return {};
  }
  const block: PrincipalBlock = {};
  for (const [kind, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(PRINCIPAL_KINDS as readonly string[]).includes(kind)) {
      problems.push(`${path} has an unknown principal type "${kind}"`);
      continue;
    }
    const items = Array.isArray(value) ? value : [value];
    const values: Maybe<string>[] = [];
    for (const item of items) {
      if (typeof item === 'string' || isUnknown(item)) values.push(item);
      else problems.push(`${path}.${kind} holds a value that is not a string`);
    }
    block[kind as (typeof PRINCIPAL_KINDS)[number]] = values;
  }
  return block;
}

function normalizeConditions(raw: unknown, path: string, problems: string[]): ConditionEntry[] {
  if (isUnknown(raw)) return [{ operator: 'Unknown', key: raw.expression, values: [raw], keyUnknown: true }];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${path}.Condition must be an object`);
    return [];
  }
  const entries: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(raw as Record<string, unknown>)) {
    if (isUnknown(block)) {
      // A whole operator block from an unresolved value (e.g. CDK's CfnJson for IRSA conditions): undecidable.
      entries.push({ operator, key: block.expression, values: [block], keyUnknown: true });
      continue;
    }
    if (typeof block !== 'object' || block === null || Array.isArray(block)) {
      problems.push(`${path}.Condition.${operator} must map condition keys to values`);
      continue;
    }
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      const items = Array.isArray(value) ? value : [value];
      const values: Maybe<string>[] = [];
      for (const item of items) {
        if (typeof item === 'string') values.push(item);
        else if (typeof item === 'boolean' || typeof item === 'number') values.push(String(item));
        else if (isUnknown(item)) values.push(item);
        else problems.push(`${path}.Condition.${operator}.${key} holds a value that is not a string`);
      }
      entries.push({ operator, key, values });
    }
  }
  return entries;
}

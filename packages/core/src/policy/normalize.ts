import type { Origin } from '../model/origin';
import type { ConditionEntry, PolicyDocument, PrincipalBlock, Statement } from '../model/policy';
import { isUnknown, type Maybe, unknown } from '../model/unknown';

/** Finds the line of an object or of one of its keys in the source text, when the source knows it. */
export type LineLookup = (container: object, key?: string | number) => number | undefined;

/** The longest file system policy EFS (and S3 Files) accept. */
export const MAX_FILE_SYSTEM_POLICY_LENGTH = 20_000;

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

/** Elements of a policy statement, as the IAM policy grammar names them. */
const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

const noLines: LineLookup = () => undefined;

/**
 * Normalizes a policy document given as parsed JSON (strings may be {@link Unknown} values from Terraform or
 * CloudFormation). Never throws: what makes it an invalid policy is listed in `problems`.
 *
 * `simulate --cases` normalizes every policy of every question, so this runs in plain loops without per-statement
 * closures or intermediate arrays; problems come in the same order as the elements are written.
 */
export function normalizePolicy(
  raw: unknown,
  origin: Origin,
  options: { lineOf?: LineLookup; size?: number } = {},
): PolicyDocument {
  const problems: string[] = [];
  const lineOf = options.lineOf ?? noLines;
  // A file origin of only kind and file (the usual one) gets its statements' origins built directly; any other
  // file origin is copied with its own keys, in their order, as before.
  const bareFile =
    origin.kind === 'file' &&
    origin.line === undefined &&
    origin.path === undefined &&
    Object.keys(origin).length === 2;
  const at = (container: object, key: string | number | undefined, path: string): Origin => {
    if (origin.kind !== 'file') return origin;
    const line = lineOf(container, key) ?? origin.line;
    if (bareFile) {
      return line !== undefined
        ? { kind: 'file', file: origin.file, line, path }
        : { kind: 'file', file: origin.file, path };
    }
    return { ...origin, ...(line !== undefined ? { line } : {}), path };
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
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    if (key !== 'Version' && key !== 'Id' && key !== 'Statement')
      problems.push(`unknown top-level element "${key}"`);
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
  if (!Array.isArray(rawStatements)) {
    const stmtOrigin =
      typeof rawStatements === 'object' && rawStatements
        ? at(rawStatements, undefined, 'Statement')
        : at(obj, 'Statement', 'Statement');
    addStatement(doc, rawStatements, 'Statement', stmtOrigin);
    return doc;
  }
  for (let index = 0; index < rawStatements.length; index++) {
    const path = `Statement[${index}]`;
    addStatement(doc, rawStatements[index], path, at(rawStatements, index, path));
  }
  if (rawStatements.length === 0) problems.push('the policy has no statements');
  return doc;
}

function addStatement(doc: PolicyDocument, rawStatement: unknown, path: string, origin: Origin): void {
  if (isUnknown(rawStatement)) {
    doc.statements.push({
      effect: rawStatement,
      conditions: [],
      unknownParts: [rawStatement.expression],
      origin,
    });
    return;
  }
  if (typeof rawStatement !== 'object' || rawStatement === null || Array.isArray(rawStatement)) {
    doc.problems.push(`${path} is not an object`);
    return;
  }
  doc.statements.push(
    normalizeStatement(rawStatement as Record<string, unknown>, path, origin, doc.problems),
  );
}

function normalizeStatement(
  raw: Record<string, unknown>,
  path: string,
  origin: Origin,
  problems: string[],
): Statement {
  const statement: Statement = { effect: 'Deny', conditions: [], origin };
  for (const key in raw) {
    if (Object.hasOwn(raw, key) && !STATEMENT_ELEMENTS.has(key))
      problems.push(`${path} has an unknown element "${key}"`);
  }
  if (typeof raw.Sid === 'string') statement.sid = raw.Sid;
  const effect = raw.Effect;
  if (effect === 'Allow' || effect === 'Deny') statement.effect = effect;
  else if (isUnknown(effect)) statement.effect = effect;
  else {
    problems.push(`${path}.Effect must be "Allow" or "Deny"`);
    statement.effect = unknown(`invalid Effect ${JSON.stringify(effect)}`, origin);
  }
  statement.action = stringList(raw.Action, path, 'Action', problems);
  statement.notAction = stringList(raw.NotAction, path, 'NotAction', problems);
  statement.resource = stringList(raw.Resource, path, 'Resource', problems);
  statement.notResource = stringList(raw.NotResource, path, 'NotResource', problems);
  if (statement.action && statement.notAction) problems.push(`${path} has both Action and NotAction`);
  if (!statement.action && !statement.notAction) problems.push(`${path} has neither Action nor NotAction`);
  if (statement.resource && statement.notResource) problems.push(`${path} has both Resource and NotResource`);
  if (raw.Principal !== undefined)
    statement.principal = normalizePrincipal(raw.Principal, path, 'Principal', problems);
  if (raw.NotPrincipal !== undefined) {
    statement.notPrincipal = normalizePrincipal(raw.NotPrincipal, path, 'NotPrincipal', problems);
  }
  if (raw.Principal !== undefined && raw.NotPrincipal !== undefined) {
    problems.push(`${path} has both Principal and NotPrincipal`);
  }
  if (raw.Condition !== undefined) statement.conditions = normalizeConditions(raw.Condition, path, problems);
  addUnknownPart(statement, statement.action);
  addUnknownPart(statement, statement.notAction);
  addUnknownPart(statement, statement.resource);
  addUnknownPart(statement, statement.notResource);
  return statement;
}

/** A list element (`Action`, `Resource`, …) as a list of strings; a single value becomes a list of one. */
function stringList(
  value: unknown,
  path: string,
  name: string,
  problems: string[],
): Maybe<string>[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return [value];
  if (isUnknown(value)) return [value];
  if (!Array.isArray(value)) {
    problems.push(`${path}.${name} holds a value that is not a string`);
    return [];
  }
  const out: Maybe<string>[] = [];
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item === 'string') out.push(item);
    else if (isUnknown(item)) out.push(item);
    else problems.push(`${path}.${name} holds a value that is not a string`);
  }
  return out;
}

/** The first unknown item of a list element makes that part of the statement unknown. */
function addUnknownPart(statement: Statement, values: Maybe<string>[] | undefined): void {
  if (!values) return;
  for (let i = 0; i < values.length; i++) {
    const item = values[i];
    if (typeof item !== 'string') {
      (statement.unknownParts ??= []).push(item.expression);
      return;
    }
  }
}

function normalizePrincipal(
  raw: unknown,
  statementPath: string,
  element: string,
  problems: string[],
): PrincipalBlock {
  if (raw === '*') return { AWS: ['*'] };
  if (isUnknown(raw)) return { AWS: [raw] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${statementPath}.${element} must be "*" or an object such as {"AWS": "<ARN>"}`);
    return {};
  }
  const block: PrincipalBlock = {};
  const entries = raw as Record<string, unknown>;
  for (const kind in entries) {
    if (!Object.hasOwn(entries, kind)) continue;
    if (kind !== 'AWS' && kind !== 'Service' && kind !== 'Federated' && kind !== 'CanonicalUser') {
      problems.push(`${statementPath}.${element} has an unknown principal type "${kind}"`);
      continue;
    }
    const value = entries[kind];
    const items: unknown[] = Array.isArray(value) ? value : [value];
    const values: Maybe<string>[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item === 'string' || isUnknown(item)) values.push(item);
      else problems.push(`${statementPath}.${element}.${kind} holds a value that is not a string`);
    }
    block[kind] = values;
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
  const operators = raw as Record<string, unknown>;
  for (const operator in operators) {
    if (!Object.hasOwn(operators, operator)) continue;
    const block = operators[operator];
    if (isUnknown(block)) {
      // A whole operator block from an unresolved value (e.g. CDK's CfnJson for IRSA conditions): undecidable.
      entries.push({ operator, key: block.expression, values: [block], keyUnknown: true });
      continue;
    }
    if (typeof block !== 'object' || block === null || Array.isArray(block)) {
      problems.push(`${path}.Condition.${operator} must map condition keys to values`);
      continue;
    }
    const keys = block as Record<string, unknown>;
    for (const key in keys) {
      if (!Object.hasOwn(keys, key)) continue;
      const value = keys[key];
      const items: unknown[] = Array.isArray(value) ? value : [value];
      const values: Maybe<string>[] = [];
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
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

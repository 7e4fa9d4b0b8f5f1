import type { TraceStep } from '../model/finding';
import type { ConditionEntry, PolicyDocument, PrincipalBlock, Statement } from '../model/policy';
import { isUnknown, type Maybe, type Unknown } from '../model/unknown';
import { arnLike, globMatch, triAnd, triNot, triOr, type Tri } from './match';

/** Who makes a request. */
export type RequestPrincipal =
  | { kind: 'aws'; arn: string; accountId?: string }
  | { kind: 'anonymous' }
  | { kind: 'service'; service: string }
  | { kind: 'federated'; provider: string };

/** A request-context value: one string, a multi-valued key, or unknown. Absent keys are simply not present. */
export type ContextValue = string | string[] | Unknown;

export interface AuthzRequest {
  principal: RequestPrincipal;
  action: string;
  /** Absent for trust policies (the resource is the role itself). */
  resource?: string;
  /** Condition keys, lower-cased. */
  context: Record<string, ContextValue>;
}

/** The outcome of one policy for one request. */
export interface PolicyOutcome {
  /** Some Allow statement matches. */
  allows: Tri;
  /** Some Deny statement matches. */
  denies: Tri;
  trace: TraceStep[];
}

export interface PolicyLabel {
  /** `file system policy`, `identity policy efs-node`, `trust policy`. */
  name: string;
  /** Resource-based and trust policies match statements on Principal; identity policies do not have one. */
  hasPrincipals: boolean;
}

/** Evaluates one policy document against a request, statement by statement, and says why. */
export function evaluatePolicy(
  policy: PolicyDocument,
  request: AuthzRequest,
  label: PolicyLabel,
): PolicyOutcome {
  // The hot loop of `simulate --cases`: plain loops and running three-valued ORs instead of per-statement closures
  // and arrays; the trace is the same, step for step.
  let allows: Tri = false;
  let denies: Tri = false;
  const trace: TraceStep[] = [];
  const statements = policy.statements;
  for (let index = 0; index < statements.length; index++) {
    const statement = statements[index];
    const name = statement.sid ? `\`${statement.sid}\`` : `#${index + 1}`;
    const { match, reason } = matchStatement(statement, request, label.hasPrincipals);
    const effect = statement.effect;
    if (isUnknown(effect)) {
      if (match !== false) {
        allows = orTri(allows, 'unknown');
        denies = orTri(denies, 'unknown');
        trace.push(
          traceStep(
            statement,
            label,
            'unknown',
            `statement ${name} has an unknown effect (${effect.expression})`,
          ),
        );
      }
      continue;
    }
    if (match === false) {
      trace.push(
        traceStep(statement, label, 'no-match', `statement ${name} (${effect}) does not apply: ${reason}`),
      );
      continue;
    }
    if (match === 'unknown') {
      if (effect === 'Allow') allows = orTri(allows, 'unknown');
      else denies = orTri(denies, 'unknown');
      trace.push(
        traceStep(statement, label, 'unknown', `statement ${name} (${effect}) may apply: ${reason}`),
      );
      continue;
    }
    if (effect === 'Allow') allows = true;
    else denies = true;
    trace.push(
      traceStep(
        statement,
        label,
        effect === 'Allow' ? 'allow' : 'deny',
        `statement ${name} ${effect === 'Allow' ? 'allows' : 'denies'}: ${reason}`,
      ),
    );
  }
  return { allows, denies, trace };
}

function traceStep(
  statement: Statement,
  label: PolicyLabel,
  outcome: TraceStep['outcome'],
  message: string,
): TraceStep {
  return statement.sid
    ? { outcome, message, policy: label.name, sid: statement.sid, origin: statement.origin }
    : { outcome, message, policy: label.name, origin: statement.origin };
}

/** `triOr([a, b])` without the array. */
function orTri(a: Tri, b: Tri): Tri {
  if (a === true || b === true) return true;
  return a === 'unknown' || b === 'unknown' ? 'unknown' : false;
}

interface StatementMatch {
  match: Tri;
  reason: string;
}

function matchStatement(statement: Statement, request: AuthzRequest, hasPrincipals: boolean): StatementMatch {
  if (hasPrincipals) {
    const principal = matchPrincipal(statement, request.principal);
    if (principal.match === false) return principal;
    const action = matchAction(statement, request.action);
    if (action.match === false) return action;
    const resource = matchResource(statement, request.resource);
    if (resource.match === false) return resource;
    const conditions = matchConditions(statement.conditions, request.context);
    if (conditions.match === false) return conditions;
    return combine([principal, action, resource, conditions]);
  }
  const action = matchAction(statement, request.action);
  if (action.match === false) return action;
  const resource = matchResource(statement, request.resource);
  if (resource.match === false) return resource;
  const conditions = matchConditions(statement.conditions, request.context);
  if (conditions.match === false) return conditions;
  return combine([action, resource, conditions]);
}

function combine(parts: StatementMatch[]): StatementMatch {
  let match: Tri = true;
  let reason = '';
  for (const part of parts) {
    if (part.match === false) match = false;
    else if (part.match === 'unknown' && match === true) match = 'unknown';
    if (part.reason) reason = reason ? `${reason}; ${part.reason}` : part.reason;
  }
  return { match, reason };
}

function anyValue(values: Maybe<string>[], test: (v: string) => boolean): Tri {
  let sawUnknown = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isUnknown(v)) sawUnknown = true;
    else if (test(v)) return true;
  }
  return sawUnknown ? 'unknown' : false;
}

function describePrincipal(principal: RequestPrincipal): string {
  switch (principal.kind) {
    case 'aws':
      return principal.arn;
    case 'anonymous':
      return 'an anonymous client (no `iam` mount option)';
    case 'service':
      return `service ${principal.service}`;
    case 'federated':
      return `web identity from ${principal.provider}`;
  }
}

function principalMatchesBlock(block: PrincipalBlock, principal: RequestPrincipal): Tri {
  const results: Tri[] = [];
  for (const value of block.AWS ?? []) {
    if (isUnknown(value)) {
      results.push('unknown');
      continue;
    }
    if (value === '*') {
      results.push(true);
      continue;
    }
    if (principal.kind !== 'aws') continue;
    const account = principal.accountId ?? principal.arn.split(':')[4];
    // Naming the account (root ARN or bare ID) delegates to every principal of that account.
    if (value === account || value === `arn:aws:iam::${account}:root`) results.push(true);
    else results.push(value === principal.arn);
  }
  if (principal.kind === 'service') {
    for (const value of block.Service ?? [])
      results.push(isUnknown(value) ? 'unknown' : value === principal.service);
  }
  if (principal.kind === 'federated') {
    for (const value of block.Federated ?? [])
      results.push(isUnknown(value) ? 'unknown' : value === principal.provider);
  }
  return triOr(results);
}

function matchPrincipal(statement: Statement, principal: RequestPrincipal): StatementMatch {
  const who = describePrincipal(principal);
  if (statement.principal) {
    const match = principalMatchesBlock(statement.principal, principal);
    const star = (statement.principal.AWS ?? []).includes('*');
    return {
      match,
      reason:
        match === true
          ? star
            ? 'Principal "*" covers every principal'
            : `Principal names ${who}`
          : match === false
            ? `Principal does not name ${who}`
            : 'Principal is unknown',
    };
  }
  if (statement.notPrincipal) {
    const inList = principalMatchesBlock(statement.notPrincipal, principal);
    return {
      match: triNot(inList),
      reason: inList === true ? `NotPrincipal excludes ${who}` : `NotPrincipal does not exclude ${who}`,
    };
  }
  return { match: false, reason: 'the statement names no Principal' };
}

function matchAction(statement: Statement, action: string): StatementMatch {
  if (statement.action) {
    const match = anyValue(statement.action, (a) => globMatch(a, action, true));
    return { match, reason: match === false ? `Action does not cover ${action}` : '' };
  }
  if (statement.notAction) {
    const excluded = anyValue(statement.notAction, (a) => globMatch(a, action, true));
    return { match: triNot(excluded), reason: excluded === true ? `NotAction excludes ${action}` : '' };
  }
  return { match: false, reason: 'the statement has no Action' };
}

function matchResource(statement: Statement, resource: string | undefined): StatementMatch {
  if (resource === undefined) return { match: true, reason: '' };
  if (statement.resource) {
    const match = anyValue(statement.resource, (r) =>
      r.startsWith('arn:') ? arnLike(r, resource) : globMatch(r, resource),
    );
    return { match, reason: match === false ? `Resource does not cover ${resource}` : '' };
  }
  if (statement.notResource) {
    const excluded = anyValue(statement.notResource, (r) => arnLike(r, resource));
    return { match: triNot(excluded), reason: excluded === true ? `NotResource excludes ${resource}` : '' };
  }
  // A resource-based policy statement without Resource applies to the resource it is attached to.
  return { match: true, reason: '' };
}

function matchConditions(
  conditions: ConditionEntry[],
  context: Record<string, ContextValue>,
): StatementMatch {
  const parts: StatementMatch[] = [];
  for (const entry of conditions) {
    const result = evaluateCondition(entry, context);
    parts.push(result);
    if (result.match === false) return result;
  }
  if (parts.length === 0) return { match: true, reason: '' };
  return combine(parts);
}

type Comparator = (policyValue: string, requestValue: string) => boolean;

const STRING_OPERATORS: Record<string, { compare: Comparator; negated: boolean }> = {
  stringequals: { compare: (p, r) => p === r, negated: false },
  stringnotequals: { compare: (p, r) => p === r, negated: true },
  stringequalsignorecase: { compare: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
  stringnotequalsignorecase: { compare: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: true },
  stringlike: { compare: (p, r) => globMatch(p, r), negated: false },
  stringnotlike: { compare: (p, r) => globMatch(p, r), negated: true },
  arnequals: { compare: (p, r) => p === r, negated: false },
  arnlike: { compare: (p, r) => arnLike(p, r), negated: false },
  arnnotequals: { compare: (p, r) => p === r, negated: true },
  arnnotlike: { compare: (p, r) => arnLike(p, r), negated: true },
  bool: { compare: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
  numericequals: { compare: (p, r) => Number(p) === Number(r), negated: false },
  numericnotequals: { compare: (p, r) => Number(p) === Number(r), negated: true },
  numericlessthan: { compare: (p, r) => Number(r) < Number(p), negated: false },
  numericlessthanequals: { compare: (p, r) => Number(r) <= Number(p), negated: false },
  numericgreaterthan: { compare: (p, r) => Number(r) > Number(p), negated: false },
  numericgreaterthanequals: { compare: (p, r) => Number(r) >= Number(p), negated: false },
};

/** Operators this evaluator knows; any other makes the statement undecidable rather than guessed. */
export function isKnownOperator(operator: string): boolean {
  const base = operator
    .replace(/^(ForAnyValue|ForAllValues):/i, '')
    .replace(/IfExists$/i, '')
    .toLowerCase();
  return base === 'null' || base in STRING_OPERATORS;
}

interface ParsedOperator {
  setOperator: 'any' | 'all' | undefined;
  ifExists: boolean;
  /** The operator without its set prefix and IfExists suffix, lower-cased. */
  base: string;
}

// Reading an operator is a pure function of its text; policies repeat the same few operators, so each is read once.
const operatorCache = new Map<string, ParsedOperator>();

function parseOperator(text: string): ParsedOperator {
  let parsed = operatorCache.get(text);
  if (parsed) return parsed;
  let operator = text;
  let setOperator: 'any' | 'all' | undefined;
  const setMatch = /^(ForAnyValue|ForAllValues):(.*)$/i.exec(operator);
  if (setMatch) {
    setOperator = setMatch[1].toLowerCase() === 'foranyvalue' ? 'any' : 'all';
    operator = setMatch[2];
  }
  const ifExists = /IfExists$/i.test(operator);
  if (ifExists) operator = operator.replace(/IfExists$/i, '');
  parsed = { setOperator, ifExists, base: operator.toLowerCase() };
  if (operatorCache.size > 1000) operatorCache.clear();
  operatorCache.set(text, parsed);
  return parsed;
}

/** Evaluates one condition key of one operator block, with IfExists, ForAnyValue/ForAllValues and Null. */
export function evaluateCondition(
  entry: ConditionEntry,
  context: Record<string, ContextValue>,
): StatementMatch {
  const label = `${entry.operator} ${entry.key}`;
  const { setOperator, ifExists, base } = parseOperator(entry.operator);
  const requestValue = context[entry.key.toLowerCase()];
  const done = (match: Tri, why: string): StatementMatch => ({ match, reason: `${label}: ${why}` });

  if (entry.keyUnknown) return done('unknown', 'the condition is unknown');
  if (base === 'null') {
    const expectAbsent = entry.values.some((v) => !isUnknown(v) && v.toLowerCase() === 'true');
    if (requestValue !== undefined && isUnknown(requestValue)) return done('unknown', 'the key is unknown');
    const absent = requestValue === undefined;
    return done(absent === expectAbsent, absent ? 'the key is absent' : 'the key is present');
  }
  const spec = STRING_OPERATORS[base];
  if (!spec) return done('unknown', `operator ${entry.operator} is not evaluated`);
  if (requestValue === undefined) {
    if (ifExists) return done(true, 'the key is absent (IfExists)');
    if (setOperator === 'all') return done(true, 'the key is absent (ForAllValues holds on an empty set)');
    if (setOperator === 'any') return done(false, 'the key is absent');
    return done(
      spec.negated,
      spec.negated ? 'the key is absent (negated operator holds)' : 'the key is absent',
    );
  }
  if (isUnknown(requestValue))
    return done('unknown', `the request value is unknown (${requestValue.expression})`);
  const requestValues = Array.isArray(requestValue) ? requestValue : [requestValue];
  const matchesOne = (r: string): Tri => anyValue(entry.values, (p) => spec.compare(p, r));
  let positive: Tri;
  if (setOperator === 'all') positive = triAnd(requestValues.map(matchesOne));
  else positive = triOr(requestValues.map(matchesOne));
  const match = spec.negated ? triNot(positive) : positive;
  // Only this message shows the values, so they are rendered only here.
  const shown = JSON.stringify(requestValue);
  const wanted = entry.values.map((v) => (isUnknown(v) ? `(${v.expression})` : v)).join(' | ');
  return done(
    match,
    match === true
      ? `${shown} matches ${spec.negated ? 'not ' : ''}${wanted}`
      : `${shown} does not satisfy ${wanted}`,
  );
}

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
export function evaluatePolicy(policy: PolicyDocument, request: AuthzRequest, label: PolicyLabel): PolicyOutcome {
  const allows: Tri[] = [];
  const denies: Tri[] = [];
  const trace: TraceStep[] = [];
  policy.statements.forEach((statement, index) => {
    const name = statement.sid ? `\`${statement.sid}\`` : `#${index + 1}`;
    const { match, reason } = matchStatement(statement, request, label.hasPrincipals);
    const effect = statement.effect;
    const step = (outcome: TraceStep['outcome'], message: string): TraceStep => ({
      outcome,
      message,
      policy: label.name,
      ...(statement.sid ? { sid: statement.sid } : {}),
      origin: statement.origin,
    });
    if (isUnknown(effect)) {
      if (match !== false) {
        allows.push('unknown');
        denies.push('unknown');
        trace.push(step('unknown', `statement ${name} has an unknown effect (${effect.expression})`));
      }
      return;
    }
    if (match === false) {
      trace.push(step('no-match', `statement ${name} (${effect}) does not apply: ${reason}`));
      return;
    }
    if (match === 'unknown') {
      (effect === 'Allow' ? allows : denies).push('unknown');
      trace.push(step('unknown', `statement ${name} (${effect}) may apply: ${reason}`));
      return;
    }
    (effect === 'Allow' ? allows : denies).push(true);
    trace.push(step(effect === 'Allow' ? 'allow' : 'deny', `statement ${name} ${effect === 'Allow' ? 'allows' : 'denies'}: ${reason}`));
  });
  return { allows: triOr(allows), denies: triOr(denies), trace };
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
  const match = triAnd(parts.map((p) => p.match));
  const reasons = parts.filter((p) => p.reason).map((p) => p.reason);
  return { match, reason: reasons.join('; ') };
}

function anyValue(values: Maybe<string>[], test: (v: string) => boolean): Tri {
  return triOr(values.map((v) => (isUnknown(v) ? 'unknown' : test(v))));
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
    for (const value of block.Service ?? []) results.push(isUnknown(value) ? 'unknown' : value === principal.service);
  }
  if (principal.kind === 'federated') {
    for (const value of block.Federated ?? []) results.push(isUnknown(value) ? 'unknown' : value === principal.provider);
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
    const match = anyValue(statement.resource, (r) => (r.startsWith('arn:') ? arnLike(r, resource) : globMatch(r, resource)));
    return { match, reason: match === false ? `Resource does not cover ${resource}` : '' };
  }
  if (statement.notResource) {
    const excluded = anyValue(statement.notResource, (r) => arnLike(r, resource));
    return { match: triNot(excluded), reason: excluded === true ? `NotResource excludes ${resource}` : '' };
  }
  // A resource-based policy statement without Resource applies to the resource it is attached to.
  return { match: true, reason: '' };
}

function matchConditions(conditions: ConditionEntry[], context: Record<string, ContextValue>): StatementMatch {
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
  const base = operator.replace(/^(ForAnyValue|ForAllValues):/i, '').replace(/IfExists$/i, '').toLowerCase();
  return base === 'null' || base in STRING_OPERATORS;
}

/** Evaluates one condition key of one operator block, with IfExists, ForAnyValue/ForAllValues and Null. */
export function evaluateCondition(entry: ConditionEntry, context: Record<string, ContextValue>): StatementMatch {
  const label = `${entry.operator} ${entry.key}`;
  let operator = entry.operator;
  let setOperator: 'any' | 'all' | undefined;
  const setMatch = /^(ForAnyValue|ForAllValues):(.*)$/i.exec(operator);
  if (setMatch) {
    setOperator = setMatch[1].toLowerCase() === 'foranyvalue' ? 'any' : 'all';
    operator = setMatch[2];
  }
  const ifExists = /IfExists$/i.test(operator);
  if (ifExists) operator = operator.replace(/IfExists$/i, '');
  const requestValue = context[entry.key.toLowerCase()];
  const shown = requestValue === undefined ? 'absent' : isUnknown(requestValue) ? 'unknown' : JSON.stringify(requestValue);
  const wanted = entry.values.map((v) => (isUnknown(v) ? `(${v.expression})` : v)).join(' | ');
  const done = (match: Tri, why: string): StatementMatch => ({ match, reason: `${label}: ${why}` });

  if (entry.keyUnknown) return done('unknown', 'the condition is unknown');
  if (operator.toLowerCase() === 'null') {
    const expectAbsent = entry.values.some((v) => !isUnknown(v) && v.toLowerCase() === 'true');
    if (requestValue !== undefined && isUnknown(requestValue)) return done('unknown', 'the key is unknown');
    const absent = requestValue === undefined;
    return done(absent === expectAbsent, absent ? 'the key is absent' : 'the key is present');
  }
  const spec = STRING_OPERATORS[operator.toLowerCase()];
  if (!spec) return done('unknown', `operator ${entry.operator} is not evaluated`);
  if (requestValue === undefined) {
    if (ifExists) return done(true, 'the key is absent (IfExists)');
    if (setOperator === 'all') return done(true, 'the key is absent (ForAllValues holds on an empty set)');
    if (setOperator === 'any') return done(false, 'the key is absent');
    return done(spec.negated, spec.negated ? 'the key is absent (negated operator holds)' : 'the key is absent');
  }
  if (isUnknown(requestValue)) return done('unknown', `the request value is unknown (${requestValue.expression})`);
  const requestValues = Array.isArray(requestValue) ? requestValue : [requestValue];
  const matchesOne = (r: string): Tri => anyValue(entry.values, (p) => spec.compare(p, r));
  let positive: Tri;
  if (setOperator === 'all') positive = triAnd(requestValues.map(matchesOne));
  else positive = triOr(requestValues.map(matchesOne));
  const match = spec.negated ? triNot(positive) : positive;
  return done(match, match === true ? `${shown} matches ${spec.negated ? 'not ' : ''}${wanted}` : `${shown} does not satisfy ${wanted}`);
}

import type { TraceStep } from '../model/finding';
import type { ConditionEntry, PolicyDocument, PrincipalBlock, Statement } from '../model/policy';
import { isUnknown, type Maybe, type Unknown } from '../model/unknown';
import { arnField } from './arn';
import { arnLike, globMatch, triNot, type Tri } from './match';

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
  /** Steps are appended to this list, which becomes the outcome's trace (a caller's running trace saves a copy). */
  trace: TraceStep[] = [],
): PolicyOutcome {
  // The hot loop of `simulate --cases`: plain loops and running three-valued ORs instead of per-statement closures
  // and arrays; the trace is the same, step for step.
  let allows: Tri = false;
  let denies: Tri = false;
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
  let principal: StatementMatch | undefined;
  if (hasPrincipals) {
    principal = matchPrincipal(statement, request.principal);
    if (principal.match === false) return principal;
  }
  const action = matchAction(statement, request.action);
  if (action.match === false) return action;
  const resource = matchResource(statement, request.resource);
  if (resource.match === false) return resource;
  const conditions = matchConditions(statement.conditions, request.context);
  if (conditions.match === false) return conditions;
  // None is false here: the statement matches, or may, for all the reasons given.
  let match: Tri = true;
  let reason = '';
  if (principal) {
    match = principal.match;
    reason = principal.reason;
  }
  if (action.match === 'unknown') match = 'unknown';
  reason = joinReasons(reason, action.reason);
  if (resource.match === 'unknown') match = 'unknown';
  reason = joinReasons(reason, resource.reason);
  if (conditions.match === 'unknown') match = 'unknown';
  reason = joinReasons(reason, conditions.reason);
  return { match, reason };
}

function joinReasons(a: string, b: string): string {
  if (!b) return a;
  return a ? `${a}; ${b}` : b;
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
  // A running three-valued OR over every value the block names.
  let sawUnknown = false;
  const aws = block.AWS;
  if (aws) {
    let account: string | undefined;
    for (let i = 0; i < aws.length; i++) {
      const value = aws[i];
      if (isUnknown(value)) {
        sawUnknown = true;
        continue;
      }
      if (value === '*') return true;
      if (principal.kind !== 'aws') continue;
      if (value === principal.arn) return true;
      account ??= principal.accountId ?? arnField(principal.arn, 4);
      // Naming the account (root ARN or bare ID) delegates to every principal of that account.
      if (value === account || value === `arn:aws:iam::${account}:root`) return true;
    }
  }
  const others =
    principal.kind === 'service'
      ? block.Service
      : principal.kind === 'federated'
        ? block.Federated
        : undefined;
  if (others) {
    const name =
      principal.kind === 'service' ? principal.service : (principal as { provider: string }).provider;
    for (let i = 0; i < others.length; i++) {
      const value = others[i];
      if (isUnknown(value)) sawUnknown = true;
      else if (value === name) return true;
    }
  }
  return sawUnknown ? 'unknown' : false;
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
  if (conditions.length === 0) return { match: true, reason: '' };
  let match: Tri = true;
  let reason = '';
  for (let i = 0; i < conditions.length; i++) {
    const result = evaluateCondition(conditions[i], context);
    if (result.match === false) return result;
    if (result.match === 'unknown') match = 'unknown';
    reason = joinReasons(reason, result.reason);
  }
  return { match, reason };
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
  if (entry.keyUnknown) return conditionResult(label, 'unknown', 'the condition is unknown');
  const { setOperator, ifExists, base } = parseOperator(entry.operator);
  const requestValue = context[entry.key.toLowerCase()];
  if (base === 'null') {
    const expectAbsent = entry.values.some((v) => !isUnknown(v) && v.toLowerCase() === 'true');
    if (requestValue !== undefined && isUnknown(requestValue))
      return conditionResult(label, 'unknown', 'the key is unknown');
    const absent = requestValue === undefined;
    return conditionResult(
      label,
      absent === expectAbsent,
      absent ? 'the key is absent' : 'the key is present',
    );
  }
  const spec = STRING_OPERATORS[base];
  if (!spec) return conditionResult(label, 'unknown', `operator ${entry.operator} is not evaluated`);
  if (requestValue === undefined) {
    if (ifExists) return conditionResult(label, true, 'the key is absent (IfExists)');
    if (setOperator === 'all')
      return conditionResult(label, true, 'the key is absent (ForAllValues holds on an empty set)');
    if (setOperator === 'any') return conditionResult(label, false, 'the key is absent');
    return conditionResult(
      label,
      spec.negated,
      spec.negated ? 'the key is absent (negated operator holds)' : 'the key is absent',
    );
  }
  if (isUnknown(requestValue))
    return conditionResult(label, 'unknown', `the request value is unknown (${requestValue.expression})`);
  let positive: Tri;
  if (typeof requestValue === 'string') positive = matchesOneValue(entry.values, spec.compare, requestValue);
  else {
    // A multi-valued key: ForAllValues needs every request value to match, anything else one of them.
    let sawUnknown = false;
    positive = setOperator === 'all';
    for (let i = 0; i < requestValue.length; i++) {
      const one = matchesOneValue(entry.values, spec.compare, requestValue[i]);
      if (one === 'unknown') sawUnknown = true;
      else if (one !== positive) {
        positive = one;
        sawUnknown = false;
        break;
      }
    }
    if (sawUnknown) positive = 'unknown';
  }
  const match = spec.negated ? triNot(positive) : positive;
  // Only this message shows the values, so they are rendered only here.
  const shown = JSON.stringify(requestValue);
  let wanted = '';
  for (let i = 0; i < entry.values.length; i++) {
    const v = entry.values[i];
    const text = isUnknown(v) ? `(${v.expression})` : v;
    wanted = i === 0 ? text : `${wanted} | ${text}`;
  }
  return conditionResult(
    label,
    match,
    match === true
      ? `${shown} matches ${spec.negated ? 'not ' : ''}${wanted}`
      : `${shown} does not satisfy ${wanted}`,
  );
}

function conditionResult(label: string, match: Tri, why: string): StatementMatch {
  return { match, reason: `${label}: ${why}` };
}

/** Does any policy value match this one request value? Unknown when none does and one is unknown. */
function matchesOneValue(values: Maybe<string>[], compare: Comparator, requestValue: string): Tri {
  let sawUnknown = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isUnknown(v)) sawUnknown = true;
    else if (compare(v, requestValue)) return true;
  }
  return sawUnknown ? 'unknown' : false;
}

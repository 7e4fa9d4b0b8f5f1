import type { z } from 'zod';
import type { TraceStep } from './model/finding';
import { describeOrigin, type Origin } from './model/origin';
import type { PolicyDocument } from './model/policy';
import { parseFileSystemArn, ROLE_ARN } from './policy/arn';
import { decideClientAccess, mountContext, type Decision, type EfsPolicySemantics } from './policy/decisions';
import { normalizePolicy } from './policy/normalize';

/**
 * One question for the evaluator, as `simulate --cases` reads it (one JSON object per line): may this principal do
 * this client action on this file system, with these policies and mount options?
 */
const buildCaseSchema = (zod: typeof z) =>
  zod.object({
    principal: zod.string().regex(ROLE_ARN, 'an IAM role ARN').nullable().optional(),
    action: zod
      .string()
      .regex(
        /^(elasticfilesystem|s3files):Client(Mount|Write|RootAccess)$/,
        'elasticfilesystem:ClientMount, ClientWrite or ClientRootAccess',
      ),
    fileSystem: zod.string().refine((v) => !!parseFileSystemArn(v), 'a file system ARN'),
    identityPolicies: zod.array(zod.unknown()).default([]),
    fileSystemPolicy: zod.unknown().nullable().default(null),
    mountOptions: zod.array(zod.string()).default(['tls', 'iam']),
    accessPoint: zod.string().nullable().optional(),
    semantics: zod.enum(['strict', 'documented']).default('strict'),
  });

type CaseSchema = ReturnType<typeof buildCaseSchema>;
let caseSchemaCache: CaseSchema | undefined;

/**
 * The schema, built on first use: zod is only needed for a question the fast path below does not accept, and
 * loading it costs more than answering thousands of questions (simulate --cases pays it at every start otherwise).
 */
function caseSchema(): CaseSchema {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load on the rare path (see above)
  caseSchemaCache ??= buildCaseSchema((require('zod') as { z: typeof z }).z);
  return caseSchemaCache;
}

export type SimulationCase = z.input<CaseSchema>;

export interface SimulationAnswer {
  decision: Decision | 'unknown';
  trace: Array<{
    outcome: TraceStep['outcome'];
    message: string;
    policy?: string;
    sid?: string;
    location?: string;
  }>;
}

export class SimulationInputError extends Error {}

/**
 * Normalized policies by content. `simulate --cases` asks many questions about the same few policies, each line
 * freshly parsed, so identity cannot be the key. The key used to be `JSON.stringify(raw)`, which cost more than the
 * evaluation itself; now a structural hash picks a bucket and an ordered deep comparison confirms the hit. Key order
 * counts (it orders problems and conditions), and values JSON cannot hold are never cached, so a hit is always a
 * document that normalizes exactly as the cached one did.
 */
const policyCache = new Map<number, Array<{ label: string; raw: unknown; document: PolicyDocument }>>();
let policyCacheSize = 0;
const seenOnce = new Set<number>();
const POLICY_CACHE_LIMIT = 1000;

function policyFrom(raw: unknown, label: string): PolicyDocument {
  const hash = jsonHash(raw, 0);
  const bucket = hash === undefined ? undefined : policyCache.get(hash);
  if (bucket) {
    for (const entry of bucket) if (entry.label === label && jsonEqual(entry.raw, raw)) return entry.document;
  }
  const document = normalizePolicy(raw, { kind: 'file', file: label });
  if (document.problems.length > 0)
    throw new SimulationInputError(`${label} is not a valid policy: ${document.problems.join('; ')}`);
  if (hash === undefined) return document;
  // Only a policy seen twice is cached: copying every one-off policy cost more than the cache saved.
  if (!seenOnce.has(hash)) {
    if (seenOnce.size >= 4 * POLICY_CACHE_LIMIT) seenOnce.clear();
    seenOnce.add(hash);
    return document;
  }
  if (policyCacheSize >= POLICY_CACHE_LIMIT) {
    policyCache.clear();
    policyCacheSize = 0;
  }
  // The cache keeps its own copy: the caller may change its object after the question.
  const entry = { label, raw: jsonClone(raw), document };
  const list = policyCache.get(hash);
  if (list) list.push(entry);
  else policyCache.set(hash, [entry]);
  policyCacheSize++;
  return document;
}

const MAX_HASH_DEPTH = 64;

/** A hash of a JSON value (order-sensitive), or undefined when it holds something JSON cannot (then: no caching). */
function jsonHash(value: unknown, depth: number): number | undefined {
  switch (typeof value) {
    case 'string':
      return stringHash(value);
    case 'boolean':
      return value ? 0x1b873593 : 0x0e6546b4;
    case 'number':
      return Number.isFinite(value) ? Math.imul(value | 0, 0x9e3779b1) ^ 0x5bd1e995 : undefined;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 0x9e3779b9;
  if (depth > MAX_HASH_DEPTH) return undefined;
  let h = 0x811c9dc5;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = jsonHash(value[i], depth + 1);
      if (item === undefined) return undefined;
      h = Math.imul(h ^ item, 0x01000193);
    }
    return Math.imul(h ^ value.length, 0x01000193) | 0;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  // Keys count by length and first character only: policy keys are few and fixed, and equality is checked anyway.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return undefined;
    const item = jsonHash((value as Record<string, unknown>)[key], depth + 1);
    if (item === undefined) return undefined;
    h = Math.imul(h ^ key.length ^ (key.charCodeAt(0) << 8), 0x01000193);
    h = Math.imul(h ^ item, 0x01000193);
  }
  return (h ^ 0x2545f491) | 0;
}

/**
 * Samples at most 16 characters (ends and spread): ARNs in policies differ mostly near their end. A collision costs
 * only a deep comparison, so spread matters more than strength; hashing every character cost more than it saved.
 */
function stringHash(text: string): number {
  const n = text.length;
  let h = Math.imul(0x811c9dc5 ^ n, 0x01000193);
  if (n <= 16) {
    for (let i = 0; i < n; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h | 0;
  }
  for (let i = 1; i <= 8; i++) h = Math.imul(h ^ text.charCodeAt(n - i), 0x01000193);
  const step = (n - 8) >> 3;
  for (let i = 0; i < 8; i++) h = Math.imul(h ^ text.charCodeAt(i * step), 0x01000193);
  return h | 0;
}

/** A copy of a JSON value (jsonHash has checked it is one). */
function jsonClone(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(jsonClone);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = jsonClone((value as Record<string, unknown>)[key]);
  return copy;
}

/** Ordered deep equality of two JSON values (both already known to be JSON by jsonHash). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return false;
    if (!jsonEqual((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]]))
      return false;
  }
  return true;
}

type ParsedCase = z.output<CaseSchema>;

const ACTION = /^(elasticfilesystem|s3files):Client(Mount|Write|RootAccess)$/;

/**
 * The schema's answer for a well-formed question, without running the schema (it was a fifth of the time per
 * question). Anything unusual returns undefined and goes through zod, so errors and edge cases are zod's own.
 */
function quickParse(input: unknown): ParsedCase | undefined {
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype)
    return undefined;
  const o = input as Record<string, unknown>;
  const {
    principal,
    action,
    fileSystem,
    identityPolicies,
    fileSystemPolicy,
    mountOptions,
    accessPoint,
    semantics,
  } = o;
  if (!(
    principal === undefined ||
    principal === null ||
    (typeof principal === 'string' && ROLE_ARN.test(principal))
  ))
    return undefined;
  if (typeof action !== 'string' || !ACTION.test(action)) return undefined;
  if (typeof fileSystem !== 'string' || !parseFileSystemArn(fileSystem)) return undefined;
  if (identityPolicies !== undefined && !Array.isArray(identityPolicies)) return undefined;
  let options: string[] = ['tls', 'iam'];
  if (mountOptions !== undefined) {
    if (!Array.isArray(mountOptions)) return undefined;
    for (let i = 0; i < mountOptions.length; i++) if (typeof mountOptions[i] !== 'string') return undefined;
    options = mountOptions as string[];
  }
  if (!(accessPoint === undefined || accessPoint === null || typeof accessPoint === 'string'))
    return undefined;
  if (!(semantics === undefined || semantics === 'strict' || semantics === 'documented')) return undefined;
  const policies: unknown[] = [];
  if (identityPolicies) for (let i = 0; i < identityPolicies.length; i++) policies.push(identityPolicies[i]);
  const parsed: ParsedCase = {
    action,
    fileSystem,
    identityPolicies: policies,
    fileSystemPolicy: fileSystemPolicy === undefined ? null : fileSystemPolicy,
    mountOptions: options,
    semantics: semantics ?? 'strict',
  };
  if (principal !== undefined) parsed.principal = principal;
  if (accessPoint !== undefined) parsed.accessPoint = accessPoint;
  return parsed;
}

/** Answers one question. Throws SimulationInputError naming the bad field. */
// Statement origins belong to the cached policies above, which never leave this module: rendering each once is safe.
const locations = new WeakMap<Origin, string>();

function locationOf(origin: Origin): string {
  let location = locations.get(origin);
  if (location === undefined) {
    location =
      origin.kind === 'file' && origin.path ? `${origin.file} ${origin.path}` : describeOrigin(origin);
    locations.set(origin, location);
  }
  return location;
}

export function simulate(input: unknown): SimulationAnswer {
  let q = quickParse(input);
  if (!q) {
    const parsed = caseSchema().safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SimulationInputError(`${issue.path.join('.') || 'the question'}: ${issue.message}`);
    }
    q = parsed.data;
  }
  const identity = q.identityPolicies.map((p, i) => policyFrom(p, `identityPolicies[${i}]`));
  const fileSystemPolicy =
    q.fileSystemPolicy === null || q.fileSystemPolicy === undefined
      ? null
      : policyFrom(q.fileSystemPolicy, 'fileSystemPolicy');
  return answer(q, identity, fileSystemPolicy);
}

function answer(
  q: ParsedCase,
  identity: PolicyDocument[],
  fileSystemPolicy: PolicyDocument | null,
): SimulationAnswer {
  const options = q.mountOptions.map((o) => o.trim().toLowerCase());
  const s3 = q.action.startsWith('s3files:');
  const iam = s3 || options.includes('iam');
  const principal =
    iam && q.principal
      ? { kind: 'aws' as const, arn: q.principal, accountId: q.principal.split(':')[4] }
      : { kind: 'anonymous' as const };
  const result = decideClientAccess({
    principal,
    action: q.action,
    fileSystemArn: q.fileSystem,
    identityPolicies: identity.map((document, i) => ({ name: `identity policy #${i + 1}`, document })),
    fileSystemPolicy,
    context: mountContext(
      {
        tls: s3 || options.includes('tls') || !!q.accessPoint,
        iam,
        ...(q.accessPoint ? { accessPointArn: q.accessPoint } : {}),
      },
      principal.kind === 'aws' ? principal : undefined,
    ),
    semantics: q.semantics as EfsPolicySemantics,
  });
  return {
    decision: result.decision,
    // Built key by key rather than with spreads (fewer objects per step); the key order is the output's.
    trace: result.trace.map((t) => {
      const step: SimulationAnswer['trace'][number] = { outcome: t.outcome, message: t.message };
      if (t.policy) step.policy = t.policy;
      if (t.sid) step.sid = t.sid;
      if (t.origin) step.location = locationOf(t.origin);
      return step;
    }),
  };
}

/** One `simulate --cases` line in, one answer line out (without the newline). */
export function simulateLine(line: string): string {
  return JSON.stringify(simulate(JSON.parse(line)));
}

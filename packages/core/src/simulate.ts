import type { z } from 'zod';
import type { TraceStep } from './model/finding';
import { describeOrigin, type Origin } from './model/origin';
import type { PolicyDocument } from './model/policy';
import { arnField, parseFileSystemArn, ROLE_ARN } from './policy/arn';
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
 * Normalizes one policy of a question. There is deliberately no cache keyed by content: normalizing is one linear
 * pass over the policy, and hashing plus comparing a repeated policy with a cached one is a pass of the same length,
 * so such a cache measured slower over the benchmark's questions (bench/README.md), and it kept a copy of every
 * policy it held.
 */
function policyFrom(raw: unknown, label: string): PolicyDocument {
  const document = normalizePolicy(raw, { kind: 'file', file: label });
  if (document.problems.length > 0)
    throw new SimulationInputError(`${label} is not a valid policy: ${document.problems.join('; ')}`);
  return document;
}

type ParsedCase = z.output<CaseSchema>;

const ACTION = /^(elasticfilesystem|s3files):Client(Mount|Write|RootAccess)$/;

/**
 * Principal and file system ARNs that passed their pattern, one set per pattern. A sweep asks about the same few roles
 * and file systems over and over, and a set lookup costs less than the regular expressions (bounded: cleared when full).
 */
const validArns = { role: new Set<string>(), fileSystem: new Set<string>() };
const VALID_ARNS_LIMIT = 10_000;

function isValidArn(value: string, kind: 'role' | 'fileSystem'): boolean {
  const known = validArns[kind];
  if (known.has(value)) return true;
  const valid = kind === 'role' ? ROLE_ARN.test(value) : parseFileSystemArn(value) !== undefined;
  if (valid) {
    if (known.size >= VALID_ARNS_LIMIT) known.clear();
    known.add(value);
  }
  return valid;
}

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
    (typeof principal === 'string' && isValidArn(principal, 'role'))
  ))
    return undefined;
  if (typeof action !== 'string' || !ACTION.test(action)) return undefined;
  if (typeof fileSystem !== 'string' || !isValidArn(fileSystem, 'fileSystem')) return undefined;
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

function locationOf(origin: Origin): string {
  return origin.kind === 'file' && origin.path ? `${origin.file} ${origin.path}` : describeOrigin(origin);
}

/** Answers one question. Throws SimulationInputError naming the bad field. */
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
  let tlsOption = false;
  let iamOption = false;
  for (let i = 0; i < q.mountOptions.length; i++) {
    const option = q.mountOptions[i].trim().toLowerCase();
    if (option === 'tls') tlsOption = true;
    else if (option === 'iam') iamOption = true;
  }
  const s3 = q.action.startsWith('s3files:');
  const iam = s3 || iamOption;
  const principal =
    iam && q.principal
      ? { kind: 'aws' as const, arn: q.principal, accountId: arnField(q.principal, 4) }
      : { kind: 'anonymous' as const };
  const result = decideClientAccess({
    principal,
    action: q.action,
    fileSystemArn: q.fileSystem,
    identityPolicies: identity.map((document, i) => ({ name: `identity policy #${i + 1}`, document })),
    fileSystemPolicy,
    context: mountContext(
      {
        tls: s3 || tlsOption || !!q.accessPoint,
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

import { z } from 'zod';
import type { TraceStep } from './model/finding';
import { describeOrigin } from './model/origin';
import type { PolicyDocument } from './model/policy';
import { parseFileSystemArn, ROLE_ARN } from './policy/arn';
import { decideClientAccess, mountContext, type Decision, type EfsPolicySemantics } from './policy/decisions';
import { normalizePolicy } from './policy/normalize';

/**
 * One question for the evaluator, as `simulate --cases` reads it (one JSON object per line): may this principal do
 * this client action on this file system, with these policies and mount options?
 */
const caseSchema = z.object({
  principal: z.string().regex(ROLE_ARN, 'an IAM role ARN').nullable().optional(),
  action: z.string().regex(/^(elasticfilesystem|s3files):Client(Mount|Write|RootAccess)$/, 'elasticfilesystem:ClientMount, ClientWrite or ClientRootAccess'),
  fileSystem: z.string().refine((v) => !!parseFileSystemArn(v), 'a file system ARN'),
  identityPolicies: z.array(z.unknown()).default([]),
  fileSystemPolicy: z.unknown().nullable().default(null),
  mountOptions: z.array(z.string()).default(['tls', 'iam']),
  accessPoint: z.string().nullable().optional(),
  semantics: z.enum(['strict', 'documented']).default('strict'),
});

export type SimulationCase = z.input<typeof caseSchema>;

export interface SimulationAnswer {
  decision: Decision | 'unknown';
  trace: Array<{ outcome: TraceStep['outcome']; message: string; policy?: string; sid?: string; location?: string }>;
}

export class SimulationInputError extends Error {}

const policyCache = new Map<string, PolicyDocument>();

function policyFrom(raw: unknown, label: string): PolicyDocument {
  const key = label + '\u0000' + JSON.stringify(raw);
  const cached = policyCache.get(key);
  if (cached) return cached;
  const document = normalizePolicy(raw, { kind: 'file', file: label });
  if (document.problems.length > 0) throw new SimulationInputError(`${label} is not a valid policy: ${document.problems.join('; ')}`);
  if (policyCache.size > 1000) policyCache.clear();
  policyCache.set(key, document);
  return document;
}

/** Answers one question. Throws SimulationInputError naming the bad field. */
export function simulate(input: unknown): SimulationAnswer {
  const parsed = caseSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SimulationInputError(`${issue.path.join('.') || 'the question'}: ${issue.message}`);
  }
  const q = parsed.data;
  const options = q.mountOptions.map((o) => o.trim().toLowerCase());
  const s3 = q.action.startsWith('s3files:');
  const iam = s3 || options.includes('iam');
  const principal = iam && q.principal ? { kind: 'aws' as const, arn: q.principal, accountId: q.principal.split(':')[4] } : { kind: 'anonymous' as const };
  const result = decideClientAccess({
    principal,
    action: q.action,
    fileSystemArn: q.fileSystem,
    identityPolicies: q.identityPolicies.map((p, i) => ({ name: `identity policy #${i + 1}`, document: policyFrom(p, `identityPolicies[${i}]`) })),
    fileSystemPolicy: q.fileSystemPolicy === null || q.fileSystemPolicy === undefined ? null : policyFrom(q.fileSystemPolicy, 'fileSystemPolicy'),
    context: mountContext(
      { tls: s3 || options.includes('tls') || !!q.accessPoint, iam, ...(q.accessPoint ? { accessPointArn: q.accessPoint } : {}) },
      principal.kind === 'aws' ? principal : undefined,
    ),
    semantics: q.semantics as EfsPolicySemantics,
  });
  return {
    decision: result.decision,
    trace: result.trace.map((t) => ({
      outcome: t.outcome,
      message: t.message,
      ...(t.policy ? { policy: t.policy } : {}),
      ...(t.sid ? { sid: t.sid } : {}),
      ...(t.origin && t.origin.kind === 'file' && t.origin.path ? { location: `${t.origin.file} ${t.origin.path}` } : t.origin ? { location: describeOrigin(t.origin) } : {}),
    })),
  };
}

import { z } from 'zod';

/**
 * Faults and realism on demand: latency, throttling with each service's own error, 5xx, timeouts. A rule matches
 * by service and/or operation and applies to the next `times` matching calls (all, when absent).
 */
export interface FaultRule {
  service?: string;
  operation?: string;
  /** Added latency in ms. */
  latencyMs?: number;
  /** `throttle`: the service's throttling error; `server`: a 500; `timeout`: never answer (the client times out). */
  fail?: 'throttle' | 'server' | 'timeout';
  /** Apply to this many matching calls, then stop. */
  times?: number;
  /** Apply to each matching call with this probability (0..1), deterministic per rule (seeded). */
  probability?: number;
}

interface ActiveRule extends FaultRule {
  used: number;
  seed: number;
}

export class Faults {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, used: 0, seed: 0x2545f491 + this.rules.length });
  }

  clear(): void {
    this.rules = [];
  }

  /** The faults that apply to this call (consumes their `times`). */
  match(service: string, operation: string): { latencyMs: number; fail?: FaultRule['fail'] } {
    let latencyMs = 0;
    let fail: FaultRule['fail'];
    for (const rule of this.rules) {
      if (rule.service && rule.service !== service) continue;
      if (rule.operation && rule.operation !== operation) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (rule.probability !== undefined) {
        // xorshift: deterministic, so a test that injects 30% throttling sees the same calls fail every run.
        rule.seed ^= rule.seed << 13;
        rule.seed ^= rule.seed >>> 17;
        rule.seed ^= rule.seed << 5;
        if (((rule.seed >>> 0) % 1000) / 1000 >= rule.probability) continue;
      }
      rule.used++;
      latencyMs += rule.latencyMs ?? 0;
      fail = fail ?? rule.fail;
    }
    return { latencyMs, ...(fail ? { fail } : {}) };
  }
}

const ruleSchema = z
  .object({
    service: z.string().min(1).optional(),
    operation: z.string().min(1).optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    fail: z.enum(['throttle', 'server', 'timeout']).optional(),
    times: z.number().int().min(1).optional(),
    probability: z.number().min(0).max(1).optional(),
  })
  .strict();

/**
 * Fault rules from text (the `--faults` flag or `EFS_NODE_IDENTITY_SANDBOX_FAULTS`): a JSON array of rules such as
 * `[{"service":"eks","fail":"throttle","probability":0.3},{"latencyMs":50}]`. The error names the rule and field.
 */
export function parseFaultRules(text: string): FaultRule[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`faults: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const result = z.array(ruleSchema).safeParse(Array.isArray(raw) ? raw : [raw]);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `faults: [${issue.path.join('].')}: ${issue.message}`
        .replace('[].', '')
        .replace(/\[(\d+)\]\./, 'rule $1: '),
    );
  }
  return result.data;
}

/** One API call the sandbox answered: tests and benchmarks count calls with it. */
export interface CallRecord {
  at: number;
  service: string;
  operation: string;
  accountId?: string;
  principalArn?: string;
  status: number;
  errorCode?: string;
}

export class CallLog {
  readonly calls: CallRecord[] = [];

  record(call: CallRecord): void {
    this.calls.push(call);
  }

  clear(): void {
    this.calls.length = 0;
  }

  /** Number of calls, optionally of one service and/or operation. */
  count(filter: { service?: string; operation?: string } = {}): number {
    return this.calls.filter(
      (c) =>
        (!filter.service || c.service === filter.service) &&
        (!filter.operation || c.operation === filter.operation),
    ).length;
  }

  /** `{ 'iam:GetRole': 3, … }` */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls)
      out[`${c.service}:${c.operation}`] = (out[`${c.service}:${c.operation}`] ?? 0) + 1;
    return out;
  }
}

/** A counting semaphore whose waiters are served first come, first served. */
class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    // The slot passes straight from release() to the next waiter, so `active` stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * Limits on verifications in flight: per EKS cluster, per AWS account and overall. Slots are taken in that fixed order
 * (cluster, account, overall), so two verifications never wait on each other in a cycle, and a verification waiting
 * for its cluster holds no account or overall slot that others could use.
 */
export class ConcurrencyLimits {
  private readonly clusters = new Map<string, Semaphore>();
  private readonly accounts = new Map<string, Semaphore>();
  private readonly overall: Semaphore;

  constructor(
    private readonly limits: { concurrency: number; accountConcurrency: number; clusterConcurrency: number },
  ) {
    this.overall = new Semaphore(limits.concurrency);
  }

  /** Runs `fn` once a slot of its cluster, its account and the overall limit are free. */
  async run<T>(key: { accountId: string; clusterArn: string }, fn: () => Promise<T>): Promise<T> {
    const cluster = this.semaphore(this.clusters, key.clusterArn, this.limits.clusterConcurrency);
    const account = this.semaphore(this.accounts, key.accountId, this.limits.accountConcurrency);
    await cluster.acquire();
    try {
      await account.acquire();
      try {
        await this.overall.acquire();
        try {
          return await fn();
        } finally {
          this.overall.release();
        }
      } finally {
        account.release();
      }
    } finally {
      cluster.release();
    }
  }

  private semaphore(map: Map<string, Semaphore>, key: string, limit: number): Semaphore {
    let semaphore = map.get(key);
    if (!semaphore) map.set(key, (semaphore = new Semaphore(limit)));
    return semaphore;
  }
}

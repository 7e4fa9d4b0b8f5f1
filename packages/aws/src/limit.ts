/**
 * A concurrency limit for independent reads, and a memo so each resource is read once per run. Written here (a few
 * lines) rather than taken from a dependency.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function limiter(concurrency: number): Limiter {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/**
 * Memoizes an async function by key: concurrent callers of one key share one promise, so two rules' worth of
 * references to the same role cause one GetRole. A rejection is kept too: retrying within one run would only
 * repeat the same error (the SDK has already retried throttling and 5xx).
 */
export function memoize<A extends unknown[], T>(
  fn: (...args: A) => Promise<T>,
  key: (...args: A) => string = (...args) => JSON.stringify(args),
): (...args: A) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (...args: A) => {
    const k = key(...args);
    let hit = cache.get(k);
    if (!hit) {
      hit = fn(...args);
      cache.set(k, hit);
    }
    return hit;
  };
}

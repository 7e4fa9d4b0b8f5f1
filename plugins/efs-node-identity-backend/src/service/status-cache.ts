import type { StoredVerification } from './status-store';

interface Entry {
  value: StoredVerification | undefined;
  readAt: number;
}

/**
 * The last verification per entity ref, kept in this process so that status reads do not query the database each
 * time. A result this instance stores replaces its entry at once; a result another replica stores (its refresh run or a
 * `verify` it served) is seen when the entry is older than `ttlMs`, since replicas share only the database.
 * At most `maxEntries` refs are kept (the least recently read go first).
 */
export class StatusCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `hit: false` when the ref is not cached or its entry expired; `value` undefined is a cached "never verified". */
  get(entityRef: string): { hit: true; value: StoredVerification | undefined } | { hit: false } {
    const entry = this.entries.get(entityRef);
    if (!entry || this.now() - entry.readAt >= this.ttlMs) return { hit: false };
    // Map keeps insertion order: re-inserting marks the ref as the most recently read.
    this.entries.delete(entityRef);
    this.entries.set(entityRef, entry);
    return { hit: true, value: entry.value };
  }

  set(entityRef: string, value: StoredVerification | undefined): void {
    this.entries.delete(entityRef);
    this.entries.set(entityRef, { value, readAt: this.now() });
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}

import type { EntityStatusResponse } from '@efs-node-identity/backstage-plugin-common';

interface Entry {
  value: EntityStatusResponse;
  readAt: number;
}

/**
 * The status answer per entity, kept in this process so that a status read asks neither the catalog nor the database
 * while its entry is fresh. Keys are entity refs compared as the catalog compares them (case-insensitively). A result
 * this instance stores replaces its entry at once; a result another replica stores (its refresh run or a `verify` it
 * served), an annotation change or a deleted entity is seen when the entry is older than `ttlMs`, since replicas share
 * only the database. At most `maxEntries` refs are kept (the least recently read go first). Callers authorize every
 * read before they ask the cache: an entry says what the entity's status is, not who may read it.
 */
export class StatusCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The fresh answer for this entity ref, or undefined when it is not cached or its entry expired. */
  get(entityRef: string): EntityStatusResponse | undefined {
    const key = cacheKey(entityRef);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.readAt >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    // Map keeps insertion order: re-inserting marks the ref as the most recently read.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(entityRef: string, value: EntityStatusResponse): void {
    const key = cacheKey(entityRef);
    this.entries.delete(key);
    this.entries.set(key, { value, readAt: this.now() });
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

function cacheKey(entityRef: string): string {
  // Entity refs are ASCII (the catalog's validators, and the router's checks before a read).
  return entityRef.toLowerCase();
}

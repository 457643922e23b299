import { LRUCache } from 'lru-cache';

export interface SharedReadsOptions {
  /** About how much memory the kept values and their keys may take, as their loaders estimate it. */
  maxBytes?: number;
  /** How many values at most, whatever their size. */
  max?: number;
  /** The longest one is kept, writes or not (a change no write announced: a role set from the CLI). */
  ttlMs?: number;
}

/**
 * The part of a read that is the same for every reader, loaded once and shared until any write
 * that readers would see (the page cache's rule, lib/page-cache.ts, one level down): a signed-in
 * thread page takes its thread and posts from here and adds only what is the member's own (their
 * votes, read position and level) from one small statement. The page cache cannot serve members
 * (their answers differ); this serves the part of their answers that does not.
 *
 * A load that began before an invalidation is handed to its caller but not kept; loads of one
 * key that overlap share one round trip.
 */
export class SharedReads {
  readonly #kept: LRUCache<string, { value: unknown; bytes: number }>;
  readonly #inflight = new Map<string, { generation: number; promise: Promise<unknown> }>();
  #generation = 0;
  hits = 0;
  misses = 0;

  constructor(options: SharedReadsOptions = {}) {
    this.#kept = new LRUCache({
      maxSize: options.maxBytes ?? 32 * 1024 * 1024,
      sizeCalculation: (e) => e.bytes,
      ttl: options.ttlMs ?? 60_000
    });
  }

  /** Something readers see changed: every kept read goes. */
  invalidate(): void {
    this.#generation += 1;
    this.#kept.clear();
  }

  get size(): number {
    return this.#kept.size;
  }

  /**
   * The kept value under `key`, or `load`'s, kept when no write came while it loaded. `bytes`
   * estimates what a value holds in memory (the bodies of a page of posts, say); 1 KB if not said.
   */
  async get<T>(key: string, load: () => Promise<T>, bytes: (value: T) => number = () => 1024): Promise<T> {
    const kept = this.#kept.get(key);
    if (kept !== undefined) {
      this.hits += 1;
      return kept.value as T;
    }
    const generation = this.#generation;
    const pending = this.#inflight.get(key);
    // Only a load begun since the last write may be shared: an older one may miss that write.
    if (pending !== undefined && pending.generation === generation) return pending.promise as Promise<T>;
    this.misses += 1;
    const promise = load();
    this.#inflight.set(key, { generation, promise });
    try {
      const value = await promise;
      if (generation === this.#generation) this.#kept.set(key, { value, bytes: 2 * key.length + 200 + Math.max(0, bytes(value)) });
      return value;
    } finally {
      if (this.#inflight.get(key)?.promise === promise) this.#inflight.delete(key);
    }
  }
}

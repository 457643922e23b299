/**
 * A small bounded cache with expiry, whose loads are shared: however many callers ask for the
 * same key at once, the loader runs once. Oldest entries go first past `max`.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
  private readonly loading = new Map<K, Promise<V>>();

  constructor(
    private readonly options: {
      max: number;
      ttlMs: number;
      /** How long a value is kept when this says so (a "no" may turn into a "yes" soon). */
      shortTtl?: { when: (value: V) => boolean; ms: number };
      now?: () => number;
    }
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expires > now) return hit.value;
    const inFlight = this.loading.get(key);
    if (inFlight !== undefined) return inFlight;
    const promise = load()
      .then((value) => {
        const short = this.options.shortTtl;
        const ttl = short !== undefined && short.when(value) ? short.ms : this.options.ttlMs;
        this.entries.delete(key);
        this.entries.set(key, { value, expires: (this.options.now ?? Date.now)() + ttl });
        while (this.entries.size > this.options.max) {
          const oldest = this.entries.keys().next();
          if (oldest.done === true) break;
          this.entries.delete(oldest.value);
        }
        return value;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, promise);
    return promise;
  }
}

import { performance } from 'node:perf_hooks';

/**
 * A small time-limited cache for values that are read far more often than they change (an OPD's
 * settings, how many of its doctors are free). Concurrent misses for one key share one load, so
 * a burst of requests costs one query. Expiry runs on the monotonic clock: it bounds staleness in
 * real time, whatever a test does to the application's clock.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: K, load: (key: K) => Promise<V>): Promise<V> {
    const at = this.now();
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expires > at) return entry.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load(key);
    this.entries.set(key, { value, expires: at + this.ttlMs });
    // A failed load is not kept: the next caller tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}

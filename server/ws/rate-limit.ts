/** The default clock of the buckets: one function for all of them, not a closure each. */
const monotonic = (): number => performance.now();

/** A token bucket: `burst` frames at once, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly now: () => number;

  /** @param now a monotonic clock in ms (default `performance.now`) */
  constructor(perSecond: number, burst: number, now: () => number = monotonic) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.now = now;
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * A per-key limit (a user id's): `take` answers whether the key may go on, at once when it
 * is counted in this process, later when it is counted elsewhere (in Redis, for all the nodes:
 * `redis-rate-limit.ts`).
 */
export interface KeyedLimit {
  take(key: string): boolean | Promise<boolean>;
}

/**
 * One {@link TokenBucket} per key (a user id): `burst` at once, refilled at `perSecond`.
 * Buckets left alone long enough to be full again are forgotten, so idle users cost nothing.
 */
export class KeyedRateLimit implements KeyedLimit {
  private readonly buckets = new Map<string, { bucket: TokenBucket; used: number }>();
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly now: () => number;
  private lastSweep: number;

  constructor(perSecond: number, burst: number, now: () => number = monotonic) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.now = now;
    this.lastSweep = now();
  }

  /** Takes one token from `key`'s bucket; false when it is empty. */
  take(key: string): boolean {
    const now = this.now();
    const refillMs = (this.burst / this.perSecond) * 1000;
    if (now - this.lastSweep > Math.max(refillMs, 60_000)) {
      this.lastSweep = now;
      for (const [k, entry] of this.buckets)
        if (now - entry.used > refillMs) this.buckets.delete(k);
    }
    let entry = this.buckets.get(key);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.perSecond, this.burst, this.now), used: now };
      this.buckets.set(key, entry);
    }
    entry.used = now;
    return entry.bucket.take();
  }

  /** How many keys have a bucket (for tests). */
  get size(): number {
    return this.buckets.size;
  }
}

/**
 * Per-peer token buckets. Each key (a peer id) has a bucket of `burst` tokens refilled at
 * `ratePerSecond`; a request takes a token or is refused. Memory is bounded: past `maxKeys`
 * the least recently seen key is forgotten (it comes back with a full bucket, which costs
 * no more than a new peer id does).
 */

export interface TokenBucketConfig {
  /** Sustained rate, tokens per second. */
  ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  burst: number;
}

export interface RateLimiterInit extends TokenBucketConfig {
  /** Most keys tracked at once. @default 10_000 */
  maxKeys?: number;
  /** Milliseconds clock (injected in tests). @default Date.now */
  clock?: () => number;
}

/** Rate limits of the relay's three protocols (gossip messages count as publishes). */
export interface RelayRateLimits {
  publish: TokenBucketConfig;
  query: TokenBucketConfig;
  pin: TokenBucketConfig;
}

export const DEFAULT_RATE_LIMITS: RelayRateLimits = {
  publish: { ratePerSecond: 20, burst: 100 },
  query: { ratePerSecond: 10, burst: 50 },
  pin: { ratePerSecond: 1, burst: 10 },
};

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * @example
 * const limiter = new RateLimiter({ ratePerSecond: 20, burst: 100 })
 * if (!limiter.tryTake(peerId.toString())) return reply('rate_limited')
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerMs: number;
  private readonly burst: number;
  private readonly maxKeys: number;
  private readonly clock: () => number;

  constructor(init: RateLimiterInit) {
    if (!(init.ratePerSecond > 0) || !Number.isFinite(init.ratePerSecond)) {
      throw new RangeError(`"ratePerSecond" expected a positive number, got ${init.ratePerSecond}`);
    }
    if (!(init.burst >= 1) || !Number.isFinite(init.burst)) {
      throw new RangeError(`"burst" expected a number >= 1, got ${init.burst}`);
    }
    const maxKeys = init.maxKeys ?? 10_000;
    if (!Number.isInteger(maxKeys) || maxKeys < 1)
      throw new RangeError(`"maxKeys" expected a positive integer`);
    this.ratePerMs = init.ratePerSecond / 1000;
    this.burst = init.burst;
    this.maxKeys = maxKeys;
    this.clock = init.clock ?? Date.now;
  }

  /** Takes `cost` tokens from `key`'s bucket; false (and nothing taken) when there are not enough. */
  tryTake(key: string, cost = 1): boolean {
    const now = this.clock();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-inserted below: the map stays in least-recently-seen order
      const elapsed = Math.max(0, now - bucket.updatedMs);
      bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.ratePerMs);
      bucket.updatedMs = now;
    } else {
      bucket = { tokens: this.burst, updatedMs: now };
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (!oldest.done) this.buckets.delete(oldest.value);
      }
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  /** Number of keys tracked. */
  get size(): number {
    return this.buckets.size;
  }
}

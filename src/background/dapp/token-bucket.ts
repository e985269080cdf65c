/**
 * Per-key token buckets: a burst of `capacity`, refilled at `refillPerSecond`.
 * Keys are site origins, so one spamming page cannot flood the wallet or the user.
 */
export interface TokenBucketOptions {
  capacity: number;
  refillPerSecond: number;
  now?: () => number;
  /** Buckets idle long enough to be full again are forgotten past this many keys. */
  maxKeys?: number;
}

export class TokenBuckets {
  readonly #options: Required<TokenBucketOptions>;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: TokenBucketOptions) {
    this.#options = {
      capacity: options.capacity,
      refillPerSecond: options.refillPerSecond,
      now: options.now ?? Date.now,
      maxKeys: options.maxKeys ?? 1000,
    };
  }

  /** Takes one token for `key`; false when the bucket is empty. */
  tryTake(key: string): boolean {
    const { capacity, refillPerSecond, now } = this.#options;
    const at = now();
    const bucket = this.#buckets.get(key) ?? { tokens: capacity, at };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((at - bucket.at) / 1000) * refillPerSecond);
    bucket.at = at;
    if (bucket.tokens < 1) {
      this.#buckets.set(key, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#options.maxKeys) this.#evictFull(at);
    return true;
  }

  #evictFull(at: number): void {
    const { capacity, refillPerSecond } = this.#options;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((at - bucket.at) / 1000) * refillPerSecond >= capacity) this.#buckets.delete(key);
    }
  }
}

/** Per-origin token buckets with an injected clock. */
import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../../src/background/dapp/token-bucket';

function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function takeMany(buckets: TokenBuckets, key: string, n: number): boolean[] {
  return Array.from({ length: n }, () => buckets.tryTake(key));
}

describe('TokenBuckets', () => {
  it('allows a burst of `capacity`, then refuses', () => {
    const c = clock();
    const buckets = new TokenBuckets({ capacity: 3, refillPerSecond: 1, now: c.now });
    expect(takeMany(buckets, 'a', 4)).toEqual([true, true, true, false]);
  });

  it('refills at refillPerSecond, in fractions of a second too', () => {
    const c = clock();
    const buckets = new TokenBuckets({ capacity: 2, refillPerSecond: 4, now: c.now });
    expect(takeMany(buckets, 'a', 3)).toEqual([true, true, false]);
    c.advance(200); // 0.8 token
    expect(buckets.tryTake('a')).toBe(false);
    c.advance(50); // 1.0 token
    expect(takeMany(buckets, 'a', 2)).toEqual([true, false]);
    c.advance(500); // 2 tokens
    expect(takeMany(buckets, 'a', 3)).toEqual([true, true, false]);
  });

  it('never holds more than capacity, however long it was idle', () => {
    const c = clock();
    const buckets = new TokenBuckets({ capacity: 3, refillPerSecond: 10, now: c.now });
    buckets.tryTake('a');
    c.advance(3_600_000);
    expect(takeMany(buckets, 'a', 4)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const c = clock();
    const buckets = new TokenBuckets({ capacity: 1, refillPerSecond: 1, now: c.now });
    expect(buckets.tryTake('https://a.example')).toBe(true);
    expect(buckets.tryTake('https://a.example')).toBe(false);
    expect(buckets.tryTake('https://b.example')).toBe(true);
  });

  it('forgets only full buckets when over maxKeys: a drained key stays drained', () => {
    const c = clock();
    const buckets = new TokenBuckets({ capacity: 2, refillPerSecond: 1, maxKeys: 2, now: c.now });
    expect(takeMany(buckets, 'spammer', 3)).toEqual([true, true, false]);
    for (let i = 0; i < 10; i++) {
      expect(buckets.tryTake(`site-${i}`)).toBe(true);
      c.advance(100); // 1 s over the loop: the spammer refills one token, no more
    }
    expect(takeMany(buckets, 'spammer', 2)).toEqual([true, false]);
  });
});

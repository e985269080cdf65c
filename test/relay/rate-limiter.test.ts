import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/relay/rate-limiter.ts';

describe('RateLimiter', () => {
  it('allows a burst, then the sustained rate', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 5, clock: () => now });
    for (let i = 0; i < 5; i++) expect(limiter.tryTake('peer')).toBe(true);
    expect(limiter.tryTake('peer')).toBe(false);
    now += 99;
    expect(limiter.tryTake('peer')).toBe(false);
    now += 1; // 100 ms at 10/s: one token
    expect(limiter.tryTake('peer')).toBe(true);
    expect(limiter.tryTake('peer')).toBe(false);
    now += 60_000; // refills to the burst, not beyond
    for (let i = 0; i < 5; i++) expect(limiter.tryTake('peer')).toBe(true);
    expect(limiter.tryTake('peer')).toBe(false);
  });

  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, clock: () => 0 });
    expect(limiter.tryTake('flooder')).toBe(true);
    expect(limiter.tryTake('flooder')).toBe(false);
    expect(limiter.tryTake('other')).toBe(true);
  });

  it('charges a cost and takes nothing when refusing', () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 3, clock: () => 0 });
    expect(limiter.tryTake('p', 2)).toBe(true);
    expect(limiter.tryTake('p', 2)).toBe(false);
    expect(limiter.tryTake('p', 1)).toBe(true);
  });

  it('forgets the least recently seen key past maxKeys', () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 2, clock: () => 0 });
    limiter.tryTake('a');
    limiter.tryTake('b');
    limiter.tryTake('a'); // a is now the most recent
    limiter.tryTake('c'); // evicts b
    expect(limiter.size).toBe(2);
    expect(limiter.tryTake('a')).toBe(false);
    expect(limiter.tryTake('b')).toBe(true); // b came back with a full bucket
  });

  it('tolerates a clock going backwards', () => {
    let now = 1000;
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, clock: () => now });
    expect(limiter.tryTake('p')).toBe(true);
    now = 0;
    expect(limiter.tryTake('p')).toBe(false);
  });

  it('refuses invalid settings', () => {
    expect(() => new RateLimiter({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ ratePerSecond: 1, burst: 0 })).toThrow(RangeError);
    expect(() => new RateLimiter({ ratePerSecond: Number.NaN, burst: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 0 })).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../../src/keyring/key-value-store.ts';
import {
  UNLOCK_FAILURES_STORAGE_KEY,
  UnlockThrottle,
  unlockDelayMs,
} from '../../src/keyring/unlock-throttle.ts';
import { recordingSleep } from './helpers.ts';

describe('unlockDelayMs', () => {
  it('is 0, then 250 ms doubling per failure', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map(unlockDelayMs)).toEqual([
      0, 250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000,
    ]);
  });

  it('is capped at 30 s, even for huge counts', () => {
    expect(unlockDelayMs(9)).toBe(30_000);
    expect(unlockDelayMs(10_000)).toBe(30_000);
    expect(unlockDelayMs(Number.MAX_SAFE_INTEGER)).toBe(30_000);
  });

  it('is 0 for nonsense counts', () => {
    expect(unlockDelayMs(-3)).toBe(0);
    expect(unlockDelayMs(Number.NaN)).toBe(0);
  });
});

describe('UnlockThrottle', () => {
  function setup() {
    const store = new MemoryKeyValueStore();
    const { sleep, delays } = recordingSleep();
    const warnings: string[] = [];
    const throttle = new UnlockThrottle({ store, sleep, onWarning: (w) => warnings.push(w) });
    return { store, delays, warnings, throttle };
  }

  it('counts an attempt before it is checked and waits for earlier failures', async () => {
    const { store, delays, throttle } = setup();
    for (let i = 0; i < 4; i++) await throttle.beginAttempt();
    expect(delays).toEqual([0, 250, 500, 1000]);
    expect(await store.get(UNLOCK_FAILURES_STORAGE_KEY)).toBe(4);
    await throttle.succeeded();
    expect(await store.get(UNLOCK_FAILURES_STORAGE_KEY)).toBe(0);
    await throttle.beginAttempt();
    expect(delays.at(-1)).toBe(0);
  });

  it('survives a restart: a new throttle on the same store continues the count', async () => {
    const { store, throttle } = setup();
    await throttle.beginAttempt();
    await throttle.beginAttempt();
    const { sleep, delays } = recordingSleep();
    await new UnlockThrottle({ store, sleep }).beginAttempt();
    expect(delays).toEqual([500]);
  });

  it.each([
    ['a string', 'lots'],
    ['a negative number', -1],
    ['a fraction', 2.5],
    ['an object', { n: 3 }],
  ])('treats %s as 0, rewrites it and warns', async (_, garbage) => {
    const { store, throttle, warnings } = setup();
    await store.set(UNLOCK_FAILURES_STORAGE_KEY, garbage);
    expect(await throttle.failures()).toBe(0);
    expect(await store.get(UNLOCK_FAILURES_STORAGE_KEY)).toBe(0);
    expect(warnings).toHaveLength(1);
  });
});

/**
 * Exponential back-off between failed unlocks. The count of consecutive failures is
 * persisted (storage key `unlockFailures`), so restarting the worker does not reset
 * it. Before an attempt that follows f failures the caller waits
 * 0 ms (f = 0), then 250 ms · 2^(f-1), capped at 30 s: 0, 250, 500, 1000, 2000, …
 *
 * An attempt is counted as failed before the password is checked and uncounted
 * only on success, so killing the worker mid-attempt does not skip the delay.
 */
import type { KeyValueStore } from './key-value-store.ts';

/** Storage key of the failure count in the persistent store. */
export const UNLOCK_FAILURES_STORAGE_KEY = 'unlockFailures';
export const UNLOCK_BASE_DELAY_MS = 250;
export const UNLOCK_MAX_DELAY_MS = 30_000;
/** The stored count stops growing here; the delay is long capped by then. */
const MAX_COUNTED_FAILURES = 1_000;

/**
 * Delay before an unlock attempt that follows `failures` consecutive failures.
 * @example [0, 1, 2, 3, 4].map(unlockDelayMs) // [0, 250, 500, 1000, 2000]
 */
export function unlockDelayMs(failures: number): number {
  if (!(failures >= 1)) return 0;
  const exponent = Math.min(failures - 1, 30);
  return Math.min(UNLOCK_BASE_DELAY_MS * 2 ** exponent, UNLOCK_MAX_DELAY_MS);
}

export interface UnlockThrottleOptions {
  store: KeyValueStore;
  sleep: (ms: number) => Promise<void>;
  onWarning?: (message: string) => void;
}

/** Not concurrency-safe by itself: the keyring runs every attempt under its mutex. */
export class UnlockThrottle {
  readonly #store: KeyValueStore;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #onWarning: (message: string) => void;

  constructor(options: UnlockThrottleOptions) {
    this.#store = options.store;
    this.#sleep = options.sleep;
    this.#onWarning = options.onWarning ?? (() => {});
  }

  /** Consecutive failed attempts so far. A malformed stored value counts as 0 and is rewritten. */
  async failures(): Promise<number> {
    const stored = await this.#store.get(UNLOCK_FAILURES_STORAGE_KEY);
    if (stored === undefined) return 0;
    if (typeof stored === 'number' && Number.isSafeInteger(stored) && stored >= 0) return stored;
    this.#onWarning('The stored unlock failure count was malformed and has been reset');
    await this.#store.set(UNLOCK_FAILURES_STORAGE_KEY, 0);
    return 0;
  }

  /** Waits the delay owed for previous failures, then counts this attempt as failed until `succeeded()`. */
  async beginAttempt(): Promise<void> {
    const failures = await this.failures();
    await this.#sleep(unlockDelayMs(failures));
    await this.#store.set(UNLOCK_FAILURES_STORAGE_KEY, Math.min(failures + 1, MAX_COUNTED_FAILURES));
  }

  /** Resets the count after a correct password. */
  async succeeded(): Promise<void> {
    await this.#store.set(UNLOCK_FAILURES_STORAGE_KEY, 0);
  }
}

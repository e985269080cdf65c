/**
 * Peers the KeyRegistry fallback found nothing usable for, remembered a few minutes: looking an
 * unknown address up again and again must neither ask the RPC node each time (it learns whom the
 * user looks up) nor wait for a block no relay serves each time.
 */
import { type Address, getAddress } from 'viem';

/** A miss is remembered this long, ms. */
export const REGISTRY_MISS_MS = 5 * 60_000;
/** At most this many misses are remembered (the oldest go first). */
const MAX_MISSES = 1000;

export class RegistryMisses {
  readonly #until = new Map<Address, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Whether a lookup of `peer` found nothing a moment ago. */
  has(peer: Address): boolean {
    const key = getAddress(peer);
    const until = this.#until.get(key);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#until.delete(key);
    return false;
  }

  add(peer: Address): void {
    const key = getAddress(peer);
    this.#until.delete(key);
    this.#until.set(key, this.#now() + REGISTRY_MISS_MS);
    if (this.#until.size > MAX_MISSES) {
      const oldest = this.#until.keys().next().value;
      if (oldest !== undefined) this.#until.delete(oldest);
    }
  }
}

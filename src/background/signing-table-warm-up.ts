/**
 * Builds the signing curve's large generator table (`buildSigningTable`: ~250 ms of blocked
 * worker and ~5 MB, once per worker life) while someone uses the wallet: after the user unlocks,
 * or, in a worker that restored an unlocked session, once a wallet page is used (a worker woken
 * only by an alarm or a site does not pay for it). It waits until the pages have been quiet for
 * a moment, so no send, unlock or approval waits behind it; each UI request postpones it, never
 * past `maxDelayMs`. Locking before it ran cancels it; the table holds only multiples of G, so
 * locking never has to drop it.
 */
import type { WalletState } from './ui-api-contract';

export interface SigningTableWarmUpOptions {
  /** Builds the table (synchronously: it blocks the worker while it runs). */
  build: () => void;
  /** True when the table already exists (built earlier in this worker). */
  isBuilt: () => boolean;
  /** How long the pages must be quiet. */
  quietMs?: number;
  /** The longest wait after unlock, however busy the pages are. */
  maxDelayMs?: number;
  now?: () => number;
  log: (message: string) => void;
}

export const SIGNING_TABLE_QUIET_MS = 2_000;
export const SIGNING_TABLE_MAX_DELAY_MS = 30_000;

export class SigningTableWarmUp {
  readonly #o: Required<SigningTableWarmUpOptions>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the build must run at the latest; set while one is scheduled. */
  #latest: number | undefined;
  #unlocked = false;

  constructor(options: SigningTableWarmUpOptions) {
    this.#o = {
      quietMs: SIGNING_TABLE_QUIET_MS,
      maxDelayMs: SIGNING_TABLE_MAX_DELAY_MS,
      now: Date.now,
      ...options,
    };
  }

  /** `restored`: the state of a session that survived a worker restart, not a user's action. */
  walletStateChanged(state: WalletState, source: 'user' | 'restored' = 'user'): void {
    this.#unlocked = state.status === 'unlocked';
    if (!this.#unlocked) this.#cancel();
    else if (source === 'user') this.#schedule();
  }

  /** A wallet page made a request: schedule the build, or wait for quiet again (within the limit). */
  activity(): void {
    if (!this.#unlocked) return;
    if (this.#latest === undefined) this.#schedule();
    else this.#arm(Math.min(this.#o.quietMs, Math.max(0, this.#latest - this.#o.now())));
  }

  #schedule(): void {
    if (this.#latest !== undefined || this.#o.isBuilt()) return;
    this.#latest = this.#o.now() + this.#o.maxDelayMs;
    this.#arm(this.#o.quietMs);
  }

  #arm(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#run(), delayMs);
  }

  #run(): void {
    this.#cancel();
    if (this.#o.isBuilt()) return;
    try {
      this.#o.build();
    } catch (error) {
      // Signing still works with noble's default table; only slower.
      this.#o.log(
        `Could not build the signing table: ${error instanceof Error ? error.name : 'unknown error'}`,
      );
    }
  }

  #cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#latest = undefined;
  }
}

/**
 * The messenger's outbox loop: publishes what is due (just-queued items straight from
 * memory, then the stored outbox), one run at a time, and asks for a wake-up alarm for
 * whatever is left waiting for its retry time.
 */
import type { Address } from 'viem';
import type { MessageDb, OutboxItem } from './message-db';
import { EnvelopeRejectedError, type MessagingTransport } from './messaging-transport';
import { retryDelayMs } from './retry-backoff';

/** How long to wait for a relay before counting an attempt as failed. */
const PUBLISH_TIMEOUT_MS = 10_000;
const OUTBOX_BATCH = 50;

/** What publishing an outbox item needs (a stored `OutboxItem` has more). */
export type PendingItem = Pick<
  OutboxItem,
  'id' | 'account' | 'kind' | 'topic' | 'envelope' | 'messageId' | 'attempts'
>;

export interface OutboxPublisherOptions {
  db: Pick<MessageDb, 'dueOutbox' | 'completeOutbox' | 'failOutbox' | 'rescheduleOutbox' | 'nextOutboxTime'>;
  transport: Pick<MessagingTransport, 'publish'>;
  /** Whether the messenger still runs (checked between items). */
  running(): boolean;
  /** The messenger's current stop signal. */
  signal(): AbortSignal;
  /** Bookkeeping after a relay acknowledged an item. */
  published(item: PendingItem): Promise<void>;
  onChange(account: Address, topics: string[]): void;
  scheduleRetry(atMs: number | null): void;
  log(message: string): void;
  now(): number;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

export class OutboxPublisher {
  readonly #options: OutboxPublisherOptions;
  #flushing: Promise<void> | null = null;
  #flushAgain = false;
  #ignoreBackoff = false;
  readonly #tried = new Set<string>();
  /** Items just written to the outbox, published without reading them back. */
  readonly #hot: PendingItem[] = [];

  constructor(options: OutboxPublisherOptions) {
    this.#options = options;
  }

  /** Publishes `item` (already persisted in the outbox) from memory on the next run. */
  addHot(item: PendingItem): void {
    this.#hot.push(item);
  }

  /** Forgets the in-memory items (on stop); they stay in the stored outbox. */
  clearHot(): void {
    this.#hot.length = 0;
  }

  /** The current run, if any. */
  get flushing(): Promise<void> | null {
    return this.#flushing;
  }

  /**
   * Publishes what is due in the outbox; one run at a time, re-run if asked meanwhile.
   * `ignoreBackoff` (on start and on a relay reconnect) retries everything at once.
   */
  flush(options: { ignoreBackoff?: boolean } = {}): Promise<void> {
    if (options.ignoreBackoff) this.#ignoreBackoff = true;
    if (this.#flushing) {
      this.#flushAgain = true;
      return this.#flushing;
    }
    this.#flushing = (async () => {
      try {
        do {
          this.#flushAgain = false;
          const ignoreBackoff = this.#ignoreBackoff;
          this.#ignoreBackoff = false;
          await this.#flushOnce(ignoreBackoff);
        } while (this.#flushAgain && this.#options.running());
      } finally {
        this.#tried.clear();
      }
    })().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  flushInBackground(options: { ignoreBackoff?: boolean } = {}): void {
    this.flush(options).catch((error: unknown) =>
      this.#options.log(`Outbox flush failed: ${errorName(error)}`),
    );
  }

  async #flushOnce(ignoreBackoff: boolean): Promise<void> {
    const { db, transport } = this.#options;
    // Items tried in this run are not tried again in it, whatever their new retry time.
    const startedAt = this.#options.now();
    while (this.#options.running()) {
      // Just-queued items first, straight from memory; then the stored outbox.
      const hot = this.#hot.splice(0);
      const due = (
        hot.length > 0
          ? hot
          : await db.dueOutbox(ignoreBackoff ? Number.MAX_SAFE_INTEGER : startedAt, OUTBOX_BATCH)
      ).filter((item) => !this.#tried.has(item.id));
      if (due.length === 0) break;
      let failed = false;
      for (const item of due) {
        if (!this.#options.running()) return;
        this.#tried.add(item.id);
        try {
          const signal = AbortSignal.any([this.#options.signal(), AbortSignal.timeout(PUBLISH_TIMEOUT_MS)]);
          await transport.publish(item.envelope, signal);
          await db.completeOutbox(item.id);
          await this.#options.published(item);
        } catch (error) {
          if (!this.#options.running()) return;
          if (error instanceof EnvelopeRejectedError && item.kind === 'message') {
            // Our own message is invalid for good (e.g. too large): say so instead of retrying forever.
            await db.failOutbox(item.id, error.message.slice(0, 200));
            this.#options.onChange(item.account, [item.topic]);
            this.#options.log('A relay refused an outgoing message');
          } else {
            // Invitations, bundles and receipts must arrive eventually: keep trying, more slowly.
            await db.rescheduleOutbox(
              item.id,
              this.#options.now() + retryDelayMs(item.attempts),
              errorName(error),
            );
            failed = true;
          }
        }
      }
      // Everything left is waiting for its retry time (relay down): the alarm takes over.
      if (failed) break;
    }
    if (this.#options.running()) this.#options.scheduleRetry(await db.nextOutboxTime());
  }
}

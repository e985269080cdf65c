/**
 * The messenger's catch-up from relay stores: every known topic from every readable relay
 * since that relay's own cursor, saved only once the page is persisted, so a worker killed
 * mid-way re-reads at most one page (and dedupe makes that harmless).
 */
import type { Address } from 'viem';
import {
  contactTopic,
  type Envelope,
  encodeSignedPublicKeyBundle,
  equalBytes,
  type PrivateKeyBundle,
  ProtocolError,
  publicBundleOf,
  verifyContactBundleFor,
} from '../../protocol/index';
import { Coalesced } from './coalesced';
import type { MessageDb } from './message-db';
import { CursorRejectedError, type MessagingTransport, RelayBusyError } from './messaging-transport';
import { MessengerStoppedError } from './messenger-errors';

/** Tries per topic when a relay says it is busy (rate limit). */
const BUSY_RETRIES = 5;

export interface CatchUpAccount {
  address: Address;
  me: PrivateKeyBundle;
}

export interface CatchUpOptions {
  db: Pick<MessageDb, 'getCursor' | 'setCursor'>;
  transport: Pick<MessagingTransport, 'readableRelays' | 'fetchSince' | 'latest'>;
  /** Whether the messenger still runs (checked between topics and pages). */
  running(): boolean;
  /** The messenger's current stop signal. */
  signal(): AbortSignal;
  /** Every topic to read, invite topics first. */
  topics(): string[];
  accounts(): Iterable<CatchUpAccount>;
  /** Stores an envelope read from a relay. @throws on storage errors and bad input */
  receive(envelope: Envelope): Promise<void>;
  /** Queues the account's contact bundle again and starts publishing it. */
  republishContactBundle(account: CatchUpAccount): Promise<void>;
  /** Waits between retries of a busy relay. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  log(message: string): void;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

/** Bad input from the network (malformed, forged, undecryptable): dropped, never retried. */
function isBadInput(error: unknown): boolean {
  return error instanceof ProtocolError;
}

export function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new MessengerStoppedError());
      },
      { once: true },
    );
  });
}

export class CatchUp {
  readonly #options: CatchUpOptions;
  /** Relays whose directory was checked for our contact bundles in this session. */
  readonly #directoryChecked = new Set<string>();
  /** One run at a time; a run requested after a stop returns at once (`#catchUpOnce`). */
  readonly #runs = new Coalesced(() => this.#catchUpOnce());

  constructor(options: CatchUpOptions) {
    this.#options = options;
  }

  /** The current run, or a settled promise. */
  settled(): Promise<void> {
    return this.#runs.settled();
  }

  /** Forgets which relay directories were checked (a new session checks them again). */
  reset(): void {
    this.#directoryChecked.clear();
  }

  /**
   * Fetches every known topic from every readable relay since that relay's cursor, invite
   * topics first. One run at a time; a request during a run schedules one more run.
   */
  run(): Promise<void> {
    return this.#runs.request();
  }

  async #catchUpOnce(): Promise<void> {
    if (!this.#options.running()) return;
    const signal = this.#options.signal();
    for (const relay of this.#options.transport.readableRelays()) {
      await this.#checkDirectory(relay, signal);
      const topics = this.#options.topics();
      for (const topic of topics) {
        if (!this.#options.running()) return;
        try {
          await this.topic(relay, topic, signal);
        } catch (error) {
          if (!this.#options.running()) return;
          // One topic failing (relay hiccup) must not starve the others: they go on; it is retried next run.
          this.#options.log(`Catch-up of a topic failed: ${errorName(error)}`);
        }
      }
    }
  }

  /** Once per relay and session: is our contact bundle in its directory? Re-publish it if not. */
  async #checkDirectory(relay: string, signal: AbortSignal): Promise<void> {
    if (this.#directoryChecked.has(relay)) return;
    this.#directoryChecked.add(relay);
    for (const state of this.#options.accounts()) {
      try {
        const latest = await this.#options.transport.latest(contactTopic(state.address), signal);
        const mine = encodeSignedPublicKeyBundle(publicBundleOf(state.me));
        const listed = latest
          ? encodeSignedPublicKeyBundle(verifyContactBundleFor(state.address, latest.message))
          : null;
        if (!listed || !equalBytes(listed, mine)) await this.#options.republishContactBundle(state);
      } catch (error) {
        this.#directoryChecked.delete(relay);
        if (!this.#options.running()) return;
        this.#options.log(`Could not check the relay directory: ${errorName(error)}`);
      }
    }
  }

  /** Reads one topic from one relay since its cursor, moving the cursor page by page. */
  async topic(relay: string, topic: string, signal: AbortSignal): Promise<void> {
    const { db, transport } = this.#options;
    const key = `${relay} ${topic}`;
    let cursor = await db.getCursor(key);
    for (let attempt = 0; ; attempt++) {
      try {
        for await (const page of transport.fetchSince(relay, topic, cursor, signal)) {
          for (const envelope of page.envelopes) {
            try {
              await this.#options.receive(envelope);
            } catch (error) {
              // Forged or malformed input is dropped; anything else (storage, stopping) must not
              // move the cursor past what was never stored.
              if (!isBadInput(error)) throw error;
              this.#options.log(`Dropped a stored envelope: ${errorName(error)}`);
            }
          }
          if (!this.#options.running() || signal.aborted) throw new MessengerStoppedError();
          // Only after the page is persisted: a crash re-reads it, and dedupe makes that harmless.
          if (page.cursor) {
            await db.setCursor(key, page.cursor);
            cursor = page.cursor;
          }
        }
        return;
      } catch (error) {
        if (error instanceof CursorRejectedError && cursor !== null && attempt === 0) {
          // The relay's store was reset: everything it has is new to us (dedupe drops repeats).
          this.#options.log('A relay refused a stored cursor; reading that topic from the start');
          cursor = null;
          continue;
        }
        if (error instanceof RelayBusyError && attempt < BUSY_RETRIES) {
          await this.#options.sleep(500 * 2 ** attempt, signal);
          continue;
        }
        throw error;
      }
    }
  }
}

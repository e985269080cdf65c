/**
 * A relay in memory for fast messenger tests: stores envelopes in arrival order (the
 * cursor is that order), delivers live to connected transports subscribed to the topic,
 * and can be taken offline to exercise retries. The real relay is tested in test/relay.
 */

import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import type { RelayStatus } from '../../src/background/messaging/message-views';
import type { MessagingNetwork } from '../../src/background/messaging/messaging-service';
import {
  CursorRejectedError,
  EnvelopeRejectedError,
  RelayBusyError,
} from '../../src/background/messaging/messaging-transport';
import { RelayUnavailableError } from '../../src/background/messaging/messenger-errors';
import { decodeEnvelope, type Envelope, MAX_ENCODED_ENVELOPE_BYTES } from '../../src/protocol/index';

function cursorOf(storeId: number, seq: number): Uint8Array {
  return new TextEncoder().encode(`${storeId}:${seq}`);
}
function seqOf(storeId: number, cursor: Uint8Array | null): number {
  if (!cursor) return 0;
  const [store, seq] = new TextDecoder().decode(cursor).split(':');
  if (Number(store) !== storeId) throw new CursorRejectedError('cursor of another relay');
  return Number(seq);
}

export class InMemoryRelay {
  readonly stored: { seq: number; bytes: Uint8Array; envelope: Envelope }[] = [];
  readonly #digests = new Set<string>();
  readonly #clients = new Set<InMemoryTransport>();
  online = true;
  publishes = 0;
  /** The next this-many queries answer "busy" (rate-limited). */
  busyQueries = 0;
  /** Bumped by `resetStore()`: cursors of an older store are refused, as a real relay does. */
  storeId = 1;

  connect(): InMemoryTransport {
    const transport = new InMemoryTransport(this);
    this.#clients.add(transport);
    return transport;
  }

  disconnect(transport: InMemoryTransport): void {
    this.#clients.delete(transport);
  }

  accept(bytes: Uint8Array): 'stored' | 'duplicate' {
    if (!this.online) throw new RelayUnavailableError();
    this.publishes += 1;
    if (bytes.length > MAX_ENCODED_ENVELOPE_BYTES) throw new EnvelopeRejectedError('too large');
    const envelope = decodeEnvelope(bytes);
    const key = Array.from(bytes).join();
    if (this.#digests.has(key)) return 'duplicate';
    this.#digests.add(key);
    this.stored.push({ seq: this.stored.length + 1, bytes, envelope });
    for (const client of this.#clients) client.deliver(envelope);
    return 'stored';
  }

  /** The relay lost its database but kept its identity. */
  resetStore(): void {
    this.stored.length = 0;
    this.#digests.clear();
    this.storeId += 1;
  }

  page(topic: string, after: number, limit: number) {
    const rows = this.stored
      .filter((row) => row.envelope.contentTopic === topic && row.seq > after)
      .slice(0, limit);
    return rows;
  }
}

export class InMemoryTransport implements MessagingNetwork {
  readableRelays(): string[] {
    return this.#relay.online ? ['memory'] : [];
  }
  readonly #relay: InMemoryRelay;
  #topics = new Set<string>();
  #handler: ((envelope: Envelope) => void) | null = null;
  /** Live delivery on/off (a sleeping worker misses gossip). */
  live = true;
  stopped = false;

  constructor(relay: InMemoryRelay) {
    this.#relay = relay;
  }

  deliver(envelope: Envelope): void {
    if (this.live && !this.stopped && this.#topics.has(envelope.contentTopic)) {
      queueMicrotask(() => this.#handler?.(envelope));
    }
  }

  async publish(envelope: Uint8Array, signal: AbortSignal) {
    signal.throwIfAborted();
    return this.#relay.accept(envelope);
  }

  async *fetchSince(_relay: string, topic: string, cursor: Uint8Array | null, signal: AbortSignal) {
    let after = seqOf(this.#relay.storeId, cursor);
    for (;;) {
      signal.throwIfAborted();
      if (!this.#relay.online) throw new RelayUnavailableError();
      if (this.#relay.busyQueries > 0) {
        this.#relay.busyQueries -= 1;
        throw new RelayBusyError('busy');
      }
      const rows = this.#relay.page(topic, after, 2);
      if (rows.length === 0) return;
      after = rows.at(-1)?.seq ?? after;
      yield { envelopes: rows.map((row) => row.envelope), cursor: cursorOf(this.#relay.storeId, after) };
    }
  }

  /** No IPFS behind this relay. */
  async fetchBlock(): Promise<Uint8Array> {
    throw new RelayUnavailableError('no blocks here');
  }

  async putBlock(bytes: Uint8Array): Promise<CID> {
    return CID.createV1(raw.code, await sha256.digest(bytes));
  }

  /** Nothing is pinned here. */
  async pinAtRelays(): Promise<number> {
    return 0;
  }

  /** This relay does not anchor: every message is unknown to it. */
  async anchorProofs(messageIds: readonly `0x${string}`[]) {
    if (!this.#relay.online) throw new RelayUnavailableError();
    return messageIds.map((messageId) => ({ messageId, state: 'unknown' as const }));
  }

  async latest(topic: string) {
    if (!this.#relay.online) throw new RelayUnavailableError();
    const rows = this.#relay.stored.filter((row) => row.envelope.contentTopic === topic);
    return rows.at(-1)?.envelope ?? null;
  }

  setLiveTopics(topics: readonly string[]): void {
    this.#topics = new Set(topics);
  }

  onEnvelope(handler: (envelope: Envelope) => void): void {
    this.#handler = handler;
  }

  status(): RelayStatus {
    return {
      node: this.stopped ? 'stopped' : 'running',
      relays: [{ address: 'memory', state: 'connected' }],
    };
  }
  onStatus(): void {}
  onReconnect(): void {}
  async stop(): Promise<void> {
    this.stopped = true;
    this.#relay.disconnect(this);
  }
}

/**
 * The messenger's transport over a Cairn libp2p node: keeps connections to the
 * configured relays (redialling with backoff), maps live content topics onto gossip
 * shards, publishes through a relay's store protocol (acknowledged), and reads relay
 * stores for catch-up. Runs the same in the extension worker and in Node tests.
 */
import type { PeerId } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { concatBytes } from '@noble/hashes/utils.js';
import type { Blockstore } from 'interface-blockstore';
import type { Datastore } from 'interface-datastore';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { type CairnNode, createCairnNode } from '../../p2p/cairn-node';
import { loadOrCreatePeerKey } from '../../p2p/peer-key-store';
import { shardTopicsFor } from '../../p2p/shards';
import {
  type QueryPage,
  StoreClient,
  StoreRateLimitedError,
  StoreRejectedError,
} from '../../p2p/store-client';
import type { MessageProofEntry } from '../../p2p/store-proofs';
import { decodeEnvelope, type Envelope, MAX_ENCODED_ENVELOPE_BYTES } from '../../protocol/index';
import type { RelayConnectionState, RelayStatus } from './message-views';
import type { MessagingNetwork } from './messaging-service';
import {
  CursorRejectedError,
  EnvelopeRejectedError,
  type PublishOutcome,
  RelayBusyError,
  type StoredPage,
} from './messaging-transport';
import { RelayUnavailableError } from './messenger-errors';

export interface RelayConfig {
  /** A multiaddr, e.g. `/dns4/relay.example/tcp/443/wss` or `/ip4/127.0.0.1/tcp/9090/ws`. */
  address: string;
}

export interface P2pNetworkOptions {
  relays: readonly RelayConfig[];
  /**
   * The node's datastore (libp2p's peer store, Helia's pin records). In memory is fine and
   * fastest: a client learns its relays' records again on each start, and pins nothing.
   */
  datastore: Datastore;
  /** Where the node's peer key lives, so its peer id survives restarts. */
  keyStore: Datastore;
  blockstore: Blockstore;
  log(message: string): void;
  signal: AbortSignal;
  /** After the node stopped: close the stores. */
  onStop?: () => Promise<void>;
}

const PAGE_SIZE = 100;
/** A catch-up reads at most this many pages per topic per run (100 × 100 envelopes). */
const MAX_PAGES = 100;
const MAX_REDIAL_MS = 30_000;

interface RelayState {
  config: RelayConfig;
  state: RelayConnectionState;
  peer: PeerId | null;
  attempts: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

/** Addresses a browser may dial only because the user configured them (local development). */
function isDevelopmentAddress(address: string): boolean {
  return !/\/(wss|tls\/ws)(\/|$)/.test(address);
}

export async function startP2pNetwork(options: P2pNetworkOptions): Promise<MessagingNetwork> {
  const node = await createCairnNode({
    role: 'client',
    datastore: options.datastore,
    blockstore: options.blockstore,
    privateKey: await loadOrCreatePeerKey(options.keyStore),
    developmentRelays: options.relays.map((relay) => relay.address).filter(isDevelopmentAddress),
  });
  return new P2pNetwork(node, options);
}

class P2pNetwork implements MessagingNetwork {
  readonly #node: CairnNode;
  readonly #store: StoreClient;
  readonly #options: P2pNetworkOptions;
  readonly #relays: RelayState[];
  readonly #statusListeners = new Set<(status: RelayStatus) => void>();
  readonly #reconnectListeners = new Set<() => void>();
  readonly #envelopeHandlers = new Set<(envelope: Envelope) => void>();
  #liveTopics = new Set<string>();
  #shards = new Set<string>();
  #stopped = false;

  constructor(node: CairnNode, options: P2pNetworkOptions) {
    this.#node = node;
    this.#store = new StoreClient(node.libp2p);
    this.#options = options;
    this.#relays = options.relays.map((config) => ({
      config,
      state: 'connecting',
      peer: null,
      attempts: 0,
      timer: undefined,
    }));
    const pubsub = node.libp2p.services.pubsub;
    pubsub.addEventListener('message', (event) => this.#gossip(event.detail.topic, event.detail.data));
    node.libp2p.addEventListener('peer:disconnect', (event) => {
      for (const relay of this.#relays) {
        if (relay.peer?.equals(event.detail)) this.#lost(relay);
      }
    });
    options.signal.addEventListener('abort', () => void this.stop(), { once: true });
    for (const relay of this.#relays) void this.#dial(relay);
  }

  status(): RelayStatus {
    return {
      node: this.#stopped ? 'stopped' : 'running',
      relays: this.#relays.map((relay) => ({ address: relay.config.address, state: relay.state })),
    };
  }

  onStatus(listener: (status: RelayStatus) => void): void {
    this.#statusListeners.add(listener);
  }

  onReconnect(listener: () => void): void {
    this.#reconnectListeners.add(listener);
  }

  onEnvelope(handler: (envelope: Envelope) => void): void {
    this.#envelopeHandlers.clear();
    this.#envelopeHandlers.add(handler);
  }

  #emitStatus(): void {
    const status = this.status();
    for (const listener of this.#statusListeners) listener(status);
  }

  async #dial(relay: RelayState): Promise<void> {
    if (this.#stopped) return;
    relay.state = 'connecting';
    this.#emitStatus();
    try {
      const connection = await this.#node.libp2p.dial(multiaddr(relay.config.address), {
        signal: AbortSignal.any([this.#options.signal, AbortSignal.timeout(10_000)]),
      });
      relay.peer = connection.remotePeer;
      relay.state = 'connected';
      relay.attempts = 0;
      this.#options.log(`Connected to relay ${relay.config.address}`);
      this.#emitStatus();
      for (const listener of this.#reconnectListeners) listener();
    } catch (error) {
      if (this.#stopped) return;
      this.#options.log(`Relay ${relay.config.address} unreachable: ${errorName(error)}`);
      this.#lost(relay);
    }
  }

  #lost(relay: RelayState): void {
    if (this.#stopped || relay.timer) return;
    relay.state = 'disconnected';
    this.#emitStatus();
    const delay = Math.min(MAX_REDIAL_MS, 500 * 2 ** relay.attempts);
    relay.attempts += 1;
    relay.timer = setTimeout(() => {
      relay.timer = undefined;
      void this.#dial(relay);
    }, delay);
  }

  #connected(): RelayState[] {
    return this.#relays.filter((relay) => relay.state === 'connected' && relay.peer);
  }

  setLiveTopics(topics: readonly string[]): void {
    this.#liveTopics = new Set(topics);
    const shards = new Set(shardTopicsFor(topics));
    const pubsub = this.#node.libp2p.services.pubsub;
    for (const shard of shards) if (!this.#shards.has(shard)) pubsub.subscribe(shard);
    for (const shard of this.#shards) if (!shards.has(shard)) pubsub.unsubscribe(shard);
    this.#shards = shards;
  }

  #gossip(shard: string, data: Uint8Array): void {
    if (!this.#shards.has(shard) || data.length > MAX_ENCODED_ENVELOPE_BYTES) return;
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(data);
    } catch {
      return; // Not an envelope: relays should have dropped it; we do too.
    }
    if (!this.#liveTopics.has(envelope.contentTopic)) return;
    for (const handler of this.#envelopeHandlers) handler(envelope);
  }

  /**
   * Publishes to every connected relay at once and resolves with the first acknowledgement:
   * relays do not copy each other's stores, so each reader's relay should have it.
   */
  async publish(envelope: Uint8Array, signal: AbortSignal): Promise<PublishOutcome> {
    const relays = this.#connected();
    if (relays.length === 0) throw new RelayUnavailableError();
    const attempts = relays.map(async (relay) => {
      if (!relay.peer) throw new RelayUnavailableError();
      const ack = await this.#store.publish(relay.peer, envelope, { signal });
      if (ack.status === 'rejected') throw new EnvelopeRejectedError(ack.reason || 'rejected by the relay');
      return ack.status;
    });
    try {
      return await Promise.any(attempts);
    } catch (error) {
      const errors = error instanceof AggregateError ? error.errors : [error];
      // A refusal is about the envelope, whichever relay said it; otherwise report the first failure.
      throw (
        errors.find((item) => item instanceof EnvelopeRejectedError) ??
        errors[0] ??
        new RelayUnavailableError()
      );
    }
  }

  readableRelays(): string[] {
    return this.#connected().flatMap((relay) => (relay.peer ? [relay.peer.toString()] : []));
  }

  async *fetchSince(relayName: string, topic: string, cursor: Uint8Array | null, signal: AbortSignal) {
    const relay = this.#connected().find((candidate) => candidate.peer?.toString() === relayName);
    if (!relay?.peer) throw new RelayUnavailableError(`Relay ${relayName} is not connected`);
    let next = cursor;
    for (let page = 0; page < MAX_PAGES; page++) {
      let result: QueryPage;
      try {
        result = await this.#store.query(
          relay.peer,
          {
            contentTopics: [topic],
            ...(next ? { cursor: next } : {}),
            limit: PAGE_SIZE,
            direction: 'ascending',
          },
          { signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]) },
        );
      } catch (error) {
        if (error instanceof StoreRateLimitedError) throw new RelayBusyError('the relay is rate-limiting us');
        if (error instanceof StoreRejectedError && next) throw new CursorRejectedError(error.message);
        throw error;
      }
      const envelopes: Envelope[] = [];
      for (const bytes of result.envelopes) {
        try {
          envelopes.push(decodeEnvelope(bytes));
        } catch {
          // A relay returning garbage: skip it, keep the rest.
        }
      }
      // The position after this page, even on the last one: the next catch-up starts there.
      if (result.resumeCursor) next = result.resumeCursor;
      yield { envelopes, cursor: next } satisfies StoredPage;
      if (!result.cursor || result.envelopes.length === 0) return;
      next = result.cursor;
    }
  }

  async anchorProofs(
    messageIds: readonly `0x${string}`[],
    signal: AbortSignal,
  ): Promise<MessageProofEntry[]> {
    const rank = { unknown: 0, pending: 1, anchored: 2 } as const;
    const best = new Map<string, MessageProofEntry>();
    // All relays at once; a relay that does not anchor (or failed) says nothing, others may.
    const answers = await Promise.all(
      this.#connected().map(async (relay) =>
        relay.peer
          ? this.#store.proofs(relay.peer, messageIds, { signal }).catch((error: unknown) => {
              if (signal.aborted) throw error;
              return null;
            })
          : null,
      ),
    );
    let answered = false;
    for (const entries of answers) {
      if (!entries) continue;
      answered = true;
      for (const entry of entries) {
        const current = best.get(entry.messageId);
        if (!current || rank[entry.state] > rank[current.state]) best.set(entry.messageId, entry);
      }
    }
    if (!answered) throw new RelayUnavailableError('No relay answered about anchoring');
    return [...best.values()];
  }

  async fetchBlock(cid: CID, signal: AbortSignal): Promise<Uint8Array> {
    if (this.#connected().length === 0) throw new RelayUnavailableError();
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.#node.blockstore.get(cid, { signal })) chunks.push(chunk);
    return chunks.length === 1 ? chunks[0]! : concatBytes(...chunks);
  }

  async putBlock(bytes: Uint8Array, signal: AbortSignal): Promise<CID> {
    const cid = CID.createV1(raw.code, await sha256.digest(bytes));
    await this.#node.blockstore.put(cid, bytes, { signal });
    return cid;
  }

  async pinAtRelays(cids: readonly CID[], signal: AbortSignal): Promise<number> {
    const pinned = await Promise.all(
      this.#connected().map(async (relay) => {
        if (!relay.peer) return false;
        try {
          for (const cid of cids) {
            const ack = await this.#store.pin(relay.peer, cid.toString(), { signal });
            if (ack.status === 'rejected') return false;
          }
          return true;
        } catch {
          return false; // this relay refused or failed: others may pin
        }
      }),
    );
    return pinned.filter(Boolean).length;
  }

  async latest(topic: string, signal: AbortSignal): Promise<Envelope | null> {
    const relays = this.#connected();
    if (relays.length === 0) throw new RelayUnavailableError();
    for (const relay of relays) {
      if (!relay.peer) continue;
      const result = await this.#store.query(
        relay.peer,
        { contentTopics: [topic], limit: 1, direction: 'descending' },
        { signal },
      );
      const bytes = result.envelopes[0];
      if (bytes) return decodeEnvelope(bytes);
    }
    return null;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const relay of this.#relays) clearTimeout(relay.timer);
    this.#store.close();
    await this.#node.stop();
    await this.#options.onStop?.();
    this.#emitStatus();
  }
}

/**
 * The Cairn relay: a Helia node (role 'relay') that forwards gossip on every shard, keeps
 * the envelopes it sees in SQLite, and serves the store protocol (src/p2p/store-protocol.ts):
 * publish with an acknowledgement, paged queries by relay cursor, blob pins.
 *
 * Every envelope, from gossip or the publish protocol, goes through `EnvelopeValidator`
 * before it is stored or forwarded; gossip validation runs as a gossipsub topic validator, so
 * a rejected message is neither stored nor forwarded. Each protocol has a per-peer token
 * bucket. Logs carry peer ids, kinds, counts and reasons, never payloads or keys.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { TopicValidatorResult } from '@libp2p/gossipsub';
import type { Connection, PeerId } from '@libp2p/interface';
import { ping } from '@libp2p/ping';
import { FsBlockstore } from 'blockstore-fs';
import { FsDatastore } from 'datastore-fs';
import { type CairnNode, createCairnNode } from '../p2p/cairn-node';
import { allShardTopics, shardTopicFor } from '../p2p/shards';
import { type RelayAnchoring, type RelayAnchoringInit, startAnchoring } from './anchoring-setup.ts';
import { EnvelopeStore } from './envelope-store.ts';
import type { AcceptedEnvelope } from './envelope-validator.ts';
import { EnvelopeValidator } from './envelope-validator.ts';
import type { Logger } from './logger.ts';
import { loadOrCreatePeerKey } from './peer-key.ts';
import { DEFAULT_RATE_LIMITS, RateLimiter, type RelayRateLimits } from './rate-limiter.ts';
import { errorName, StoreServer, storeAccepted } from './store-server.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RelayServiceInit {
  /** Listen multiaddrs, e.g. `/ip4/127.0.0.1/tcp/9090/ws`. */
  listen: readonly string[];
  /** Multiaddrs to advertise instead (behind a proxy). */
  announce?: readonly string[];
  /** Holds envelopes.sqlite, datastore/, blockstore/ (created if missing). */
  dataDir: string;
  /** @default `<dataDir>/peer.key` */
  peerKeyPath?: string;
  /** @default 30 */
  retentionDays?: number;
  /** Conversation / invite envelopes kept per topic. @default 10_000 */
  maxPerTopic?: number;
  rateLimits?: Partial<RelayRateLimits>;
  /** Largest pinned blob (whole DAG). @default 16 MiB */
  maxBlobBytes?: number;
  /** Most blocks in a pinned DAG. @default 4096 */
  maxBlobBlocks?: number;
  /** Time allowed to fetch and pin a blob, ms. @default 60_000 */
  pinTimeoutMs?: number;
  /** Time allowed to read a request and write its response, ms. @default 10_000 */
  requestTimeoutMs?: number;
  /** A kept-open publish stream with no request for this long is closed, ms. @default 60_000 */
  publishIdleMs?: number;
  /** How often expired envelopes are pruned and unpinned blocks collected, ms. @default 600_000 */
  maintenanceIntervalMs?: number;
  /** Anchor message batches on chain (src/relay/anchor-aggregator.ts); off when absent. */
  anchoring?: RelayAnchoringInit;
  /** How far ahead an envelope timestamp may be, ms. @default 600_000 */
  maxFutureMs?: number;
}

export interface RelayServiceComponents {
  logger: Logger;
  /** Milliseconds clock. @default Date.now */
  clock?: () => number;
}

/**
 * @example
 * const relay = new RelayService({ logger }, { listen: ['/ip4/0.0.0.0/tcp/9090/ws'], dataDir: '.cairn-relay' })
 * await relay.start()
 * console.log(relay.multiaddrs())
 * await relay.stop()
 */
export class RelayService {
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly init: RelayServiceInit;
  private readonly validator: EnvelopeValidator;
  private readonly limits: Record<keyof RelayRateLimits, RateLimiter>;
  private node: CairnNode | undefined;
  private store: EnvelopeStore | undefined;
  private server: StoreServer | undefined;
  private anchoringParts: RelayAnchoring | undefined;
  private maintenanceTimer: ReturnType<typeof setInterval> | undefined;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(components: RelayServiceComponents, init: RelayServiceInit) {
    if (init.listen.length === 0) throw new RangeError('"listen" expected at least one multiaddr');
    this.log = components.logger;
    this.clock = components.clock ?? Date.now;
    this.init = init;
    this.validator = new EnvelopeValidator({ clock: this.clock, maxFutureMs: init.maxFutureMs ?? 600_000 });
    const rates = { ...DEFAULT_RATE_LIMITS, ...init.rateLimits };
    this.limits = {
      publish: new RateLimiter({ ...rates.publish, clock: this.clock }),
      query: new RateLimiter({ ...rates.query, clock: this.clock }),
      pin: new RateLimiter({ ...rates.pin, clock: this.clock }),
    };
  }

  /** Opens the stores, starts the node, subscribes to every shard and registers the protocols. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('the relay was already started');
    this.state = 'starting';
    const dir = this.init.dataDir;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const peerKey = await loadOrCreatePeerKey(this.init.peerKeyPath ?? join(dir, 'peer.key'));
    if (peerKey.looseMode) this.log.warn('the peer key file is readable by other users');
    this.store = EnvelopeStore.open({
      path: join(dir, 'envelopes.sqlite'),
      retentionMs: (this.init.retentionDays ?? 30) * DAY_MS,
      maxPerTopic: this.init.maxPerTopic ?? 10_000,
      clock: this.clock,
    });
    try {
      const datastore = new FsDatastore(join(dir, 'datastore'));
      const blockstore = new FsBlockstore(join(dir, 'blockstore'));
      await datastore.open();
      await blockstore.open();
      this.node = await createCairnNode({
        role: 'relay',
        listen: this.init.listen,
        ...(this.init.announce?.length ? { announce: this.init.announce } : {}),
        datastore,
        blockstore,
        privateKey: peerKey.key,
        services: {
          ping: ping(),
          relay: circuitRelayServer({
            // The default 2 min / 128 KiB per relayed connection breaks bitswap transfers.
            reservations: { applyDefaultLimit: false, maxReservations: 1024 },
          }),
        },
      });
    } catch (error) {
      this.store.close();
      throw error;
    }
    const libp2p = this.node.libp2p;
    libp2p.addEventListener('connection:open', this.onConnectionOpen);
    libp2p.addEventListener('connection:close', this.onConnectionClose);
    const pubsub = libp2p.services.pubsub;
    this.anchoringParts = startAnchoring({
      node: this.node,
      dataDir: dir,
      init: this.init.anchoring,
      logger: this.log,
      clock: this.clock,
    });
    for (const topic of allShardTopics()) {
      pubsub.topicValidators.set(topic, this.validateGossip);
      pubsub.subscribe(topic);
    }
    this.server = new StoreServer(
      {
        store: this.store,
        validator: this.validator,
        limits: this.limits,
        helia: this.node,
        gossip: async (shard, envelope) => {
          await pubsub.publish(shard, envelope);
        },
        onStored: (accepted) => this.stored(accepted),
        logger: this.log,
      },
      {
        ...(this.init.requestTimeoutMs !== undefined ? { requestTimeoutMs: this.init.requestTimeoutMs } : {}),
        ...(this.init.publishIdleMs !== undefined ? { publishIdleMs: this.init.publishIdleMs } : {}),
        ...(this.init.pinTimeoutMs !== undefined ? { pinTimeoutMs: this.init.pinTimeoutMs } : {}),
        pin: {
          ...(this.init.maxBlobBytes !== undefined ? { maxBytes: this.init.maxBlobBytes } : {}),
          ...(this.init.maxBlobBlocks !== undefined ? { maxBlocks: this.init.maxBlobBlocks } : {}),
        },
      },
    );
    await this.server.register(libp2p);
    this.maintenanceTimer = setInterval(
      () => void this.maintain(),
      this.init.maintenanceIntervalMs ?? 600_000,
    );
    this.maintenanceTimer.unref();
    this.state = 'running';
    this.log.info('relay started', {
      peer: libp2p.peerId.toString(),
      stored: this.store.count(),
      keyCreated: peerKey.created,
    });
    // Blocks fetched for pins that failed are unpinned: collect them now and then.
    void this.maintain();
  }

  /** This relay's peer id. */
  get peerId(): PeerId {
    return this.running().libp2p.peerId;
  }

  /** The addresses clients dial, each ending in /p2p/<peer id>. */
  multiaddrs(): string[] {
    return this.running()
      .libp2p.getMultiaddrs()
      .map((address) => address.toString());
  }

  /**
   * Stops accepting, lets in-flight requests finish (aborting them after `graceMs`), then
   * stops the node and closes the database. Idempotent.
   */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    clearInterval(this.maintenanceTimer);
    const node = this.node;
    if (node) {
      for (const topic of allShardTopics()) node.libp2p.services.pubsub.topicValidators.delete(topic);
      await this.server?.stop(node.libp2p, graceMs);
    }
    await this.anchoringParts?.stop().catch((error: unknown) => {
      this.log.warn('anchoring did not stop cleanly', { error: errorName(error) });
    });
    try {
      if (node) {
        node.libp2p.removeEventListener('connection:open', this.onConnectionOpen);
        node.libp2p.removeEventListener('connection:close', this.onConnectionClose);
        await node.stop();
      }
    } finally {
      this.store?.close();
      this.state = 'stopped';
      this.log.info('relay stopped');
    }
  }

  /** Anchoring state (tests, diagnostics). */
  get anchoring(): RelayAnchoring | undefined {
    return this.anchoringParts;
  }

  /** A new envelope was stored: a conversation message feeds anchoring. */
  private stored(accepted: AcceptedEnvelope): void {
    if (accepted.kind === 'conversation') {
      this.anchoringParts?.feed.stored(accepted.envelope.contentTopic, accepted.envelope.message);
    }
  }

  private running(): CairnNode {
    if (!this.node || this.state === 'stopped') throw new Error('the relay is not running');
    return this.node;
  }

  private readonly onConnectionOpen = (event: CustomEvent<Connection>): void => {
    const connection = event.detail;
    this.log.info('connection open', {
      peer: connection.remotePeer.toString(),
      direction: connection.direction,
    });
  };

  private readonly onConnectionClose = (event: CustomEvent<Connection>): void => {
    this.log.info('connection closed', { peer: event.detail.remotePeer.toString() });
  };

  /** Periodic work: prune expired envelopes, collect unpinned blocks. */
  private async maintain(): Promise<void> {
    if (this.state !== 'running' || !this.store || !this.node) return;
    try {
      const pruned = this.store.prune();
      if (pruned > 0) this.log.info('pruned expired envelopes', { pruned });
      await this.node.gc(this.server ? { signal: this.server.signal } : {});
    } catch (error) {
      if (this.state === 'running') this.log.warn('maintenance failed', { error: errorName(error) });
    }
  }

  private readonly validateGossip = (peerId: PeerId, message: { topic: string; data: Uint8Array }) => {
    const peer = peerId.toString();
    if (this.state !== 'running') return TopicValidatorResult.Ignore;
    if (!this.limits.publish.tryTake(peer)) {
      this.log.debug('gossip rate-limited', { peer });
      return TopicValidatorResult.Ignore;
    }
    const result = this.validator.validate(message.data);
    if (!result.ok) {
      this.log.debug('dropped envelope', {
        peer,
        via: 'gossip',
        reason: result.reason,
        detail: result.detail,
      });
      return TopicValidatorResult.Reject;
    }
    if (shardTopicFor(result.envelope.contentTopic) !== message.topic) {
      this.log.debug('dropped envelope', { peer, via: 'gossip', reason: 'wrong-shard' });
      return TopicValidatorResult.Reject;
    }
    try {
      const ack = storeAccepted(this.openStore(), result, message.data);
      if (ack.status === 'stored') this.stored(result);
      this.log.debug('gossip', { peer, kind: result.kind, status: ack.status });
      return ack.status === 'stored' ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore;
    } catch (error) {
      this.log.error('storing a gossiped envelope failed', { peer, error: errorName(error) });
      return TopicValidatorResult.Ignore;
    }
  };

  private openStore(): EnvelopeStore {
    if (!this.store?.isOpen) throw new Error('the envelope store is closed');
    return this.store;
  }
}

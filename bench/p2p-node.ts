/**
 * The Node side of the messaging benchmarks, on Cairn's own code: client and relay nodes from
 * `src/p2p/cairn-node.ts` (in-memory stores, fresh Ed25519 peer keys), `StoreClient` publishes,
 * and valid XMTP v2 envelopes built with the real protocol (`test/relay/helpers.ts`).
 *   - `nodeLatency`: Node → relay → Node, one message at a time on a fixed schedule, over gossip
 *     or over the store protocol (store, ack, then the relay gossips it);
 *   - `gossipObserver`: notes when conversation envelopes leave the relay;
 *   - `startBareRelay`: a relay node that only forwards gossip (the throughput reference);
 *   - helpers for `relay-load.ts` (the throughput load).
 * Needs the resolve hooks of `p2p-loader.ts`: load it through `importP2pBench()`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Message } from '@libp2p/gossipsub';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import { MemoryDatastore } from 'datastore-core';
import { type CairnNode, createCairnNode } from '../src/p2p/cairn-node.ts';
import { allShardTopics, shardTopicFor } from '../src/p2p/shards.ts';
import { StoreClient } from '../src/p2p/store-client.ts';
import { decodeEnvelope, encodeEnvelope } from '../src/protocol/envelope.ts';
import { conversation, messageEnvelope } from '../test/relay/helpers.ts';

export type PublishPath = 'gossip' | 'store';

/** A Cairn client node (as in the extension, stores in memory) connected to `relay`. */
export async function clientNode(relay: Multiaddr): Promise<CairnNode> {
  const node = await createCairnNode({
    role: 'client',
    privateKey: await generateKeyPair('Ed25519'),
    developmentRelays: [relay.toString()],
    datastore: new MemoryDatastore(),
    blockstore: new MemoryBlockstore(),
  });
  // libp2p accepts 5 inbound connections per second per host by default: retry a refused dial.
  for (let attempt = 1; ; attempt++) {
    try {
      await node.libp2p.dial(relay);
      return node;
    } catch (error) {
      if (attempt >= 5) {
        await node.stop();
        throw error;
      }
      await sleep(300 * attempt);
    }
  }
}

/** A relay node with nothing but gossip forwarding: subscribed to every shard, no validators, no store. */
export async function startBareRelay(listen: string): Promise<CairnNode> {
  const node = await createCairnNode({
    role: 'relay',
    listen: [listen],
    privateKey: await generateKeyPair('Ed25519'),
    datastore: new MemoryDatastore(),
    blockstore: new MemoryBlockstore(),
  });
  for (const topic of allShardTopics()) node.libp2p.services.pubsub.subscribe(topic);
  return node;
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/** The gossipsub implementation's mesh (not part of its exported interface type). */
function meshPeers(node: CairnNode, topic: string): string[] {
  const pubsub = node.libp2p.services.pubsub as unknown as { getMeshPeers(topic: string): string[] };
  return pubsub.getMeshPeers(topic);
}

/** Waits until `subscriber` has the relay in its mesh of `shard` (so the relay forwards to it). */
export async function meshReady(
  subscriber: CairnNode,
  relayPeer: string,
  shards: readonly string[],
): Promise<void> {
  await waitUntil('the relay is in the subscriber mesh', () =>
    shards.every((shard) => meshPeers(subscriber, shard).includes(relayPeer)),
  );
}

/** Waits until `publisher` knows the relay subscribes to `shards` (so a gossip publish reaches it). */
export async function relayKnown(
  publisher: CairnNode,
  relayPeer: string,
  shards: readonly string[],
): Promise<void> {
  const pubsub = publisher.libp2p.services.pubsub;
  await waitUntil('the publisher knows the relay subscriptions', () =>
    shards.every((shard) => pubsub.getSubscribers(shard).some((peer) => peer.toString() === relayPeer)),
  );
}

/**
 * Valid envelopes without building one MessageV2 per envelope: `conversations` real
 * conversations, `perConversation` real MessageV2 each (sign + encrypt, ~1 ms), then each
 * `next()` wraps one of them in an envelope with a fresh, unique timestamp. The relay dedupes by
 * envelope hash and validates conversation envelopes decode-only, so every one is new and valid
 * to it (a client would dedupe the repeated message ids). Timestamps double as keys.
 */
export class EnvelopeSource {
  readonly #messages: { topic: string; shard: string; message: Uint8Array }[];
  #next = 0;
  readonly #base: bigint;

  private constructor(messages: { topic: string; shard: string; message: Uint8Array }[]) {
    this.#messages = messages;
    this.#base = BigInt(Date.now()) * 1_000_000n;
  }

  static async create(conversations: number, perConversation: number): Promise<EnvelopeSource> {
    const messages: { topic: string; shard: string; message: Uint8Array }[] = [];
    for (let c = 0; c < conversations; c++) {
      const conv = await conversation();
      const topic = conv.invitation.topic;
      for (let i = 0; i < perConversation; i++) {
        const { message } = await messageEnvelope(conv, `benchmark message ${c}/${i} ${'·'.repeat(60)}`);
        messages.push({ topic, shard: shardTopicFor(topic), message });
      }
    }
    return new EnvelopeSource(messages);
  }

  get shards(): string[] {
    return [...new Set(this.#messages.map((m) => m.shard))].sort();
  }

  /** A new envelope, its shard topic, and its key (= its timestamp in ns). */
  next(): { bytes: Uint8Array; shard: string; key: bigint } {
    const index = this.#next++;
    const source = this.#messages[index % this.#messages.length];
    if (!source) throw new Error('empty envelope source');
    const key = this.#base + BigInt(index);
    const bytes = encodeEnvelope({ contentTopic: source.topic, timestampNs: key, message: source.message });
    return { bytes, shard: source.shard, key };
  }
}

/** The key `EnvelopeSource` gave an envelope, read back from received bytes. */
export function keyOf(data: Uint8Array): bigint | undefined {
  try {
    return decodeEnvelope(data).timestampNs;
  } catch {
    return undefined;
  }
}

export function peerOf(relay: Multiaddr): string {
  const peer = relay.getComponents().find((component) => component.name === 'p2p')?.value;
  if (!peer) throw new Error(`"relay" expected a multiaddr ending in /p2p/<peer id>, got ${relay}`);
  return peer;
}

/** Epoch ms now (comparable with a browser page's `performance.timeOrigin + performance.now()`). */
function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface GossipObserver {
  /** Epoch ms at which each conversation envelope arrived since the last `reset()`, in order. */
  times(): number[];
  reset(): void;
  stop(): Promise<void>;
}

/**
 * A Node client subscribed to every shard that notes when conversation envelopes (`/xmtp/0/m-…`)
 * pass through the relay: for a publish over the store protocol, just after the relay stored it.
 */
export async function gossipObserver(relayAddress: string): Promise<GossipObserver> {
  const relay = multiaddr(relayAddress);
  const node = await clientNode(relay);
  let times: number[] = [];
  const pubsub = node.libp2p.services.pubsub;
  pubsub.addEventListener('message', (event: CustomEvent<Message>) => {
    const at = epochNow();
    try {
      if (decodeEnvelope(event.detail.data).contentTopic.startsWith('/xmtp/0/m-')) times.push(at);
    } catch {
      // not an envelope
    }
  });
  for (const shard of allShardTopics()) pubsub.subscribe(shard);
  await meshReady(node, peerOf(relay), allShardTopics());
  return {
    times: () => [...times],
    reset: () => {
      times = [];
    },
    stop: async () => {
      await node.stop();
    },
  };
}

export interface LatencyRun {
  path: PublishPath;
  intervalMs: number;
  /** Timed messages sent (after the warm-up). */
  sent: number;
  /** Timed messages received (first copy each). */
  received: number;
  duplicates: number;
  /** Publishes the relay refused or that failed (store path: not `stored`). */
  refused: number;
  /** Send → receive of every received timed message, ms. */
  samples: number[];
}

export interface NodeLatencyOptions {
  relay: string;
  path: PublishPath;
  messages: number;
  warmup: number;
  intervalMs: number;
  log?: (line: string) => void;
}

/**
 * Alice → relay → Bob with two Node client nodes in this process, on one shard topic: each
 * message is published on a fixed schedule (`intervalMs` apart) and timed until Bob's gossipsub
 * hands it over; `performance.now()` on both ends.
 */
export async function nodeLatency(options: NodeLatencyOptions): Promise<LatencyRun> {
  const { path, messages, warmup, intervalMs } = options;
  const relay = multiaddr(options.relay);
  const relayPeer = peerOf(relay);
  const source = await EnvelopeSource.create(1, 50);
  const [shard] = source.shards;
  if (!shard) throw new Error('no shard');
  const total = warmup + messages;
  const envelopes = Array.from({ length: total }, () => source.next());
  const indexOf = new Map(envelopes.map((envelope, i) => [envelope.key, i]));
  const sentAt = new Array<number>(total).fill(Number.NaN);
  const receivedAt = new Array<number>(total).fill(Number.NaN);
  let duplicates = 0;
  let refused = 0;

  const alice = await clientNode(relay);
  const bob = await clientNode(relay);
  try {
    const bobSub = bob.libp2p.services.pubsub;
    bobSub.addEventListener('message', (event: CustomEvent<Message>) => {
      const now = performance.now();
      const key = keyOf(event.detail.data);
      const i = key === undefined ? undefined : indexOf.get(key);
      if (i === undefined) return;
      if (Number.isNaN(receivedAt[i] ?? Number.NaN)) receivedAt[i] = now;
      else if (i >= warmup) duplicates++;
    });
    bobSub.subscribe(shard);
    await meshReady(bob, relayPeer, [shard]);
    if (path === 'gossip') await relayKnown(alice, relayPeer, [shard]);
    const store = new StoreClient(alice.libp2p);
    const pending: Promise<void>[] = [];
    const start = performance.now() + 20;
    for (const [i, envelope] of envelopes.entries()) {
      const wait = start + i * intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      sentAt[i] = performance.now();
      const published =
        path === 'gossip'
          ? alice.libp2p.services.pubsub.publish(shard, envelope.bytes).then(() => undefined)
          : store.publish(relay, envelope.bytes).then((ack) => {
              if (ack.status !== 'stored') refused++;
            });
      pending.push(
        published.catch(() => {
          refused++;
        }),
      );
    }
    await Promise.all(pending);
    const everything = () => receivedAt.every((time) => !Number.isNaN(time));
    await waitUntil('every message arrived', everything, 5_000).catch(() => undefined);
    const samples: number[] = [];
    for (let i = warmup; i < total; i++) {
      const latency = (receivedAt[i] ?? Number.NaN) - (sentAt[i] ?? Number.NaN);
      if (!Number.isNaN(latency)) samples.push(latency);
    }
    return { path, intervalMs, sent: messages, received: samples.length, duplicates, refused, samples };
  } finally {
    await Promise.allSettled([alice.stop(), bob.stop()]);
  }
}

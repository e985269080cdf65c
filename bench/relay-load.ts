/**
 * The load of the relay throughput benchmark: publisher nodes and one subscriber (subscribed to
 * every shard) driving a relay as fast as a bounded window of in-flight envelopes allows,
 * counting what the subscriber receives, and the relay's CPU time over the same window.
 * Needs the resolve hooks of `p2p-loader.ts`: load it through `importRelayLoad()`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@libp2p/gossipsub';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import type { CairnNode } from '../src/p2p/cairn-node.ts';
import { allShardTopics } from '../src/p2p/shards.ts';
import { StoreClient } from '../src/p2p/store-client.ts';
import {
  clientNode,
  EnvelopeSource,
  keyOf,
  meshReady,
  type PublishPath,
  peerOf,
  relayKnown,
} from './p2p-node.ts';
import { cpuSeconds } from './proc-cpu.ts';

/** Envelopes sent and not yet received, each with its send time and publisher. */
class InFlight {
  readonly #entries = new Map<bigint, { sentAt: number; owner: Publisher }>();

  add(key: bigint, owner: Publisher): void {
    this.#entries.set(key, { sentAt: performance.now(), owner });
    owner.inFlight++;
  }

  has(key: bigint): boolean {
    return this.#entries.has(key);
  }

  /** Removes `key`; false when it was not in flight (already received, failed or swept). */
  settle(key: bigint): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    this.#entries.delete(key);
    entry.owner.inFlight--;
    entry.owner.wake();
    return true;
  }

  /** Settles everything sent before `cutoff`; returns how many. */
  sweep(cutoff: number): number {
    let swept = 0;
    for (const [key, { sentAt }] of this.#entries) {
      if (sentAt >= cutoff) break; // insertion order: the rest are newer
      this.settle(key);
      swept++;
    }
    return swept;
  }
}

/** One publishing node and its share of the window. */
class Publisher {
  inFlight = 0;
  #waiting: (() => void) | undefined;
  readonly node: CairnNode;
  readonly store: StoreClient;

  constructor(node: CairnNode) {
    this.node = node;
    this.store = new StoreClient(node.libp2p, { timeoutMs: 5_000 });
  }

  /** Resolves at the next `wake()`. */
  room(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  wake(): void {
    const resume = this.#waiting;
    this.#waiting = undefined;
    resume?.();
  }

  publish(
    path: PublishPath,
    relay: Multiaddr,
    shard: string,
    bytes: Uint8Array,
  ): Promise<string | undefined> {
    if (path === 'gossip')
      return this.node.libp2p.services.pubsub.publish(shard, bytes).then(() => undefined);
    return this.store
      .publish(relay, bytes)
      .then((ack) =>
        ack.status === 'stored' ? undefined : `${ack.status}${ack.reason ? `: ${ack.reason}` : ''}`,
      );
  }
}

/**
 * Sends one envelope per shard from every publisher (again every 500 ms) until each has reached
 * the subscriber: the relay has grafted the subscriber on every shard before anything is timed.
 */
async function probe(
  publishers: readonly Publisher[],
  shards: readonly string[],
  source: EnvelopeSource,
  inFlight: InFlight,
  path: PublishPath,
  relay: Multiaddr,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (const publisher of publishers) {
    for (const shard of shards) {
      for (;;) {
        let envelope = source.next();
        while (envelope.shard !== shard) envelope = source.next();
        inFlight.add(envelope.key, publisher);
        await publisher.publish(path, relay, shard, envelope.bytes);
        const until = Date.now() + 500;
        while (inFlight.has(envelope.key) && Date.now() < until) await sleep(5);
        if (!inFlight.settle(envelope.key)) break;
        if (Date.now() > deadline) throw new Error(`no envelope on ${shard} reached the subscriber`);
      }
    }
  }
}

export interface RelayLoadOptions {
  relay: string;
  /** The relay process, for its CPU time over the measured window. */
  relayPid?: number;
  path: PublishPath;
  publishers: number;
  /** Most envelopes one publisher has sent that the subscriber has not received yet. */
  window: number;
  warmupMs: number;
  durationMs: number;
  log?: (line: string) => void;
}

export interface RelayLoadResult {
  path: PublishPath;
  publishers: number;
  window: number;
  /** Length of the measured window, s. */
  seconds: number;
  /** Envelopes the subscriber received in the window. */
  received: number;
  perSecond: number;
  /** Relay CPU time over the window ÷ its length (1 = one core busy); undefined when unknown. */
  relayCpu: number | undefined;
  /** Publishes the relay did not store (store path) or that failed, over the whole run. */
  refused: number;
  /** Sent envelopes never received within 3 s, over the whole run. */
  lost: number;
  /** Why publishes were refused or failed: reason → count. */
  refusals: Record<string, number>;
}

/**
 * Drives a relay with `publishers` client nodes and one subscriber (subscribed to every shard),
 * all in this process: each publisher sends whenever fewer than `window` of its envelopes are in
 * flight (sent, not yet received by the subscriber). Gossipsub has no backpressure: the window
 * keeps the relay's queues bounded (and on the store path, under the relay's 32 concurrent
 * publish streams per connection). Counts what the subscriber receives during `durationMs`
 * after `warmupMs`.
 */
export async function relayLoad(options: RelayLoadOptions): Promise<RelayLoadResult> {
  const { path, window, warmupMs, durationMs, log = () => {} } = options;
  const relay = multiaddr(options.relay);
  const relayPeer = peerOf(relay);
  const source = await EnvelopeSource.create(8, 32);
  const shards = source.shards;
  const inFlight = new InFlight();
  let received = 0;
  let refused = 0;
  let lost = 0;
  const refusals: Record<string, number> = {};

  const subscriber = await clientNode(relay);
  const nodes = [subscriber];
  try {
    const publishers: Publisher[] = [];
    for (let i = 0; i < options.publishers; i++) {
      const node = await clientNode(relay);
      nodes.push(node);
      publishers.push(new Publisher(node));
    }
    const pubsub = subscriber.libp2p.services.pubsub;
    pubsub.addEventListener('message', (event: CustomEvent<Message>) => {
      const key = keyOf(event.detail.data);
      if (key !== undefined && inFlight.settle(key)) received++;
    });
    for (const shard of allShardTopics()) pubsub.subscribe(shard);
    await meshReady(subscriber, relayPeer, shards);
    if (path === 'gossip') {
      for (const { node } of publishers) await relayKnown(node, relayPeer, shards);
    }
    await probe(publishers, shards, source, inFlight, path, relay);
    log(
      `relay load: ${publishers.length} publishers × window ${window}, ${path} path, ${shards.length} shards`,
    );

    let running = true;
    const sweep = setInterval(() => {
      lost += inFlight.sweep(performance.now() - 3_000);
    }, 250);
    const loops = publishers.map(async (publisher) => {
      const pending = new Set<Promise<void>>();
      while (running) {
        if (publisher.inFlight >= window) {
          await publisher.room();
          continue;
        }
        const { bytes, shard, key } = source.next();
        inFlight.add(key, publisher);
        const fail = (reason: string) => {
          refusals[reason] = (refusals[reason] ?? 0) + 1;
          if (inFlight.settle(key)) refused++;
        };
        const sent = publisher.publish(path, relay, shard, bytes).then(
          (refusal) => {
            if (refusal !== undefined) fail(refusal);
          },
          (error: unknown) =>
            fail(error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 120) : 'unknown'),
        );
        pending.add(sent);
        void sent.finally(() => pending.delete(sent));
        // Let the event loop move (receives, acks) between sends.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await Promise.allSettled(pending);
    });

    await sleep(warmupMs);
    const startCount = received;
    const startCpu = options.relayPid === undefined ? undefined : cpuSeconds(options.relayPid);
    const startTime = performance.now();
    await sleep(durationMs);
    const count = received - startCount;
    const seconds = (performance.now() - startTime) / 1000;
    const endCpu = options.relayPid === undefined ? undefined : cpuSeconds(options.relayPid);
    running = false;
    clearInterval(sweep);
    for (const publisher of publishers) publisher.wake();
    await Promise.allSettled(loops);
    return {
      path,
      publishers: publishers.length,
      window,
      seconds,
      received: count,
      perSecond: count / seconds,
      relayCpu: startCpu === undefined || endCpu === undefined ? undefined : (endCpu - startCpu) / seconds,
      refused,
      lost,
      refusals,
    };
  } finally {
    await Promise.allSettled(nodes.map((node) => node.stop()));
  }
}

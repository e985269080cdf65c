/**
 * The relay side of the store protocol (src/p2p/store-protocol.ts): publish, query and pin
 * handlers. A query or pin stream carries one request frame and one response frame; a publish
 * stream any number of request/ack pairs in order, until the client closes it or leaves it idle.
 * Each protocol has a per-peer token bucket (a limited peer is answered `rate_limited`, its
 * request unread for one-shot protocols), a deadline per request, and a bound on the request
 * frame. In-flight requests are tracked so the relay can stop without cutting a write short.
 */
import type { Helia } from '@helia/interface';
import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { shardTopicFor } from '../p2p/shards';
import {
  decodePinRequest,
  decodePublishRequest,
  decodeQueryRequest,
  encodePinAck,
  encodePublishAck,
  encodeQueryResponse,
  MAX_PAGE_SIZE,
  MAX_PIN_REQUEST_BYTES,
  MAX_PUBLISH_REQUEST_BYTES,
  MAX_QUERY_PAGE_ENVELOPE_BYTES,
  MAX_QUERY_REQUEST_BYTES,
  type PinAck,
  type PublishAck,
  type QueryResponse,
  STORE_PIN_PROTOCOL,
  STORE_PUBLISH_PROTOCOL,
  STORE_QUERY_PROTOCOL,
} from '../p2p/store-protocol.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { BlobRejectedError, type PinLimits, parseBlobCid, pinBlob } from './blob-pinner.ts';
import { type EnvelopeStore, InvalidCursorError } from './envelope-store.ts';
import type { AcceptedEnvelope, EnvelopeValidator } from './envelope-validator.ts';
import type { Logger } from './logger.ts';
import type { RateLimiter, RelayRateLimits } from './rate-limiter.ts';

export type StoreProtocolKind = keyof RelayRateLimits;

export interface StoreServerComponents {
  store: EnvelopeStore;
  validator: EnvelopeValidator;
  limits: Record<StoreProtocolKind, RateLimiter>;
  /** Where pinned blobs are fetched (bitswap) and pinned. */
  helia: Pick<Helia, 'blockstore' | 'pins' | 'getCodec'>;
  /** Publishes an envelope the relay just stored on a gossip shard topic. */
  gossip(shardTopic: string, envelope: Uint8Array): Promise<void>;
  /** An envelope was stored for the first time. */
  onStored?(accepted: AcceptedEnvelope): void;
  logger: Logger;
}

export interface StoreServerInit {
  /** Time allowed to read a request and write its response, ms. @default 10_000 */
  requestTimeoutMs?: number;
  /** A publish stream with no request for this long is closed, ms. @default PUBLISH_IDLE_MS */
  publishIdleMs?: number;
  /** Time allowed to fetch and pin a blob, ms. @default 60_000 */
  pinTimeoutMs?: number;
  /** @default 16 MiB, 4096 blocks */
  pin?: Partial<PinLimits>;
}

interface Reply {
  /** The encoded response frame. */
  response: Uint8Array;
}

const MAX_REQUEST_BYTES: Record<StoreProtocolKind, number> = {
  publish: MAX_PUBLISH_REQUEST_BYTES,
  query: MAX_QUERY_REQUEST_BYTES,
  pin: MAX_PIN_REQUEST_BYTES,
};
const PROTOCOLS: Record<StoreProtocolKind, string> = {
  publish: STORE_PUBLISH_PROTOCOL,
  query: STORE_QUERY_PROTOCOL,
  pin: STORE_PIN_PROTOCOL,
};
/** A publish stream waiting this long for its next request is closed (clients close theirs at 30 s). */
export const PUBLISH_IDLE_MS = 60_000;
/** Concurrent streams per connection and protocol. */
const MAX_INBOUND_STREAMS: Record<StoreProtocolKind, number> = { publish: 32, query: 8, pin: 2 };

/**
 * Stores an envelope that passed validation. A contact bundle not newer than the directory's
 * is reported as a duplicate.
 */
export function storeAccepted(
  store: EnvelopeStore,
  accepted: AcceptedEnvelope,
  bytes: Uint8Array,
): PublishAck {
  const result = store.insert({
    topic: accepted.envelope.contentTopic,
    timestampNs: accepted.envelope.timestampNs,
    envelope: bytes,
    kind: accepted.kind,
    ...(accepted.rank !== undefined ? { rank: accepted.rank } : {}),
  });
  if (result.status === 'superseded') return { status: 'duplicate', reason: 'superseded by a newer bundle' };
  return { status: result.status, cursor: store.encodeCursor(result.seq) };
}

export function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}

export class StoreServer {
  private readonly c: StoreServerComponents;
  private readonly log: Logger;
  private readonly timeouts: Record<StoreProtocolKind, number>;
  private readonly pinLimits: PinLimits;
  private readonly publishIdleMs: number;
  private readonly inflight = new Set<Promise<void>>();
  /** Aborted as soon as the server stops: publish streams waiting for a request end. */
  private readonly stopping = new AbortController();
  /** Aborted when the grace period is over: requests still running are cut. */
  private readonly shutdown = new AbortController();
  private accepting = false;

  constructor(components: StoreServerComponents, init: StoreServerInit = {}) {
    this.c = components;
    this.log = components.logger;
    const requestTimeoutMs = init.requestTimeoutMs ?? 10_000;
    this.timeouts = { publish: requestTimeoutMs, query: requestTimeoutMs, pin: init.pinTimeoutMs ?? 60_000 };
    this.publishIdleMs = init.publishIdleMs ?? PUBLISH_IDLE_MS;
    this.pinLimits = {
      maxBytes: init.pin?.maxBytes ?? 16 * 1024 * 1024,
      maxBlocks: init.pin?.maxBlocks ?? 4096,
    };
  }

  /** Registers the three protocol handlers. */
  async register(libp2p: Pick<Libp2p, 'handle'>): Promise<void> {
    this.accepting = true;
    for (const kind of ['publish', 'query', 'pin'] as const) {
      await libp2p.handle(PROTOCOLS[kind], this.serve(kind), {
        maxInboundStreams: MAX_INBOUND_STREAMS[kind],
      });
    }
  }

  /**
   * Stops accepting streams, waits for in-flight requests (aborting them after `graceMs`).
   */
  async stop(libp2p: Pick<Libp2p, 'unhandle'>, graceMs: number): Promise<void> {
    this.accepting = false;
    this.stopping.abort(new Error('the relay is stopping'));
    await libp2p.unhandle(Object.values(PROTOCOLS));
    const grace = setTimeout(() => this.shutdown.abort(new Error('the relay is stopping')), graceMs);
    try {
      await Promise.allSettled([...this.inflight]);
    } finally {
      clearTimeout(grace);
      this.shutdown.abort(new Error('the relay is stopping'));
    }
  }

  /** Aborted when the server stops (for other work that must end with it). */
  get signal(): AbortSignal {
    return this.shutdown.signal;
  }

  /** A stream handler: in-flight tracking, failures logged and the stream reset. */
  private serve(kind: StoreProtocolKind) {
    return (stream: Stream, connection: Connection): void => {
      const peer = connection.remotePeer.toString();
      if (!this.accepting) {
        stream.abort(new Error('the relay is stopping'));
        return;
      }
      const session =
        kind === 'publish'
          ? this.publishSession(stream, peer)
          : this.withDeadline(this.timeouts[kind], [], (signal) => this.exchange(kind, stream, peer, signal));
      const work = session
        .catch((error: unknown) => {
          stream.abort(error instanceof Error ? error : new Error('request failed'));
          this.log.debug(`${kind} stream failed`, { peer, error: errorName(error) });
        })
        .finally(() => {
          this.inflight.delete(work);
        });
      this.inflight.add(work);
    };
  }

  /** Runs `work` with a signal aborted after `ms`, on shutdown, or by `signals`. */
  private async withDeadline<T>(
    ms: number,
    signals: AbortSignal[],
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error('request timed out')), ms);
    try {
      return await work(AbortSignal.any([deadline.signal, this.shutdown.signal, ...signals]));
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Request/ack pairs until the client closes the stream, leaves it idle, or the relay stops.
   * The first request must come within the request deadline, as on the other protocols.
   */
  private async publishSession(stream: Stream, peer: string): Promise<void> {
    const max = MAX_REQUEST_BYTES.publish;
    const lp = lpStream(stream, { maxDataLength: max, maxBufferSize: max + 16 });
    for (let first = true; ; first = false) {
      let request: Uint8Array;
      try {
        const waitMs = first ? this.timeouts.publish : this.publishIdleMs;
        // The stop signal ends only the wait for a request, never one being answered.
        request = await this.withDeadline(waitMs, first ? [] : [this.stopping.signal], async (signal) =>
          (await lp.read({ signal })).subarray(),
        );
      } catch (error) {
        if (first) throw error;
        // Closed by the client (end of stream), idle, or the relay stops: end quietly.
        if (stream.status === 'open') await stream.close().catch(() => stream.abort(new Error('closing')));
        return;
      }
      await this.withDeadline(this.timeouts.publish, [], async (signal) => {
        let reply: Reply;
        if (!this.c.limits.publish.tryTake(peer)) {
          this.log.info('publish rate-limited', { peer });
          reply = { response: errorResponse('publish', 'rate_limited') };
        } else {
          try {
            reply = await this.publish(request, peer);
          } catch (error) {
            this.log.error('publish failed', { peer, error: errorName(error) });
            reply = { response: errorResponse('publish', 'failed') };
          }
        }
        await lp.write(reply.response, { signal });
      });
    }
  }

  /** Rate limit, one bounded request frame, one response frame. */
  private async exchange(
    kind: Exclude<StoreProtocolKind, 'publish'>,
    stream: Stream,
    peer: string,
    signal: AbortSignal,
  ): Promise<void> {
    const max = MAX_REQUEST_BYTES[kind];
    const lp = lpStream(stream, { maxDataLength: max, maxBufferSize: max + 16 });
    let reply: Reply;
    if (!this.c.limits[kind].tryTake(peer)) {
      this.log.info(`${kind} rate-limited`, { peer });
      reply = { response: errorResponse(kind, 'rate_limited') };
    } else {
      const request = (await lp.read({ signal })).subarray();
      try {
        reply = await this.handle(kind, request, peer, signal);
      } catch (error) {
        this.log.error(`${kind} failed`, { peer, error: errorName(error) });
        reply = { response: errorResponse(kind, 'failed') };
      }
    }
    await lp.write(reply.response, { signal });
    await stream.close({ signal });
  }

  private async handle(
    kind: Exclude<StoreProtocolKind, 'publish'>,
    request: Uint8Array,
    peer: string,
    signal: AbortSignal,
  ): Promise<Reply> {
    if (kind === 'query') return { response: encodeQueryResponse(this.query(request, peer)) };
    return { response: encodePinAck(await this.pin(request, peer, signal)) };
  }

  private async publish(request: Uint8Array, peer: string): Promise<Reply> {
    let envelope: Uint8Array;
    try {
      envelope = decodePublishRequest(request).envelope;
    } catch (error) {
      this.log.debug('publish: malformed request', { peer, error: errorName(error) });
      return { response: encodePublishAck({ status: 'rejected', reason: 'malformed request' }) };
    }
    const result = this.c.validator.validate(envelope);
    if (!result.ok) {
      this.log.debug('dropped envelope', {
        peer,
        via: 'publish',
        reason: result.reason,
        detail: result.detail,
      });
      this.log.info('publish', { peer, status: 'rejected', reason: result.reason });
      return { response: encodePublishAck({ status: 'rejected', reason: result.reason }) };
    }
    const isNew = !this.c.store.has(envelope);
    if (isNew && result.kind !== 'contact') {
      // Live subscribers get it first: the frames leave before the synchronous, fsync'd commit
      // below blocks the event loop. The ack still waits for the commit.
      this.c.gossip(shardTopicFor(result.envelope.contentTopic), envelope).catch((error: unknown) => {
        this.log.warn('gossip publish failed', { peer, error: errorName(error) });
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const ack = storeAccepted(this.c.store, result, envelope);
    if (ack.status === 'stored') this.c.onStored?.(result);
    this.log.info('publish', { peer, kind: result.kind, status: ack.status });
    if (isNew && result.kind === 'contact' && ack.status === 'stored') {
      // A contact bundle is forwarded only once it won the directory (newest for its address).
      this.c.gossip(shardTopicFor(result.envelope.contentTopic), envelope).catch((error: unknown) => {
        this.log.warn('gossip publish failed', { peer, error: errorName(error) });
      });
    }
    return { response: encodePublishAck(ack) };
  }

  private query(bytes: Uint8Array, peer: string): QueryResponse {
    let request: ReturnType<typeof decodeQueryRequest>;
    try {
      request = decodeQueryRequest(bytes);
    } catch (error) {
      this.log.debug('query: malformed request', { peer, error: errorName(error) });
      return { status: 'rejected', reason: 'malformed request', envelopes: [] };
    }
    const store = this.c.store;
    let afterSeq: number | undefined;
    if (request.cursor) {
      try {
        afterSeq = store.decodeCursor(request.cursor);
      } catch (error) {
        if (!(error instanceof InvalidCursorError)) throw error;
        return { status: 'rejected', reason: error.message, envelopes: [] };
      }
    }
    const limit = request.limit === 0 ? MAX_PAGE_SIZE : Math.min(request.limit, MAX_PAGE_SIZE);
    const page = store.query({
      topics: request.contentTopics,
      ...(afterSeq !== undefined ? { afterSeq } : {}),
      limit,
      direction: request.direction,
      maxBytes: MAX_QUERY_PAGE_ENVELOPE_BYTES,
    });
    const response: QueryResponse = { status: 'ok', envelopes: page.envelopes };
    if (page.lastSeq !== undefined) {
      response.resumeCursor = store.encodeCursor(page.lastSeq);
      if (page.more) response.cursor = response.resumeCursor;
    }
    this.log.info('query', {
      peer,
      topics: request.contentTopics.length,
      limit,
      returned: page.envelopes.length,
      more: page.more,
    });
    return response;
  }

  private async pin(bytes: Uint8Array, peer: string, signal: AbortSignal): Promise<PinAck> {
    try {
      const cid = parseBlobCid(decodePinRequest(bytes).cid);
      const outcome = await pinBlob(this.c.helia, cid, this.pinLimits, { signal });
      this.log.info('pin', { peer, status: outcome.status, bytes: outcome.bytes, blocks: outcome.blocks });
      return { status: outcome.status === 'pinned' ? 'stored' : 'duplicate' };
    } catch (error) {
      if (error instanceof BlobRejectedError) {
        this.log.info('pin rejected', { peer, reason: error.message });
        return { status: 'rejected', reason: error.message };
      }
      if (error instanceof ProtocolError) return { status: 'rejected', reason: 'malformed request' };
      if (signal.aborted) {
        this.log.info('pin timed out', { peer });
        return { status: 'failed', reason: 'the blob could not be fetched in time' };
      }
      this.log.warn('pin failed', { peer, error: errorName(error) });
      return { status: 'failed', reason: 'pin failed' };
    }
  }
}

function errorResponse(kind: StoreProtocolKind, status: 'rate_limited' | 'failed'): Uint8Array {
  if (kind === 'query') return encodeQueryResponse({ status, envelopes: [] });
  return kind === 'pin' ? encodePinAck({ status }) : encodePublishAck({ status });
}

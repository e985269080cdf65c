/**
 * Client of the Cairn store protocol (see store-protocol.ts): publish an envelope and get the
 * relay's acknowledgement, read history a page at a time by relay cursor, ask a relay to pin
 * a blob. Publishes go over one kept-open stream per relay (`PublishChannels`), the other calls
 * over one stream each; every call has a timeout and takes an AbortSignal, so a relay that never
 * answers costs at most the timeout. Failures are `StoreError`s with a `reason`.
 *
 * Cursors are the relay's insertion order (valid for that relay only), not sender
 * timestamps: catching up "since cursor" also returns envelopes that arrived late with old
 * timestamps. Envelopes come back as untrusted bytes: decode and verify them as any other.
 */
import type { DialTarget, Libp2p, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { equalBytes } from '../protocol/bytes.ts';
import { PublishChannels } from './publish-channel.ts';
import {
  decodeProofResponse,
  encodeProofRequest,
  MAX_PROOF_RESPONSE_BYTES,
  type MessageProofEntry,
  STORE_PROOF_PROTOCOL,
} from './store-proofs.ts';
import {
  type AckStatus,
  decodePinAck,
  decodePublishAck,
  decodeQueryResponse,
  encodePinRequest,
  encodePublishRequest,
  encodeQueryRequest,
  MAX_ACK_BYTES,
  MAX_PAGE_SIZE,
  MAX_QUERY_RESPONSE_BYTES,
  type PinAck,
  type PublishAck,
  type SortDirection,
  STORE_PIN_PROTOCOL,
  STORE_PUBLISH_PROTOCOL,
  STORE_QUERY_PROTOCOL,
} from './store-protocol.ts';

export type StoreErrorReason =
  /** No answer within the call's timeout. */
  | 'timeout'
  /** The caller's signal aborted the call. */
  | 'aborted'
  /** The relay could not be dialled or does not speak the protocol. */
  | 'unreachable'
  /** The stream broke (reset, closed early, frame over the limit). */
  | 'stream'
  /** The relay answered with something that is not a valid response. */
  | 'bad-response'
  /** The relay refused the request (invalid envelope, bad cursor, blob too large…). */
  | 'rejected'
  /** The relay's per-peer rate limit: retry later. */
  | 'rate-limited'
  /** The relay failed internally (or is shutting down). */
  | 'failed';

/** A store call that did not succeed; `reason` says why, `relayReason` is the relay's text. */
export class StoreError extends Error {
  override name = 'StoreError';
  readonly reason: StoreErrorReason;
  readonly relayReason: string | undefined;
  constructor(
    reason: StoreErrorReason,
    message: string,
    options?: { cause?: unknown; relayReason?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.relayReason = options?.relayReason;
  }
}

/** The relay did not answer in time. */
export class StoreTimeoutError extends StoreError {
  override name = 'StoreTimeoutError';
  constructor(protocol: string, timeoutMs: number) {
    super('timeout', `${protocol} got no answer within ${timeoutMs} ms`);
  }
}

/** The relay refused the request. */
export class StoreRejectedError extends StoreError {
  override name = 'StoreRejectedError';
  constructor(relayReason: string | undefined) {
    super('rejected', `the relay refused the request${relayReason ? `: ${relayReason}` : ''}`, {
      relayReason,
    });
  }
}

/** The relay rate-limited this peer. */
export class StoreRateLimitedError extends StoreError {
  override name = 'StoreRateLimitedError';
  constructor(relayReason: string | undefined) {
    super('rate-limited', 'the relay rate-limited this peer', { relayReason });
  }
}

export interface StoreClientInit {
  /** Timeout of a publish or one query page, ms. @default 10_000 */
  timeoutMs?: number;
  /** Timeout of a pin (the relay fetches the blob first), ms. @default 60_000 */
  pinTimeoutMs?: number;
  /** Default bound of `queryAll`. @default 100 */
  maxPages?: number;
  /** A kept-open publish stream unused this long is closed, ms. @default 30_000 */
  publishIdleMs?: number;
}

export interface StoreCallOptions {
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call, ms. */
  timeoutMs?: number;
}

export interface QueryParameters {
  /** 1..100 content topics. */
  contentTopics: string[];
  /** Opaque cursor from a previous page of the same relay. */
  cursor?: Uint8Array;
  /** Page size; the relay clamps it to `MAX_PAGE_SIZE` (100). @default 100 */
  limit?: number;
  /** @default 'ascending' */
  direction?: SortDirection;
}

export interface QueryPage {
  /** Encoded envelopes, in the relay's insertion order (or its reverse). */
  envelopes: Uint8Array[];
  /** Cursor of the next page; absent when the relay has nothing more. */
  cursor?: Uint8Array;
  /**
   * Position after this page's last envelope (absent on an empty page): persist it once the
   * page is handled, and query from it later to get what arrived since.
   */
  resumeCursor?: Uint8Array;
}

export interface QueryAllOptions extends StoreCallOptions {
  /** Stop after this many pages (the last page then still has a cursor). */
  maxPages?: number;
}

function statusError(status: AckStatus | 'ok', reason: string | undefined): StoreError {
  if (status === 'rejected') return new StoreRejectedError(reason);
  if (status === 'rate_limited') return new StoreRateLimitedError(reason);
  return new StoreError('failed', `the relay failed${reason ? `: ${reason}` : ''}`, { relayReason: reason });
}

/** A publish acknowledgement: the relay stored the envelope, had it already, or refused it for good. */
export interface PublishResult extends PublishAck {
  status: 'stored' | 'duplicate' | 'rejected';
}

/** A pin acknowledgement: the relay pinned the blob, had it pinned already, or refused it. */
export interface PinResult extends PinAck {
  status: 'stored' | 'duplicate' | 'rejected';
}

/**
 * Store protocol client over a libp2p node.
 * @example
 * const store = new StoreClient(node.libp2p)
 * const ack = await store.publish(relayAddress, encodeEnvelope(envelope), { signal })
 * for await (const page of store.queryAll(relayAddress, { contentTopics: [topic], cursor })) save(page)
 */
export class StoreClient {
  private readonly libp2p: Pick<Libp2p, 'dialProtocol'>;
  private readonly timeoutMs: number;
  private readonly pinTimeoutMs: number;
  private readonly maxPages: number;
  private readonly publishChannels: PublishChannels<DialTarget>;

  constructor(libp2p: Pick<Libp2p, 'dialProtocol'>, init: StoreClientInit = {}) {
    this.libp2p = libp2p;
    this.timeoutMs = positive('timeoutMs', init.timeoutMs ?? 10_000);
    this.pinTimeoutMs = positive('pinTimeoutMs', init.pinTimeoutMs ?? 60_000);
    this.maxPages = positive('maxPages', init.maxPages ?? 100);
    this.publishChannels = new PublishChannels({
      open: (relay, signal) => this.dial(relay, STORE_PUBLISH_PROTOCOL, signal),
      maxResponseBytes: MAX_ACK_BYTES,
      ...(init.publishIdleMs !== undefined ? { idleMs: positive('publishIdleMs', init.publishIdleMs) } : {}),
    });
  }

  /** Closes the kept-open publish streams (the next publish opens a new one). */
  close(): void {
    this.publishChannels.close();
  }

  /**
   * Publishes an encoded envelope through `relay`, which stores it and then gossips it on.
   * Resolves with the ack: `stored` (with its cursor), `duplicate`, or `rejected` with the
   * relay's reason (the envelope is invalid: retrying cannot help).
   * @throws StoreError for what may pass (StoreRateLimitedError, StoreTimeoutError, reason
   *   'failed', 'unreachable'…); ProtocolArgumentError when the envelope is empty or too large.
   */
  async publish(
    relay: DialTarget,
    envelope: Uint8Array,
    options: StoreCallOptions = {},
  ): Promise<PublishResult> {
    const request = encodePublishRequest({ envelope });
    const bytes = await this.call(STORE_PUBLISH_PROTOCOL, options, this.timeoutMs, (signal) =>
      this.publishChannels.request(relay, request, signal),
    );
    return settled(decodeResponse(() => decodePublishAck(bytes)));
  }

  /**
   * Reads one page of history of `contentTopics` after `cursor`.
   * @throws StoreError; ProtocolArgumentError for invalid parameters.
   */
  async query(
    relay: DialTarget,
    params: QueryParameters,
    options: StoreCallOptions = {},
  ): Promise<QueryPage> {
    const limit = params.limit ?? MAX_PAGE_SIZE;
    const request = encodeQueryRequest({
      contentTopics: params.contentTopics,
      limit,
      direction: params.direction ?? 'ascending',
      ...(params.cursor ? { cursor: params.cursor } : {}),
    });
    const bytes = await this.exchange(
      relay,
      STORE_QUERY_PROTOCOL,
      request,
      MAX_QUERY_RESPONSE_BYTES,
      options,
    );
    const response = decodeResponse(() => decodeQueryResponse(bytes));
    if (response.status !== 'ok') throw statusError(response.status, response.reason);
    if (response.envelopes.length > Math.min(limit || MAX_PAGE_SIZE, MAX_PAGE_SIZE)) {
      throw new StoreError('bad-response', 'the relay returned more envelopes than asked for');
    }
    const page: QueryPage = { envelopes: response.envelopes };
    if (response.cursor) page.cursor = response.cursor;
    if (response.resumeCursor) page.resumeCursor = response.resumeCursor;
    return page;
  }

  /**
   * Pages through the history of `contentTopics` until the relay has nothing more, or
   * `maxPages` pages were read (the last page then still has `cursor`). Persist a page's
   * `resumeCursor` once it is handled: querying from it later returns what arrived since.
   * @throws StoreError (also when the relay hands back the cursor it was given)
   */
  async *queryAll(
    relay: DialTarget,
    params: QueryParameters,
    options: QueryAllOptions = {},
  ): AsyncGenerator<QueryPage, void, undefined> {
    const maxPages = positive('maxPages', options.maxPages ?? this.maxPages);
    let cursor = params.cursor;
    for (let pages = 0; pages < maxPages; pages++) {
      const page = await this.query(relay, { ...params, ...(cursor ? { cursor } : {}) }, options);
      yield page;
      if (!page.cursor) return;
      if (cursor && equalBytes(cursor, page.cursor)) {
        throw new StoreError('bad-response', 'the relay returned the same cursor twice');
      }
      cursor = page.cursor;
    }
  }

  /**
   * Asks `relay` to fetch (over bitswap, from the peers it is connected to, e.g. this node)
   * and pin the blob `cid`, so it outlives this node.
   * Resolves with `stored` (pinned now), `duplicate` (already pinned) or `rejected` (invalid
   * CID, unsupported codec, over the relay's size limit).
   * @throws StoreError (e.g. reason 'failed' when the relay could not fetch it in time);
   *   ProtocolArgumentError for a malformed CID string.
   */
  async pin(relay: DialTarget, cid: string, options: StoreCallOptions = {}): Promise<PinResult> {
    const request = encodePinRequest({ cid });
    const bytes = await this.exchange(relay, STORE_PIN_PROTOCOL, request, MAX_ACK_BYTES, {
      ...options,
      timeoutMs: options.timeoutMs ?? this.pinTimeoutMs,
    });
    return settled(decodeResponse(() => decodePinAck(bytes)));
  }

  /**
   * Where `messageIds` (hex) stand in this relay's anchoring, with proofs for anchored ones.
   * @throws StoreError ('unreachable' also when the relay does not anchor)
   */
  async proofs(relay: DialTarget, messageIds: readonly `0x${string}`[], options: StoreCallOptions = {}) {
    const request = encodeProofRequest(messageIds);
    const bytes = await this.exchange(
      relay,
      STORE_PROOF_PROTOCOL,
      request,
      MAX_PROOF_RESPONSE_BYTES,
      options,
    );
    const response = decodeResponse(() => decodeProofResponse(bytes));
    if (response.status !== 'ok') throw statusError(response.status, response.reason);
    return response.proofs satisfies MessageProofEntry[];
  }

  /** Opens a stream, writes one frame, half-closes, reads one frame; bounded by the timeout. */
  private exchange(
    relay: DialTarget,
    protocol: string,
    request: Uint8Array,
    maxResponseBytes: number,
    options: StoreCallOptions,
  ): Promise<Uint8Array> {
    return this.call(protocol, options, this.timeoutMs, async (signal) => {
      const stream = await this.dial(relay, protocol, signal);
      try {
        const lp = lpStream(stream, {
          maxDataLength: maxResponseBytes,
          maxBufferSize: maxResponseBytes + 16,
        });
        await lp.write(request, { signal });
        await stream.close({ signal });
        const response = await lp.read({ signal });
        return response.subarray();
      } catch (cause) {
        stream.abort(cause instanceof Error ? cause : new Error(String(cause)));
        throw cause;
      }
    });
  }

  /** Opens a stream of `protocol` to `relay`. @throws StoreError 'unreachable' */
  private async dial(relay: DialTarget, protocol: string, signal: AbortSignal): Promise<Stream> {
    try {
      return await this.libp2p.dialProtocol(relay, protocol, { signal });
    } catch (cause) {
      if (signal.aborted) throw cause;
      throw new StoreError('unreachable', `${protocol}: could not open a stream to the relay`, { cause });
    }
  }

  /**
   * Runs `work` with a signal that aborts on the caller's signal or after the timeout, and maps
   * what it threw to a StoreError.
   */
  private async call<T>(
    protocol: string,
    options: StoreCallOptions,
    defaultTimeoutMs: number,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = positive('timeoutMs', options.timeoutMs ?? defaultTimeoutMs);
    const outer = options.signal;
    if (outer?.aborted) throw new StoreError('aborted', `${protocol} was aborted`, { cause: outer.reason });
    const controller = new AbortController();
    const onAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new StoreTimeoutError(protocol, timeoutMs));
    }, timeoutMs);
    try {
      return await work(controller.signal);
    } catch (cause) {
      if (timedOut) throw new StoreTimeoutError(protocol, timeoutMs);
      if (outer?.aborted) throw new StoreError('aborted', `${protocol} was aborted`, { cause: outer.reason });
      if (cause instanceof StoreError) throw cause;
      throw new StoreError('stream', `${protocol}: the stream failed`, { cause });
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }
}

/** An ack with a final status, or the StoreError of a transient one. */
function settled<T extends PublishAck>(ack: T): T & { status: 'stored' | 'duplicate' | 'rejected' } {
  const { status } = ack;
  if (status === 'stored' || status === 'duplicate' || status === 'rejected') return { ...ack, status };
  throw statusError(status, ack.reason);
}

function decodeResponse<T>(decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    throw new StoreError('bad-response', 'the relay sent a malformed response', { cause });
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`"${name}" expected a positive number, got ${value}`);
  return value;
}

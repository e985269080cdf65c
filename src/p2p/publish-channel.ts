/**
 * Kept-open publish streams, one per relay. A `/cairn/store/1/publish` stream carries any number
 * of request/ack pairs in order (src/p2p/store-protocol.ts), so a client that keeps one open
 * publishes a message with one frame each way instead of negotiating a stream per message
 * (measured in the extension: ~5 ms of a ~10 ms publish).
 *
 * Requests to one relay go one at a time. A stream that fails is dropped; a request that failed
 * on a reused stream (it may have gone stale: the relay closed it as idle, or restarted) is tried
 * once more on a new stream — harmless, since the relay answers `duplicate` to an envelope it
 * already stored. A stream idle for `idleMs` is closed by the client, before the relay would.
 */
import type { Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';

/** A relay's peer id or multiaddr, as `dialProtocol` takes it. */
export interface PublishTarget {
  toString(): string;
}

export interface PublishChannelsInit<Target extends PublishTarget> {
  /** Opens a new publish stream to `relay` (the protocol negotiated). */
  open(relay: Target, signal: AbortSignal): Promise<Stream>;
  /** Largest ack frame accepted. */
  maxResponseBytes: number;
  /** A stream unused this long is closed. @default 30_000 */
  idleMs?: number;
}

interface Channel {
  stream: Stream;
  lp: ReturnType<typeof lpStream>;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

export class PublishChannels<Target extends PublishTarget> {
  readonly #init: PublishChannelsInit<Target>;
  readonly #idleMs: number;
  readonly #channels = new Map<string, Channel>();
  /** The last request queued per relay: the next one starts after it settles. */
  readonly #tails = new Map<string, Promise<unknown>>();

  constructor(init: PublishChannelsInit<Target>) {
    this.#init = init;
    this.#idleMs = init.idleMs ?? 30_000;
  }

  /** Open streams (for tests and diagnostics). */
  get size(): number {
    return this.#channels.size;
  }

  /**
   * Writes `request` as one frame to `relay` and reads its one-frame answer.
   * @throws what opening, writing or reading threw (the caller maps it); the signal's reason
   * when it aborts.
   */
  async request(relay: Target, request: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    const key = relay.toString();
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const run = previous.then(
      () => this.#requestNow(relay, key, request, signal),
      () => this.#requestNow(relay, key, request, signal),
    );
    this.#tails.set(key, run);
    try {
      return await run;
    } finally {
      if (this.#tails.get(key) === run) this.#tails.delete(key);
    }
  }

  /** Closes every stream (e.g. when the node stops). */
  close(): void {
    for (const [key, channel] of this.#channels) this.#drop(key, channel);
  }

  async #requestNow(relay: Target, key: string, request: Uint8Array, signal: AbortSignal) {
    signal.throwIfAborted();
    for (let attempt = 0; ; attempt++) {
      let channel = this.#usable(key);
      const reused = channel !== undefined;
      channel ??= await this.#open(relay, key, signal);
      clearTimeout(channel.idleTimer);
      try {
        await channel.lp.write(request, { signal });
        const response = await channel.lp.read({ signal });
        this.#idleLater(key, channel);
        return response.subarray();
      } catch (error) {
        // The frames on this stream are out of step now (or it is dead): never reuse it.
        this.#drop(key, channel, error);
        if (!reused || attempt > 0 || signal.aborted) throw error;
      }
    }
  }

  #usable(key: string): Channel | undefined {
    const channel = this.#channels.get(key);
    if (!channel) return undefined;
    const { stream } = channel;
    if (stream.status === 'open' && stream.writeStatus === 'writable' && stream.readStatus === 'readable') {
      return channel;
    }
    this.#drop(key, channel);
    return undefined;
  }

  async #open(relay: Target, key: string, signal: AbortSignal): Promise<Channel> {
    const stream = await this.#init.open(relay, signal);
    const lp = lpStream(stream, {
      maxDataLength: this.#init.maxResponseBytes,
      maxBufferSize: this.#init.maxResponseBytes + 16,
    });
    const channel: Channel = { stream, lp, idleTimer: undefined };
    stream.addEventListener('close', () => {
      if (this.#channels.get(key) === channel) this.#channels.delete(key);
      clearTimeout(channel.idleTimer);
    });
    this.#channels.set(key, channel);
    return channel;
  }

  #idleLater(key: string, channel: Channel): void {
    channel.idleTimer = setTimeout(() => {
      if (this.#channels.get(key) !== channel) return;
      this.#channels.delete(key);
      channel.stream.close().catch((error: unknown) => channel.stream.abort(asError(error)));
    }, this.#idleMs);
  }

  #drop(key: string, channel: Channel, cause?: unknown): void {
    clearTimeout(channel.idleTimer);
    if (this.#channels.get(key) === channel) this.#channels.delete(key);
    if (channel.stream.status === 'open')
      channel.stream.abort(asError(cause ?? new Error('publish stream closed')));
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * What the messenger needs from the network, so its logic runs against a real
 * libp2p node in the extension and against simple in-memory relays in unit tests.
 */
import type { Envelope } from '../../protocol/index';

export type PublishOutcome = 'stored' | 'duplicate';

/** A relay refused an envelope (malformed, too large, out of its time window). */
export class EnvelopeRejectedError extends Error {
  override name = 'EnvelopeRejectedError';
}

/** A relay no longer accepts a stored cursor (its store was reset): read that topic from the start. */
export class CursorRejectedError extends Error {
  override name = 'CursorRejectedError';
}

/** A relay asked us to slow down: wait and try again. */
export class RelayBusyError extends Error {
  override name = 'RelayBusyError';
}

export interface StoredPage {
  envelopes: Envelope[];
  /** Where to resume after this page (persist it once the page is handled). */
  cursor: Uint8Array | null;
}

export interface MessagingTransport {
  /**
   * Publishes to every connected relay; resolves once one of them acknowledged storing it.
   * @throws EnvelopeRejectedError, RelayUnavailableError
   */
  publish(envelope: Uint8Array, signal: AbortSignal): Promise<PublishOutcome>;
  /** Names of the relays that can be read now, each with its own cursors. */
  readableRelays(): string[];
  /**
   * Envelopes on `topic` that `relay` stored after `cursor` (its own storage order, so late
   * arrivals with old timestamps are included), oldest first, a page at a time.
   * @throws CursorRejectedError, RelayBusyError, RelayUnavailableError
   */
  fetchSince(
    relay: string,
    topic: string,
    cursor: Uint8Array | null,
    signal: AbortSignal,
  ): AsyncIterable<StoredPage>;
  /** The newest envelope on a topic in any connected relay (the directory keeps one bundle per address). */
  latest(topic: string, signal: AbortSignal): Promise<Envelope | null>;
  /** Live delivery for exactly these content topics (the transport maps them onto shards). */
  setLiveTopics(topics: readonly string[]): void;
  /** Every live envelope on a subscribed topic, already size-checked and decoded. */
  onEnvelope(handler: (envelope: Envelope) => void): void;
}

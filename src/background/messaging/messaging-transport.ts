/**
 * What the messenger needs from the network, so its logic runs against a real
 * libp2p node in the extension and against simple in-memory relays in unit tests.
 */
import type { Envelope } from '../../protocol/index';

export type PublishOutcome = 'stored' | 'duplicate';

/** A relay refused an envelope for good (malformed, too large): retrying cannot help. */
export class EnvelopeRejectedError extends Error {
  override name = 'EnvelopeRejectedError';
}

export interface MessagingTransport {
  /** Resolves once a relay acknowledged storing the encoded envelope. @throws EnvelopeRejectedError */
  publish(envelope: Uint8Array, signal: AbortSignal): Promise<PublishOutcome>;
  /**
   * Envelopes on `topic` that a relay stored after `cursor` (its own storage order, so
   * late arrivals with old timestamps are included), oldest first, one page per item.
   * Each page comes with the cursor to resume after it.
   */
  fetchSince(
    topic: string,
    cursor: Uint8Array | null,
    signal: AbortSignal,
  ): AsyncIterable<{ envelopes: Envelope[]; cursor: Uint8Array | null }>;
  /** The newest envelope on a topic (the relay directory keeps one contact bundle per address). */
  latest(topic: string, signal: AbortSignal): Promise<Envelope | null>;
  /** Live delivery for exactly these content topics (the transport maps them onto shards). */
  setLiveTopics(topics: readonly string[]): void;
  /** Every live envelope on a subscribed topic, already size-checked and decoded. */
  onEnvelope(handler: (envelope: Envelope) => void): void;
  /** A key naming the relay(s) `fetchSince` cursors belong to. */
  readonly cursorScope: string;
}

/**
 * What a relay stores and forwards: only well-formed XMTP v2 envelopes on the three topic
 * families Cairn uses, whose payload checks out as far as a relay can check it without keys.
 *
 * - size within `MAX_ENCODED_ENVELOPE_BYTES`, checked before anything is decoded;
 * - the envelope decodes, has a timestamp, and it is at most `maxFutureMs` ahead;
 * - `contact-<address>` (EIP-55 form): a contact bundle whose whole chain verifies for that
 *   address (anyone can write to any topic; only the owner can produce a verifying bundle);
 * - `invite-<address>`: a sealed invitation whose header time equals the envelope time, whose
 *   two bundles verify, and whose sender or recipient is that address;
 * - `m-<id>` (isConversationTopic): a canonically encoded Message; a v2 header must name the
 *   same topic (a v1 message's two bundles must verify).
 *
 * The result never carries payload bytes into logs: callers log `reason` and `detail` only.
 */
import { type Address, getAddress } from 'viem';
import { verifyBundle, verifyContactBundleFor } from '../protocol/bundle.ts';
import { decodeEnvelope, type Envelope, MAX_ENCODED_ENVELOPE_BYTES } from '../protocol/envelope.ts';
import { LimitError, ProtocolError } from '../protocol/errors.ts';
import { decodeSealedInvitation } from '../protocol/invitation.ts';
import { decodeMessage } from '../protocol/message.ts';
import { contactTopic, inviteTopic, isConversationTopic } from '../protocol/topics.ts';

export type EnvelopeKind = 'contact' | 'invite' | 'conversation';

export type RejectReason =
  | 'too-large'
  | 'malformed-envelope'
  | 'unknown-topic'
  | 'future-timestamp'
  | 'bad-contact-bundle'
  | 'bad-invitation'
  | 'bad-message';

export interface AcceptedEnvelope {
  ok: true;
  kind: EnvelopeKind;
  envelope: Envelope;
  /**
   * Contact bundles only: the bundle's signed creation time in ns (the later of identity and
   * pre-key; legacy millisecond times scaled). The directory keeps the highest: a replayed old
   * bundle in a fresh envelope cannot displace a newer one.
   */
  rank?: bigint;
}

export interface RejectedEnvelope {
  ok: false;
  reason: RejectReason;
  /** A short description for debug logs (never payload bytes). */
  detail: string;
}

export type EnvelopeValidation = AcceptedEnvelope | RejectedEnvelope;

export interface EnvelopeValidatorInit {
  /** How far ahead of the relay's clock a timestamp may be, ms. @default 600_000 (10 min) */
  maxFutureMs?: number;
  /** Milliseconds clock. @default Date.now */
  clock?: () => number;
}

const ADDRESS_TOPIC = /^\/xmtp\/0\/(contact|invite)-(0x[0-9a-fA-F]{40})\/proto$/;
/** Below this a key time is in milliseconds (legacy v1 keys): 10^15 ns is 11.6 days after 1970. */
const LEGACY_MS_BELOW = 1_000_000_000_000_000n;

function reject(reason: RejectReason, detail: string): RejectedEnvelope {
  return { ok: false, reason, detail };
}

function describe(error: unknown): string {
  return error instanceof ProtocolError ? `${error.name}: ${error.message}` : 'unexpected error';
}

function toNs(time: bigint): bigint {
  return time < LEGACY_MS_BELOW ? time * 1_000_000n : time;
}

/**
 * @example
 * const result = new EnvelopeValidator().validate(bytes)
 * if (!result.ok) log.debug('dropped', { reason: result.reason })
 */
export class EnvelopeValidator {
  private readonly maxFutureNs: bigint;
  private readonly clock: () => number;

  constructor(init: EnvelopeValidatorInit = {}) {
    const maxFutureMs = init.maxFutureMs ?? 600_000;
    if (!Number.isInteger(maxFutureMs) || maxFutureMs < 0)
      throw new RangeError('"maxFutureMs" expected ms >= 0');
    this.maxFutureNs = BigInt(maxFutureMs) * 1_000_000n;
    this.clock = init.clock ?? Date.now;
  }

  /** Decides whether `bytes` (an encoded Envelope) may be stored and forwarded. */
  validate(bytes: Uint8Array): EnvelopeValidation {
    if (!(bytes instanceof Uint8Array)) return reject('malformed-envelope', 'not bytes');
    if (bytes.length > MAX_ENCODED_ENVELOPE_BYTES) {
      return reject('too-large', `${bytes.length} bytes > ${MAX_ENCODED_ENVELOPE_BYTES}`);
    }
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(bytes);
    } catch (error) {
      return reject(error instanceof LimitError ? 'too-large' : 'malformed-envelope', describe(error));
    }
    if (envelope.timestampNs === 0n) return reject('malformed-envelope', 'no timestamp');
    if (envelope.message.length === 0) return reject('malformed-envelope', 'no message');
    const latestNs = BigInt(this.clock()) * 1_000_000n + this.maxFutureNs;
    if (envelope.timestampNs > latestNs) return reject('future-timestamp', 'timestamp too far in the future');
    const topic = envelope.contentTopic;
    if (isConversationTopic(topic)) return this.conversation(envelope, latestNs);
    const match = ADDRESS_TOPIC.exec(topic);
    const family = match?.[1];
    const text = match?.[2];
    if (text && (family === 'contact' || family === 'invite')) {
      const address = getAddress(text);
      // One canonical (checksummed) spelling per address: no second directory entry for it.
      const canonical = family === 'contact' ? contactTopic(address) : inviteTopic(address);
      if (canonical !== topic) return reject('unknown-topic', 'address not in EIP-55 form');
      return family === 'contact'
        ? this.contact(envelope, address, latestNs)
        : this.invite(envelope, address);
    }
    return reject('unknown-topic', 'not a contact, invite or conversation topic');
  }

  private contact(envelope: Envelope, address: Address, latestNs: bigint): EnvelopeValidation {
    try {
      const bundle = verifyContactBundleFor(address, envelope.message);
      const identityNs = toNs(bundle.identityKey.createdNs);
      const preKeyNs = toNs(bundle.preKey.createdNs);
      let rank = identityNs;
      if (preKeyNs > rank) rank = preKeyNs;
      if (rank > latestNs) return reject('bad-contact-bundle', 'bundle created in the future');
      return { ok: true, kind: 'contact', envelope, rank };
    } catch (error) {
      return reject('bad-contact-bundle', describe(error));
    }
  }

  private invite(envelope: Envelope, address: Address): EnvelopeValidation {
    try {
      const sealed = decodeSealedInvitation(envelope.message);
      if (sealed.createdNs !== envelope.timestampNs) {
        return reject('bad-invitation', 'header time differs from the envelope time');
      }
      const sender = verifyBundle(sealed.sender);
      const recipient = verifyBundle(sealed.recipient);
      const owner = address.toLowerCase();
      if (sender.address.toLowerCase() !== owner && recipient.address.toLowerCase() !== owner) {
        return reject('bad-invitation', 'neither party owns the invite topic');
      }
      return { ok: true, kind: 'invite', envelope };
    } catch (error) {
      return reject('bad-invitation', describe(error));
    }
  }

  private conversation(envelope: Envelope, latestNs: bigint): EnvelopeValidation {
    try {
      const message = decodeMessage(envelope.message);
      if (message.version === 'v2') {
        if (message.topic !== envelope.contentTopic) return reject('bad-message', 'header topic differs');
        if (message.createdNs > latestNs) return reject('bad-message', 'created in the future');
      } else if (message.timestampMs * 1_000_000n > latestNs) {
        return reject('bad-message', 'created in the future');
      }
      return { ok: true, kind: 'conversation', envelope };
    } catch (error) {
      return reject('bad-message', describe(error));
    }
  }
}

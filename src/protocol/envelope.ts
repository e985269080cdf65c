/**
 * The message API `Envelope` (xmtp.message_api.v1): content topic, timestamp in ns, message bytes.
 *   message Envelope { string content_topic = 1; uint64 timestamp_ns = 2; bytes message = 3; }
 * `@xmtp/proto` ships only the JSON gateway type for it, so this is a small strict codec:
 * unknown fields are skipped, groups and malformed varints or lengths are refused.
 * https://github.com/xmtp/proto/blob/main/proto/message_api/v1/message_api.proto
 */
import { assertBytes } from './bytes.ts';
import { ProtocolArgumentError, ProtocolDecodeError } from './errors.ts';
import { assertMaxBytes, MAX_ENVELOPE_BYTES, MAX_TOPIC_LENGTH } from './limits.ts';

/** A message API envelope. */
export interface Envelope {
  contentTopic: string;
  /** Sender-chosen timestamp, ns since epoch. */
  timestampNs: bigint;
  /** The payload (`Message`, `SealedInvitation`, `ContactBundle`, …), at most 128 KiB. */
  message: Uint8Array;
}

/** Largest encoded envelope: the payload limit plus room for topic, timestamp and tags. */
export const MAX_ENCODED_ENVELOPE_BYTES = MAX_ENVELOPE_BYTES + MAX_TOPIC_LENGTH + 64;

const utf8 = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the topic; dropping it would make two byte strings one topic.
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function writeVarint(out: number[], value: bigint): void {
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

/**
 * Encodes an envelope. @throws LimitError when the message is over 128 KiB.
 */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  assertBytes('message', envelope.message);
  assertMaxBytes('message', envelope.message, MAX_ENVELOPE_BYTES);
  if (envelope.timestampNs < 0n || envelope.timestampNs >= 1n << 64n) {
    throw new ProtocolArgumentError('"timestampNs" out of uint64 range');
  }
  const topic = utf8.encode(envelope.contentTopic);
  // Measured in UTF-8 bytes, as decoding measures it: what encodes must decode.
  if (topic.length > MAX_TOPIC_LENGTH) throw new ProtocolArgumentError('"contentTopic" is too long');
  const head: number[] = [];
  if (topic.length > 0) {
    head.push(0x0a);
    writeVarint(head, BigInt(topic.length));
    head.push(...topic);
  }
  if (envelope.timestampNs !== 0n) {
    head.push(0x10);
    writeVarint(head, envelope.timestampNs);
  }
  const tail: number[] = [];
  if (envelope.message.length > 0) {
    tail.push(0x1a);
    writeVarint(tail, BigInt(envelope.message.length));
  }
  const out = new Uint8Array(head.length + tail.length + envelope.message.length);
  out.set(head, 0);
  out.set(tail, head.length);
  out.set(envelope.message, head.length + tail.length);
  return out;
}

class Cursor {
  pos = 0;
  readonly bytes: Uint8Array;
  // No parameter property: plain Node (type stripping, `npm run bench`) cannot run those.
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.bytes.length) throw new ProtocolDecodeError('"envelope" has a truncated varint');
      const b = this.bytes[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (result >= 1n << 64n) throw new ProtocolDecodeError('"envelope" has a varint over 64 bits');
        return result;
      }
    }
    throw new ProtocolDecodeError('"envelope" has a varint longer than 10 bytes');
  }
  take(length: bigint): Uint8Array {
    if (length > BigInt(this.bytes.length - this.pos)) {
      throw new ProtocolDecodeError('"envelope" has a length prefix past the end');
    }
    const start = this.pos;
    this.pos += Number(length);
    return this.bytes.slice(start, this.pos);
  }
}

/**
 * Decodes an envelope, refusing one whose message is over 128 KiB.
 * @throws LimitError, ProtocolDecodeError
 */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  assertBytes('envelope', bytes);
  assertMaxBytes('envelope', bytes, MAX_ENCODED_ENVELOPE_BYTES);
  const cursor = new Cursor(bytes);
  let contentTopic = '';
  let timestampNs = 0n;
  let message: Uint8Array = new Uint8Array(0);
  while (cursor.pos < bytes.length) {
    const tag = cursor.varint();
    const field = tag >> 3n;
    const wireType = Number(tag & 7n);
    if (field === 0n) throw new ProtocolDecodeError('"envelope" has field number 0');
    if (wireType === 0) {
      const value = cursor.varint();
      if (field === 2n) timestampNs = value;
    } else if (wireType === 2) {
      const value = cursor.take(cursor.varint());
      if (field === 1n) {
        if (value.length > MAX_TOPIC_LENGTH)
          throw new ProtocolDecodeError('"envelope.content_topic" is too long');
        try {
          contentTopic = utf8Strict.decode(value);
        } catch (cause) {
          throw new ProtocolDecodeError('"envelope.content_topic" is not UTF-8', { cause });
        }
      } else if (field === 3n) {
        message = value;
      }
    } else if (wireType === 1) {
      cursor.take(8n);
    } else if (wireType === 5) {
      cursor.take(4n);
    } else {
      throw new ProtocolDecodeError(`"envelope" has unsupported wire type ${wireType}`);
    }
  }
  assertMaxBytes('envelope.message', message, MAX_ENVELOPE_BYTES);
  return { contentTopic, timestampNs, message };
}

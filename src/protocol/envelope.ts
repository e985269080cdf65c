/**
 * The message API `Envelope` (xmtp.message_api.v1): content topic, timestamp in ns, message bytes.
 *   message Envelope { string content_topic = 1; uint64 timestamp_ns = 2; bytes message = 3; }
 * `@xmtp/proto` ships only the JSON gateway type for it, so this is a small strict codec over
 * `protobuf.ts`: unknown fields are skipped, groups and malformed varints or lengths are refused.
 * https://github.com/xmtp/proto/blob/main/proto/message_api/v1/message_api.proto
 */
import { assertBytes } from './bytes.ts';
import { ProtocolArgumentError, ProtocolDecodeError } from './errors.ts';
import { assertMaxBytes, MAX_ENVELOPE_BYTES, MAX_TOPIC_LENGTH } from './limits.ts';
import { decodeUtf8, encodeUtf8, ProtoReader, ProtoWriter, WIRE_BYTES, WIRE_VARINT } from './protobuf.ts';

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

/**
 * Encodes an envelope. @throws LimitError when the message is over 128 KiB.
 */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  assertBytes('message', envelope.message);
  assertMaxBytes('message', envelope.message, MAX_ENVELOPE_BYTES);
  if (envelope.timestampNs < 0n || envelope.timestampNs >= 1n << 64n) {
    throw new ProtocolArgumentError('"timestampNs" out of uint64 range');
  }
  const topic = encodeUtf8(envelope.contentTopic);
  // Measured in UTF-8 bytes, as decoding measures it: what encodes must decode.
  if (topic.length > MAX_TOPIC_LENGTH) throw new ProtocolArgumentError('"contentTopic" is too long');
  const out = new ProtoWriter();
  if (topic.length > 0) out.bytes(1, topic);
  if (envelope.timestampNs !== 0n) out.tag(2, WIRE_VARINT).uint64(envelope.timestampNs);
  if (envelope.message.length > 0) out.bytes(3, envelope.message);
  return out.finish();
}

/**
 * Decodes an envelope, refusing one whose message is over 128 KiB.
 * A known field with another wire type is skipped as an unknown one.
 * @throws LimitError, ProtocolDecodeError
 */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  assertBytes('envelope', bytes);
  assertMaxBytes('envelope', bytes, MAX_ENCODED_ENVELOPE_BYTES);
  const reader = new ProtoReader(bytes, 'envelope');
  let contentTopic = '';
  let timestampNs = 0n;
  let message: Uint8Array = new Uint8Array(0);
  while (!reader.done) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === WIRE_BYTES) {
      const topic = reader.lengthDelimited();
      if (topic.length > MAX_TOPIC_LENGTH)
        throw new ProtocolDecodeError('"envelope.content_topic" is too long');
      // A leading U+FEFF is kept: dropping it would make two byte strings one topic.
      contentTopic = decodeUtf8(topic, 'envelope.content_topic');
    } else if (field === 2 && wire === WIRE_VARINT) {
      timestampNs = reader.uint64();
    } else if (field === 3 && wire === WIRE_BYTES) {
      message = reader.lengthDelimited();
    } else {
      reader.skip(wire);
    }
  }
  assertMaxBytes('envelope.message', message, MAX_ENVELOPE_BYTES);
  return { contentTopic, timestampNs, message: message.slice() };
}

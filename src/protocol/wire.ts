/**
 * Guarded protobuf decoding for the `@xmtp/proto` message_contents types.
 * Every decode goes through `decodeProto`: a size limit first, a private copy of the input
 * (protobufjs returns views into its input; `decodeOwnedProto` skips it for input nobody else
 * holds), and any decoder failure (bad varint, length prefix past the end, invalid wire type,
 * nesting deep enough to exhaust the stack) becomes a `ProtocolDecodeError`.
 */
import Long from 'long';
import { assertBytes, copyBytes, equalBytes } from './bytes.ts';
import { ProtocolArgumentError, ProtocolDecodeError } from './errors.ts';
import { assertMaxBytes, MAX_PROTO_BYTES } from './limits.ts';

/** The decode half of a ts-proto codec. */
export interface ProtoDecoder<T> {
  decode(input: Uint8Array): T;
}

/** The encode half of a ts-proto codec. */
export interface ProtoEncoder<T> {
  encode(message: T): { finish(): Uint8Array };
}

/**
 * Decodes `bytes` with `codec`, refusing input over `max` bytes.
 * @throws LimitError, ProtocolDecodeError
 */
export function decodeProto<T>(
  name: string,
  codec: ProtoDecoder<T>,
  bytes: Uint8Array,
  max = MAX_PROTO_BYTES,
): T {
  // Checked before copying, so an oversized input is never copied.
  assertBytes(name, bytes);
  assertMaxBytes(name, bytes, max);
  return decodeOwnedProto(name, codec, copyBytes(bytes), max);
}

/**
 * `decodeProto` for input nobody else holds (a plaintext just decrypted, a private copy): the
 * decoded fields are views into `bytes`, so it needs no copy of its own.
 * @throws LimitError, ProtocolDecodeError
 */
export function decodeOwnedProto<T>(
  name: string,
  codec: ProtoDecoder<T>,
  bytes: Uint8Array,
  max = MAX_PROTO_BYTES,
): T {
  assertBytes(name, bytes);
  assertMaxBytes(name, bytes, max);
  try {
    return codec.decode(bytes);
  } catch (cause) {
    throw new ProtocolDecodeError(`"${name}" is not a valid protobuf message`, { cause });
  }
}

/**
 * True when `codec` encodes `message` to exactly `bytes` (a canonical-encoding check). The
 * encoding is only compared, so it skips `encodeProto`'s copy.
 */
export function encodesTo<T>(codec: ProtoEncoder<T>, message: T, bytes: Uint8Array): boolean {
  return equalBytes(codec.encode(message).finish(), bytes);
}

/** Encodes `message` with `codec` into a fresh byte array. */
export function encodeProto<T>(codec: ProtoEncoder<T>, message: T): Uint8Array {
  return copyBytes(codec.encode(message).finish());
}

/** Throws a `ProtocolDecodeError` naming the field when a required field is missing. */
export function required<T>(name: string, value: T | undefined | null): T {
  if (value === undefined || value === null) throw new ProtocolDecodeError(`missing "${name}"`);
  return value;
}

/** An unsigned 64-bit protobuf integer as a bigint. */
export function longToBigInt(value: Long): bigint {
  return BigInt(Long.fromValue(value).toUnsigned().toString());
}

/** A bigint (0 ≤ value < 2^64) as an unsigned Long for the protobuf encoders. */
export function bigIntToLong(value: bigint): Long {
  if (value < 0n || value >= 1n << 64n) throw new ProtocolArgumentError(`uint64 out of range: ${value}`);
  return Long.fromString(value.toString(), true);
}

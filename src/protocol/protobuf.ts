/**
 * A minimal, strict protobuf (proto3) reader and writer, shared by every hand-written codec: the message
 * API `Envelope`, the content layer (`EncodedContent`) and the relay store protocol (`src/p2p`).
 *
 * Spec: https://protobuf.dev/programming-guides/encoding/. The reader refuses groups (wire types 3 and 4,
 * which proto3 never emits) and wire types 6 and 7, field numbers 0 and over 2^29 - 1, varints longer than
 * 10 bytes or over 64 bits, and length prefixes past the end of the input, each with the caller's decode
 * error (`ProtocolDecodeError` unless told). Unknown fields are left to the caller to `skip`. It never
 * recurses, so no input can exhaust the stack. The writer emits fields exactly as protobufjs (used by
 * `@xmtp/proto` and xmtp-js) does.
 */
import { ProtocolDecodeError } from './errors.ts';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const MAX_FIELD_NUMBER = 2 ** 29 - 1;

/** The class a reader throws for malformed input, so each layer keeps its own error family. */
export type DecodeErrorClass = new (message: string, options?: { cause?: unknown }) => Error;

// ignoreBOM: keep a leading U+FEFF (by default it is stripped, and the string would not round-trip).
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Strict UTF-8 decoding: invalid sequences are refused, a leading BOM is kept. */
export function decodeUtf8(
  bytes: Uint8Array,
  what: string,
  DecodeError: DecodeErrorClass = ProtocolDecodeError,
): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new DecodeError(`"${what}" is not valid UTF-8`, { cause });
  }
}

export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export class ProtoReader {
  pos = 0;
  readonly bytes: Uint8Array;
  private readonly what: string;
  private readonly DecodeError: DecodeErrorClass;

  constructor(bytes: Uint8Array, what: string, DecodeError: DecodeErrorClass = ProtocolDecodeError) {
    this.bytes = bytes;
    this.what = what;
    this.DecodeError = DecodeError;
  }

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** Throws the reader's decode error, naming the message being read. */
  fail(message: string): never {
    throw new this.DecodeError(`"${this.what}" ${message}`);
  }

  /** A varint as a number; values above 2^53 - 1 are refused (read those fields with `uint64`). */
  varint(): number {
    const value = this.anyVarint();
    if (value > Number.MAX_SAFE_INTEGER) this.fail('has a varint over 2^53 - 1');
    return value;
  }

  /** A uint64 varint as a bigint. */
  uint64(): bigint {
    const start = this.pos;
    const rounded = this.anyVarint();
    if (rounded <= Number.MAX_SAFE_INTEGER) return BigInt(rounded);
    let value = 0n;
    for (let i = this.pos - 1; i >= start; i--) value = (value << 7n) | BigInt(this.bytes[i]! & 0x7f);
    return value;
  }

  /** Returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const tag = this.anyVarint();
    const field = Math.floor(tag / 8);
    if (field === 0 || field > MAX_FIELD_NUMBER) this.fail(`has field number ${field}`);
    return [field, tag % 8];
  }

  /** Length-delimited bytes: a view into the input, never copied (copy what is kept). */
  lengthDelimited(): Uint8Array {
    const length = this.anyVarint();
    if (length > this.bytes.length - this.pos) this.fail(`has a length prefix ${length} past the end`);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** Length prefix of a length-delimited field, checked against `max` before the bytes are touched. */
  lengthDelimitedMax(max: number, onTooLong: (length: number) => never): Uint8Array {
    const start = this.pos;
    const length = this.anyVarint();
    this.pos = start;
    if (length > max) onTooLong(length);
    return this.lengthDelimited();
  }

  /** Skips the value of an unknown field. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.anyVarint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_BYTES:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        this.fail(`has unsupported wire type ${wire}`);
    }
  }

  expectWire(field: number, wire: number, expected: number): void {
    if (wire !== expected) this.fail(`field ${field} has wire type ${wire}, expected ${expected}`);
  }

  private advance(n: number): void {
    if (n > this.bytes.length - this.pos) this.fail('has a truncated field');
    this.pos += n;
  }

  /** Any valid varint (at most 10 bytes, below 2^64), as a number: exact up to 2^53 - 1, rounded above. */
  private anyVarint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) this.fail('has a truncated varint');
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) {
        if (i === 9 && byte > 1) this.fail('has a varint over 64 bits');
        return result;
      }
      multiplier *= 128;
    }
    this.fail('has a varint longer than 10 bytes');
  }
}

/** Append-only writer producing protobufjs-identical bytes for the field kinds used here. */
export class ProtoWriter {
  private chunks: number[] = [];
  private parts: Uint8Array[] = [];
  private length = 0;

  private flushChunks(): void {
    if (this.chunks.length === 0) return;
    const part = Uint8Array.from(this.chunks);
    this.parts.push(part);
    this.length += part.length;
    this.chunks = [];
  }

  /** Unsigned varint of a non-negative safe integer. */
  varint(value: number): this {
    let v = value;
    while (v >= 0x80) {
      this.chunks.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.chunks.push(v);
    return this;
  }

  /** Unsigned varint of a uint64: above 2^53 - 1, the low 28 bits first, then the (safe) rest. */
  uint64(value: bigint): this {
    if (value <= BigInt(Number.MAX_SAFE_INTEGER)) return this.varint(Number(value));
    const low = Number(value & 0xfff_ffffn);
    for (let shift = 0; shift < 28; shift += 7) this.chunks.push(((low >>> shift) & 0x7f) | 0x80);
    return this.varint(Number(value >> 28n));
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_BYTES).varint(value.length);
    this.flushChunks();
    this.parts.push(value);
    this.length += value.length;
    return this;
  }

  finish(): Uint8Array {
    this.flushChunks();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}

/**
 * A minimal, strict protobuf (proto3) reader and writer for the content layer.
 *
 * Spec: https://protobuf.dev/programming-guides/encoding/. The reader refuses groups (wire types 3 and 4,
 * which proto3 never emits), varints longer than 10 bytes, and length prefixes past the end of the input,
 * each with a `ContentMalformedError`. It never recurses, so no input can exhaust the stack. The writer
 * emits fields exactly as protobufjs (used by `@xmtp/proto` and xmtp-js) does.
 */
import { ContentMalformedError } from './content-errors.ts';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Strict UTF-8 decoding: invalid sequences are refused, a BOM is kept. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new ContentMalformedError(`"${what}" is not valid UTF-8`, { cause });
  }
}

export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export class ProtoReader {
  pos = 0;
  readonly bytes: Uint8Array;
  private readonly what: string;

  constructor(bytes: Uint8Array, what: string) {
    this.bytes = bytes;
    this.what = what;
  }

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** A varint as a number; values above 2^53 are refused (no field here needs them). */
  varint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.bytes.length) throw new ContentMalformedError(`"${this.what}" truncated varint`);
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER)
          throw new ContentMalformedError(`"${this.what}" varint too large`);
        return result;
      }
      multiplier *= 128;
    }
    throw new ContentMalformedError(`"${this.what}" varint longer than 10 bytes`);
  }

  /** Returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const tag = this.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) throw new ContentMalformedError(`"${this.what}" field number 0`);
    return [field, wire];
  }

  /** Length-delimited bytes: a view into the input, never copied. */
  lengthDelimited(): Uint8Array {
    const length = this.varint();
    if (length > this.bytes.length - this.pos) {
      throw new ContentMalformedError(`"${this.what}" length ${length} past the end of the input`);
    }
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** Length prefix of a length-delimited field, checked against `max` before the bytes are touched. */
  lengthDelimitedMax(max: number, onTooLong: (length: number) => never): Uint8Array {
    const start = this.pos;
    const length = this.varint();
    this.pos = start;
    if (length > max) onTooLong(length);
    return this.lengthDelimited();
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
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
        throw new ContentMalformedError(`"${this.what}" unsupported wire type ${wire}`);
    }
  }

  expectWire(field: number, wire: number, expected: number): void {
    if (wire !== expected) {
      throw new ContentMalformedError(
        `"${this.what}" field ${field} has wire type ${wire}, expected ${expected}`,
      );
    }
  }

  private advance(n: number): void {
    if (n > this.bytes.length - this.pos) throw new ContentMalformedError(`"${this.what}" truncated field`);
    this.pos += n;
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

  string(field: number, value: string): this {
    return this.bytes(field, encodeUtf8(value));
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

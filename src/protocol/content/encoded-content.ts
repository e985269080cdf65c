/**
 * `EncodedContent` (xmtp `message_contents/content.proto`), encoded and decoded by hand so that every limit
 * is checked before the bytes it guards are touched.
 *
 * Wire format (https://github.com/xmtp/proto/blob/main/proto/message_contents/content.proto):
 * ```
 * message ContentTypeId { string authority_id = 1; string type_id = 2; uint32 version_major = 3; uint32 version_minor = 4; }
 * enum Compression { COMPRESSION_DEFLATE = 0; COMPRESSION_GZIP = 1; }
 * message EncodedContent {
 *   ContentTypeId type = 1; map<string, string> parameters = 2; optional string fallback = 3;
 *   optional Compression compression = 5; bytes content = 4;
 * }
 * ```
 * Encoding is byte for byte what `@xmtp/proto` (ts-proto over protobufjs) writes: fields in the order
 * type, parameters (in `Object.entries` order), fallback, compression, content; proto3 defaults omitted
 * except for the two `optional` fields, which are written whenever present.
 */
import { decodeUtf8, encodeUtf8, ProtoReader, ProtoWriter, WIRE_BYTES, WIRE_VARINT } from '../protobuf.ts';
import { ContentLimitError, ContentMalformedError } from './content-errors.ts';
import { CONTENT_LIMITS, type ContentLimits } from './content-limits.ts';
import type { ContentTypeId } from './content-type.ts';

/** `Compression` enum values of the wire format. */
export const Compression = Object.freeze({ deflate: 0, gzip: 1 } as const);
export type Compression = (typeof Compression)[keyof typeof Compression];

export type EncodedContent = {
  readonly type: ContentTypeId;
  /** Null-prototype record on decode; encoded in `Object.entries` order as xmtp-js does. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly fallback?: string | undefined;
  readonly compression?: Compression | undefined;
  readonly content: Uint8Array;
};

const UINT32_MAX = 0xffff_ffff;
// Tags and length prefixes of one parameter entry (key <= 127 B, value <= 16 KiB): an early bound only;
// the exact key + value total is checked after parsing.
const ENTRY_FRAMING_BYTES = 8;

/** Serialize an `EncodedContent`, refusing anything the decoder would refuse under the same limits. */
export function encodeEncodedContent(
  encoded: EncodedContent,
  limits: ContentLimits = CONTENT_LIMITS,
): Uint8Array {
  const { type } = encoded;
  for (const [name, value] of [
    ['versionMajor', type.versionMajor],
    ['versionMinor', type.versionMinor],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
      throw new ContentMalformedError(`"type.${name}" expected a uint32, got ${value}`);
    }
  }
  const writer = new ProtoWriter();
  const typeWriter = new ProtoWriter();
  const authority = checkedUtf8(type.authorityId, 'type.authorityId', limits.maxTypeIdBytes);
  const typeId = checkedUtf8(type.typeId, 'type.typeId', limits.maxTypeIdBytes);
  if (authority.length > 0) typeWriter.bytes(1, authority);
  if (typeId.length > 0) typeWriter.bytes(2, typeId);
  if (type.versionMajor !== 0) typeWriter.tag(3, WIRE_VARINT).varint(type.versionMajor);
  if (type.versionMinor !== 0) typeWriter.tag(4, WIRE_VARINT).varint(type.versionMinor);
  writer.bytes(1, typeWriter.finish());

  const entries = Object.entries(encoded.parameters);
  if (entries.length > limits.maxParameters) {
    throw new ContentLimitError(
      `"parameters" expected at most ${limits.maxParameters} entries, got ${entries.length}`,
    );
  }
  let total = 0;
  for (const [key, value] of entries) {
    const k = checkedUtf8(key, 'parameters key', limits.maxParameterKeyBytes);
    const v = checkedUtf8(value, `parameters["${key}"]`, limits.maxParameterValueBytes);
    total += k.length + v.length;
    const entry = new ProtoWriter();
    if (k.length > 0) entry.bytes(1, k);
    if (v.length > 0) entry.bytes(2, v);
    writer.bytes(2, entry.finish());
  }
  if (total > limits.maxParametersTotalBytes) {
    throw new ContentLimitError(
      `"parameters" expected at most ${limits.maxParametersTotalBytes} bytes, got ${total}`,
    );
  }
  if (encoded.fallback !== undefined) {
    writer.bytes(3, checkedUtf8(encoded.fallback, 'fallback', limits.maxFallbackBytes));
  }
  if (encoded.compression !== undefined) {
    if (encoded.compression !== Compression.deflate && encoded.compression !== Compression.gzip) {
      throw new ContentMalformedError(
        `"compression" expected 0 (deflate) or 1 (gzip), got ${encoded.compression}`,
      );
    }
    writer.tag(5, WIRE_VARINT).varint(encoded.compression);
  }
  if (encoded.compression === undefined && encoded.content.length > limits.maxDecodedBytes) {
    throw new ContentLimitError(
      `"content" expected at most ${limits.maxDecodedBytes} bytes, got ${encoded.content.length}`,
    );
  }
  if (encoded.content.length > 0) writer.bytes(4, encoded.content);
  const out = writer.finish();
  if (out.length > limits.maxEncodedBytes) {
    throw new ContentLimitError(
      `"EncodedContent" expected at most ${limits.maxEncodedBytes} bytes, got ${out.length}`,
    );
  }
  return out;
}

/**
 * Parse `EncodedContent` bytes. Sizes are checked first (the whole input, then each length prefix before
 * its bytes are read); `content` is returned as a copy, still compressed if `compression` is set (see
 * `decompressContent`). Unknown fields are skipped, as protobuf requires.
 */
export function decodeEncodedContent(
  bytes: Uint8Array,
  limits: ContentLimits = CONTENT_LIMITS,
): EncodedContent {
  if (!(bytes instanceof Uint8Array)) throw new ContentMalformedError('"EncodedContent" expected Uint8Array');
  if (bytes.length > limits.maxEncodedBytes) {
    throw new ContentLimitError(
      `"EncodedContent" expected at most ${limits.maxEncodedBytes} bytes, got ${bytes.length}`,
    );
  }
  const reader = new ProtoReader(bytes, 'EncodedContent', ContentMalformedError);
  let type: ContentTypeId | undefined;
  const parameters: Record<string, string> = Object.create(null);
  let parameterCount = 0;
  let parameterBytes = 0;
  let fallback: string | undefined;
  let compression: Compression | undefined;
  let content: Uint8Array = new Uint8Array(0);
  while (!reader.done) {
    const [field, wire] = reader.tag();
    switch (field) {
      case 1:
        reader.expectWire(field, wire, WIRE_BYTES);
        type = decodeContentTypeId(reader.lengthDelimited(), limits);
        break;
      case 2: {
        reader.expectWire(field, wire, WIRE_BYTES);
        parameterCount++;
        if (parameterCount > limits.maxParameters) {
          throw new ContentLimitError(`"parameters" expected at most ${limits.maxParameters} entries`);
        }
        const entry = reader.lengthDelimited();
        parameterBytes += entry.length;
        if (parameterBytes > limits.maxParametersTotalBytes + ENTRY_FRAMING_BYTES * limits.maxParameters) {
          throw new ContentLimitError(
            `"parameters" expected at most ${limits.maxParametersTotalBytes} bytes`,
          );
        }
        const [key, value] = decodeParameterEntry(entry, limits);
        if (Object.hasOwn(parameters, key)) {
          throw new ContentMalformedError(`"parameters" repeats the key "${key}"`);
        }
        parameters[key] = value;
        break;
      }
      case 3: {
        reader.expectWire(field, wire, WIRE_BYTES);
        const raw = reader.lengthDelimitedMax(limits.maxFallbackBytes, (length) => {
          throw new ContentLimitError(
            `"fallback" expected at most ${limits.maxFallbackBytes} bytes, got ${length}`,
          );
        });
        fallback = decodeUtf8(raw, 'fallback', ContentMalformedError);
        break;
      }
      case 4: {
        reader.expectWire(field, wire, WIRE_BYTES);
        content = reader.lengthDelimited();
        break;
      }
      case 5: {
        reader.expectWire(field, wire, WIRE_VARINT);
        const value = reader.varint();
        if (value !== Compression.deflate && value !== Compression.gzip) {
          throw new ContentMalformedError(`"compression" expected 0 (deflate) or 1 (gzip), got ${value}`);
        }
        compression = value;
        break;
      }
      default:
        reader.skip(wire);
    }
  }
  if (type === undefined) throw new ContentMalformedError('"EncodedContent" missing content type');
  if (compression === undefined && content.length > limits.maxDecodedBytes) {
    throw new ContentLimitError(
      `"content" expected at most ${limits.maxDecodedBytes} bytes, got ${content.length}`,
    );
  }
  let sum = 0;
  for (const key in parameters) sum += encodeUtf8(key).length + encodeUtf8(parameters[key]!).length;
  if (sum > limits.maxParametersTotalBytes) {
    throw new ContentLimitError(
      `"parameters" expected at most ${limits.maxParametersTotalBytes} bytes, got ${sum}`,
    );
  }
  return {
    type,
    parameters,
    ...(fallback !== undefined ? { fallback } : {}),
    ...(compression !== undefined ? { compression } : {}),
    content: content.slice(),
  };
}

function decodeContentTypeId(bytes: Uint8Array, limits: ContentLimits): ContentTypeId {
  const reader = new ProtoReader(bytes, 'ContentTypeId', ContentMalformedError);
  let authorityId = '';
  let typeId = '';
  let versionMajor = 0;
  let versionMinor = 0;
  const tooLong = (what: string) => (length: number) => {
    throw new ContentLimitError(`"${what}" expected at most ${limits.maxTypeIdBytes} bytes, got ${length}`);
  };
  while (!reader.done) {
    const [field, wire] = reader.tag();
    switch (field) {
      case 1:
        reader.expectWire(field, wire, WIRE_BYTES);
        authorityId = decodeUtf8(
          reader.lengthDelimitedMax(limits.maxTypeIdBytes, tooLong('type.authorityId')),
          'type.authorityId',
          ContentMalformedError,
        );
        break;
      case 2:
        reader.expectWire(field, wire, WIRE_BYTES);
        typeId = decodeUtf8(
          reader.lengthDelimitedMax(limits.maxTypeIdBytes, tooLong('type.typeId')),
          'type.typeId',
          ContentMalformedError,
        );
        break;
      case 3:
      case 4: {
        reader.expectWire(field, wire, WIRE_VARINT);
        // uint32 fields: protobufjs keeps the low 32 bits of a longer varint; so do we.
        const value = reader.varint() % 2 ** 32;
        if (field === 3) versionMajor = value;
        else versionMinor = value;
        break;
      }
      default:
        reader.skip(wire);
    }
  }
  return { authorityId, typeId, versionMajor, versionMinor };
}

function decodeParameterEntry(bytes: Uint8Array, limits: ContentLimits): [string, string] {
  const reader = new ProtoReader(bytes, 'parameters', ContentMalformedError);
  let key = '';
  let value = '';
  while (!reader.done) {
    const [field, wire] = reader.tag();
    if (field === 1) {
      reader.expectWire(field, wire, WIRE_BYTES);
      const raw = reader.lengthDelimitedMax(limits.maxParameterKeyBytes, (length) => {
        throw new ContentLimitError(
          `"parameters key" expected at most ${limits.maxParameterKeyBytes} bytes, got ${length}`,
        );
      });
      key = decodeUtf8(raw, 'parameters key', ContentMalformedError);
    } else if (field === 2) {
      reader.expectWire(field, wire, WIRE_BYTES);
      const raw = reader.lengthDelimitedMax(limits.maxParameterValueBytes, (length) => {
        throw new ContentLimitError(
          `"parameters value" expected at most ${limits.maxParameterValueBytes} bytes, got ${length}`,
        );
      });
      value = decodeUtf8(raw, 'parameters value', ContentMalformedError);
    } else {
      reader.skip(wire);
    }
  }
  return [key, value];
}

function checkedUtf8(text: string, what: string, max: number): Uint8Array {
  if (typeof text !== 'string') throw new ContentMalformedError(`"${what}" expected a string`);
  if (!text.isWellFormed()) throw new ContentMalformedError(`"${what}" has a lone surrogate`);
  const bytes = encodeUtf8(text);
  if (bytes.length > max)
    throw new ContentLimitError(`"${what}" expected at most ${max} bytes, got ${bytes.length}`);
  return bytes;
}

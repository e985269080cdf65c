/** `EncodedContent` wire format: agreement with @xmtp/proto, limits before work, malformed input refused. */
import { content as proto } from '@xmtp/proto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  CONTENT_LIMITS,
  ContentLimitError,
  type ContentLimits,
  ContentMalformedError,
  ContentTypeText,
  decodeEncodedContent,
  type EncodedContent,
  encodeEncodedContent,
} from '../../../src/protocol/content/index.ts';
import { bytesToHex, fixture, hexToBytes } from './helpers.ts';

const text = (s: string) => new TextEncoder().encode(s);

const encodedContentArb: fc.Arbitrary<EncodedContent> = fc.record(
  {
    type: fc.record({
      authorityId: fc.string({ maxLength: 20 }),
      typeId: fc.string({ maxLength: 20 }),
      versionMajor: fc.nat({ max: 0xffff_ffff }),
      versionMinor: fc.nat({ max: 0xffff_ffff }),
    }),
    parameters: fc
      .uniqueArray(fc.tuple(fc.string({ maxLength: 16 }), fc.string({ maxLength: 40 })), {
        maxLength: 6,
        selector: ([k]) => k,
      })
      // Keys that look like array indices are reordered by Object.entries: same in both encoders.
      .map((entries) => Object.fromEntries(entries.filter(([k]) => k !== '__proto__'))),
    fallback: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    compression: fc.option(fc.constantFrom(0 as const, 1 as const), { nil: undefined }),
    content: fc.uint8Array({ maxLength: 64 }),
  },
  { requiredKeys: ['type', 'parameters', 'content'] },
);

describe('EncodedContent', () => {
  test('encodes byte for byte as @xmtp/proto, and decodes what @xmtp/proto encodes', () => {
    fc.assert(
      fc.property(encodedContentArb, (encoded) => {
        const ours = encodeEncodedContent(encoded);
        const theirs = proto.EncodedContent.encode({
          ...encoded,
          parameters: { ...encoded.parameters },
          content: encoded.content,
        }).finish();
        expect(bytesToHex(ours)).toBe(bytesToHex(theirs));
        const decoded = decodeEncodedContent(theirs);
        const reference = proto.EncodedContent.decode(theirs);
        expect(decoded.type).toEqual(reference.type);
        expect({ ...decoded.parameters }).toEqual(reference.parameters);
        expect(decoded.fallback).toBe(reference.fallback);
        expect(decoded.compression).toBe(reference.compression);
        expect(bytesToHex(decoded.content)).toBe(bytesToHex(reference.content));
      }),
      { numRuns: 2000 },
    );
  });

  test('content is copied out of the input', () => {
    const bytes = hexToBytes(fixture('text-gm').payloadHex);
    const decoded = decodeEncodedContent(bytes);
    bytes[bytes.length - 1] = 0;
    expect(new TextDecoder().decode(decoded.content)).toBe('gm');
  });

  test('parameters are a null-prototype record; a __proto__ key is plain data', () => {
    const bytes = proto.EncodedContent.encode({
      type: ContentTypeText,
      parameters: JSON.parse('{"__proto__":"x","encoding":"UTF-8"}'),
      content: text('hi'),
    }).finish();
    const decoded = decodeEncodedContent(bytes);
    expect(Object.getPrototypeOf(decoded.parameters)).toBe(null);
    expect(Object.entries(decoded.parameters)).toContainEqual(['__proto__', 'x']);
  });

  test('unknown fields are skipped (forward compatibility)', () => {
    const base = hexToBytes(fixture('text-gm').payloadHex);
    const extra = Uint8Array.from([
      ...base,
      0x30,
      0x01,
      0x3a,
      0x02,
      0x61,
      0x62,
      0x45,
      1,
      2,
      3,
      4,
      0x49,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
    ]);
    expect(new TextDecoder().decode(decodeEncodedContent(extra).content)).toBe('gm');
  });
});

describe('limits are applied before any work', () => {
  test('an input over maxEncodedBytes is refused before parsing, even if it is garbage', () => {
    const garbage = new Uint8Array(CONTENT_LIMITS.maxEncodedBytes + 1).fill(0xff);
    expect(() => decodeEncodedContent(garbage)).toThrow(ContentLimitError);
  });

  test('uncompressed content over maxDecodedBytes is refused', () => {
    const big = proto.EncodedContent.encode({
      type: ContentTypeText,
      parameters: { encoding: 'UTF-8' },
      content: new Uint8Array(CONTENT_LIMITS.maxDecodedBytes + 1),
    }).finish();
    expect(() => decodeEncodedContent(big)).toThrow(ContentLimitError);
    expect(() =>
      encodeEncodedContent({ type: ContentTypeText, parameters: {}, content: new Uint8Array(64 * 1024 + 1) }),
    ).toThrow(ContentLimitError);
  });

  test('a huge fallback or parameter is refused from its length prefix, before its bytes are read', () => {
    // fallback field (3) declaring 1 MiB, with no bytes behind it: a limit error, not a truncation error.
    const fallback = Uint8Array.from([0x1a, 0x80, 0x80, 0x40]);
    expect(() => decodeEncodedContent(fallback)).toThrow(ContentLimitError);
    const limits: ContentLimits = { ...CONTENT_LIMITS, maxParameterValueBytes: 8 };
    const param = proto.EncodedContent.encode({
      type: ContentTypeText,
      parameters: { encoding: 'UTF-8-but-much-longer' },
      content: new Uint8Array(0),
    }).finish();
    expect(() => decodeEncodedContent(param, limits)).toThrow(ContentLimitError);
  });

  test('too many parameters, too many parameter bytes, too long type ids', () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    const bytes = proto.EncodedContent.encode({
      type: ContentTypeText,
      parameters: many,
      content: new Uint8Array(),
    }).finish();
    expect(() => decodeEncodedContent(bytes)).toThrow(ContentLimitError);
    expect(() =>
      encodeEncodedContent({ type: ContentTypeText, parameters: many, content: new Uint8Array() }),
    ).toThrow(ContentLimitError);
    const fat = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'v'.repeat(1000)]));
    const fatBytes = proto.EncodedContent.encode({
      type: ContentTypeText,
      parameters: fat,
      content: new Uint8Array(),
    }).finish();
    expect(() => decodeEncodedContent(fatBytes)).toThrow(ContentLimitError);
    const longType = proto.EncodedContent.encode({
      type: { ...ContentTypeText, typeId: 't'.repeat(129) },
      parameters: {},
      content: new Uint8Array(),
    }).finish();
    expect(() => decodeEncodedContent(longType)).toThrow(ContentLimitError);
  });
});

describe('malformed protobuf is refused with ContentMalformedError', () => {
  const cases: [string, number[]][] = [
    ['empty input (no content type)', []],
    ['truncated varint tag', [0x80]],
    ['varint longer than 10 bytes', [0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['length prefix past the end', [0x0a, 0x05, 0x0a, 0x01]],
    ['huge length prefix', [0x22, 0xff, 0xff, 0xff, 0xff, 0x0f]],
    ['group start (wire type 3)', [0x0b, 0x0c]],
    ['deeply nested groups', Array.from({ length: 50_000 }, () => 0x0b)],
    ['field number 0', [0x00, 0x00]],
    ['content type with wrong wire type', [0x08, 0x01]],
    ['unknown compression', [0x0a, 0x00, 0x28, 0x07]],
    ['negative compression', [0x0a, 0x00, 0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    ['invalid UTF-8 in a parameter', [0x0a, 0x00, 0x12, 0x04, 0x0a, 0x02, 0xc3, 0x28]],
    ['invalid UTF-8 in the fallback', [0x0a, 0x00, 0x1a, 0x01, 0xff]],
    ['truncated fixed64', [0x0a, 0x00, 0x31, 0x01, 0x02]],
    ['repeated parameter key', [0x0a, 0x00, 0x12, 0x03, 0x0a, 0x01, 0x61, 0x12, 0x03, 0x0a, 0x01, 0x61]],
  ];
  test.each(cases)('%s', (_name, bytes) => {
    expect(() => decodeEncodedContent(Uint8Array.from(bytes))).toThrow(ContentMalformedError);
  });

  test('encoding refuses lone surrogates and non-uint32 versions', () => {
    expect(() =>
      encodeEncodedContent({ type: ContentTypeText, parameters: { a: '\ud800' }, content: new Uint8Array() }),
    ).toThrow(ContentMalformedError);
    expect(() =>
      encodeEncodedContent({
        type: { ...ContentTypeText, versionMajor: -1 },
        parameters: {},
        content: new Uint8Array(),
      }),
    ).toThrow(ContentMalformedError);
  });
});

describe('limits are the same on both sides', () => {
  test('parameters exactly at the count and total-size limits encode and decode', () => {
    const parameters = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [
        `key-${String(i).padStart(2, '0')}`.padEnd(64, 'k'),
        'v'.repeat(192),
      ]),
    );
    const bytes = encodeEncodedContent({ type: ContentTypeText, parameters, content: new Uint8Array() });
    expect(decodeEncodedContent(bytes).parameters).toEqual(parameters);
  });
});

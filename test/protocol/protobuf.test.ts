/** The shared strict protobuf reader and writer: agreement with protobufjs, and the edges of each limit. */
import fc from 'fast-check';
import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { ContentMalformedError } from '../../src/protocol/content/content-errors.ts';
import { ProtocolDecodeError } from '../../src/protocol/errors.ts';
import { ProtoReader, ProtoWriter, WIRE_VARINT } from '../../src/protocol/protobuf.ts';

const UINT64_MAX = (1n << 64n) - 1n;
const reader = (bytes: number[]) => new ProtoReader(Uint8Array.from(bytes), 'test');

describe('uint64', () => {
  it('writes as protobufjs and reads back, on both sides of 2^53', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: UINT64_MAX }), (value) => {
        const bytes = new ProtoWriter().tag(2, WIRE_VARINT).uint64(value).finish();
        expect(bytes).toEqual(
          Uint8Array.from(protobuf.Writer.create().uint32(16).uint64(value.toString()).finish()),
        );
        const read = new ProtoReader(bytes, 'test');
        expect(read.tag()).toEqual([2, WIRE_VARINT]);
        expect(read.uint64()).toBe(value);
        expect(read.done).toBe(true);
      }),
      { numRuns: 10_000 },
    );
    for (const value of [2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, UINT64_MAX]) {
      expect(new ProtoReader(new ProtoWriter().uint64(value).finish(), 'test').uint64()).toBe(value);
    }
  });

  it('varint() refuses what needs a uint64; skip() accepts any valid varint', () => {
    const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    expect(() => reader(max).varint()).toThrow(ProtocolDecodeError);
    const skipped = reader(max);
    skipped.skip(WIRE_VARINT);
    expect(skipped.done).toBe(true);
    expect(() =>
      reader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]).skip(WIRE_VARINT),
    ).toThrow(ProtocolDecodeError);
  });
});

describe('tags', () => {
  it('accepts field numbers 1..2^29-1 only', () => {
    expect(reader([0xf8, 0xff, 0xff, 0xff, 0x0f]).tag()).toEqual([2 ** 29 - 1, WIRE_VARINT]);
    expect(() => reader([0x80, 0x80, 0x80, 0x80, 0x10]).tag()).toThrow(ProtocolDecodeError);
    expect(() => reader([0x00]).tag()).toThrow(ProtocolDecodeError);
  });

  it("throws the caller's error class", () => {
    expect(() => new ProtoReader(Uint8Array.of(0x00), 'x', ContentMalformedError).tag()).toThrow(
      ContentMalformedError,
    );
  });
});

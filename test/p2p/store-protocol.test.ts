import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodePinAck,
  decodePinRequest,
  decodePublishAck,
  decodePublishRequest,
  decodeQueryRequest,
  decodeQueryResponse,
  encodePinAck,
  encodePinRequest,
  encodePublishAck,
  encodePublishRequest,
  encodeQueryRequest,
  encodeQueryResponse,
  MAX_ACK_BYTES,
  MAX_CURSOR_BYTES,
  MAX_PAGE_SIZE,
  MAX_PIN_REQUEST_BYTES,
  MAX_PUBLISH_REQUEST_BYTES,
  MAX_QUERY_REQUEST_BYTES,
  MAX_QUERY_RESPONSE_BYTES,
  MAX_QUERY_TOPICS,
  MAX_STORED_ENVELOPE_BYTES,
  type PublishAck,
  type QueryRequest,
  type QueryResponse,
} from '../../src/p2p/store-protocol.ts';
import { LimitError, ProtocolArgumentError, ProtocolDecodeError } from '../../src/protocol/errors.ts';

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
const ascii = (text: string) => new TextEncoder().encode(text);
const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((part) => [...part]));

const decoders = {
  decodeQueryRequest,
  decodeQueryResponse,
  decodePublishRequest,
  decodePublishAck,
  decodePinRequest,
  decodePinAck,
};

describe('known bytes', () => {
  it('QueryRequest: topics in field 1, paging_info in field 4 { limit 1, cursor 2, direction 3 }', () => {
    const request: QueryRequest = {
      contentTopics: ['/xmtp/0/m-a/proto'],
      cursor: new Uint8Array([1, 2, 3]),
      limit: 10,
      direction: 'descending',
    };
    const bytes = cat([0x0a, 17], ascii('/xmtp/0/m-a/proto'), hex('2209080a12030102031802'));
    expect(encodeQueryRequest(request)).toEqual(bytes);
    expect(decodeQueryRequest(bytes)).toEqual(request);
  });

  it('QueryRequest without paging info is ascending with the default limit', () => {
    expect(decodeQueryRequest(cat([0x0a, 1], ascii('t')))).toEqual({
      contentTopics: ['t'],
      limit: 0,
      direction: 'ascending',
    });
    // direction 0 (unspecified) is ascending too
    expect(decodeQueryRequest(cat([0x0a, 1], ascii('t'), hex('22021800'))).direction).toBe('ascending');
  });

  it('QueryResponse: envelopes 1, paging_info.cursor 2, status 3, resume_cursor 5', () => {
    const response: QueryResponse = {
      status: 'ok',
      envelopes: [new Uint8Array([1, 2])],
      cursor: new Uint8Array([9]),
      resumeCursor: new Uint8Array([9]),
    };
    const bytes = hex('0a020102120312010918012a0109');
    expect(encodeQueryResponse(response)).toEqual(bytes);
    expect(decodeQueryResponse(bytes)).toEqual(response);
    expect(decodeQueryResponse(hex('1805'))).toEqual({ status: 'rate_limited', envelopes: [] });
    expect(decodeQueryResponse(cat(hex('1804'), [0x22, 3], ascii('bad')))).toEqual({
      status: 'rejected',
      reason: 'bad',
      envelopes: [],
    });
  });

  it('PublishRequest / PublishAck / PinRequest / PinAck', () => {
    expect(encodePublishRequest({ envelope: new Uint8Array([7, 8]) })).toEqual(hex('0a020708'));
    expect(decodePublishRequest(hex('0a020708'))).toEqual({ envelope: new Uint8Array([7, 8]) });
    const ack: PublishAck = { status: 'stored', cursor: new Uint8Array([0xaa]) };
    expect(encodePublishAck(ack)).toEqual(hex('08021a01aa'));
    expect(decodePublishAck(hex('08021a01aa'))).toEqual(ack);
    expect(decodePublishAck(hex('0803'))).toEqual({ status: 'duplicate' });
    expect(encodePinRequest({ cid: 'bafy' })).toEqual(cat([0x0a, 4], ascii('bafy')));
    expect(decodePinRequest(cat([0x0a, 4], ascii('bafy')))).toEqual({ cid: 'bafy' });
    expect(encodePinAck({ status: 'rejected', reason: 'too big' })).toEqual(
      cat(hex('08041207'), ascii('too big')),
    );
    expect(decodePinAck(cat(hex('08041207'), ascii('too big')))).toEqual({
      status: 'rejected',
      reason: 'too big',
    });
    expect(decodePinAck(hex('0805'))).toEqual({ status: 'rate_limited' });
  });

  it('keeps a leading byte-order mark in strings (exact round trip)', () => {
    const request: QueryRequest = { contentTopics: ['\uFEFFt'], limit: 0, direction: 'ascending' };
    expect(encodeQueryRequest(request).subarray(0, 5)).toEqual(hex('0a04efbbbf'));
    expect(decodeQueryRequest(encodeQueryRequest(request))).toEqual(request);
    expect(decodePinAck(encodePinAck({ status: 'rejected', reason: '\uFEFF' }))).toEqual({
      status: 'rejected',
      reason: '\uFEFF',
    });
  });

  it('skips unknown fields of every wire type', () => {
    const unknown = hex('f807' + '01' + 'f9070000000000000000' + 'fd0700000000' + 'fa070161'); // fields 127 (varint, fixed64, fixed32, bytes)
    expect(decodePublishAck(cat(hex('0802'), unknown))).toEqual({ status: 'stored' });
    expect(decodePinAck(cat(unknown, hex('0806')))).toEqual({ status: 'failed' });
    // a cursor is unknown to PinAck: skipped
    expect(decodePinAck(hex('08031a0101'))).toEqual({ status: 'duplicate' });
    expect(decodePublishRequest(cat(unknown, hex('0a0101')))).toEqual({ envelope: new Uint8Array([1]) });
  });
});

describe('malformed input is refused with typed errors', () => {
  const cases: Array<[string, (bytes: Uint8Array) => unknown, Uint8Array]> = [
    ['empty ack (no status)', decodePublishAck, new Uint8Array(0)],
    ['truncated varint', decodePublishAck, hex('08')],
    ['truncated tag', decodePublishAck, hex('80')],
    ['varint longer than 10 bytes', decodePublishAck, hex('08ffffffffffffffffffff01')],
    ['varint over 64 bits', decodePublishAck, hex('08ffffffffffffffffff02')],
    ['length past the end', decodePublishAck, hex('0802120561')],
    ['group wire type', decodePublishAck, hex('08020b')],
    ['end-group wire type', decodePublishAck, hex('08020c')],
    ['wire type 6', decodePublishAck, hex('08020e')],
    ['field number 0', decodePublishAck, hex('0002')],
    ['status with wrong wire type', decodePublishAck, hex('0a0102')],
    ['repeated singular field', decodePublishAck, hex('08020802')],
    ['unknown status', decodePublishAck, hex('0807')],
    ['unspecified status', decodePublishAck, hex('0800')],
    ['ok is not an ack status', decodePublishAck, hex('0801')],
    ['reason not UTF-8', decodePinAck, hex('080412' + '01ff')],
    ['empty cursor', decodePublishAck, hex('08021a00')],
    ['cursor too long', decodePublishAck, cat(hex('08021a41'), new Uint8Array(65))],
    ['no topic', decodeQueryRequest, hex('22021801')],
    ['empty topic', decodeQueryRequest, hex('0a00')],
    ['topic not UTF-8', decodeQueryRequest, hex('0a01ff')],
    ['topic too long', decodeQueryRequest, cat(hex('0a8102'), new Uint8Array(257).fill(0x61))],
    ['time filter start', decodeQueryRequest, hex('0a01611001')],
    ['time filter end', decodeQueryRequest, hex('0a01611801')],
    ['direction 3', decodeQueryRequest, hex('0a0161' + '22021803')],
    ['limit over uint32', decodeQueryRequest, hex('0a0161' + '2206' + '088080808010')],
    ['paging repeated', decodeQueryRequest, hex('0a0161' + '2202180122021801')],
    ['status missing', decodeQueryResponse, hex('0a0101')],
    ['empty envelope', decodeQueryResponse, hex('0a001801')],
    ['error with envelopes', decodeQueryResponse, hex('0a01011804')],
    ['error with a cursor', decodeQueryResponse, hex('18042a0101')],
    ['ack status in a query response', decodeQueryResponse, hex('1802')],
    ['no envelope', decodePublishRequest, hex('')],
    ['empty envelope', decodePublishRequest, hex('0a00')],
    ['envelope as varint', decodePublishRequest, hex('0801')],
    ['no cid', decodePinRequest, hex('')],
    ['cid with a path', decodePinRequest, cat([0x0a, 6], ascii('bafy/x'))],
    ['cid with a space', decodePinRequest, cat([0x0a, 5], ascii('baf y'))],
  ];
  it.each(cases)('%s', (_name, decode, bytes) => {
    expect(() => decode(bytes)).toThrow(ProtocolDecodeError);
  });

  it('refuses too many topics and too many envelopes', () => {
    const topic = cat([0x0a, 1], ascii('t'));
    expect(
      decodeQueryRequest(cat(...Array.from({ length: MAX_QUERY_TOPICS }, () => topic))).contentTopics,
    ).toHaveLength(MAX_QUERY_TOPICS);
    expect(() =>
      decodeQueryRequest(cat(...Array.from({ length: MAX_QUERY_TOPICS + 1 }, () => topic))),
    ).toThrow(ProtocolDecodeError);
    const envelope = hex('0a0101');
    const page = (n: number) => cat(...Array.from({ length: n }, () => envelope), hex('1801'));
    expect(decodeQueryResponse(page(MAX_PAGE_SIZE)).envelopes).toHaveLength(MAX_PAGE_SIZE);
    expect(() => decodeQueryResponse(page(MAX_PAGE_SIZE + 1))).toThrow(ProtocolDecodeError);
  });

  it('checks the size before decoding (LimitError)', () => {
    const limits: Array<[(bytes: Uint8Array) => unknown, number]> = [
      [decodeQueryRequest, MAX_QUERY_REQUEST_BYTES],
      [decodeQueryResponse, MAX_QUERY_RESPONSE_BYTES],
      [decodePublishRequest, MAX_PUBLISH_REQUEST_BYTES],
      [decodePublishAck, MAX_ACK_BYTES],
      [decodePinRequest, MAX_PIN_REQUEST_BYTES],
      [decodePinAck, MAX_ACK_BYTES],
    ];
    for (const [decode, max] of limits) {
      expect(() => decode(new Uint8Array(max + 1))).toThrow(LimitError);
    }
    // An envelope field over the envelope limit inside a frame that is within the frame limit.
    const big = new Uint8Array(MAX_STORED_ENVELOPE_BYTES + 1);
    const field = cat(
      [0x0a, ...[0x80 | (big.length & 0x7f), 0x80 | ((big.length >> 7) & 0x7f), big.length >> 14]],
      big,
    );
    expect(field.length).toBeLessThanOrEqual(MAX_PUBLISH_REQUEST_BYTES);
    expect(() => decodePublishRequest(field)).toThrow(LimitError);
  });

  it('refuses non-bytes input', () => {
    for (const decode of Object.values(decoders)) {
      expect(() => decode('x' as unknown as Uint8Array)).toThrow(ProtocolArgumentError);
    }
  });
});

describe('encoders validate their arguments', () => {
  it.each([
    ['no topics', () => encodeQueryRequest({ contentTopics: [], limit: 0, direction: 'ascending' })],
    [
      '101 topics',
      () => encodeQueryRequest({ contentTopics: Array(101).fill('t'), limit: 0, direction: 'ascending' }),
    ],
    ['empty topic', () => encodeQueryRequest({ contentTopics: [''], limit: 0, direction: 'ascending' })],
    ['negative limit', () => encodeQueryRequest({ contentTopics: ['t'], limit: -1, direction: 'ascending' })],
    [
      'limit over uint32',
      () => encodeQueryRequest({ contentTopics: ['t'], limit: 2 ** 32, direction: 'ascending' }),
    ],
    [
      'long cursor',
      () =>
        encodeQueryRequest({
          contentTopics: ['t'],
          limit: 1,
          direction: 'ascending',
          cursor: new Uint8Array(MAX_CURSOR_BYTES + 1),
        }),
    ],
    [
      'bad direction',
      () => encodeQueryRequest({ contentTopics: ['t'], limit: 1, direction: 'up' as 'ascending' }),
    ],
    ['empty envelope', () => encodePublishRequest({ envelope: new Uint8Array(0) })],
    ['big envelope', () => encodePublishRequest({ envelope: new Uint8Array(MAX_STORED_ENVELOPE_BYTES + 1) })],
    ['ok ack', () => encodePublishAck({ status: 'ok' as 'stored' })],
    ['long reason', () => encodePinAck({ status: 'rejected', reason: 'x'.repeat(257) })],
    ['bad cid', () => encodePinRequest({ cid: 'ipfs://bafy' })],
    [
      'error response with envelopes',
      () => encodeQueryResponse({ status: 'failed', envelopes: [new Uint8Array([1])] }),
    ],
    [
      '101 envelopes',
      () =>
        encodeQueryResponse({
          status: 'ok',
          envelopes: Array.from({ length: 101 }, () => new Uint8Array([1])),
        }),
    ],
  ])('%s', (_name, encode) => {
    expect(encode).toThrow(ProtocolArgumentError);
  });
});

// ── property tests ──────────────────────────────────────────────────────────

const RUNS = 10_000;
const bytesArb = (max: number) => fc.uint8Array({ minLength: 1, maxLength: max });
const topicArb = fc.string({ minLength: 1, maxLength: 40, unit: 'binary' });
const cursorArb = bytesArb(MAX_CURSOR_BYTES);
const reasonArb = fc.string({ maxLength: 40 });
const ackStatusArb = fc.constantFrom(
  ...(['stored', 'duplicate', 'rejected', 'rate_limited', 'failed'] as const),
);

const queryRequestArb: fc.Arbitrary<QueryRequest> = fc
  .record({
    contentTopics: fc.array(topicArb, { minLength: 1, maxLength: 5 }),
    limit: fc.nat({ max: 2 ** 32 - 1 }),
    direction: fc.constantFrom('ascending' as const, 'descending' as const),
    cursor: fc.option(cursorArb, { nil: undefined }),
  })
  .map(({ cursor, ...rest }) => (cursor ? { ...rest, cursor } : rest));

const queryResponseArb: fc.Arbitrary<QueryResponse> = fc.oneof(
  fc
    .record({
      envelopes: fc.array(bytesArb(64), { maxLength: 5 }),
      cursor: fc.option(cursorArb, { nil: undefined }),
      resumeCursor: fc.option(cursorArb, { nil: undefined }),
    })
    .map(({ envelopes, cursor, resumeCursor }) => ({
      status: 'ok' as const,
      envelopes,
      ...(cursor ? { cursor } : {}),
      ...(resumeCursor ? { resumeCursor } : {}),
    })),
  fc
    .record({
      status: fc.constantFrom('rejected' as const, 'rate_limited' as const, 'failed' as const),
      reason: reasonArb,
    })
    .map(({ status, reason }) => ({ status, envelopes: [], ...(reason ? { reason } : {}) })),
);

const ackArb: fc.Arbitrary<PublishAck> = fc
  .record({ status: ackStatusArb, reason: reasonArb, cursor: fc.option(cursorArb, { nil: undefined }) })
  .map(({ status, reason, cursor }) => ({
    status,
    ...(reason ? { reason } : {}),
    ...(cursor ? { cursor } : {}),
  }));

/** Protobuf-shaped input: sequences of plausible tags and values, to get past the first byte. */
const fieldArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 8 }), fc.constant(0), fc.bigInt({ min: 0n, max: (1n << 70n) - 1n })),
  fc.tuple(fc.integer({ min: 0, max: 8 }), fc.constant(2), fc.uint8Array({ maxLength: 24 })),
  fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 7 }), fc.uint8Array({ maxLength: 9 })),
);
function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const protobufish = fc.array(fieldArb, { maxLength: 8 }).map((fields) =>
  Uint8Array.from(
    fields.flatMap(([field, wireType, value]) => {
      const tag = varint(BigInt(field * 8 + wireType));
      if (typeof value === 'bigint') return [...tag, ...varint(value)];
      if (wireType === 2) return [...tag, ...varint(BigInt(value.length)), ...value];
      return [...tag, ...value];
    }),
  ),
);

function expectTypedFailure(decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array): void {
  try {
    decode(bytes);
  } catch (error) {
    if (!(error instanceof ProtocolDecodeError) && !(error instanceof LimitError)) throw error;
  }
}

describe('fuzz: every decoder returns or throws a typed error', () => {
  for (const [name, decode] of Object.entries(decoders)) {
    it(`${name} (${RUNS} runs)`, () => {
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), protobufish), (bytes) =>
          expectTypedFailure(decode, bytes),
        ),
        { numRuns: RUNS },
      );
    });
  }
});

describe('round trips', () => {
  it('decode(encode(x)) = x, and encode(decode(bytes)) = bytes for every valid message', () => {
    fc.assert(
      fc.property(queryRequestArb, queryResponseArb, ackArb, (request, response, ack) => {
        const requestBytes = encodeQueryRequest(request);
        expect(decodeQueryRequest(requestBytes)).toEqual(request);
        expect(encodeQueryRequest(decodeQueryRequest(requestBytes))).toEqual(requestBytes);
        expect(decodeQueryResponse(encodeQueryResponse(response))).toEqual(response);
        expect(decodePublishAck(encodePublishAck(ack))).toEqual(ack);
        const { cursor: _unused, ...pinAck } = ack;
        expect(decodePinAck(encodePinAck(pinAck))).toEqual(pinAck);
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated valid messages still only decode or throw typed errors', () => {
    const valid = fc.oneof(
      queryRequestArb.map((value) => [decodeQueryRequest, encodeQueryRequest(value)] as const),
      queryResponseArb.map((value) => [decodeQueryResponse, encodeQueryResponse(value)] as const),
      ackArb.map((value) => [decodePublishAck, encodePublishAck(value)] as const),
    );
    fc.assert(
      fc.property(valid, fc.nat(), fc.integer({ min: 1, max: 255 }), ([decode, bytes], index, mask) => {
        const mutated = Uint8Array.from(bytes);
        const at = index % mutated.length;
        mutated[at] = mutated[at]! ^ mask;
        expectTypedFailure(decode as (bytes: Uint8Array) => unknown, mutated);
      }),
      { numRuns: RUNS },
    );
  });
});

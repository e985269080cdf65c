/**
 * Property-based fuzzing of every decoder with mutated valid inputs (flips, insertions, deletions,
 * truncations, overlong varints, huge length prefixes): the only failures allowed are the typed
 * protocol errors, and nothing hangs.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Conversation,
  createInvitation,
  decodeContactBundle,
  decodeEnvelope,
  decodeInvitationV1,
  decodeMessage,
  decodeMessageV2,
  decodePrivateKeyBundle,
  decodeSealedInvitation,
  decodeSignedPublicKey,
  decodeSignedPublicKeyBundle,
  encodeContactBundle,
  encodeEnvelope,
  encodeInvitationV1,
  encodePrivateKeyBundle,
  encodeSignedPublicKey,
  encodeSignedPublicKeyBundle,
  openSealedInvitation,
  ProtocolError,
  publicBundleOf,
  verifyContactBundle,
} from '../../src/protocol/index.ts';
import { cairnIdentity, nowNs } from './helpers.ts';

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'varint'; at: number; bytes: Uint8Array };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('varint' as const),
    at: fc.nat(),
    bytes: fc.constantFrom(
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]), // length prefix 4 GiB
      Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), // 11-byte varint
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), // > 64 bits
      Uint8Array.from([0x0b, 0x0b, 0x0b, 0x0b]), // nested group starts
      Uint8Array.from([0x80]), // truncated varint
    ),
  }),
);

function apply(seed: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = Uint8Array.from(seed);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.kind === 'flip' && out.length > 0) {
      const i = m.at % out.length;
      out[i] = out[i]! ^ m.mask;
    } else if (m.kind === 'insert' || m.kind === 'varint') {
      out = Uint8Array.from([...out.subarray(0, at), ...m.bytes, ...out.subarray(at)]);
    } else if (m.kind === 'delete') {
      out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + m.count)]);
    } else if (m.kind === 'truncate') {
      out = out.slice(0, at);
    }
  }
  return out;
}

/** Mutated seeds, plus some plain random inputs. */
const inputs = (seeds: Uint8Array[]) =>
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc
        .tuple(fc.constantFrom(...seeds), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
        .map(([s, m]) => apply(s, m)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
  );

const RUNS = 10_000;

function onlyTypedErrors(decode: (bytes: Uint8Array) => unknown) {
  return (bytes: Uint8Array) => {
    try {
      decode(bytes);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
    }
  };
}

function onlyTypedErrorsAsync(decode: (bytes: Uint8Array) => Promise<unknown>) {
  return async (bytes: Uint8Array) => {
    try {
      await decode(bytes);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
    }
  };
}

describe('fuzzing decoders', () => {
  let seeds: {
    envelope: Uint8Array[];
    signedKey: Uint8Array[];
    bundle: Uint8Array[];
    contact: Uint8Array[];
    privateBundle: Uint8Array[];
    invitation: Uint8Array[];
    message: Uint8Array[];
    sealed: Uint8Array;
  };
  let receiver: Conversation;
  let recipientKeys: Awaited<ReturnType<typeof cairnIdentity>>['keys'];
  let createdNs: bigint;

  beforeAll(async () => {
    const a = await cairnIdentity();
    const b = await cairnIdentity();
    createdNs = nowNs();
    const { invitation, sealed } = await createInvitation({
      me: a.keys,
      myAddress: a.address,
      peer: b.bundle,
      createdNs,
    });
    const opened = await openSealedInvitation({ me: b.keys, sealed, envelopeTimestampNs: createdNs });
    receiver = Conversation.fromOpenedInvitation(b.keys, opened);
    recipientKeys = b.keys;
    const sender = new Conversation({
      me: a.keys,
      myAddress: a.address,
      peer: b.bundle,
      invitation,
      createdNs,
    });
    const m1 = await sender.send(new TextEncoder().encode('fuzz me'));
    seeds = {
      envelope: [
        encodeEnvelope(m1.envelope),
        encodeEnvelope({ contentTopic: '/t', timestampNs: 1n, message: sealed }),
      ],
      signedKey: [encodeSignedPublicKey(a.bundle.identityKey), encodeSignedPublicKey(a.bundle.preKey)],
      bundle: [encodeSignedPublicKeyBundle(publicBundleOf(a.keys))],
      contact: [encodeContactBundle(publicBundleOf(a.keys))],
      privateBundle: [encodePrivateKeyBundle(a.keys)],
      invitation: [
        encodeInvitationV1(invitation),
        encodeInvitationV1({ ...invitation, context: { conversationId: 'x', metadata: { a: 'b', c: 'd' } } }),
      ],
      message: [m1.bytes],
      sealed,
    };
    expect(verifyContactBundle(seeds.contact[0]!).address).toBe(a.address);
  });

  it('decodeEnvelope', () => {
    fc.assert(fc.property(inputs(seeds.envelope), onlyTypedErrors(decodeEnvelope)), { numRuns: RUNS });
  });

  it('decodeSignedPublicKey', () => {
    fc.assert(fc.property(inputs(seeds.signedKey), onlyTypedErrors(decodeSignedPublicKey)), {
      numRuns: RUNS,
    });
  });

  it('decodeSignedPublicKeyBundle', () => {
    fc.assert(fc.property(inputs(seeds.bundle), onlyTypedErrors(decodeSignedPublicKeyBundle)), {
      numRuns: RUNS,
    });
  });

  it('decodeContactBundle', () => {
    fc.assert(fc.property(inputs(seeds.contact), onlyTypedErrors(decodeContactBundle)), { numRuns: RUNS });
  });

  it('decodeInvitationV1', () => {
    fc.assert(fc.property(inputs(seeds.invitation), onlyTypedErrors(decodeInvitationV1)), { numRuns: RUNS });
  });

  it('decodeMessage', () => {
    fc.assert(fc.property(inputs(seeds.message), onlyTypedErrors(decodeMessage)), { numRuns: RUNS });
  });

  it('decodeMessageV2', () => {
    fc.assert(fc.property(inputs(seeds.message), onlyTypedErrors(decodeMessageV2)), { numRuns: RUNS });
  });

  it('Conversation.receive (decode, HMAC, decrypt, verify)', async () => {
    await fc.assert(
      fc.asyncProperty(
        inputs(seeds.message),
        onlyTypedErrorsAsync((b) => receiver.receive(b)),
      ),
      { numRuns: RUNS },
    );
  });

  it('decodeSealedInvitation', () => {
    fc.assert(fc.property(inputs([seeds.sealed]), onlyTypedErrors(decodeSealedInvitation)), {
      numRuns: RUNS,
    });
  });

  it('verifyContactBundle (decode + chain verification)', () => {
    fc.assert(fc.property(inputs(seeds.contact), onlyTypedErrors(verifyContactBundle)), { numRuns: RUNS });
  });

  it('decodePrivateKeyBundle (decode + key checks + chain verification)', () => {
    fc.assert(fc.property(inputs(seeds.privateBundle), onlyTypedErrors(decodePrivateKeyBundle)), {
      numRuns: RUNS,
    });
  });

  it('openSealedInvitation (decode + verify + decrypt)', async () => {
    await fc.assert(
      fc.asyncProperty(
        inputs([seeds.sealed]),
        onlyTypedErrorsAsync((sealed) =>
          openSealedInvitation({ me: recipientKeys, sealed, envelopeTimestampNs: createdNs }),
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it('deeply nested groups and length-delimited fields are refused, not a crash', () => {
    const groups = new Uint8Array(100_000).fill(0x0b);
    const nested = new Uint8Array(120_000);
    for (let i = 0; i < nested.length; i += 2) nested.set([0x12, 0x7f], i);
    for (const decode of [
      decodeContactBundle,
      decodeMessage,
      decodeMessageV2,
      decodeSignedPublicKeyBundle,
      decodeInvitationV1,
    ]) {
      expect(() => decode(groups)).toThrow(ProtocolError);
      expect(() => decode(nested)).toThrow(ProtocolError);
    }
  });
});

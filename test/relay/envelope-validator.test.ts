import { beforeAll, describe, expect, it } from 'vitest';
import {
  encodeContactBundle,
  encodeEnvelope,
  MAX_ENCODED_ENVELOPE_BYTES,
  MAX_ENVELOPE_BYTES,
  publicBundleOf,
} from '../../src/protocol/index.ts';
import { contactTopic, conversationTopic, inviteTopic } from '../../src/protocol/topics.ts';
import { EnvelopeValidator, type RejectReason } from '../../src/relay/envelope-validator.ts';
import {
  type CairnIdentity,
  type Conversation,
  cairnIdentity,
  contactEnvelope,
  conversation,
  flip,
  messageEnvelope,
  nowNs,
  rawEnvelope,
} from './helpers.ts';

const MINUTE_NS = 60_000_000_000n;
let alice: CairnIdentity;
let bob: CairnIdentity;
let carol: CairnIdentity;
let conv: Conversation;
const validator = new EnvelopeValidator();

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([cairnIdentity(), cairnIdentity(), cairnIdentity()]);
  conv = await conversation(alice, bob);
});

function expectRejected(bytes: Uint8Array, reason: RejectReason): void {
  const result = validator.validate(bytes);
  expect(result.ok ? 'accepted' : result.reason).toBe(reason);
}

describe('EnvelopeValidator accepts', () => {
  it('a contact bundle on its owner contact topic, ranked by its signed creation time', () => {
    const result = validator.validate(contactEnvelope(alice));
    expect(result.ok && result.kind).toBe('contact');
    expect(result.ok && result.rank).toBe(alice.keys.preKeys[0]!.publicKey.createdNs);
  });

  it('a sealed invitation on the invite topic of either party', () => {
    for (const invite of conv.invites)
      expect(validator.validate(invite)).toMatchObject({ ok: true, kind: 'invite' });
  });

  it('a MessageV2 on its conversation topic, whatever its (past) timestamp', async () => {
    const { bytes } = await messageEnvelope(conv, 'hi');
    expect(validator.validate(bytes)).toMatchObject({ ok: true, kind: 'conversation' });
    const old = await messageEnvelope(conv, 'from last year', nowNs() - 365n * 24n * 60n * MINUTE_NS);
    expect(validator.validate(old.bytes).ok).toBe(true);
  });
});

describe('EnvelopeValidator rejects', () => {
  it('too-large: over the encoded limit (before decoding) or a payload over 128 KiB', () => {
    expectRejected(new Uint8Array(MAX_ENCODED_ENVELOPE_BYTES + 1), 'too-large');
    const payload = new Uint8Array(MAX_ENVELOPE_BYTES + 1);
    expectRejected(rawEnvelope(conv.invitation.topic, nowNs(), payload), 'too-large');
  });

  it('malformed-envelope: garbage, no timestamp, no message', () => {
    expectRejected(new Uint8Array([0xff, 0xff, 0xff]), 'malformed-envelope');
    expectRejected(new Uint8Array([0x0b]), 'malformed-envelope');
    const { message } = { message: new Uint8Array([1]) };
    expectRejected(
      encodeEnvelope({ contentTopic: conv.invitation.topic, timestampNs: 0n, message }),
      'malformed-envelope',
    );
    expectRejected(
      encodeEnvelope({
        contentTopic: conv.invitation.topic,
        timestampNs: nowNs(),
        message: new Uint8Array(0),
      }),
      'malformed-envelope',
    );
  });

  it('unknown-topic: other topic families, lower-case addresses', () => {
    const message = encodeContactBundle(publicBundleOf(alice.keys));
    for (const contentTopic of [
      '/xmtp/0/dm-0x1-0x2/proto',
      '/xmtp/0/intro-0x1/proto',
      '/cairn/whatever',
      contactTopic(alice.address).toLowerCase(),
      '/xmtp/0/m-/proto',
    ]) {
      expectRejected(encodeEnvelope({ contentTopic, timestampNs: nowNs(), message }), 'unknown-topic');
    }
  });

  it('future-timestamp: more than 10 minutes ahead', async () => {
    expectRejected(contactEnvelope(alice, nowNs() + 11n * MINUTE_NS), 'future-timestamp');
    expect(validator.validate(contactEnvelope(alice, nowNs() + 9n * MINUTE_NS)).ok).toBe(true);
  });

  it('bad-contact-bundle: another wallet bundle, tampered, garbage', () => {
    const message = encodeContactBundle(publicBundleOf(bob.keys));
    expectRejected(
      encodeEnvelope({ contentTopic: contactTopic(alice.address), timestampNs: nowNs(), message }),
      'bad-contact-bundle',
    );
    const good = encodeContactBundle(publicBundleOf(alice.keys));
    for (const index of [good.length - 5, Math.floor(good.length / 2)]) {
      expectRejected(
        encodeEnvelope({
          contentTopic: contactTopic(alice.address),
          timestampNs: nowNs(),
          message: flip(good, index),
        }),
        'bad-contact-bundle',
      );
    }
    expectRejected(
      encodeEnvelope({
        contentTopic: contactTopic(alice.address),
        timestampNs: nowNs(),
        message: new Uint8Array([1, 2, 3]),
      }),
      'bad-contact-bundle',
    );
  });

  it('bad-invitation: on a third party topic, header time differs, tampered header, garbage', async () => {
    const sealed = (await conversation(alice, bob)).invites[0];
    const { decodeEnvelope } = await import('../../src/protocol/envelope.ts');
    const envelope = decodeEnvelope(sealed);
    expectRejected(
      encodeEnvelope({ ...envelope, contentTopic: inviteTopic(carol.address) }),
      'bad-invitation',
    );
    expectRejected(encodeEnvelope({ ...envelope, timestampNs: envelope.timestampNs + 1n }), 'bad-invitation');
    // A byte inside the sender bundle's signature: the chain no longer verifies.
    expectRejected(encodeEnvelope({ ...envelope, message: flip(envelope.message, 80) }), 'bad-invitation');
    expectRejected(encodeEnvelope({ ...envelope, message: new Uint8Array([0x0a, 0x00]) }), 'bad-invitation');
  });

  it('bad-message: moved to another conversation topic, garbage, non-canonical encoding', async () => {
    const { message } = await messageEnvelope(conv, 'moved');
    expectRejected(
      encodeEnvelope({ contentTopic: conversationTopic('someone-else'), timestampNs: nowNs(), message }),
      'bad-message',
    );
    expectRejected(
      encodeEnvelope({
        contentTopic: conv.invitation.topic,
        timestampNs: nowNs(),
        message: new Uint8Array([9, 9]),
      }),
      'bad-message',
    );
    // An unknown field appended keeps protobuf happy but changes the message id: refused.
    const padded = new Uint8Array([...message, 0x78, 0x01]);
    expectRejected(
      encodeEnvelope({ contentTopic: conv.invitation.topic, timestampNs: nowNs(), message: padded }),
      'bad-message',
    );
    const future = await messageEnvelope(conv, 'from the future', nowNs() + 20n * MINUTE_NS);
    expectRejected(
      encodeEnvelope({ contentTopic: conv.invitation.topic, timestampNs: nowNs(), message: future.message }),
      'bad-message',
    );
  });

  it('never throws, whatever the input', () => {
    for (const input of [new Uint8Array(0), new Uint8Array([0x0a, 0xff]), 'text' as unknown as Uint8Array]) {
      expect(validator.validate(input).ok).toBe(false);
    }
  });
});

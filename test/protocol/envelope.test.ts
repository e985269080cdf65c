import { buildUserContactTopic, buildUserInviteTopic } from '@xmtp/xmtp-js';
import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import {
  contactTopic,
  conversationTopic,
  decodeEnvelope,
  encodeEnvelope,
  inviteTopic,
  isConversationTopic,
  LimitError,
  MAX_ENVELOPE_BYTES,
  ProtocolArgumentError,
  ProtocolDecodeError,
} from '../../src/protocol/index.ts';

const address = '0xafd6a6a1f9bb8300a5ebb5aba690451f2e4ffbe5';

/** The reference encoding of `xmtp.message_api.v1.Envelope` by protobufjs. */
function reference(topic: string, timestampNs: bigint, message: Uint8Array): Uint8Array {
  const w = protobuf.Writer.create();
  if (topic) w.uint32(10).string(topic);
  if (timestampNs) w.uint32(16).uint64(timestampNs.toString());
  if (message.length) w.uint32(26).bytes(message);
  return w.finish();
}

describe('topics', () => {
  it('builds contact and invite topics with the checksummed address, as xmtp-js', () => {
    expect(contactTopic(address)).toBe('/xmtp/0/contact-0xAfd6a6a1F9bb8300A5Ebb5abA690451f2E4fFbe5/proto');
    expect(contactTopic(address)).toBe(buildUserContactTopic(address));
    expect(inviteTopic(address)).toBe('/xmtp/0/invite-0xAfd6a6a1F9bb8300A5Ebb5abA690451f2E4fFbe5/proto');
    expect(inviteTopic(address)).toBe(buildUserInviteTopic(address));
    expect(() => contactTopic('0x1234')).toThrow(ProtocolArgumentError);
  });

  it('recognises conversation topics', () => {
    expect(isConversationTopic(conversationTopic('ab'.repeat(32)))).toBe(true);
    expect(isConversationTopic('/xmtp/0/m-a/b/proto')).toBe(false);
    expect(isConversationTopic('/xmtp/0/m- x/proto')).toBe(false);
    expect(isConversationTopic(conversationTopic('a'.repeat(300)))).toBe(false);
  });
});

describe('message API envelope', () => {
  it('encodes as protobufjs does and round-trips', () => {
    const message = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    for (const ts of [0n, 1n, 1_764_000_000_123_456_789n, (1n << 64n) - 1n]) {
      const bytes = encodeEnvelope({ contentTopic: inviteTopic(address), timestampNs: ts, message });
      expect(bytes).toEqual(Uint8Array.from(reference(inviteTopic(address), ts, message)));
      expect(decodeEnvelope(bytes)).toEqual({ contentTopic: inviteTopic(address), timestampNs: ts, message });
    }
  });

  it('keeps a leading byte-order mark in the topic (two byte strings never decode to one topic)', () => {
    const topic = '\uFEFF/xmtp/0/m-x/proto';
    const decoded = decodeEnvelope(
      encodeEnvelope({ contentTopic: topic, timestampNs: 1n, message: new Uint8Array(1) }),
    );
    expect(decoded.contentTopic).toBe(topic);
  });

  it('refuses an oversize message on encode and decode', () => {
    const big = new Uint8Array(MAX_ENVELOPE_BYTES + 1);
    expect(() => encodeEnvelope({ contentTopic: '/t', timestampNs: 1n, message: big })).toThrow(LimitError);
    expect(() => decodeEnvelope(Uint8Array.from(reference('/t', 1n, big)))).toThrow(LimitError);
    expect(() => decodeEnvelope(new Uint8Array(MAX_ENVELOPE_BYTES * 2))).toThrow(LimitError);
    const max = new Uint8Array(MAX_ENVELOPE_BYTES);
    expect(
      decodeEnvelope(encodeEnvelope({ contentTopic: '/t', timestampNs: 1n, message: max })).message.length,
    ).toBe(MAX_ENVELOPE_BYTES);
  });

  it('refuses bad varints, huge length prefixes, groups and bad UTF-8', () => {
    const bad = [
      [0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // varint > 10 bytes
      [0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // varint > 64 bits
      [0x10, 0x80], // truncated varint
      [0x1a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00], // length prefix 4 GiB
      [0x1a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // length prefix 2^63
      [0x0b, 0x0c], // group start/end
      [0x0a, 0x01, 0xff], // topic not UTF-8
      [0x00], // field 0
      [0x0f], // wire type 7
    ];
    for (const b of bad)
      expect(() => decodeEnvelope(Uint8Array.from(b)), `${b}`).toThrow(ProtocolDecodeError);
  });

  it('measures the topic limit in UTF-8 bytes on both sides: what encodes, decodes', () => {
    const multiByte = 'é'.repeat(200); // 200 characters, 400 bytes
    expect(() =>
      encodeEnvelope({ contentTopic: multiByte, timestampNs: 1n, message: new Uint8Array(1) }),
    ).toThrow(ProtocolArgumentError);
    const fits = 'é'.repeat(100);
    const bytes = encodeEnvelope({ contentTopic: fits, timestampNs: 1n, message: new Uint8Array(1) });
    expect(decodeEnvelope(bytes).contentTopic).toBe(fits);
  });

  it('skips unknown fields', () => {
    const bytes = Uint8Array.from([
      0x20, 0x05, 0x2a, 0x01, 0x00, 0x31, 1, 2, 3, 4, 5, 6, 7, 8, 0x3d, 1, 2, 3, 4, 0x10, 0x07,
    ]);
    expect(decodeEnvelope(bytes)).toEqual({ contentTopic: '', timestampNs: 7n, message: new Uint8Array(0) });
  });
});

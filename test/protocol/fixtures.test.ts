/**
 * Fixed wire bytes, kept forever: xmtp-js 13 output (fixtures/xmtp-js-v2.json) must keep
 * decoding, verifying and decrypting in Cairn, and Cairn's deterministic output for fixed keys
 * and randomness (fixtures/cairn-v2.json) must never change. Regenerate only deliberately:
 *   CAIRN_GENERATE_FIXTURES=1 npx vitest run test/protocol/fixtures.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { privateKey } from '@xmtp/proto';
import {
  InMemoryKeystore,
  InMemoryPersistence,
  PrivateKeyBundleV1 as XmtpPrivateKeyBundleV1,
} from '@xmtp/xmtp-js';
import Long from 'long';
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  Conversation,
  decodeContactBundle,
  decodeMessage,
  decodePrivateKeyBundle,
  decodeSignedPublicKeyBundle,
  decryptMessageV1,
  encodeContactBundle,
  encodePrivateKeyBundle,
  encodeSignedPublicKeyBundle,
  generatePrivateKeyBundle,
  inviteTopic,
  openSealedInvitation,
  publicBundleOf,
  type RandomBytes,
  verifyBundle,
  verifyContactBundle,
} from '../../src/protocol/index.ts';

const xmtp = JSON.parse(readFileSync(new URL('./fixtures/xmtp-js-v2.json', import.meta.url), 'utf8'));
const h = (s: string) => hexToBytes(s as Hex);

describe('fixtures from xmtp-js 13', () => {
  it('contact bundles verify to the fixed address and re-encode byte for byte', () => {
    expect(verifyContactBundle(h(xmtp.alice.contactBundleV1)).address).toBe(xmtp.alice.address);
    expect(verifyContactBundle(h(xmtp.alice.contactBundleV2)).address).toBe(xmtp.alice.address);
    expect(bytesToHex(encodeContactBundle(decodeContactBundle(h(xmtp.alice.contactBundleV2))))).toBe(
      xmtp.alice.contactBundleV2,
    );
    const bundle = decodeSignedPublicKeyBundle(h(xmtp.alice.signedPublicKeyBundle));
    expect(bytesToHex(encodeSignedPublicKeyBundle(bundle))).toBe(xmtp.alice.signedPublicKeyBundle);
    // The v1 contact bundle converts to the same v2 bundle xmtp-js derives.
    expect(bytesToHex(encodeSignedPublicKeyBundle(decodeContactBundle(h(xmtp.alice.contactBundleV1))))).toBe(
      xmtp.alice.signedPublicKeyBundle,
    );
  });

  it('the sealed invitation opens for both parties with the fixed topic and key material', async () => {
    const bob = decodePrivateKeyBundle(h(xmtp.bob.privateKeyBundleV1));
    const alice = decodePrivateKeyBundle(h(xmtp.alice.privateKeyBundleV1));
    const createdNs = BigInt(xmtp.invitation.createdNs);
    for (const me of [bob, alice]) {
      const opened = await openSealedInvitation({
        me,
        sealed: h(xmtp.invitation.sealed),
        envelopeTimestampNs: createdNs,
      });
      expect(opened.invitation.topic).toBe(xmtp.invitation.topic);
      expect(bytesToHex(opened.invitation.keyMaterial)).toBe(xmtp.invitation.keyMaterial);
      expect(opened.sender.address).toBe(xmtp.alice.address);
      expect(opened.recipient.address).toBe(xmtp.bob.address);
    }
  });

  it('the MessageV2 decrypts and verifies for bob and for alice herself', async () => {
    const createdNs = BigInt(xmtp.invitation.createdNs);
    for (const key of ['bob', 'alice'] as const) {
      const me = decodePrivateKeyBundle(h(xmtp[key].privateKeyBundleV1));
      const opened = await openSealedInvitation({
        me,
        sealed: h(xmtp.invitation.sealed),
        envelopeTimestampNs: createdNs,
      });
      const conversation = Conversation.fromOpenedInvitation(me, opened);
      const received = await conversation.receive(h(xmtp.messageV2.bytes));
      expect(received.id).toBe(xmtp.messageV2.id);
      expect(received.senderAddress).toBe(xmtp.alice.address);
      expect(received.fromSelf).toBe(key === 'alice');
      expect(bytesToHex(received.payload)).toBe(xmtp.messageV2.payload);
    }
  });

  it('the MessageV1 decodes, verifies and decrypts', async () => {
    const decoded = decodeMessage(h(xmtp.messageV1.bytes));
    if (decoded.version !== 'v1') throw new Error('expected v1');
    expect(decoded.id).toBe(xmtp.messageV1.id);
    expect(decoded.sender.address).toBe(xmtp.alice.address);
    expect(decoded.recipient.address).toBe(xmtp.bob.address);
    const bob = decodePrivateKeyBundle(h(xmtp.bob.privateKeyBundleV1));
    expect(bytesToHex(await decryptMessageV1(bob, decoded))).toBe(xmtp.messageV1.payload);
  });
});

/** Deterministic "randomness" for fixed outputs: sha256(seed ‖ counter). */
function seeded(seed: string): RandomBytes {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 32) {
      out.set(
        sha256(new TextEncoder().encode(`${seed}/${counter++}`)).subarray(0, Math.min(32, length - i)),
        i,
      );
    }
    return out;
  };
}

async function cairnOutput() {
  const account = privateKeyToAccount(`0x${'42'.repeat(32)}`);
  const random = seeded('cairn fixture');
  const createdNs = 1_764_000_000_000_000_000n;
  const keys = await generatePrivateKeyBundle({
    signMessage: (message) => account.signMessage({ message }),
    address: account.address,
    createdNs,
    random,
  });
  const alice = verifyBundle(decodeContactBundle(h(xmtp.alice.contactBundleV2)));
  const { conversation, sealed } = await Conversation.start({
    me: keys,
    myAddress: account.address,
    peer: alice,
    createdNs,
    random,
  });
  const sent = await conversation.send(new TextEncoder().encode('fixture: MessageV2 from Cairn'), {
    createdNs: createdNs + 1_000_000_000n,
  });
  return {
    address: account.address,
    privateKeyBundle: bytesToHex(encodePrivateKeyBundle(keys)),
    contactBundle: bytesToHex(encodeContactBundle(publicBundleOf(keys))),
    invitation: { createdNs: createdNs.toString(), sealed: bytesToHex(sealed), topic: conversation.topic },
    messageV2: { bytes: bytesToHex(sent.bytes), id: sent.id },
  };
}

describe('fixed Cairn output', () => {
  const path = new URL('./fixtures/cairn-v2.json', import.meta.url);
  if (process.env.CAIRN_GENERATE_FIXTURES) {
    it('writes fixtures/cairn-v2.json', async () => {
      writeFileSync(path, `${JSON.stringify(await cairnOutput(), null, 2)}\n`);
    });
  }

  it('is byte for byte what it was', async () => {
    const stored = JSON.parse(readFileSync(path, 'utf8'));
    expect(await cairnOutput()).toEqual(stored);
  });

  it('opens in xmtp-js (alice from the xmtp-js fixture) with the same topic', async () => {
    const stored = JSON.parse(readFileSync(path, 'utf8'));
    const keys = new XmtpPrivateKeyBundleV1(
      privateKey.PrivateKeyBundle.decode(h(xmtp.alice.privateKeyBundleV1)).v1!,
    );
    const keystore = await InMemoryKeystore.create(keys, InMemoryPersistence.create());
    const { responses } = await keystore.saveInvites({
      requests: [
        {
          contentTopic: inviteTopic(xmtp.alice.address),
          timestampNs: Long.fromString(stored.invitation.createdNs, true),
          payload: h(stored.invitation.sealed),
        },
      ],
    });
    expect(responses[0]?.error).toBeUndefined();
    expect(responses[0]?.result?.conversation?.topic).toBe(stored.invitation.topic);
    expect(responses[0]?.result?.conversation?.peerAddress).toBe(stored.address);
  });
});

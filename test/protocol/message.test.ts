import { concatBytes } from '@noble/hashes/utils.js';
import { TextCodec } from '@xmtp/content-type-text';
import { content, message as msg } from '@xmtp/proto';
import { ConversationV2, generateHmacSignature, MessageV1 as XmtpMessageV1 } from '@xmtp/xmtp-js';
import Long from 'long';
import { describe, expect, it } from 'vitest';
import { defaultContentRegistry } from '../../src/protocol/content/index.ts';
import {
  aeadEncrypt,
  Conversation,
  computeSenderHmac,
  createInvitation,
  DecryptionError,
  decodeMessage,
  decryptMessageV1,
  encodeMessageHeaderV2,
  encodeMessageV2,
  hmacPeriod,
  inviteTopic,
  LimitError,
  MAX_ENVELOPE_BYTES,
  messageId,
  openSealedInvitation,
  ProtocolDecodeError,
  publicBundleOf,
  SignatureError,
  senderHmacKey,
  signDigest,
  signPreKey,
  toProtoBundle,
  toProtoCiphertext,
  verifyBundle,
} from '../../src/protocol/index.ts';
import { generateSecretKey, publicKeyOf, sha256 } from '../../src/protocol/keys.ts';
import { cairnIdentity, flip, nowNs, type XmtpIdentity, xmtpIdentity } from './helpers.ts';

const utf8 = new TextEncoder();

function xmtpConversation(peer: XmtpIdentity, topic: string, peerAddress: string) {
  const client = {
    keystore: peer.keystore,
    signedPublicKeyBundle: peer.signedBundle,
    address: peer.address,
    decodeContent: async (bytes: Uint8Array) => ({
      content: bytes,
      contentType: undefined,
      error: undefined,
    }),
  };
  return new ConversationV2(
    client as unknown as ConstructorParameters<typeof ConversationV2>[0],
    topic,
    peerAddress,
    new Date(),
    undefined,
    undefined,
  );
}

/** A Cairn identity and an xmtp-js identity sharing a conversation started by Cairn. */
async function cairnAndXmtp() {
  const me = await cairnIdentity();
  const peer = await xmtpIdentity();
  const createdNs = nowNs();
  const { conversation, sealed } = await Conversation.start({
    me: me.keys,
    myAddress: me.address,
    peer: verifyBundle(publicBundleOf(peer.asCairn)),
    createdNs,
  });
  const saved = await peer.keystore.saveInvites({
    requests: [
      {
        contentTopic: inviteTopic(peer.address),
        timestampNs: Long.fromString(createdNs.toString(), true),
        payload: sealed,
      },
    ],
  });
  expect(saved.responses[0]?.error).toBeUndefined();
  return { me, peer, conversation, theirs: xmtpConversation(peer, conversation.topic, me.address) };
}

/** Two Cairn identities sharing a conversation. */
async function twoCairn() {
  const a = await cairnIdentity();
  const b = await cairnIdentity();
  const createdNs = nowNs();
  const { invitation, sealed } = await createInvitation({
    me: a.keys,
    myAddress: a.address,
    peer: b.bundle,
    createdNs,
  });
  const ab = new Conversation({ me: a.keys, myAddress: a.address, peer: b.bundle, invitation, createdNs });
  const opened = await openSealedInvitation({ me: b.keys, sealed, envelopeTimestampNs: createdNs });
  return {
    a,
    b,
    ab,
    ba: Conversation.fromOpenedInvitation(b.keys, opened),
    keyMaterial: invitation.keyMaterial,
  };
}

describe('MessageV2', () => {
  it('Cairn → xmtp-js: decrypts, verifies, and the sender HMAC checks out', async () => {
    const { me, peer, conversation, theirs } = await cairnAndXmtp();
    const payload = utf8.encode('hello from Cairn');
    const sent = await conversation.send(payload);
    expect(sent.id).toBe(messageId(sent.bytes));
    const decoded = await theirs.decodeMessage({
      contentTopic: conversation.topic,
      message: sent.bytes,
      timestampNs: sent.envelope.timestampNs.toString(),
    });
    expect(decoded.senderAddress).toBe(me.address);
    expect(decoded.id).toBe(sent.id);
    expect(Uint8Array.from(decoded.contentBytes)).toEqual(payload);
    // xmtp-js's own HMAC over the header with the same key material and Cairn's address.
    const parsed = msg.Message.decode(Uint8Array.from(sent.bytes)).v2!;
    const keyMaterial = peer.keystore.lookupTopic(conversation.topic)!.invitation!.aes256GcmHkdfSha256!
      .keyMaterial;
    const info = utf8.encode(`${Math.floor(Date.now() / 1000 / 60 / 60 / 24 / 30)}-${me.address}`);
    const expected = await generateHmacSignature(keyMaterial, info, parsed.headerBytes);
    expect(Uint8Array.from(parsed.senderHmac!)).toEqual(Uint8Array.from(expected));
  });

  it('xmtp-js → Cairn: decrypts and verifies, sender is the xmtp-js wallet', async () => {
    const { peer, conversation, theirs } = await cairnAndXmtp();
    const payload = utf8.encode('hello from xmtp-js');
    const created = await theirs.createMessage(payload, true, new Date());
    const received = await conversation.receive(created.toBytes());
    expect(received.senderAddress).toBe(peer.address);
    expect(received.fromSelf).toBe(false);
    expect(received.payload).toEqual(payload);
    expect(received.id).toBe(created.id);
    expect(received.shouldPush).toBe(true);
  });

  it('a text message end to end: Cairn content and MessageV2 → xmtp-js decrypts it and its text codec reads it', async () => {
    const { conversation, theirs } = await cairnAndXmtp();
    const { payload } = defaultContentRegistry.encode({ kind: 'text', text: 'gm from Cairn ✓' });
    const sent = await conversation.send(payload);
    const decoded = await theirs.decodeMessage({
      contentTopic: conversation.topic,
      message: sent.bytes,
      timestampNs: sent.envelope.timestampNs.toString(),
    });
    const encoded = content.EncodedContent.decode(Uint8Array.from(decoded.contentBytes));
    expect(new TextCodec().decode(encoded as never)).toBe('gm from Cairn ✓');
  });

  it('refuses non-canonical message bytes (a relay cannot mint new ids) and dedupes on authenticated bytes', async () => {
    const { a, ab, ba } = await twoCairn();
    const sent = await ab.send(utf8.encode('once'));
    const padded = concatBytes(sent.bytes, Uint8Array.of(0x78, 0x01)); // an unknown field appended
    await expect(ba.receive(padded)).rejects.toThrow(ProtocolDecodeError);
    const parsed = msg.Message.decode(Uint8Array.from(sent.bytes));
    const flipped = msg.Message.encode({
      v2: { ...parsed.v2!, shouldPush: !parsed.v2!.shouldPush },
    }).finish();
    const original = await ba.receive(sent.bytes);
    const replayed = await ba.receive(flipped);
    expect(replayed.id).not.toBe(original.id);
    expect(replayed.dedupeKey).toBe(original.dedupeKey);
    expect(original.senderAddress).toBe(a.address);
  });

  it('accepts an xmtp-js message back-dated by 90 days when told the envelope (network) time', async () => {
    const { conversation, theirs } = await cairnAndXmtp();
    const backDated = new Date(Date.now() - 90 * 24 * 60 * 60 * 1000);
    const created = await theirs.createMessage(utf8.encode('from the past'), false, backDated);
    // xmtp-js keyed the HMAC by its clock at sending, not by the back-dated header time.
    await expect(conversation.receive(created.toBytes())).rejects.toThrow(SignatureError);
    const received = await conversation.receive(created.toBytes(), {
      envelopeTimestampNs: BigInt(Date.now()) * 1_000_000n,
    });
    expect(received.payload).toEqual(utf8.encode('from the past'));
  });

  it('two Cairn identities exchange messages; own messages verify as from self', async () => {
    const { a, b, ab, ba } = await twoCairn();
    expect(ab.topic).toBe(ba.topic);
    const sent = await ab.send(utf8.encode('hi b'));
    const got = await ba.receive(sent.bytes);
    expect(got.senderAddress).toBe(a.address);
    expect(new TextDecoder().decode(got.payload)).toBe('hi b');
    const reply = await ba.send(utf8.encode('hi a'), { shouldPush: false });
    expect((await ab.receive(reply.bytes)).senderAddress).toBe(b.address);
    const own = await ab.receive(sent.bytes);
    expect(own.fromSelf).toBe(true);
  });

  it('a conversation restored from its snapshot keeps working', async () => {
    const { a, b, ab, ba } = await twoCairn();
    const restored = Conversation.restore({ me: b.keys, myAddress: b.address, snapshot: ba.snapshot() });
    expect(restored.topic).toBe(ba.topic);
    expect(restored.peerAddress).toBe(a.address);
    const sent = await ab.send(utf8.encode('after restore'));
    expect((await restored.receive(sent.bytes)).senderAddress).toBe(a.address);
    const back = await restored.send(utf8.encode('reply'));
    expect((await ab.receive(back.bytes)).senderAddress).toBe(b.address);
  });

  describe('bad messages', () => {
    it('refuses tampered header, HMAC, ciphertext and tag', async () => {
      const { ab, ba } = await twoCairn();
      const sent = await ab.send(utf8.encode('payload'));
      const v2 = msg.Message.decode(Uint8Array.from(sent.bytes)).v2!;
      const encode = (m: msg.MessageV2) => msg.Message.encode({ v1: undefined, v2: m }).finish();
      const c = v2.ciphertext!.aes256GcmHkdfSha256!;
      // Header tampered (created_ns changes): HMAC no longer matches.
      const header = encodeMessageHeaderV2(ab.topic, 12345n);
      await expect(ba.receive(encode({ ...v2, headerBytes: header }))).rejects.toThrow(SignatureError);
      await expect(ba.receive(encode({ ...v2, senderHmac: flip(v2.senderHmac!, 0) }))).rejects.toThrow(
        SignatureError,
      );
      await expect(ba.receive(encode({ ...v2, senderHmac: undefined }))).rejects.toThrow(SignatureError);
      for (const variant of [
        { ...c, payload: flip(c.payload, 0) },
        { ...c, payload: flip(c.payload, c.payload.length - 1) },
        { ...c, gcmNonce: flip(c.gcmNonce, 0) },
      ]) {
        await expect(
          ba.receive(encode({ ...v2, ciphertext: { aes256GcmHkdfSha256: variant } })),
        ).rejects.toThrow(DecryptionError);
      }
      // Another topic.
      const other = encodeMessageHeaderV2('/xmtp/0/m-other/proto', 1n);
      await expect(ba.receive(encode({ ...v2, headerBytes: other }))).rejects.toThrow(ProtocolDecodeError);
    });

    it('refuses a tampered signature inside valid encryption and HMAC', async () => {
      const { a, ab, ba, keyMaterial } = await twoCairn();
      // A member (who knows the key material) forges content under a's name.
      const headerBytes = encodeMessageHeaderV2(ab.topic, nowNs());
      const payload = utf8.encode('x');
      const good = signDigest(
        a.keys.preKeys[0]!.secretKey,
        sha256(new Uint8Array([...headerBytes, ...payload])),
      );
      const signed = content.SignedContent.encode({
        payload,
        sender: toProtoBundle(a.bundle),
        signature: { ecdsaCompact: { bytes: flip(good.bytes, 10), recovery: good.recovery } },
      }).finish();
      const ciphertext = await aeadEncrypt(signed, keyMaterial, headerBytes);
      const period = hmacPeriod(Date.now());
      const bytes = msg.Message.encode({
        v1: undefined,
        v2: {
          headerBytes,
          ciphertext: toProtoCiphertext(ciphertext),
          senderHmac: computeSenderHmac(senderHmacKey(keyMaterial, a.address, period), headerBytes),
          shouldPush: true,
        },
      }).finish();
      await expect(ba.receive(bytes)).rejects.toThrow(SignatureError);
    });

    it('refuses a message signed by a third party, with either HMAC address', async () => {
      const { a, ab, ba, keyMaterial } = await twoCairn();
      const mallory = await cairnIdentity();
      for (const senderAddress of [a.address, mallory.address]) {
        const { bytes } = await encodeMessageV2({
          topic: ab.topic,
          keyMaterial,
          sender: mallory.keys,
          senderAddress,
          payload: utf8.encode('forged'),
          createdNs: nowNs(),
        });
        await expect(ba.receive(bytes)).rejects.toThrow(SignatureError);
      }
    });

    it('refuses a sender bundle whose pre-key is not signed by its identity key (xmtp-js PR #298)', async () => {
      const { a, ba, ab, keyMaterial } = await twoCairn();
      const mallory = await cairnIdentity();
      // a's identity key with mallory's pre-key, signed by mallory's pre-key, HMAC under a's address.
      const forged = { identityKey: a.keys.identityKey, preKeys: mallory.keys.preKeys };
      const { bytes } = await encodeMessageV2({
        topic: ab.topic,
        keyMaterial,
        sender: forged,
        senderAddress: a.address,
        payload: utf8.encode('impersonation'),
        createdNs: nowNs(),
      });
      await expect(ba.receive(bytes)).rejects.toThrow(SignatureError);
    });

    it('accepts a rotated pre-key signed by the same identity key', async () => {
      const { a, ba, ab, keyMaterial } = await twoCairn();
      const secretKey = generateSecretKey();
      const rotated = {
        identityKey: a.keys.identityKey,
        preKeys: [
          {
            secretKey,
            publicKey: signPreKey(a.keys.identityKey.secretKey, publicKeyOf(secretKey), nowNs()),
          },
          ...a.keys.preKeys,
        ],
      };
      for (let i = 0; i < 2; i++) {
        const { bytes } = await encodeMessageV2({
          topic: ab.topic,
          keyMaterial,
          sender: rotated,
          senderAddress: a.address,
          payload: utf8.encode(`rotated ${i}`),
          createdNs: nowNs(),
        });
        expect((await ba.receive(bytes)).senderAddress).toBe(a.address);
      }
    });

    it('refuses an oversize message before decoding, on send and on receive', async () => {
      const { ab, ba } = await twoCairn();
      await expect(ab.send(new Uint8Array(MAX_ENVELOPE_BYTES))).rejects.toThrow(LimitError);
      await expect(ba.receive(new Uint8Array(MAX_ENVELOPE_BYTES + 1))).rejects.toThrow(LimitError);
    });

    it('refuses a MessageV1 in a v2 conversation and malformed bytes', async () => {
      const { ba } = await twoCairn();
      await expect(ba.receive(new Uint8Array([0x12, 0x05, 0x0a]))).rejects.toThrow(ProtocolDecodeError);
      await expect(ba.receive(new Uint8Array([0x12, 0xff, 0xff, 0xff, 0xff, 0x07]))).rejects.toThrow(
        ProtocolDecodeError,
      );
      await expect(ba.receive(new Uint8Array([]))).rejects.toThrow(ProtocolDecodeError);
      const v1 = msg.Message.encode({
        v1: { headerBytes: new Uint8Array([1]), ciphertext: undefined },
        v2: undefined,
      }).finish();
      await expect(ba.receive(v1)).rejects.toThrow(ProtocolDecodeError);
    });
  });
});

describe('MessageV1 (legacy)', () => {
  it('decodes an xmtp-js MessageV1, verifies both parties and decrypts for either side', async () => {
    const alice = await xmtpIdentity();
    const bob = await xmtpIdentity();
    const payload = utf8.encode('legacy hello');
    const sent = await XmtpMessageV1.encode(
      alice.keystore,
      payload,
      alice.v1.getPublicKeyBundle(),
      bob.v1.getPublicKeyBundle(),
      new Date(),
    );
    const bytes = Uint8Array.from(sent.toBytes());
    const decoded = decodeMessage(bytes);
    if (decoded.version !== 'v1') throw new Error('expected v1');
    expect(decoded.id).toBe(sent.id);
    expect(decoded.sender.address).toBe(alice.address);
    expect(decoded.recipient.address).toBe(bob.address);
    expect(await decryptMessageV1(bob.asCairn, decoded)).toEqual(payload);
    expect(await decryptMessageV1(alice.asCairn, decoded)).toEqual(payload);
    const carol = await cairnIdentity();
    await expect(decryptMessageV1(carol.keys, decoded)).rejects.toThrow(DecryptionError);
  });
});

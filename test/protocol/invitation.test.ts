import { invitation as inv } from '@xmtp/proto';
import { SignedPublicKeyBundle as XmtpSignedPublicKeyBundle } from '@xmtp/xmtp-js';
import Long from 'long';
import { describe, expect, it } from 'vitest';
import {
  aeadEncrypt,
  DecryptionError,
  deriveInvitation,
  encodeInvitationV1,
  encodeSealedInvitationHeader,
  encodeSignedPublicKeyBundle,
  inviteTopic,
  openSealedInvitation,
  ProtocolArgumentError,
  ProtocolDecodeError,
  publicBundleOf,
  SHARED_SECRET_BYTES,
  SignatureError,
  sealInvitation,
  sharedSecret3dh,
  toProtoCiphertext,
  verifyBundle,
} from '../../src/protocol/index.ts';
import { createInvitation } from '../../src/protocol/invitation.ts';
import { cairnIdentity, flip, nowNs, xmtpIdentity } from './helpers.ts';

const xmtpBundleOf = (bundle: Parameters<typeof encodeSignedPublicKeyBundle>[0]) =>
  XmtpSignedPublicKeyBundle.fromBytes(encodeSignedPublicKeyBundle(bundle));

function keyMaterialOf(keystore: Awaited<ReturnType<typeof xmtpIdentity>>['keystore'], topic: string) {
  const data = keystore.lookupTopic(topic);
  return Uint8Array.from(data!.invitation!.aes256GcmHkdfSha256!.keyMaterial);
}

describe('3-DH shared secret', () => {
  it('is 195 bytes and equal on both sides with opposite roles', async () => {
    const a = await cairnIdentity();
    const b = await cairnIdentity();
    const sa = sharedSecret3dh(a.keys.identityKey.secretKey, a.keys.preKeys[0]!.secretKey, b.bundle, false);
    const sb = sharedSecret3dh(b.keys.identityKey.secretKey, b.keys.preKeys[0]!.secretKey, a.bundle, true);
    expect(sa.length).toBe(SHARED_SECRET_BYTES);
    expect(sa).toEqual(sb);
  });

  it('matches xmtp-js PrivateKeyBundleV2.sharedSecret in both roles', async () => {
    const me = await cairnIdentity();
    const peer = await xmtpIdentity();
    for (const isRecipient of [false, true]) {
      const theirs = await peer.v2.sharedSecret(
        xmtpBundleOf(me.bundle),
        peer.v2.getCurrentPreKey().publicKey,
        isRecipient,
      );
      const mine = sharedSecret3dh(
        me.keys.identityKey.secretKey,
        me.keys.preKeys[0]!.secretKey,
        verifyBundle(publicBundleOf(peer.asCairn)),
        !isRecipient,
      );
      expect(mine).toEqual(Uint8Array.from(theirs));
    }
  });
});

describe('invitations', () => {
  it('Cairn → xmtp-js: xmtp-js opens the sealed invitation with the same topic and key material', async () => {
    const me = await cairnIdentity();
    const peer = await xmtpIdentity();
    const peerBundle = verifyBundle(publicBundleOf(peer.asCairn));
    const createdNs = nowNs();
    const { invitation, sealed } = await createInvitation({
      me: me.keys,
      myAddress: me.address,
      peer: peerBundle,
      createdNs,
    });
    expect(invitation.topic).toMatch(/^\/xmtp\/0\/m-[0-9a-f]{64}\/proto$/);
    const { responses } = await peer.keystore.saveInvites({
      requests: [
        {
          contentTopic: inviteTopic(peer.address),
          timestampNs: Long.fromString(createdNs.toString(), true),
          payload: sealed,
        },
      ],
    });
    expect(responses[0]?.error).toBeUndefined();
    expect(responses[0]?.result?.conversation?.topic).toBe(invitation.topic);
    expect(responses[0]?.result?.conversation?.peerAddress).toBe(me.address);
    expect(keyMaterialOf(peer.keystore, invitation.topic)).toEqual(invitation.keyMaterial);
    // xmtp-js inviting back derives the very same conversation.
    const back = await peer.keystore.createInvite({
      recipient: xmtpBundleOf(me.bundle),
      createdNs: Long.fromString(createdNs.toString(), true),
      context: undefined,
      consentProof: undefined,
    });
    expect(back.conversation?.topic).toBe(invitation.topic);
  });

  it('xmtp-js → Cairn: Cairn opens the sealed invitation with the same topic and key material', async () => {
    const me = await cairnIdentity();
    const peer = await xmtpIdentity();
    const createdNs = nowNs();
    const context = { conversationId: 'example.com/thread/1', metadata: { k: 'v' } };
    const response = await peer.keystore.createInvite({
      recipient: xmtpBundleOf(me.bundle),
      createdNs: Long.fromString(createdNs.toString(), true),
      context,
      consentProof: undefined,
    });
    const opened = await openSealedInvitation({
      me: me.keys,
      sealed: response.payload,
      envelopeTimestampNs: createdNs,
    });
    expect(opened.isSender).toBe(false);
    expect(opened.peer.address).toBe(peer.address);
    expect(opened.recipient.address).toBe(me.address);
    expect(opened.invitation.topic).toBe(response.conversation?.topic);
    expect(opened.invitation.context).toEqual(context);
    expect(opened.invitation.keyMaterial).toEqual(keyMaterialOf(peer.keystore, opened.invitation.topic));
    const derived = deriveInvitation({
      me: me.keys,
      myAddress: me.address,
      peer: opened.peer,
      conversationId: context.conversationId,
    });
    expect(derived.topic).toBe(opened.invitation.topic);
    expect(derived.keyMaterial).toEqual(opened.invitation.keyMaterial);
    // The sender (xmtp-js keys, through Cairn) opens its own sealed invitation too.
    const own = await openSealedInvitation({
      me: peer.asCairn,
      sealed: response.payload,
      envelopeTimestampNs: createdNs,
    });
    expect(own.isSender).toBe(true);
    expect(own.peer.address).toBe(me.address);
  });

  it('two Cairn identities derive the same conversation from either side', async () => {
    const a = await cairnIdentity();
    const b = await cairnIdentity();
    const createdNs = nowNs();
    const { invitation, sealed } = await createInvitation({
      me: a.keys,
      myAddress: a.address,
      peer: b.bundle,
      createdNs,
    });
    const opened = await openSealedInvitation({ me: b.keys, sealed, envelopeTimestampNs: createdNs });
    expect(opened.invitation).toEqual(invitation);
    const fromB = deriveInvitation({ me: b.keys, myAddress: b.address, peer: a.bundle });
    expect(fromB).toEqual({ topic: invitation.topic, keyMaterial: invitation.keyMaterial });
  });

  it('orders checksummed addresses even when given lowercase, and checks myAddress against the keys', async () => {
    const a = await cairnIdentity();
    const b = await cairnIdentity();
    const lower = a.address.toLowerCase() as typeof a.address;
    expect(deriveInvitation({ me: a.keys, myAddress: lower, peer: b.bundle })).toEqual(
      deriveInvitation({ me: a.keys, myAddress: a.address, peer: b.bundle }),
    );
    await expect(
      createInvitation({ me: a.keys, myAddress: b.address, peer: b.bundle, createdNs: 1n }),
    ).rejects.toThrow(ProtocolArgumentError);
  });

  describe('bad sealed invitations', () => {
    async function setup() {
      const a = await cairnIdentity();
      const b = await cairnIdentity();
      const createdNs = nowNs();
      const { invitation, sealed } = await createInvitation({
        me: a.keys,
        myAddress: a.address,
        peer: b.bundle,
        createdNs,
      });
      const v1 = inv.SealedInvitation.decode(Uint8Array.from(sealed)).v1!;
      return { a, b, createdNs, invitation, sealed, v1 };
    }
    const reseal = (headerBytes: Uint8Array, ciphertext: inv.SealedInvitationV1['ciphertext']) =>
      inv.SealedInvitation.encode({ v1: { headerBytes, ciphertext } }).finish();

    it('refuses an invitation "from me" that the peer sealed with a topic of its choosing', async () => {
      const { a: victim, b: mallory, createdNs } = await setup();
      // The 3-DH secret is symmetric: the recipient can seal an invitation that names the victim as sender.
      const headerBytes = encodeSealedInvitationHeader(victim.bundle, mallory.bundle, createdNs);
      const secret = sharedSecret3dh(
        mallory.keys.identityKey.secretKey,
        mallory.keys.preKeys[0]!.secretKey,
        victim.bundle,
        true,
      );
      const forged = { topic: '/xmtp/0/m-stolen/proto', keyMaterial: new Uint8Array(32).fill(7) };
      const ciphertext = await aeadEncrypt(encodeInvitationV1(forged), secret, headerBytes);
      const sealed = reseal(headerBytes, toProtoCiphertext(ciphertext));
      await expect(
        openSealedInvitation({ me: victim.keys, sealed, envelopeTimestampNs: createdNs }),
      ).rejects.toThrow(SignatureError);
      // The same bytes are a valid invitation for Mallory, who did make them.
      await expect(
        openSealedInvitation({ me: mallory.keys, sealed, envelopeTimestampNs: createdNs }),
      ).resolves.toMatchObject({
        isSender: false,
      });
    });

    it('refuses a created_ns different from the envelope timestamp', async () => {
      const { b, createdNs, sealed } = await setup();
      await expect(
        openSealedInvitation({ me: b.keys, sealed, envelopeTimestampNs: createdNs + 1n }),
      ).rejects.toThrow(ProtocolDecodeError);
    });

    it('refuses a tampered header, ciphertext, tag or nonce with DecryptionError', async () => {
      const { a, b, createdNs, v1 } = await setup();
      const header = encodeSealedInvitationHeader(a.bundle, b.bundle, createdNs + 5n);
      await expect(
        openSealedInvitation({
          me: b.keys,
          sealed: reseal(header, v1.ciphertext),
          envelopeTimestampNs: createdNs + 5n,
        }),
      ).rejects.toThrow(DecryptionError);
      const c = v1.ciphertext!.aes256GcmHkdfSha256!;
      const variants = [
        { ...c, payload: flip(c.payload, 0) },
        { ...c, payload: flip(c.payload, c.payload.length - 1) },
        { ...c, gcmNonce: flip(c.gcmNonce, 3) },
        { ...c, hkdfSalt: flip(c.hkdfSalt, 31) },
      ];
      for (const variant of variants) {
        const sealed = reseal(v1.headerBytes, { aes256GcmHkdfSha256: variant });
        await expect(
          openSealedInvitation({ me: b.keys, sealed, envelopeTimestampNs: createdNs }),
        ).rejects.toThrow(DecryptionError);
      }
    });

    it('refuses a header whose sender bundle has a pre-key not signed by its identity key', async () => {
      const { a, b, createdNs } = await setup();
      const c = await cairnIdentity();
      const forgedSender = { identityKey: a.bundle.identityKey, preKey: c.bundle.preKey };
      const header = encodeSealedInvitationHeader(forgedSender, b.bundle, createdNs);
      const ciphertext = await aeadEncrypt(new Uint8Array(8), new Uint8Array(195), header);
      await expect(
        openSealedInvitation({
          me: b.keys,
          sealed: reseal(header, toProtoCiphertext(ciphertext)),
          envelopeTimestampNs: createdNs,
        }),
      ).rejects.toThrow(SignatureError);
    });

    it('a third identity cannot open it', async () => {
      const { createdNs, sealed } = await setup();
      const c = await cairnIdentity();
      await expect(
        openSealedInvitation({ me: c.keys, sealed, envelopeTimestampNs: createdNs }),
      ).rejects.toThrow(DecryptionError);
    });

    it('refuses an invitation with a bad topic or key material inside valid encryption', async () => {
      const { a, b, createdNs } = await setup();
      for (const bad of [
        { topic: '/xmtp/0/m-a/b/proto', keyMaterial: new Uint8Array(32) },
        { topic: '/xmtp/0/m-abc/proto', keyMaterial: new Uint8Array(31) },
      ]) {
        const sealed = await sealInvitation({ me: a.keys, recipient: b.bundle, invitation: bad, createdNs });
        await expect(
          openSealedInvitation({ me: b.keys, sealed, envelopeTimestampNs: createdNs }),
        ).rejects.toThrow(ProtocolDecodeError);
      }
      expect(
        encodeInvitationV1({ topic: '/xmtp/0/m-abc/proto', keyMaterial: new Uint8Array(32) }).length,
      ).toBeGreaterThan(0);
    });
  });
});

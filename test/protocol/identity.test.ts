import { contact } from '@xmtp/proto';
import {
  SignedPublicKeyBundle as XmtpSignedPublicKeyBundle,
  decodeContactBundle as xmtpDecodeContactBundle,
} from '@xmtp/xmtp-js';
import { describe, expect, it } from 'vitest';
import {
  decodeContactBundle,
  decodePrivateKeyBundle,
  encodeContactBundle,
  encodePrivateKeyBundle,
  encodeSignedPublicKeyBundle,
  generatePrivateKeyBundle,
  identitySigRequestText,
  ProtocolDecodeError,
  publicBundleOf,
  SignatureError,
  signIdentityKey,
  signPreKey,
  verifyBundle,
  verifyContactBundle,
  verifyContactBundleFor,
} from '../../src/protocol/index.ts';
import { generateSecretKey, publicKeyOf } from '../../src/protocol/keys.ts';
import { cairnIdentity, flip, randomWallet, xmtpIdentity } from './helpers.ts';

describe('identity and contact bundles', () => {
  it('builds the Create Identity text as xmtp-js', () => {
    expect(identitySigRequestText(new Uint8Array([1, 171]))).toBe(
      'XMTP : Create Identity\n01ab\n\nFor more info: https://xmtp.org/signatures/',
    );
  });

  it('generates a bundle whose chain verifies to the wallet address', async () => {
    const me = await cairnIdentity();
    const bytes = encodeContactBundle(publicBundleOf(me.keys));
    expect(verifyContactBundle(bytes).address).toBe(me.address);
    expect(verifyContactBundleFor(me.address, bytes).address).toBe(me.address);
    const other = await cairnIdentity();
    // Published on someone else's contact topic, a valid bundle is still not theirs.
    expect(() => verifyContactBundleFor(other.address, bytes)).toThrow(SignatureError);
  });

  it('round-trips the private bundle through its wire encoding', async () => {
    const me = await cairnIdentity();
    const decoded = decodePrivateKeyBundle(encodePrivateKeyBundle(me.keys));
    expect(decoded).toEqual(me.keys);
  });

  it('verifies an xmtp-js v2 contact bundle and a legacy v1 one, recovering the address', async () => {
    const peer = await xmtpIdentity();
    const v2 = contact.ContactBundle.encode({ v1: undefined, v2: { keyBundle: peer.signedBundle } }).finish();
    expect(verifyContactBundle(v2).address).toBe(peer.address);
    const v1 = contact.ContactBundle.encode({
      v1: { keyBundle: peer.v1.getPublicKeyBundle() },
      v2: undefined,
    }).finish();
    expect(verifyContactBundle(v1).address).toBe(peer.address);
  });

  it('produces a contact bundle xmtp-js accepts with the same address and a valid pre-key', async () => {
    const me = await cairnIdentity();
    const decoded = xmtpDecodeContactBundle(encodeContactBundle(publicBundleOf(me.keys)));
    expect(decoded).toBeInstanceOf(XmtpSignedPublicKeyBundle);
    const bundle = decoded as XmtpSignedPublicKeyBundle;
    expect(await bundle.walletSignatureAddress()).toBe(me.address);
    expect(await bundle.identityKey.verifyKey(bundle.preKey)).toBe(true);
    expect(
      Uint8Array.from(XmtpSignedPublicKeyBundle.fromBytes(encodeSignedPublicKeyBundle(me.bundle)).toBytes()),
    ).toEqual(encodeSignedPublicKeyBundle(me.bundle));
  });

  it('refuses a pre-key not signed by the identity key', async () => {
    const me = await cairnIdentity();
    const stranger = generateSecretKey();
    const forged = signPreKey(stranger, publicKeyOf(generateSecretKey()), 1n);
    expect(() => verifyBundle({ identityKey: me.bundle.identityKey, preKey: forged })).toThrow(
      SignatureError,
    );
    // A pre-key signed correctly but swapped for another key with the same signature.
    const swapped = { ...me.bundle.preKey, keyBytes: forged.keyBytes, publicKey: forged.publicKey };
    expect(() => verifyBundle({ identityKey: me.bundle.identityKey, preKey: swapped })).toThrow(
      SignatureError,
    );
    // A pre-key that claims to be wallet-signed.
    const walletKind = { ...me.bundle.preKey, signatureKind: 'wallet' as const };
    expect(() => verifyBundle({ identityKey: me.bundle.identityKey, preKey: walletKind })).toThrow(
      SignatureError,
    );
  });

  it('refuses a bundle whose wallet signature recovers another address', async () => {
    const me = await cairnIdentity();
    const other = randomWallet();
    // Signed by another wallet: verifies, but to the other address (never to ours).
    const identity = await signIdentityKey(other.signMessage, me.bundle.identityKey.publicKey, 1n);
    const bundle = verifyBundle({ identityKey: identity, preKey: me.bundle.preKey });
    expect(bundle.address).toBe(other.address);
    expect(bundle.address).not.toBe(me.address);
    await expect(
      signIdentityKey(other.signMessage, me.bundle.identityKey.publicKey, 1n, me.address),
    ).rejects.toThrow(SignatureError);
    await expect(
      generatePrivateKeyBundle({ signMessage: other.signMessage, address: me.address }),
    ).rejects.toThrow(SignatureError);
    // A tampered wallet signature recovers some other address or nothing.
    const tampered = {
      ...me.bundle.identityKey.signature,
      bytes: flip(me.bundle.identityKey.signature.bytes, 5),
    };
    let recovered: string | undefined;
    try {
      recovered = verifyBundle({
        identityKey: { ...me.bundle.identityKey, signature: tampered },
        preKey: me.bundle.preKey,
      }).address;
    } catch (e) {
      expect(e).toBeInstanceOf(SignatureError);
    }
    expect(recovered).not.toBe(me.address);
  });

  it('refuses an identity key signed by a key instead of a wallet', async () => {
    const me = await cairnIdentity();
    const identity = { ...me.bundle.identityKey, signatureKind: 'ecdsa' as const };
    expect(() => verifyBundle({ identityKey: identity, preKey: me.bundle.preKey })).toThrow(SignatureError);
  });

  it('refuses malformed contact bundles with ProtocolDecodeError', async () => {
    expect(() => decodeContactBundle(new Uint8Array([]))).toThrow(ProtocolDecodeError);
    expect(() => decodeContactBundle(new Uint8Array([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(
      ProtocolDecodeError,
    );
    expect(() =>
      decodeContactBundle(
        new Uint8Array([0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
      ),
    ).toThrow(ProtocolDecodeError);
    const me = await cairnIdentity();
    const good = encodeContactBundle(publicBundleOf(me.keys));
    expect(() => decodeContactBundle(good.subarray(0, good.length - 3))).toThrow(ProtocolDecodeError);
  });
});

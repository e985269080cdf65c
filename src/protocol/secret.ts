/**
 * The XMTP v2 3-DH shared secret over identity keys and pre-keys: three 65-byte uncompressed
 * ECDH points concatenated (195 bytes), roles as xmtp-js `PrivateKeyBundleV2.sharedSecret`.
 *   sender:    dh1 = ECDH(myIdentity, peerPreKey), dh2 = ECDH(myPreKey, peerIdentity)
 *   recipient: dh1 = ECDH(myPreKey, peerIdentity), dh2 = ECDH(myIdentity, peerPreKey)
 *   both:      dh3 = ECDH(myPreKey, peerPreKey)
 * The peer bundle must have been verified (`verifyBundle`) by the caller.
 */
import type { PublicKeyBundle } from './bundle.ts';
import { concat } from './bytes.ts';
import { ecdh } from './keys.ts';

export const SHARED_SECRET_BYTES = 195;

/** Derives the 195-byte 3-DH secret with my identity and pre-key secrets. */
export function sharedSecret3dh(
  myIdentitySecret: Uint8Array,
  myPreKeySecret: Uint8Array,
  peer: PublicKeyBundle,
  isRecipient: boolean,
): Uint8Array {
  const peerIdentity = peer.identityKey.publicKey;
  const peerPreKey = peer.preKey.publicKey;
  const dh1 = isRecipient ? ecdh(myPreKeySecret, peerIdentity) : ecdh(myIdentitySecret, peerPreKey);
  const dh2 = isRecipient ? ecdh(myIdentitySecret, peerPreKey) : ecdh(myPreKeySecret, peerIdentity);
  const dh3 = ecdh(myPreKeySecret, peerPreKey);
  return concat(dh1, dh2, dh3);
}

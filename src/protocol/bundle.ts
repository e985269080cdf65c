/**
 * Public key bundles and contact bundles (`SignedPublicKeyBundle`, `ContactBundle`), with the
 * full chain check wallet → identity key → pre-key (xmtp-js PR #298 skipped the last link).
 * Legacy v1 `PublicKeyBundle`s are converted as xmtp-js `SignedPublicKeyBundle.fromLegacyBundle`.
 * https://github.com/xmtp/proto/blob/main/proto/message_contents/contact.proto
 */
import { contact, publicKey as pk } from '@xmtp/proto';
import type { Address } from 'viem';
import { ProtocolDecodeError, SignatureError } from './errors.ts';
import {
  equalSignedPublicKeys,
  fromProtoSignature,
  fromProtoSignedPublicKey,
  recoverIdentityWallet,
  type SignedPublicKey,
  toProtoSignedPublicKey,
  verifyPreKey,
} from './identity.ts';
import { assertPublicKey } from './keys.ts';
import { decodeProto, encodeProto, required } from './wire.ts';

/** An identity key and its current pre-key (shape-checked, not yet verified). */
export interface PublicKeyBundle {
  identityKey: SignedPublicKey;
  preKey: SignedPublicKey;
}

/** A bundle whose whole chain verified, with the wallet address it belongs to. */
export interface VerifiedBundle extends PublicKeyBundle {
  /** EIP-55 wallet address recovered from the identity key's wallet signature. */
  address: Address;
}

/**
 * Verifies wallet → identity key → pre-key and returns the wallet address.
 * @throws SignatureError
 */
export function verifyBundle(bundle: PublicKeyBundle): VerifiedBundle {
  const address = recoverIdentityWallet(bundle.identityKey);
  verifyPreKey(bundle.identityKey, bundle.preKey);
  return { identityKey: bundle.identityKey, preKey: bundle.preKey, address };
}

/** Same identity key and pre-key, same signatures. */
export function equalBundles(a: PublicKeyBundle, b: PublicKeyBundle): boolean {
  return equalSignedPublicKeys(a.identityKey, b.identityKey) && equalSignedPublicKeys(a.preKey, b.preKey);
}

/** Checks a wire `SignedPublicKeyBundle`. @throws ProtocolDecodeError, LimitError */
export function fromProtoBundle(name: string, value: pk.SignedPublicKeyBundle | undefined): PublicKeyBundle {
  const bundle = required(name, value);
  return {
    identityKey: fromProtoSignedPublicKey(`${name}.identity_key`, bundle.identityKey),
    preKey: fromProtoSignedPublicKey(`${name}.pre_key`, bundle.preKey),
  };
}

/** The wire form of a bundle. */
export function toProtoBundle(bundle: PublicKeyBundle): pk.SignedPublicKeyBundle {
  return {
    identityKey: toProtoSignedPublicKey(bundle.identityKey),
    preKey: toProtoSignedPublicKey(bundle.preKey),
  };
}

/** Encodes a `SignedPublicKeyBundle`. */
export function encodeSignedPublicKeyBundle(bundle: PublicKeyBundle): Uint8Array {
  return encodeProto(pk.SignedPublicKeyBundle, toProtoBundle(bundle));
}

/** Decodes a `SignedPublicKeyBundle` (not verified). @throws ProtocolDecodeError, LimitError */
export function decodeSignedPublicKeyBundle(bytes: Uint8Array): PublicKeyBundle {
  return fromProtoBundle('bundle', decodeProto('bundle', pk.SignedPublicKeyBundle, bytes));
}

/**
 * Converts a legacy v1 `PublicKey` into a `SignedPublicKey` whose key_bytes are the legacy
 * bytes-to-sign (timestamp + point), as xmtp-js `SignedPublicKey.fromLegacyKey`.
 */
export function fromLegacyPublicKey(
  name: string,
  value: pk.PublicKey | undefined,
  signedByWallet: boolean,
): SignedPublicKey {
  const key = required(name, value);
  const point = required(`${name}.secp256k1_uncompressed`, key.secp256k1Uncompressed).bytes;
  assertPublicKey(`${name}.secp256k1_uncompressed`, point);
  const keyBytes = encodeProto(pk.PublicKey, {
    timestamp: key.timestamp,
    secp256k1Uncompressed: { bytes: point },
    signature: undefined,
  });
  const { signature } = fromProtoSignature(`${name}.signature`, key.signature);
  return {
    keyBytes,
    publicKey: point,
    createdNs: BigInt(key.timestamp.toUnsigned().toString()),
    signature,
    signatureKind: signedByWallet ? 'wallet' : 'ecdsa',
  };
}

/** Converts a legacy v1 `PublicKeyBundle` (identity key wallet-signed, pre-key identity-signed). */
export function fromLegacyBundle(name: string, value: pk.PublicKeyBundle | undefined): PublicKeyBundle {
  const bundle = required(name, value);
  return {
    identityKey: fromLegacyPublicKey(`${name}.identity_key`, bundle.identityKey, true),
    preKey: fromLegacyPublicKey(`${name}.pre_key`, bundle.preKey, false),
  };
}

/** Encodes a v2 `ContactBundle` for the contact topic. */
export function encodeContactBundle(bundle: PublicKeyBundle): Uint8Array {
  return encodeProto(contact.ContactBundle, { v2: { keyBundle: toProtoBundle(bundle) } });
}

/** Decodes a `ContactBundle` (v2, or v1 converted from legacy keys), not verified. */
export function decodeContactBundle(bytes: Uint8Array): PublicKeyBundle {
  const decoded = decodeProto('contact_bundle', contact.ContactBundle, bytes);
  if (decoded.v2) return fromProtoBundle('contact_bundle.v2.key_bundle', decoded.v2.keyBundle);
  if (decoded.v1) return fromLegacyBundle('contact_bundle.v1.key_bundle', decoded.v1.keyBundle);
  throw new ProtocolDecodeError('"contact_bundle" has no known version');
}

/**
 * Decodes and verifies a contact bundle: the returned address is the wallet that owns it.
 * Anyone can publish on anyone's contact topic, so to pick a bundle *for* an address use
 * `verifyContactBundleFor`, never the first bundle that verifies.
 * @throws ProtocolDecodeError, LimitError, SignatureError
 * @example const { address } = verifyContactBundle(envelope.message)
 */
export function verifyContactBundle(bytes: Uint8Array): VerifiedBundle {
  return verifyBundle(decodeContactBundle(bytes));
}

/**
 * Verifies a contact bundle found for `expectedAddress` (e.g. on its contact topic).
 * @throws SignatureError when the bundle belongs to another wallet; ProtocolDecodeError, LimitError
 */
export function verifyContactBundleFor(expectedAddress: Address, bytes: Uint8Array): VerifiedBundle {
  const verified = verifyContactBundle(bytes);
  if (verified.address.toLowerCase() !== expectedAddress.toLowerCase()) {
    throw new SignatureError('the contact bundle belongs to another wallet');
  }
  return verified;
}

/**
 * XMTP v2 identity keys: `UnsignedPublicKey` / `SignedPublicKey`, the wallet's EIP-191
 * "XMTP : Create Identity" signature over the identity key, and the identity key's signature
 * over sha256(key_bytes) of each pre-key.
 * https://github.com/xmtp/proto/blob/main/proto/message_contents/public_key.proto
 * (text and encodings as in xmtp-js 13 `WalletSigner.identitySigRequestText`, `splitSignature`).
 */
import { publicKey as pk, type signature as sig } from '@xmtp/proto';
import { type Address, type Hex, hashMessage, hexToBytes } from 'viem';
import { bytesToHex, equalBytes } from './bytes.ts';
import { ProtocolArgumentError, ProtocolDecodeError, SignatureError } from './errors.ts';
import {
  addressOf,
  assertPublicKey,
  type EcdsaSignature,
  recoverPublicKey,
  sha256,
  signDigest,
  toEcdsaSignature,
  verifyDigest,
} from './keys.ts';
import { bigIntToLong, decodeProto, encodeProto, longToBigInt, required } from './wire.ts';

/** EIP-191 `personal_sign` by the wallet; returns the 65-byte signature as hex. */
export type WalletSignMessage = (message: string) => Promise<Hex>;

/** Which key signed a `SignedPublicKey`. */
export type KeySignatureKind = 'wallet' | 'ecdsa';

/** A decoded, shape-checked `SignedPublicKey` (signature not yet verified). */
export interface SignedPublicKey {
  /** The encoded `UnsignedPublicKey`, exactly as signed. */
  keyBytes: Uint8Array;
  /** 65-byte uncompressed secp256k1 point. */
  publicKey: Uint8Array;
  /** `created_ns` (ns since epoch; ms for keys converted from legacy v1 keys). */
  createdNs: bigint;
  signature: EcdsaSignature;
  signatureKind: KeySignatureKind;
}

/** The text the wallet signs (EIP-191) to create an identity for `keyBytes`. */
export function identitySigRequestText(keyBytes: Uint8Array): string {
  return `XMTP : Create Identity\n${bytesToHex(keyBytes)}\n\nFor more info: https://xmtp.org/signatures/`;
}

/** Encodes an `UnsignedPublicKey`. */
export function encodeUnsignedPublicKey(publicKey: Uint8Array, createdNs: bigint): Uint8Array {
  return encodeProto(pk.UnsignedPublicKey, {
    createdNs: bigIntToLong(createdNs),
    secp256k1Uncompressed: { bytes: publicKey },
  });
}

/** Decodes the `key_bytes` of a signed key. @throws ProtocolDecodeError, LimitError */
export function decodeUnsignedPublicKey(keyBytes: Uint8Array): { publicKey: Uint8Array; createdNs: bigint } {
  const decoded = decodeProto('key_bytes', pk.UnsignedPublicKey, keyBytes);
  const point = required('secp256k1_uncompressed', decoded.secp256k1Uncompressed).bytes;
  assertPublicKey('secp256k1_uncompressed', point);
  return { publicKey: point, createdNs: longToBigInt(decoded.createdNs) };
}

/** Converts a wire `Signature` into a checked signature and its kind. @throws ProtocolDecodeError */
export function fromProtoSignature(
  name: string,
  value: sig.Signature | undefined,
): {
  signature: EcdsaSignature;
  kind: KeySignatureKind;
} {
  const s = required(name, value);
  if (s.walletEcdsaCompact)
    return { signature: toEcdsaSignature(name, s.walletEcdsaCompact), kind: 'wallet' };
  if (s.ecdsaCompact) return { signature: toEcdsaSignature(name, s.ecdsaCompact), kind: 'ecdsa' };
  throw new ProtocolDecodeError(`"${name}" has no known signature`);
}

/** The wire `Signature` of a checked signature. */
export function toProtoSignature(signature: EcdsaSignature, kind: KeySignatureKind): sig.Signature {
  const body = { bytes: signature.bytes, recovery: signature.recovery };
  return kind === 'wallet' ? { walletEcdsaCompact: body } : { ecdsaCompact: body };
}

/** Checks a wire `SignedPublicKey` (shape only; signatures are checked by the verifiers). */
export function fromProtoSignedPublicKey(
  name: string,
  value: pk.SignedPublicKey | undefined,
): SignedPublicKey {
  const key = required(name, value);
  if (!(key.keyBytes instanceof Uint8Array) || key.keyBytes.length === 0) {
    throw new ProtocolDecodeError(`missing "${name}.key_bytes"`);
  }
  const { publicKey, createdNs } = decodeUnsignedPublicKey(key.keyBytes);
  const { signature, kind } = fromProtoSignature(`${name}.signature`, key.signature);
  return { keyBytes: key.keyBytes, publicKey, createdNs, signature, signatureKind: kind };
}

/** The wire form of a `SignedPublicKey`. */
export function toProtoSignedPublicKey(key: SignedPublicKey): pk.SignedPublicKey {
  return { keyBytes: key.keyBytes, signature: toProtoSignature(key.signature, key.signatureKind) };
}

/** Encodes a `SignedPublicKey`. */
export function encodeSignedPublicKey(key: SignedPublicKey): Uint8Array {
  return encodeProto(pk.SignedPublicKey, toProtoSignedPublicKey(key));
}

/** Decodes and shape-checks a `SignedPublicKey`. @throws ProtocolDecodeError, LimitError */
export function decodeSignedPublicKey(bytes: Uint8Array): SignedPublicKey {
  return fromProtoSignedPublicKey(
    'signed_public_key',
    decodeProto('signed_public_key', pk.SignedPublicKey, bytes),
  );
}

/**
 * The wallet address whose EIP-191 signature made `identityKey` an XMTP identity.
 * @throws SignatureError when the key is not wallet-signed or the signature recovers nothing.
 */
export function recoverIdentityWallet(identityKey: SignedPublicKey): Address {
  if (identityKey.signatureKind !== 'wallet')
    throw new SignatureError('identity key is not signed by a wallet');
  const digest = hexToBytes(hashMessage(identitySigRequestText(identityKey.keyBytes)));
  return addressOf(recoverPublicKey(digest, identityKey.signature));
}

/**
 * Checks that `preKey` is signed by `identityKey` over sha256(pre-key key_bytes).
 * @throws SignatureError
 */
export function verifyPreKey(identityKey: SignedPublicKey, preKey: SignedPublicKey): void {
  if (preKey.signatureKind !== 'ecdsa') throw new SignatureError('pre-key is not signed by the identity key');
  if (!verifyDigest(identityKey.publicKey, sha256(preKey.keyBytes), preKey.signature)) {
    throw new SignatureError('pre-key is not signed by the identity key');
  }
}

/** Signs `publicKey` with the identity secret key (as a pre-key). */
export function signPreKey(
  identitySecret: Uint8Array,
  publicKey: Uint8Array,
  createdNs: bigint,
): SignedPublicKey {
  const keyBytes = encodeUnsignedPublicKey(publicKey, createdNs);
  return {
    keyBytes,
    publicKey,
    createdNs,
    signature: signDigest(identitySecret, sha256(keyBytes)),
    signatureKind: 'ecdsa',
  };
}

/**
 * Parses a 65-byte `personal_sign` result (v = 27/28 or 0/1) into a compact signature.
 * @throws ProtocolArgumentError
 */
export function parseWalletSignature(signature: Hex): EcdsaSignature {
  let raw: Uint8Array;
  try {
    raw = hexToBytes(signature, { size: 65 });
  } catch (cause) {
    throw new ProtocolArgumentError('"signature" expected a 65-byte hex signature', { cause });
  }
  const v = raw[64] ?? -1;
  const recovery = v === 27 || v === 28 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) throw new ProtocolArgumentError('"signature" has an invalid v');
  return { bytes: raw.slice(0, 64), recovery };
}

/**
 * Has the wallet sign `publicKey` as an XMTP identity key.
 * @throws SignatureError when the wallet's signature does not recover `expectedAddress`.
 */
export async function signIdentityKey(
  signMessage: WalletSignMessage,
  publicKey: Uint8Array,
  createdNs: bigint,
  expectedAddress?: Address,
): Promise<SignedPublicKey> {
  const keyBytes = encodeUnsignedPublicKey(publicKey, createdNs);
  const signature = parseWalletSignature(await signMessage(identitySigRequestText(keyBytes)));
  const key: SignedPublicKey = { keyBytes, publicKey, createdNs, signature, signatureKind: 'wallet' };
  if (expectedAddress !== undefined && recoverIdentityWallet(key) !== expectedAddress) {
    throw new SignatureError('wallet signature recovers another address');
  }
  return key;
}

/** Same key, same signature. */
export function equalSignedPublicKeys(a: SignedPublicKey, b: SignedPublicKey): boolean {
  return (
    equalBytes(a.keyBytes, b.keyBytes) &&
    equalBytes(a.signature.bytes, b.signature.bytes) &&
    a.signature.recovery === b.signature.recovery &&
    a.signatureKind === b.signatureKind
  );
}

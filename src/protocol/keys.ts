/**
 * secp256k1 primitives as XMTP v2 uses them (@noble/curves): 65-byte uncompressed public keys,
 * 64-byte compact ECDSA signatures with a recovery bit over caller-provided digests
 * (`prehash: false`), ECDH returning the full 65-byte uncompressed point, and EIP-55 addresses.
 * https://github.com/xmtp/proto/blob/main/proto/message_contents/public_key.proto
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { type Address, getAddress } from 'viem';
import { assertBytes, bytesToHex, type RandomBytes, secureRandomBytes } from './bytes.ts';
import { ProtocolDecodeError, SignatureError } from './errors.ts';
import { signingCurve } from './signing-curve.ts';

/** A compact ECDSA signature `[r ‖ s]` (64 bytes) with its recovery bit. */
export interface EcdsaSignature {
  bytes: Uint8Array;
  recovery: 0 | 1;
}

/** SHA-256 (synchronous, pure JS: fastest for small inputs). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}

/**
 * Input size from which `sha256Async` hashes with WebCrypto: below it the pure-JS hash beats the
 * cost of an async native call (measured in Node 24: equal at ~3–4 KiB, WebCrypto 2× faster at
 * 10 KiB). Only ever used on public data (message bytes, header ‖ payload digests).
 */
export const NATIVE_SHA256_MIN_BYTES = 4096;

/** SHA-256 with the faster implementation for the input size; same digest as `sha256`. */
export async function sha256Async(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.length < NATIVE_SHA256_MIN_BYTES) return nobleSha256(bytes);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** A new random secp256k1 secret key (32 bytes). */
export function generateSecretKey(random: RandomBytes = secureRandomBytes): Uint8Array {
  // Rejection sampling: a 32-byte string is a valid scalar with overwhelming probability.
  for (;;) {
    const candidate = random(32);
    if (secp256k1.utils.isValidSecretKey(candidate)) return candidate;
  }
}

/** The 65-byte uncompressed public key of `secretKey`. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return secp256k1.getPublicKey(secretKey, false);
}

/**
 * Checks a 65-byte uncompressed secp256k1 point (prefix 0x04, on the curve).
 * @throws ProtocolDecodeError
 */
export function assertPublicKey(name: string, bytes: Uint8Array): void {
  if (bytes.length !== 65 || bytes[0] !== 4) {
    throw new ProtocolDecodeError(`"${name}" expected a 65-byte uncompressed secp256k1 point`);
  }
  try {
    secp256k1.Point.fromBytes(bytes).assertValidity();
  } catch (cause) {
    throw new ProtocolDecodeError(`"${name}" is not a point on secp256k1`, { cause });
  }
}

/** Checks the shape of a decoded signature. @throws ProtocolDecodeError */
export function toEcdsaSignature(name: string, sig: { bytes: Uint8Array; recovery: number }): EcdsaSignature {
  if (!(sig.bytes instanceof Uint8Array) || sig.bytes.length !== 64) {
    throw new ProtocolDecodeError(`"${name}" expected 64 signature bytes`);
  }
  if (sig.recovery !== 0 && sig.recovery !== 1) {
    throw new ProtocolDecodeError(`"${name}" has an invalid recovery bit`);
  }
  return { bytes: sig.bytes, recovery: sig.recovery };
}

/**
 * Window size of the generator's precomputed table for `PreparedPublicKey.verify` (u1⋅G).
 * noble-curves 2 sets 6; 8 (the default of noble-curves 1) saves ~10% of a verification for
 * ~0.7 MB of heap and ~40 ms once, on the first prepared verification.
 */
export const BASE_TABLE_WINDOW = 8;

let baseTableReady = false;

/** Sets the generator's table window once, before the first prepared verification. */
function ensureBaseTable(): void {
  if (baseTableReady) return;
  baseTableReady = true;
  secp256k1.Point.BASE.precompute(BASE_TABLE_WINDOW);
}

/**
 * Signs a 32-byte digest (no further hashing), low-S, deterministic (RFC 6979), on
 * `signingCurve` (noble-curves 1.9, viem's copy): constant-time-ish without scalar blinding, like
 * xmtp-js and every wallet on noble-curves 1.
 */
export function signDigest(secretKey: Uint8Array, digest: Uint8Array): EcdsaSignature {
  assertBytes('digest', digest, 32);
  assertBytes('secretKey', secretKey, 32);
  const signed = signingCurve.sign(digest, secretKey, { lowS: true });
  const recovery = signed.recovery;
  if (recovery !== 0 && recovery !== 1) throw new SignatureError('unexpected recovery id');
  return { bytes: signed.toCompactRawBytes(), recovery };
}

/**
 * True when `signature` over `digest` verifies with the 65-byte `publicKey`. Never throws.
 * High-S (malleable) signatures are refused, as xmtp-js (noble-secp256k1 `strict`) does.
 */
export function verifyDigest(publicKey: Uint8Array, digest: Uint8Array, signature: EcdsaSignature): boolean {
  try {
    return secp256k1.verify(signature.bytes, digest, publicKey, { prehash: false, lowS: true });
  } catch {
    return false;
  }
}

const Point = secp256k1.Point;
const Fn = Point.Fn;
const Fp = Point.Fp;
const HALF_N = Fn.ORDER >> 1n;

function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`);
}

/**
 * A public key prepared for many verifications: its multiples are precomputed once (a few ms),
 * after which a verification costs about a third of `verifyDigest`. Conversations keep one per
 * known sender pre-key.
 */
export class PreparedPublicKey {
  readonly publicKey: Uint8Array;
  readonly #point: InstanceType<typeof Point>;

  constructor(publicKey: Uint8Array, windowSize = 6) {
    assertPublicKey('publicKey', publicKey);
    this.publicKey = publicKey;
    this.#point = Point.fromBytes(publicKey);
    ensureBaseTable();
    this.#point.precompute(windowSize, false);
  }

  /**
   * ECDSA verification (SEC 1 §4.1.4) of a 32-byte digest, low-S only; same results as
   * `verifyDigest`. Never throws.
   */
  verify(digest: Uint8Array, signature: EcdsaSignature): boolean {
    if (digest.length !== 32 || signature.bytes.length !== 64) return false;
    const r = bytesToBigInt(signature.bytes.subarray(0, 32));
    const s = bytesToBigInt(signature.bytes.subarray(32, 64));
    if (r <= 0n || r >= Fn.ORDER || s <= 0n || s > HALF_N) return false;
    const h = Fn.create(bytesToBigInt(digest));
    const is = Fn.inv(s);
    const u1 = Fn.mul(h, is);
    const u2 = Fn.mul(r, is);
    const R = Point.BASE.multiplyUnsafe(u1).add(this.#point.multiplyUnsafe(u2));
    if (R.is0()) return false;
    // x(R) mod n === r, checked on the projective X / Z without inverting Z (public data; as
    // libsecp256k1 does): x ∈ [0, p) and n < p, so x ≡ r (mod n) iff x = r or x = r + n < p.
    if (Fp.eql(R.X, Fp.mul(r, R.Z))) return true;
    const rPlusN = r + Fn.ORDER;
    return rPlusN < Fp.ORDER && Fp.eql(R.X, Fp.mul(rPlusN, R.Z));
  }
}

/**
 * Recovers the 65-byte public key that produced `signature` over `digest`.
 * @throws SignatureError
 */
export function recoverPublicKey(digest: Uint8Array, signature: EcdsaSignature): Uint8Array {
  try {
    const sig = secp256k1.Signature.fromBytes(signature.bytes, 'compact').addRecoveryBit(signature.recovery);
    return sig.recoverPublicKey(digest).toBytes(false);
  } catch (cause) {
    throw new SignatureError('signature does not recover a public key', { cause });
  }
}

/** ECDH: the shared point as 65 uncompressed bytes (as xmtp-js `getSharedSecret(…, false)`). */
export function ecdh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return secp256k1.getSharedSecret(secretKey, publicKey, false);
}

/** EIP-55 address of a 65-byte uncompressed public key. */
export function addressOf(publicKey: Uint8Array): Address {
  const hash = keccak_256(publicKey.subarray(1));
  return getAddress(`0x${bytesToHex(hash.subarray(12))}`);
}

/**
 * The private half of an XMTP v2 identity: identity secret key (wallet-signed public key) and
 * pre-keys (identity-signed), newest first. Stored as the wire `PrivateKeyBundle` (v2), which
 * xmtp-js can read too; legacy v1 bundles (xmtp-js `PrivateKeyBundleV1`) are converted on decode.
 * The secret keys are random, or given (e.g. derived from a seed with `bundleSecretsFromSeed`, so
 * the same wallet key yields the same identity everywhere).
 * https://github.com/xmtp/proto/blob/main/proto/message_contents/private_key.proto
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { privateKey as priv } from '@xmtp/proto';
import type { Address } from 'viem';
import { fromLegacyPublicKey, type PublicKeyBundle, verifyBundle } from './bundle.ts';
import { assertBytes, copyBytes, equalBytes, type RandomBytes, secureRandomBytes } from './bytes.ts';
import { ProtocolArgumentError, ProtocolDecodeError } from './errors.ts';
import {
  fromProtoSignedPublicKey,
  type SignedPublicKey,
  signIdentityKey,
  signPreKey,
  toProtoSignedPublicKey,
  type WalletSignMessage,
} from './identity.ts';
import { generateSecretKey, publicKeyOf } from './keys.ts';
import { MAX_PRE_KEYS } from './limits.ts';
import { bigIntToLong, decodeProto, encodeProto, required } from './wire.ts';

/** A secret key with its signed public key. */
export interface PrivateKey {
  secretKey: Uint8Array;
  publicKey: SignedPublicKey;
}

/** An identity key and its pre-keys, newest first (`preKeys[0]` is current). */
export interface PrivateKeyBundle {
  identityKey: PrivateKey;
  preKeys: PrivateKey[];
}

/** Secret keys for `generatePrivateKeyBundle` to use instead of random ones. */
export interface PrivateKeyBundleSecrets {
  /** Identity secret key: a 32-byte secp256k1 scalar in [1, n-1]. */
  identity: Uint8Array;
  /** Pre-key secret key: a 32-byte secp256k1 scalar in [1, n-1], not the identity's. */
  preKey: Uint8Array;
}

/** Options of `generatePrivateKeyBundle`. */
export interface GeneratePrivateKeyBundleParameters {
  /** EIP-191 signer of the wallet account. */
  signMessage: WalletSignMessage;
  /** When given, the wallet signature must recover this address. */
  address?: Address;
  /** Creation time of the keys in ns since epoch; defaults to now. */
  createdNs?: bigint;
  /** Source of the random secret keys; not allowed together with `secrets`. */
  random?: RandomBytes;
  /** The secret keys to use (copied), instead of random ones. */
  secrets?: PrivateKeyBundleSecrets;
}

/** Bytes of seed `bundleSecretsFromSeed` takes: 48 per key, so reducing mod n leaves negligible bias. */
export const BUNDLE_SEED_BYTES = 96;

/**
 * Maps a uniform 96-byte seed (e.g. HKDF output) to an identity and a pre-key secret key, each
 * a valid scalar: bytes 0..47 and 48..95 reduced to [1, n-1] (FIPS 186-5 A.2.1, noble's
 * `mapHashToField`). Deterministic: no rejection sampling.
 * @example generatePrivateKeyBundle({ signMessage, secrets: bundleSecretsFromSeed(seed) })
 */
export function bundleSecretsFromSeed(seed: Uint8Array): PrivateKeyBundleSecrets {
  assertBytes('seed', seed, BUNDLE_SEED_BYTES);
  const half = BUNDLE_SEED_BYTES / 2;
  return {
    identity: secp256k1.utils.randomSecretKey(seed.subarray(0, half)),
    preKey: secp256k1.utils.randomSecretKey(seed.subarray(half)),
  };
}

/**
 * Generates a new identity key (signed by the wallet) and pre-key (signed by the identity key),
 * from `secrets` when given, else random. One wallet signature; no user prompt when the signer
 * is the keyring.
 * @throws ProtocolArgumentError for invalid `secrets`
 */
export async function generatePrivateKeyBundle(
  params: GeneratePrivateKeyBundleParameters,
): Promise<PrivateKeyBundle> {
  const createdNs = params.createdNs ?? BigInt(Date.now()) * 1_000_000n;
  let identitySecret: Uint8Array;
  let preSecret: Uint8Array;
  if (params.secrets !== undefined) {
    if (params.random !== undefined) {
      throw new ProtocolArgumentError('"random" and "secrets" cannot be given together');
    }
    identitySecret = checkSecret('secrets.identity', params.secrets.identity);
    preSecret = checkSecret('secrets.preKey', params.secrets.preKey);
    if (equalBytes(identitySecret, preSecret)) {
      throw new ProtocolArgumentError('"secrets.preKey" must differ from "secrets.identity"');
    }
  } else {
    const random = params.random ?? secureRandomBytes;
    identitySecret = generateSecretKey(random);
    preSecret = generateSecretKey(random);
  }
  const identityPublic = await signIdentityKey(
    params.signMessage,
    publicKeyOf(identitySecret),
    createdNs,
    params.address,
  );
  const prePublic = signPreKey(identitySecret, publicKeyOf(preSecret), createdNs);
  return {
    identityKey: { secretKey: identitySecret, publicKey: identityPublic },
    preKeys: [{ secretKey: preSecret, publicKey: prePublic }],
  };
}

/** A copy of a given secret key, once checked to be a 32-byte scalar in [1, n-1]. */
function checkSecret(name: string, secretKey: unknown): Uint8Array {
  assertBytes(name, secretKey, 32);
  if (!secp256k1.utils.isValidSecretKey(secretKey)) {
    throw new ProtocolArgumentError(`"${name}" is not a valid secp256k1 secret key (1 to n-1)`);
  }
  return copyBytes(secretKey);
}

/** The public bundle to publish: identity key and current pre-key. */
export function publicBundleOf(bundle: PrivateKeyBundle): PublicKeyBundle {
  const preKey = bundle.preKeys[0];
  if (!preKey) throw new ProtocolArgumentError('"bundle" has no pre-key');
  return { identityKey: bundle.identityKey.publicKey, preKey: preKey.publicKey };
}

/** The private pre-key matching `publicKey`, if any. */
export function findPreKey(bundle: PrivateKeyBundle, publicKey: SignedPublicKey): PrivateKey | undefined {
  return bundle.preKeys.find((k) => equalBytes(k.publicKey.publicKey, publicKey.publicKey));
}

/** Encodes as a wire `PrivateKeyBundle` v2 (store it only inside the encrypted vault). */
export function encodePrivateKeyBundle(bundle: PrivateKeyBundle): Uint8Array {
  const toProto = (k: PrivateKey): priv.SignedPrivateKey => ({
    createdNs: bigIntToLong(k.publicKey.createdNs),
    secp256k1: { bytes: k.secretKey },
    publicKey: toProtoSignedPublicKey(k.publicKey),
  });
  return encodeProto(priv.PrivateKeyBundle, {
    v1: undefined,
    v2: { identityKey: toProto(bundle.identityKey), preKeys: bundle.preKeys.map(toProto) },
  });
}

function checkPair(name: string, secretKey: Uint8Array | undefined, publicKey: SignedPublicKey): PrivateKey {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new ProtocolDecodeError(`"${name}" expected a 32-byte secret key`);
  }
  let derived: Uint8Array;
  try {
    derived = publicKeyOf(secretKey);
  } catch (cause) {
    throw new ProtocolDecodeError(`"${name}" is not a valid secret key`, { cause });
  }
  if (!equalBytes(derived, publicKey.publicKey)) {
    throw new ProtocolDecodeError(`"${name}" does not match its public key`);
  }
  return { secretKey: Uint8Array.from(secretKey), publicKey };
}

/**
 * Decodes a stored `PrivateKeyBundle` (v2, or legacy v1 converted), checks every secret key
 * against its public key and verifies the signature chain of the current bundle.
 * @throws ProtocolDecodeError, LimitError, SignatureError
 */
export function decodePrivateKeyBundle(bytes: Uint8Array): PrivateKeyBundle {
  const decoded = decodeProto('private_key_bundle', priv.PrivateKeyBundle, bytes);
  let bundle: PrivateKeyBundle;
  if (decoded.v2) {
    const v2 = decoded.v2;
    const id = required('identity_key', v2.identityKey);
    if (v2.preKeys.length === 0 || v2.preKeys.length > MAX_PRE_KEYS) {
      throw new ProtocolDecodeError(`"pre_keys" expected 1 to ${MAX_PRE_KEYS} keys`);
    }
    bundle = {
      identityKey: checkPair(
        'identity_key',
        id.secp256k1?.bytes,
        fromProtoSignedPublicKey('identity_key.public_key', id.publicKey),
      ),
      preKeys: v2.preKeys.map((k, i) =>
        checkPair(
          `pre_keys[${i}]`,
          k.secp256k1?.bytes,
          fromProtoSignedPublicKey(`pre_keys[${i}].public_key`, k.publicKey),
        ),
      ),
    };
  } else if (decoded.v1) {
    const v1 = decoded.v1;
    const id = required('identity_key', v1.identityKey);
    if (v1.preKeys.length === 0 || v1.preKeys.length > MAX_PRE_KEYS) {
      throw new ProtocolDecodeError(`"pre_keys" expected 1 to ${MAX_PRE_KEYS} keys`);
    }
    bundle = {
      identityKey: checkPair(
        'identity_key',
        id.secp256k1?.bytes,
        fromLegacyPublicKey('identity_key.public_key', id.publicKey, true),
      ),
      preKeys: v1.preKeys.map((k, i) =>
        checkPair(
          `pre_keys[${i}]`,
          k.secp256k1?.bytes,
          fromLegacyPublicKey(`pre_keys[${i}].public_key`, k.publicKey, false),
        ),
      ),
    };
  } else {
    throw new ProtocolDecodeError('"private_key_bundle" has no known version');
  }
  verifyBundle(publicBundleOf(bundle));
  return bundle;
}

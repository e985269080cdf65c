/**
 * The private half of an XMTP v2 identity: identity secret key (wallet-signed public key) and
 * pre-keys (identity-signed), newest first. Stored as the wire `PrivateKeyBundle` (v2), which
 * xmtp-js can read too; legacy v1 bundles (xmtp-js `PrivateKeyBundleV1`) are converted on decode.
 * https://github.com/xmtp/proto/blob/main/proto/message_contents/private_key.proto
 */
import { privateKey as priv } from '@xmtp/proto';
import type { Address } from 'viem';
import { fromLegacyPublicKey, type PublicKeyBundle, verifyBundle } from './bundle.ts';
import { equalBytes, type RandomBytes, secureRandomBytes } from './bytes.ts';
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

/** Options of `generatePrivateKeyBundle`. */
export interface GeneratePrivateKeyBundleParameters {
  /** EIP-191 signer of the wallet account. */
  signMessage: WalletSignMessage;
  /** When given, the wallet signature must recover this address. */
  address?: Address;
  /** Creation time of the keys in ns since epoch; defaults to now. */
  createdNs?: bigint;
  random?: RandomBytes;
}

/**
 * Generates a new identity key (signed by the wallet) and pre-key (signed by the identity key).
 * One wallet signature; no user prompt when the signer is the keyring.
 */
export async function generatePrivateKeyBundle(
  params: GeneratePrivateKeyBundleParameters,
): Promise<PrivateKeyBundle> {
  const random = params.random ?? secureRandomBytes;
  const createdNs = params.createdNs ?? BigInt(Date.now()) * 1_000_000n;
  const identitySecret = generateSecretKey(random);
  const identityPublic = await signIdentityKey(
    params.signMessage,
    publicKeyOf(identitySecret),
    createdNs,
    params.address,
  );
  const preSecret = generateSecretKey(random);
  const prePublic = signPreKey(identitySecret, publicKeyOf(preSecret), createdNs);
  return {
    identityKey: { secretKey: identitySecret, publicKey: identityPublic },
    preKeys: [{ secretKey: preSecret, publicKey: prePublic }],
  };
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

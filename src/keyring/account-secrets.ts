/**
 * Secrets derived from an account's private key for other purposes, so they come back
 * unchanged wherever the same recovery phrase or key is restored. HKDF-SHA256 (RFC 5869):
 * ikm = the 32-byte account key, salt = a fixed purpose string, info = the EIP-55 address.
 * The key itself never leaves the keyring; a derived secret reveals nothing about it.
 * https://www.rfc-editor.org/rfc/rfc5869
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { getAddress } from 'viem';
import { InvalidParamsError } from './errors.ts';

/** HKDF salt of the messaging (XMTP) identity seed. Changing it changes every derived identity. */
export const MESSAGING_IDENTITY_SALT = 'cairn/messaging-identity/v1';

/** Length of the messaging identity seed: 48 bytes per secp256k1 scalar (identity key, pre-key). */
export const MESSAGING_IDENTITY_SEED_BYTES = 96;

/** Largest output of one derivation (HKDF-SHA256 allows 255 × 32 bytes; we need far fewer). */
const MAX_SECRET_BYTES = 1024;

const utf8 = new TextEncoder();

/**
 * HKDF-SHA256(ikm = `privateKey`, salt = `purpose`, info = checksummed `address`, `length` bytes).
 * @example deriveAccountSecret(key, '0xf39F…2266', MESSAGING_IDENTITY_SALT, 96)
 */
export function deriveAccountSecret(
  privateKey: Uint8Array,
  address: string,
  purpose: string,
  length: number,
): Uint8Array {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) {
    throw new InvalidParamsError('"privateKey" expected Uint8Array of length 32');
  }
  if (typeof purpose !== 'string' || purpose.length === 0) {
    throw new InvalidParamsError('"purpose" must be a non-empty string');
  }
  if (!Number.isSafeInteger(length) || length < 1 || length > MAX_SECRET_BYTES) {
    throw new InvalidParamsError(`"length" must be an integer from 1 to ${MAX_SECRET_BYTES}, got ${length}`);
  }
  return hkdf(sha256, privateKey, utf8.encode(purpose), utf8.encode(getAddress(address)), length);
}

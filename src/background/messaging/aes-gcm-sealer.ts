/**
 * Seals what Cairn keeps at rest outside the vault (message content in IndexedDB) with
 * AES-256-GCM (NIST SP 800-38D): a fresh random 96-bit nonce per seal, output
 * `nonce (12) ‖ ciphertext ‖ tag (16)`.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes } from '@noble/ciphers/utils.js';

/** Encrypts and authenticates bytes at rest. `open` throws on anything `seal` did not produce with the same key. */
export interface Sealer {
  seal(plain: Uint8Array): Promise<Uint8Array>;
  open(sealed: Uint8Array): Promise<Uint8Array>;
}

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Sealed bytes that are too short, were tampered with, or were sealed with another key (one opaque error). */
export class SealedDataError extends Error {
  override name = 'SealedDataError';
  constructor(options?: { cause?: unknown }) {
    super('Sealed data cannot be opened', options);
  }
}

/**
 * A `Sealer` over a 32-byte key. The key is copied: zeroing the caller's array later does not affect it.
 *
 * @example
 * const sealer = createAesGcmSealer(key);
 * const sealed = await sealer.seal(new TextEncoder().encode('hi'));
 * await sealer.open(sealed); // bytes of 'hi'
 */
export function createAesGcmSealer(key: Uint8Array): Sealer {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    const got = key instanceof Uint8Array ? `length=${key.length}` : typeof key;
    throw new TypeError(`"key" expected Uint8Array of length ${KEY_BYTES}, got ${got}`);
  }
  const ownKey = key.slice();
  return {
    async seal(plain) {
      if (!(plain instanceof Uint8Array)) throw new TypeError('"plain" expected Uint8Array');
      const nonce = randomBytes(NONCE_BYTES);
      const ciphertext = gcm(ownKey, nonce).encrypt(plain);
      const sealed = new Uint8Array(NONCE_BYTES + ciphertext.length);
      sealed.set(nonce);
      sealed.set(ciphertext, NONCE_BYTES);
      return sealed;
    },
    async open(sealed) {
      if (!(sealed instanceof Uint8Array) || sealed.length < NONCE_BYTES + TAG_BYTES)
        throw new SealedDataError();
      try {
        return gcm(ownKey, sealed.subarray(0, NONCE_BYTES)).decrypt(sealed.subarray(NONCE_BYTES));
      } catch (cause) {
        throw new SealedDataError({ cause });
      }
    },
  };
}

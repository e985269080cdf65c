/**
 * XMTP v2 generic AEAD, `Ciphertext.aes256_gcm_hkdf_sha256`: HKDF-SHA256 over the secret with a
 * random 32-byte salt and empty info → AES-256-GCM key, random 12-byte nonce, AAD = header bytes.
 * HKDF runs on @noble/hashes (two HMACs over a short input). AES-GCM runs on WebCrypto, ~30×
 * faster than a pure-JS GCM on large inputs (PLATFORM-NOTES), except below `NATIVE_GCM_MIN_BYTES`,
 * where @noble/ciphers' GCM finishes before an async WebCrypto call would (most chat messages).
 * All decryption failures are one DecryptionError.
 * https://github.com/xmtp/proto/blob/main/proto/message_contents/ciphertext.proto
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { ciphertext as ct } from '@xmtp/proto';
import { type RandomBytes, secureRandomBytes } from './bytes.ts';
import { DecryptionError, ProtocolDecodeError } from './errors.ts';
import { required } from './wire.ts';

export const HKDF_SALT_BYTES = 32;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;
const EMPTY = new Uint8Array(0);

/**
 * Plaintext (or ciphertext) size from which AES-GCM goes to WebCrypto. Measured in Node 24 on one
 * core, HKDF + GCM per message, between signatures: pure JS 98 µs vs WebCrypto 127 µs at 100 B,
 * 83 vs 101 µs at 1 KiB, equal at 2 KiB, 287 vs 101 µs at 10 KiB.
 */
export const NATIVE_GCM_MIN_BYTES = 2048;

/** The fields of `Ciphertext.Aes256gcmHkdfsha256`. */
export interface AeadCiphertext {
  hkdfSalt: Uint8Array;
  gcmNonce: Uint8Array;
  /** AES-GCM ciphertext followed by the 16-byte tag. */
  payload: Uint8Array;
}

function rawKey(secret: Uint8Array, salt: Uint8Array): Uint8Array {
  return hkdf(sha256, secret, salt, EMPTY, 32);
}

async function aesKey(secret: Uint8Array, salt: Uint8Array): Promise<CryptoKey> {
  const raw = rawKey(secret, salt);
  return crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
}

/** Encrypts `plain` under `secret`, authenticating `additionalData`. */
export async function aeadEncrypt(
  plain: Uint8Array,
  secret: Uint8Array,
  additionalData: Uint8Array,
  random: RandomBytes = secureRandomBytes,
): Promise<AeadCiphertext> {
  const hkdfSalt = random(HKDF_SALT_BYTES);
  const gcmNonce = random(GCM_NONCE_BYTES);
  if (plain.length < NATIVE_GCM_MIN_BYTES) {
    const payload = gcm(rawKey(secret, hkdfSalt), gcmNonce, additionalData).encrypt(plain);
    return { hkdfSalt, gcmNonce, payload };
  }
  const key = await aesKey(secret, hkdfSalt);
  const payload = new Uint8Array(
    await crypto.subtle.encrypt(
      {
        name: 'AES-GCM',
        iv: gcmNonce as Uint8Array<ArrayBuffer>,
        additionalData: additionalData as Uint8Array<ArrayBuffer>,
      },
      key,
      plain as Uint8Array<ArrayBuffer>,
    ),
  );
  return { hkdfSalt, gcmNonce, payload };
}

/**
 * Decrypts and authenticates into a fresh buffer. @throws DecryptionError (opaque) on any failure.
 */
export async function aeadDecrypt(
  encrypted: AeadCiphertext,
  secret: Uint8Array,
  additionalData: Uint8Array,
): Promise<Uint8Array> {
  try {
    if (encrypted.payload.length < NATIVE_GCM_MIN_BYTES) {
      const key = rawKey(secret, encrypted.hkdfSalt);
      return gcm(key, encrypted.gcmNonce, additionalData).decrypt(encrypted.payload);
    }
    const key = await aesKey(secret, encrypted.hkdfSalt);
    return new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: encrypted.gcmNonce as Uint8Array<ArrayBuffer>,
          additionalData: additionalData as Uint8Array<ArrayBuffer>,
        },
        key,
        encrypted.payload as Uint8Array<ArrayBuffer>,
      ),
    );
  } catch (cause) {
    throw new DecryptionError({ cause });
  }
}

/** Checks a wire `Ciphertext` (salt 32, nonce 12, payload ≥ tag). @throws ProtocolDecodeError */
export function fromProtoCiphertext(name: string, value: ct.Ciphertext | undefined): AeadCiphertext {
  const c = required(`${name}.aes256_gcm_hkdf_sha256`, required(name, value).aes256GcmHkdfSha256);
  if (c.hkdfSalt.length !== HKDF_SALT_BYTES) throw new ProtocolDecodeError(`"${name}" has a bad salt length`);
  if (c.gcmNonce.length !== GCM_NONCE_BYTES)
    throw new ProtocolDecodeError(`"${name}" has a bad nonce length`);
  if (c.payload.length < GCM_TAG_BYTES) throw new ProtocolDecodeError(`"${name}" is shorter than a tag`);
  return { hkdfSalt: c.hkdfSalt, gcmNonce: c.gcmNonce, payload: c.payload };
}

/** The wire `Ciphertext`. */
export function toProtoCiphertext(value: AeadCiphertext): ct.Ciphertext {
  return { aes256GcmHkdfSha256: value };
}

/**
 * Vault encryption: PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) derives an AES-256-GCM key
 * (NIST SP 800-38D) from the password; each write uses a fresh random 96-bit IV.
 * WebCrypto only, injected as `crypto` (defaults to `globalThis.crypto`).
 *
 * Every failure on the password path (wrong password, tampered salt, IV, ciphertext
 * or tag, undecodable plaintext) is the same IncorrectPasswordError: an attacker
 * learns nothing about which check failed.
 */
import { IncorrectPasswordError } from './errors.ts';
import { IV_BYTES, type KdfParams, SALT_BYTES, VAULT_VERSION, type Vault } from './vault-format.ts';
import { parseVaultSecrets, type VaultSecrets } from './vault-secrets.ts';

export interface VaultCipherOptions {
  /** WebCrypto implementation; defaults to `globalThis.crypto`. */
  crypto?: Crypto;
}

const AES_GCM_KEY = { name: 'AES-GCM', length: 256 } as const;

/** Fresh KDF parameters: a random 32-byte salt and the given iteration count. */
export function createKdfParams(iterations: number, options: VaultCipherOptions = {}): KdfParams {
  const crypto = options.crypto ?? globalThis.crypto;
  return {
    name: 'PBKDF2',
    hash: 'SHA-256',
    iterations,
    salt: crypto.getRandomValues(new Uint8Array(SALT_BYTES)),
  };
}

/**
 * Derives the vault key from a password. The key is extractable so the unlocked
 * session can keep it in memory-only session storage across worker restarts.
 */
export async function deriveVaultKey(
  password: string,
  kdf: KdfParams,
  options: VaultCipherOptions = {},
): Promise<CryptoKey> {
  const { subtle } = options.crypto ?? globalThis.crypto;
  const passwordBytes = new TextEncoder().encode(password);
  try {
    const baseKey = await subtle.importKey('raw', passwordBytes, 'PBKDF2', false, ['deriveKey']);
    return await subtle.deriveKey(
      { name: 'PBKDF2', hash: kdf.hash, salt: kdf.salt, iterations: kdf.iterations },
      baseKey,
      AES_GCM_KEY,
      true,
      ['encrypt', 'decrypt'],
    );
  } finally {
    passwordBytes.fill(0);
  }
}

/** Encrypts `secrets` under `key` with a new random IV; `kdf` is recorded so the password can re-derive `key`. */
export async function encryptVault(
  key: CryptoKey,
  kdf: KdfParams,
  secrets: VaultSecrets,
  options: VaultCipherOptions = {},
): Promise<Vault> {
  const crypto = options.crypto ?? globalThis.crypto;
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify(secrets));
  try {
    const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plaintext));
    return { version: VAULT_VERSION, kdf, cipher: { name: 'AES-GCM', iv }, data };
  } finally {
    plaintext.fill(0);
  }
}

/**
 * Derives the key from `password` and decrypts.
 * @throws IncorrectPasswordError on any derivation or decryption failure.
 * @throws VaultFormatError if the authenticated plaintext does not match the secrets schema.
 */
export async function decryptVault(
  password: string,
  vault: Vault,
  options: VaultCipherOptions = {},
): Promise<{ secrets: VaultSecrets; key: CryptoKey }> {
  let key: CryptoKey;
  try {
    key = await deriveVaultKey(password, vault.kdf, options);
  } catch {
    throw new IncorrectPasswordError();
  }
  const secrets = await decryptVaultWithKey(key, vault, options);
  return { secrets, key };
}

/**
 * Decrypts with an already derived key (a restored session).
 * @throws IncorrectPasswordError if the key does not open the vault or the plaintext is not JSON.
 * @throws VaultFormatError if the authenticated plaintext does not match the secrets schema.
 */
export async function decryptVaultWithKey(
  key: CryptoKey,
  vault: Vault,
  options: VaultCipherOptions = {},
): Promise<VaultSecrets> {
  const { subtle } = options.crypto ?? globalThis.crypto;
  let json: unknown;
  let plaintext: Uint8Array | undefined;
  try {
    plaintext = new Uint8Array(
      await subtle.decrypt({ name: 'AES-GCM', iv: vault.cipher.iv }, key, vault.data),
    );
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw new IncorrectPasswordError();
  } finally {
    plaintext?.fill(0);
  }
  return parseVaultSecrets(json);
}

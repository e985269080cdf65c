/**
 * The stored vault (storage key `vault`): a JSON string of
 * `{"version":1,"kdf":{"name":"PBKDF2","hash":"SHA-256","iterations":N,"salt":"<b64>"},
 *   "cipher":{"name":"AES-GCM","iv":"<b64>"},"data":"<b64 ciphertext+tag>"}`.
 * PBKDF2 per RFC 8018 §5.2 (iteration floor from OWASP 2023 for HMAC-SHA256),
 * AES-GCM per NIST SP 800-38D (96-bit IV, 128-bit tag).
 *
 * Unknown versions and algorithms, and weak parameters, are refused on read: a
 * vault that does not parse is reported and left exactly as it is stored.
 */
import * as v from 'valibot';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { VaultFormatError } from './errors.ts';

/** Storage key of the vault in the persistent store. */
export const VAULT_STORAGE_KEY = 'vault';
export const VAULT_VERSION = 1;
/** Vaults with fewer iterations are refused. */
export const MIN_PBKDF2_ITERATIONS = 600_000;
/** Iterations for new vaults; older vaults are upgraded to it on unlock. */
export const CURRENT_PBKDF2_ITERATIONS = 900_000;
/** Refused above this, so a tampered vault cannot hang the unlock for hours. */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
export const SALT_BYTES = 32;
export const IV_BYTES = 12;
/** AES-GCM appends a 16-byte tag, so shorter data cannot be a ciphertext. */
export const GCM_TAG_BYTES = 16;

const MAX_ECHO = 40;

/** A short, safe rendering of a refused value (vault fields hold no plaintext secrets). */
function echo(value: unknown): string {
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text;
}

/** The detail of a refusal: object-shape issues are described from their final path. */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.type !== 'strict_object' && issue.type !== 'loose_object') return issue.message;
  const path = v.getDotPath(issue);
  if (issue.expected === 'Object') return `${path ?? 'vault'} must be a JSON object`;
  if (issue.expected === 'never') return `unexpected field "${path}"`;
  return `missing field "${path}"`;
}

function base64Bytes(name: string, length: (bytes: number) => boolean, rule: string) {
  return v.pipe(
    v.string(`${name} must be a base64 string`),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const bytes = decodeBase64(dataset.value);
      if (bytes) return bytes;
      addIssue({ message: `${name} is not valid base64` });
      return NEVER;
    }),
    v.check((bytes) => length(bytes.length), `${name} must be ${rule}`),
  );
}

const KdfSchema = v.strictObject({
  name: v.literal('PBKDF2', (issue) => `unknown KDF ${echo(issue.input)}`),
  hash: v.literal('SHA-256', (issue) => `unknown KDF hash ${echo(issue.input)}`),
  iterations: v.pipe(
    v.number('iterations must be a number'),
    v.safeInteger('iterations must be an integer'),
    v.minValue(
      MIN_PBKDF2_ITERATIONS,
      (issue) => `iterations ${issue.input} below minimum ${MIN_PBKDF2_ITERATIONS}`,
    ),
    v.maxValue(
      MAX_PBKDF2_ITERATIONS,
      (issue) => `iterations ${issue.input} above maximum ${MAX_PBKDF2_ITERATIONS}`,
    ),
  ),
  salt: base64Bytes('salt', (n) => n === SALT_BYTES, `${SALT_BYTES} bytes`),
});

const CipherSchema = v.strictObject({
  name: v.literal('AES-GCM', (issue) => `unknown cipher ${echo(issue.input)}`),
  iv: base64Bytes('iv', (n) => n === IV_BYTES, `${IV_BYTES} bytes`),
});

const VersionSchema = v.looseObject({
  version: v.literal(VAULT_VERSION, (issue) => `unsupported vault version ${echo(issue.input)}`),
});

const VaultSchema = v.strictObject({
  version: v.literal(VAULT_VERSION),
  kdf: KdfSchema,
  cipher: CipherSchema,
  data: base64Bytes('data', (n) => n >= GCM_TAG_BYTES, `at least ${GCM_TAG_BYTES} bytes`),
});

/** A parsed vault: parameters checked, base64 fields decoded. */
export type Vault = v.InferOutput<typeof VaultSchema>;
export type KdfParams = Vault['kdf'];
export type CipherParams = Vault['cipher'];

/**
 * Parses the stored vault string.
 * @throws VaultFormatError naming what is wrong ("not valid JSON", "unknown KDF \"scrypt\"", …).
 */
export function parseVault(stored: unknown): Vault {
  if (typeof stored !== 'string') {
    throw new VaultFormatError(`expected a JSON string, got ${stored === null ? 'null' : typeof stored}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(stored);
  } catch {
    throw new VaultFormatError('not valid JSON');
  }
  if (Array.isArray(json)) throw new VaultFormatError('vault must be a JSON object');
  // The version first: a newer vault is "unsupported", not a list of unexpected fields.
  const version = v.safeParse(VersionSchema, json, { abortEarly: true });
  if (!version.success) throw new VaultFormatError(describeIssue(version.issues[0]));
  const vault = v.safeParse(VaultSchema, json, { abortEarly: true });
  if (!vault.success) throw new VaultFormatError(describeIssue(vault.issues[0]));
  return vault.output;
}

/** Serializes a vault to the stored JSON string (fixed key order). */
export function serializeVault(vault: Vault): string {
  return JSON.stringify({
    version: vault.version,
    kdf: {
      name: vault.kdf.name,
      hash: vault.kdf.hash,
      iterations: vault.kdf.iterations,
      salt: encodeBase64(vault.kdf.salt),
    },
    cipher: { name: vault.cipher.name, iv: encodeBase64(vault.cipher.iv) },
    data: encodeBase64(vault.data),
  });
}

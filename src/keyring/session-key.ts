/**
 * The unlocked vault key kept in memory-only session storage (key `vaultKey`), so a
 * restarted MV3 service worker can reopen the vault without asking for the password.
 * Record: `{ key: <base64 raw AES-256 key>, salt: <base64 salt of the vault it opens> }`.
 * The salt ties the key to one vault: after a re-encryption with a new salt the
 * record no longer matches and is discarded.
 */
import * as v from 'valibot';
import { decodeBase64, encodeBase64 } from './base64.ts';
import type { KeyValueStore } from './key-value-store.ts';
import { SALT_BYTES } from './vault-format.ts';

/** Storage key of the record in the session store. */
export const SESSION_KEY_STORAGE_KEY = 'vaultKey';
const AES_KEY_BYTES = 32;

const Base64Schema = (length: number) =>
  v.pipe(
    v.string(),
    v.rawTransform<string, Uint8Array<ArrayBuffer>>(({ dataset, addIssue, NEVER }) => {
      const bytes = decodeBase64(dataset.value);
      if (bytes?.length === length) return bytes;
      addIssue();
      return NEVER;
    }),
  );

const SessionKeySchema = v.strictObject({
  key: Base64Schema(AES_KEY_BYTES),
  salt: Base64Schema(SALT_BYTES),
});

export interface SessionKey {
  key: CryptoKey;
  /** Salt of the vault the key was derived for. */
  salt: Uint8Array;
}

export interface SessionKeyOptions {
  crypto?: Crypto;
}

/** Exports `key` and stores it with the vault salt. */
export async function writeSessionKey(
  store: KeyValueStore,
  session: SessionKey,
  options: SessionKeyOptions = {},
): Promise<void> {
  const { subtle } = options.crypto ?? globalThis.crypto;
  const raw = new Uint8Array(await subtle.exportKey('raw', session.key));
  try {
    await store.set(SESSION_KEY_STORAGE_KEY, { key: encodeBase64(raw), salt: encodeBase64(session.salt) });
  } finally {
    raw.fill(0);
  }
}

/** Reads and imports the stored key (not extractable again); `undefined` if absent or malformed. */
export async function readSessionKey(
  store: KeyValueStore,
  options: SessionKeyOptions = {},
): Promise<SessionKey | undefined> {
  const result = v.safeParse(SessionKeySchema, await store.get(SESSION_KEY_STORAGE_KEY));
  if (!result.success) return undefined;
  const { subtle } = options.crypto ?? globalThis.crypto;
  try {
    const key = await subtle.importKey('raw', result.output.key, { name: 'AES-GCM' }, false, [
      'encrypt',
      'decrypt',
    ]);
    return { key, salt: result.output.salt };
  } finally {
    result.output.key.fill(0);
  }
}

/** Removes the record (lock, or a record that no longer opens the vault). */
export async function clearSessionKey(store: KeyValueStore): Promise<void> {
  await store.remove(SESSION_KEY_STORAGE_KEY);
}

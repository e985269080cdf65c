import { beforeAll, describe, expect, it } from 'vitest';
import { IncorrectPasswordError, VaultFormatError } from '../../src/keyring/errors.ts';
import {
  createKdfParams,
  decryptVault,
  decryptVaultWithKey,
  deriveVaultKey,
  encryptVault,
} from '../../src/keyring/vault-cipher.ts';
import {
  MIN_PBKDF2_ITERATIONS,
  parseVault,
  serializeVault,
  type Vault,
} from '../../src/keyring/vault-format.ts';
import type { VaultSecrets } from '../../src/keyring/vault-secrets.ts';
import { FIXTURE_600K, flipVaultByte, PASSWORD, TEST_MNEMONIC, TEST_PRIVATE_KEY_0 } from './helpers.ts';

const SECRETS: VaultSecrets = {
  version: 1,
  hd: { mnemonic: TEST_MNEMONIC, accountNames: ['Account 1'] },
  imported: [{ privateKey: TEST_PRIVATE_KEY_0, name: 'Imported 1' }],
};

let key: CryptoKey;
let vault: Vault;
let stored: string;

beforeAll(async () => {
  const kdf = createKdfParams(MIN_PBKDF2_ITERATIONS);
  key = await deriveVaultKey(PASSWORD, kdf);
  vault = await encryptVault(key, kdf, SECRETS);
  stored = serializeVault(vault);
});

describe('vault cipher', () => {
  it('round-trips through the stored string with the password', async () => {
    const opened = await decryptVault(PASSWORD, parseVault(stored));
    expect(opened.secrets).toEqual(SECRETS);
    expect(opened.key.extractable).toBe(true);
    expect(opened.key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
  });

  it('round-trips with the key alone', async () => {
    expect(await decryptVaultWithKey(key, parseVault(stored))).toEqual(SECRETS);
  });

  it('uses a new IV for every encryption under the same key and salt', async () => {
    const again = await encryptVault(key, vault.kdf, SECRETS);
    expect(again.kdf.salt).toEqual(vault.kdf.salt);
    expect(again.cipher.iv).not.toEqual(vault.cipher.iv);
    expect(again.data).not.toEqual(vault.data);
  });

  it('makes a new random salt per KDF parameter set', () => {
    expect(createKdfParams(MIN_PBKDF2_ITERATIONS).salt).not.toEqual(
      createKdfParams(MIN_PBKDF2_ITERATIONS).salt,
    );
  });

  it.each<[string, () => string]>([
    ['a wrong password', () => stored],
    ['a flipped ciphertext byte', () => flipVaultByte(stored, 'data', 0)],
    ['a flipped tag byte', () => flipVaultByte(stored, 'data', -1)],
    ['a flipped IV byte', () => flipVaultByte(stored, 'iv', 5)],
    ['a flipped salt byte', () => flipVaultByte(stored, 'salt', 31)],
  ])('answers %s with the one opaque error', async (name, tampered) => {
    const password = name === 'a wrong password' ? 'correct horse battery stapler' : PASSWORD;
    const attempt = decryptVault(password, parseVault(tampered()));
    await expect(attempt).rejects.toThrow(IncorrectPasswordError);
    await expect(attempt).rejects.toThrow(/^Incorrect password$/);
  });

  it('answers changed iterations with the same error (they are bound to the key)', async () => {
    const json = JSON.parse(stored);
    json.kdf.iterations += 1;
    await expect(decryptVault(PASSWORD, parseVault(JSON.stringify(json)))).rejects.toThrow(
      IncorrectPasswordError,
    );
  });

  it('answers a wrong key with the same error', async () => {
    const other = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['decrypt']);
    await expect(decryptVaultWithKey(other, vault)).rejects.toThrow(IncorrectPasswordError);
  });

  it('answers authentic plaintext that is not JSON with the same error', async () => {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode('{"version":1,')),
    );
    await expect(
      decryptVaultWithKey(key, { ...vault, cipher: { name: 'AES-GCM', iv }, data }),
    ).rejects.toThrow(IncorrectPasswordError);
  });

  it('reports authentic JSON that breaks the schema as a format error', async () => {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plaintext = new TextEncoder().encode(JSON.stringify({ ...SECRETS, version: 9 }));
    const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plaintext));
    await expect(
      decryptVaultWithKey(key, { ...vault, cipher: { name: 'AES-GCM', iv }, data }),
    ).rejects.toThrow(VaultFormatError);
  });
});

describe('vault format, read by plain WebCrypto (pins the spec, not our code)', () => {
  it('opens the v1 fixture with PBKDF2-SHA256 → AES-256-GCM over the base64 fields', async () => {
    const json = JSON.parse(FIXTURE_600K);
    const subtle = globalThis.crypto.subtle;
    const base = await subtle.importKey('raw', new TextEncoder().encode(PASSWORD), 'PBKDF2', false, [
      'deriveKey',
    ]);
    const aes = await subtle.deriveKey(
      {
        name: 'PBKDF2',
        hash: 'SHA-256',
        iterations: json.kdf.iterations,
        salt: Buffer.from(json.kdf.salt, 'base64'),
      },
      base,
      { name: 'AES-GCM', length: 256 },
      false,
      ['decrypt'],
    );
    const plaintext = await subtle.decrypt(
      { name: 'AES-GCM', iv: Buffer.from(json.cipher.iv, 'base64') },
      aes,
      Buffer.from(json.data, 'base64'),
    );
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual({
      version: 1,
      hd: { mnemonic: TEST_MNEMONIC, accountNames: ['Account 1'] },
      imported: [],
    });
  });
});

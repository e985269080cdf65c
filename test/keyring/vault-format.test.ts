import { describe, expect, it } from 'vitest';
import { VaultFormatError } from '../../src/keyring/errors.ts';
import { parseVault, serializeVault } from '../../src/keyring/vault-format.ts';
import { FIXTURE_600K, type JsonObject } from './helpers.ts';

const b64 = (length: number, fill = 7) => Buffer.alloc(length, fill).toString('base64');

function validVault(): JsonObject {
  return {
    version: 1,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: 600_000, salt: b64(32) },
    cipher: { name: 'AES-GCM', iv: b64(12) },
    data: b64(48),
  };
}

function edited(edit: (vault: JsonObject) => void): string {
  const vault = validVault();
  edit(vault);
  return JSON.stringify(vault);
}

function refusal(stored: unknown): string {
  try {
    parseVault(stored);
  } catch (error) {
    expect(error).toBeInstanceOf(VaultFormatError);
    return (error as Error).message;
  }
  throw new Error('expected VaultFormatError');
}

describe('parseVault', () => {
  it('parses a well-formed vault and decodes its bytes', () => {
    const vault = parseVault(JSON.stringify(validVault()));
    expect(vault.version).toBe(1);
    expect(vault.kdf).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: 600_000 });
    expect(vault.kdf.salt).toEqual(new Uint8Array(32).fill(7));
    expect(vault.cipher.iv).toEqual(new Uint8Array(12).fill(7));
    expect(vault.data).toHaveLength(48);
  });

  it('serializes back to the same string, in fixed key order', () => {
    const stored = JSON.stringify(validVault());
    expect(serializeVault(parseVault(stored))).toBe(stored);
    expect(serializeVault(parseVault(FIXTURE_600K))).toBe(FIXTURE_600K);
  });

  it.each<[string, unknown, string]>([
    ['a non-string', { version: 1 }, 'expected a JSON string, got object'],
    ['null', null, 'expected a JSON string, got null'],
    ['invalid JSON', '{"version":1,', 'not valid JSON'],
    ['a truncated vault', FIXTURE_600K.slice(0, FIXTURE_600K.length / 2), 'not valid JSON'],
    ['an empty string', '', 'not valid JSON'],
    ['a JSON array', '[1]', 'vault must be a JSON object'],
    ['a JSON number', '42', 'vault must be a JSON object'],
    ['a missing version', edited((v) => delete v.version), 'missing field "version"'],
    ['version 2', edited((v) => (v.version = 2)), 'unsupported vault version 2'],
    ['version "1"', edited((v) => (v.version = '1')), 'unsupported vault version "1"'],
    ['an unknown KDF', edited((v) => (v.kdf.name = 'scrypt')), 'unknown KDF "scrypt"'],
    ['an unknown KDF hash', edited((v) => (v.kdf.hash = 'SHA-1')), 'unknown KDF hash "SHA-1"'],
    [
      'iterations below the minimum',
      edited((v) => (v.kdf.iterations = 100_000)),
      'iterations 100000 below minimum 600000',
    ],
    ['iterations one below', edited((v) => (v.kdf.iterations = 599_999)), 'below minimum 600000'],
    ['absurd iterations', edited((v) => (v.kdf.iterations = 1e12)), 'above maximum 10000000'],
    ['fractional iterations', edited((v) => (v.kdf.iterations = 600_000.5)), 'iterations must be an integer'],
    ['string iterations', edited((v) => (v.kdf.iterations = '600000')), 'iterations must be a number'],
    ['a short salt', edited((v) => (v.kdf.salt = b64(16))), 'salt must be 32 bytes'],
    ['a long salt', edited((v) => (v.kdf.salt = b64(33))), 'salt must be 32 bytes'],
    ['a salt that is not base64', edited((v) => (v.kdf.salt = '!!!!')), 'salt is not valid base64'],
    ['an unknown cipher', edited((v) => (v.cipher.name = 'AES-CBC')), 'unknown cipher "AES-CBC"'],
    ['a 16-byte IV', edited((v) => (v.cipher.iv = b64(16))), 'iv must be 12 bytes'],
    ['data shorter than a GCM tag', edited((v) => (v.data = b64(15))), 'data must be at least 16 bytes'],
    ['numeric data', edited((v) => (v.data = 5)), 'data must be a base64 string'],
    ['a missing kdf', edited((v) => delete v.kdf), 'missing field "kdf"'],
    ['a missing salt', edited((v) => delete v.kdf.salt), 'missing field "kdf.salt"'],
    ['a kdf that is not an object', edited((v) => (v.kdf = 'PBKDF2')), 'kdf must be a JSON object'],
    ['an unknown top-level field', edited((v) => (v.hint = 'x')), 'unexpected field "hint"'],
    ['an unknown kdf field', edited((v) => (v.kdf.pepper = 'x')), 'unexpected field "kdf.pepper"'],
  ])('refuses %s with a clear detail', (_, stored, detail) => {
    const message = refusal(stored);
    expect(message).toMatch(/^Vault is corrupt or unsupported: /);
    expect(message).toContain(detail);
  });

  it('keeps echoed values short', () => {
    const message = refusal(edited((v) => (v.kdf.name = 'x'.repeat(500))));
    expect(message.length).toBeLessThan(120);
  });
});

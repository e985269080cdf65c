import { describe, expect, it } from 'vitest';
import { VaultFormatError } from '../../src/keyring/errors.ts';
import { cloneVaultSecrets, parseVaultSecrets } from '../../src/keyring/vault-secrets.ts';
import { type JsonObject, TEST_MNEMONIC, TEST_PRIVATE_KEY_0 } from './helpers.ts';

function valid(): JsonObject {
  return {
    version: 1,
    hd: { mnemonic: TEST_MNEMONIC, accountNames: ['Account 1', 'Savings'] },
    imported: [{ privateKey: TEST_PRIVATE_KEY_0, name: 'Imported 1' }],
  };
}

function refusal(json: unknown): string {
  try {
    parseVaultSecrets(json);
  } catch (error) {
    expect(error).toBeInstanceOf(VaultFormatError);
    const message = (error as Error).message;
    expect(message).not.toContain('test test');
    expect(message).not.toContain(TEST_PRIVATE_KEY_0.slice(2, 20));
    return message;
  }
  throw new Error('expected VaultFormatError');
}

describe('parseVaultSecrets', () => {
  it('accepts HD + imported secrets, and imported-only secrets', () => {
    expect(parseVaultSecrets(valid())).toEqual(valid());
    expect(parseVaultSecrets({ ...valid(), hd: null })).toEqual({ ...valid(), hd: null });
  });

  it('normalizes what it accepts', () => {
    const json = valid();
    json.hd.mnemonic = ` ${TEST_MNEMONIC.toUpperCase()} `;
    json.imported[0].privateKey = TEST_PRIVATE_KEY_0.slice(2).toUpperCase();
    const secrets = parseVaultSecrets(json);
    expect(secrets.hd?.mnemonic).toBe(TEST_MNEMONIC);
    expect(secrets.imported[0]?.privateKey).toBe(TEST_PRIVATE_KEY_0);
  });

  it.each<[string, (json: JsonObject) => void, string]>([
    ['a bad phrase', (j) => (j.hd.mnemonic = 'test test test'), 'hd.mnemonic'],
    ['a bad checksum', (j) => (j.hd.mnemonic = `${'test '.repeat(11)}test`), 'hd.mnemonic'],
    ['a bad private key', (j) => (j.imported[0].privateKey = `0x${'0'.repeat(64)}`), 'imported.0.privateKey'],
    ['no HD account names', (j) => (j.hd.accountNames = []), 'hd.accountNames'],
    ['an untrimmed name', (j) => (j.hd.accountNames[1] = ' Savings'), 'hd.accountNames.1'],
    ['a 41-character name', (j) => (j.imported[0].name = 'x'.repeat(41)), 'imported.0.name'],
    ['another version', (j) => (j.version = 2), 'version'],
    ['an unknown field', (j) => (j.seed = 'x'), 'seed'],
    ['a missing field', (j) => delete j.imported, 'imported'],
  ])('refuses %s, naming the field but not the value', (_, edit, path) => {
    const json = valid();
    edit(json);
    expect(refusal(json)).toContain(`decrypted data is invalid at "${path}"`);
  });

  it('refuses non-objects', () => {
    expect(refusal('test test')).toContain('decrypted data is invalid');
  });
});

describe('parseVaultSecrets: messaging keys', () => {
  const A0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

  it('accepts vaults without them (older vaults) and with canonical base64 bundles per address', () => {
    expect(parseVaultSecrets(valid()).messagingKeys).toBeUndefined();
    const withKeys = parseVaultSecrets({ ...valid(), messagingKeys: { [A0]: 'AAEC' } });
    expect(withKeys.messagingKeys).toEqual({ [A0]: 'AAEC' });
    expect(cloneVaultSecrets(withKeys).messagingKeys).toEqual({ [A0]: 'AAEC' });
  });

  it('refuses non-address keys, non-base64 and oversized values', () => {
    expect(refusal({ ...valid(), messagingKeys: { alice: 'AAEC' } })).toMatch(/messagingKeys/);
    expect(refusal({ ...valid(), messagingKeys: { [A0]: 'not base64!' } })).toMatch(/messagingKeys/);
    expect(refusal({ ...valid(), messagingKeys: { [A0]: 'A'.repeat(40_000) } })).toMatch(/messagingKeys/);
  });
});

describe('cloneVaultSecrets', () => {
  it('makes a deep copy', () => {
    const secrets = parseVaultSecrets(valid());
    const copy = cloneVaultSecrets(secrets);
    copy.hd?.accountNames.push('More');
    copy.imported[0]!.name = 'Changed';
    expect(secrets).toEqual(valid());
  });
});

import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { InvalidParamsError } from '../../src/keyring/errors.ts';
import {
  deriveHdAccount,
  deriveHdPrivateKey,
  deriveHdPrivateKeyBytes,
  hdMasterKeyFromMnemonic,
  hdPath,
} from '../../src/keyring/hd-accounts.ts';
import {
  TEST_ADDRESS_0,
  TEST_ADDRESS_1,
  TEST_ADDRESS_2,
  TEST_MNEMONIC,
  TEST_PRIVATE_KEY_0,
  TEST_PRIVATE_KEY_1,
} from './helpers.ts';

describe('hdPath', () => {
  it('is the BIP-44 Ethereum path', () => {
    expect(hdPath(0)).toBe("m/44'/60'/0'/0/0");
    expect(hdPath(7)).toBe("m/44'/60'/0'/0/7");
    expect(hdPath(2 ** 31 - 1)).toBe("m/44'/60'/0'/0/2147483647");
  });

  it.each([-1, 1.5, 2 ** 31, Number.NaN])('refuses index %s', (index) => {
    expect(() => hdPath(index)).toThrow(InvalidParamsError);
  });
});

describe('HD derivation (known answers)', () => {
  it('derives the test phrase accounts 0, 1, 2 from one master key', async () => {
    const master = await hdMasterKeyFromMnemonic(TEST_MNEMONIC);
    expect(deriveHdPrivateKey(master, 0)).toBe(TEST_PRIVATE_KEY_0);
    expect(deriveHdPrivateKey(master, 1)).toBe(TEST_PRIVATE_KEY_1);
    expect(deriveHdAccount(master, 0).address).toBe(TEST_ADDRESS_0);
    expect(deriveHdAccount(master, 1).address).toBe(TEST_ADDRESS_1);
    expect(deriveHdAccount(master, 2).address).toBe(TEST_ADDRESS_2);
    // Deriving again gives the same answer: wiping child nodes leaves the master intact.
    expect(deriveHdAccount(master, 0).address).toBe(TEST_ADDRESS_0);
  });

  it('derives the same key as bytes, a fresh copy each time', async () => {
    const master = await hdMasterKeyFromMnemonic(TEST_MNEMONIC);
    const bytes = deriveHdPrivateKeyBytes(master, 0);
    expect(Buffer.from(bytes).toString('hex')).toBe(TEST_PRIVATE_KEY_0.slice(2));
    bytes.fill(0);
    expect(deriveHdPrivateKey(master, 0)).toBe(TEST_PRIVATE_KEY_0);
  });

  it('matches viem for an imported key', () => {
    expect(privateKeyToAccount(TEST_PRIVATE_KEY_0).address).toBe(TEST_ADDRESS_0);
  });

  it('refuses a public-only master key', async () => {
    const master = await hdMasterKeyFromMnemonic(TEST_MNEMONIC);
    master.wipePrivateData();
    expect(() => deriveHdPrivateKey(master, 0)).toThrow();
    expect(() => deriveHdPrivateKeyBytes(master, 0)).toThrow();
  });
});

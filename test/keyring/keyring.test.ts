import {
  keccak256,
  parseEther,
  parseTransaction,
  recoverTransactionAddress,
  stringToBytes,
  type TransactionSerialized,
  verifyMessage,
  verifyTypedData,
} from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidMnemonicError,
  InvalidParamsError,
  InvalidPrivateKeyError,
  LockedError,
  UnknownAccountError,
  VaultExistsError,
  WeakPasswordError,
} from '../../src/keyring/errors.ts';
import { Keyring } from '../../src/keyring/keyring.ts';
import { CURRENT_PBKDF2_ITERATIONS, parseVault } from '../../src/keyring/vault-format.ts';
import { etherMail } from '../support/ether-mail.ts';
import {
  createTestVault,
  FailingSetStore,
  InspectableStore,
  PASSWORD,
  storesWithVault,
  TEST_ADDRESS_0,
  TEST_ADDRESS_1,
  TEST_MNEMONIC,
  TEST_PRIVATE_KEY_0,
  TEST_PRIVATE_KEY_1,
  testKeyring,
} from './helpers.ts';

/** One vault for the test phrase, shared: each test copies its string into fresh stores. */
let testVault: string;
beforeAll(async () => {
  testVault = await createTestVault();
});

async function unlockedTestKeyring() {
  const stores = await storesWithVault(testVault);
  const setup = testKeyring(stores);
  await setup.keyring.unlock(PASSWORD);
  return { ...stores, ...setup };
}

const MAIL = etherMail(1);

describe('Keyring: creating a wallet', () => {
  it('from a recovery phrase: "Account 1" at the known address, unlocked, then locked', async () => {
    const vaultStore = new InspectableStore();
    const { keyring } = testKeyring({ vaultStore });
    expect(await keyring.status()).toBe('uninitialized');
    expect(keyring.isUnlocked()).toBe(false);
    const accounts = await keyring.createFromMnemonic(PASSWORD, `  ${TEST_MNEMONIC.toUpperCase()}\n`);
    expect(accounts).toEqual([{ address: TEST_ADDRESS_0, name: 'Account 1', kind: 'hd', index: 0 }]);
    expect(await keyring.status()).toBe('unlocked');
    expect(keyring.getAccounts()).toEqual(accounts);
    await keyring.lock();
    expect(await keyring.status()).toBe('locked');
  });

  it('from a private key: "Imported 1", no recovery phrase to add accounts from', async () => {
    const { keyring } = testKeyring({ vaultStore: new InspectableStore() });
    const accounts = await keyring.createFromPrivateKey(PASSWORD, TEST_PRIVATE_KEY_0.slice(2));
    expect(accounts).toEqual([{ address: TEST_ADDRESS_0, name: 'Imported 1', kind: 'imported', index: 0 }]);
    await expect(keyring.addAccount()).rejects.toThrow(InvalidParamsError);
    await expect(keyring.addAccount()).rejects.toThrow(/no secret recovery phrase/);
    expect(keyring.getAccounts()).toHaveLength(1);
  });

  it('writes new vaults at CURRENT_PBKDF2_ITERATIONS by default', async () => {
    const vaultStore = new InspectableStore();
    const keyring = new Keyring({ vaultStore, sessionStore: new InspectableStore() });
    await keyring.createFromPrivateKey(PASSWORD, TEST_PRIVATE_KEY_0);
    expect(parseVault(await vaultStore.get('vault')).kdf.iterations).toBe(CURRENT_PBKDF2_ITERATIONS);
  });

  it('refuses a second wallet, and never overwrites a stored vault, even a corrupt one', async () => {
    const { vaultStore } = await storesWithVault('{"corrupt');
    const { keyring } = testKeyring({ vaultStore });
    await expect(keyring.createFromMnemonic(PASSWORD, TEST_MNEMONIC)).rejects.toThrow(VaultExistsError);
    await expect(keyring.createFromPrivateKey(PASSWORD, TEST_PRIVATE_KEY_0)).rejects.toThrow(
      VaultExistsError,
    );
    expect(await vaultStore.get('vault')).toBe('{"corrupt');
    expect(await keyring.status()).toBe('locked');
  });

  it('refuses weak passwords, bad phrases and bad keys, storing nothing', async () => {
    const vaultStore = new InspectableStore();
    const { keyring } = testKeyring({ vaultStore });
    await expect(keyring.createFromMnemonic('1234567', TEST_MNEMONIC)).rejects.toThrow(WeakPasswordError);
    await expect(keyring.createFromMnemonic('1234567', TEST_MNEMONIC)).rejects.toThrow(
      '"password" must be at least 8 characters',
    );
    const badPhrase = keyring.createFromMnemonic(
      PASSWORD,
      'test test test test test test test test test test junk',
    );
    await expect(badPhrase).rejects.toThrow(InvalidMnemonicError);
    await expect(badPhrase).rejects.not.toThrow(/test|junk/);
    await expect(keyring.createFromPrivateKey(PASSWORD, '0x1234')).rejects.toThrow(InvalidPrivateKeyError);
    expect(await vaultStore.dump()).toEqual({});
    expect(await keyring.status()).toBe('uninitialized');
  });

  it('refuses kdfIterations below the minimum', () => {
    const stores = { vaultStore: new InspectableStore(), sessionStore: new InspectableStore() };
    expect(() => new Keyring({ ...stores, kdfIterations: 100_000 })).toThrow(InvalidParamsError);
    expect(() => new Keyring({ ...stores, kdfIterations: 100_000 })).toThrow(/"kdfIterations"/);
  });
});

describe('Keyring: accounts', () => {
  it('after lock, reading accounts and signing throw LockedError and the session key is gone', async () => {
    const { keyring, sessionStore } = await unlockedTestKeyring();
    expect(await sessionStore.get('vaultKey')).toBeDefined();
    await keyring.lock();
    expect(keyring.isUnlocked()).toBe(false);
    expect(() => keyring.getAccounts()).toThrow(LockedError);
    await expect(keyring.signMessage(TEST_ADDRESS_0, 'hi')).rejects.toThrow(LockedError);
    await expect(keyring.addAccount()).rejects.toThrow(LockedError);
    expect(await sessionStore.get('vaultKey')).toBeUndefined();
  });

  it('addAccount derives index 1 at the known address and it survives lock + unlock', async () => {
    const { keyring } = await unlockedTestKeyring();
    const added = await keyring.addAccount();
    expect(added).toEqual({ address: TEST_ADDRESS_1, name: 'Account 2', kind: 'hd', index: 1 });
    const named = await keyring.addAccount('  Savings ');
    expect(named).toMatchObject({ name: 'Savings', index: 2 });
    await keyring.lock();
    const accounts = await keyring.unlock(PASSWORD);
    expect(accounts.map((a) => [a.address, a.name, a.index])).toEqual([
      [TEST_ADDRESS_0, 'Account 1', 0],
      [TEST_ADDRESS_1, 'Account 2', 1],
      [named.address, 'Savings', 2],
    ]);
  });

  it('re-encrypts each change with the same KDF parameters and a new IV', async () => {
    const { keyring, vaultStore } = await unlockedTestKeyring();
    const before = parseVault(await vaultStore.get('vault'));
    await keyring.addAccount();
    const after = parseVault(await vaultStore.get('vault'));
    expect(after.kdf).toEqual(before.kdf);
    expect(after.cipher.iv).not.toEqual(before.cipher.iv);
  });

  it('renameAccount trims, persists, and refuses bad names and unknown accounts', async () => {
    const { keyring } = await unlockedTestKeyring();
    await keyring.renameAccount(TEST_ADDRESS_0.toLowerCase() as `0x${string}`, '  Main  ');
    expect(keyring.getAccounts()[0]?.name).toBe('Main');
    await expect(keyring.renameAccount(TEST_ADDRESS_0, '   ')).rejects.toThrow(InvalidParamsError);
    await expect(keyring.renameAccount(TEST_ADDRESS_0, 'x'.repeat(41))).rejects.toThrow(/1 to 40 characters/);
    await keyring.renameAccount(TEST_ADDRESS_0, 'x'.repeat(40));
    await keyring.renameAccount(TEST_ADDRESS_0, 'Main');
    await expect(keyring.renameAccount(TEST_ADDRESS_1, 'Nope')).rejects.toThrow(UnknownAccountError);
    await expect(keyring.renameAccount('0x1234', 'Nope')).rejects.toThrow(InvalidParamsError);
    await keyring.lock();
    expect((await keyring.unlock(PASSWORD))[0]?.name).toBe('Main');
  });

  it('a failed vault write changes nothing, in memory or in storage', async () => {
    const stores = await storesWithVault(testVault);
    const vaultStore = new FailingSetStore(stores.vaultStore, 'vault', 0);
    const { keyring } = testKeyring({ vaultStore, sessionStore: stores.sessionStore });
    await keyring.unlock(PASSWORD);
    vaultStore.failures = 2;
    await expect(keyring.addAccount()).rejects.toThrow('simulated storage failure');
    await expect(keyring.renameAccount(TEST_ADDRESS_0, 'Main')).rejects.toThrow('simulated storage failure');
    expect(keyring.getAccounts()).toEqual([
      { address: TEST_ADDRESS_0, name: 'Account 1', kind: 'hd', index: 0 },
    ]);
    expect(await stores.vaultStore.get('vault')).toBe(testVault);
    expect((await keyring.addAccount()).address).toBe(TEST_ADDRESS_1);
  });
});

describe('Keyring: signing', () => {
  it('signs EIP-191 personal messages that viem verifies', async () => {
    const { keyring } = await unlockedTestKeyring();
    await keyring.addAccount();
    for (const address of [TEST_ADDRESS_0, TEST_ADDRESS_1] as const) {
      for (const message of ['hello world', { raw: '0xdeadbeef' as const }]) {
        const signature = await keyring.signMessage(address, message);
        expect(await verifyMessage({ address, message, signature })).toBe(true);
      }
    }
    const signature = await keyring.signMessage(TEST_ADDRESS_0, 'hello world');
    expect(await verifyMessage({ address: TEST_ADDRESS_1, message: 'hello world', signature })).toBe(false);
  });

  it('signs EIP-712 typed data that viem verifies', async () => {
    const { keyring } = await unlockedTestKeyring();
    const signature = await keyring.signTypedData(TEST_ADDRESS_0, MAIL);
    expect(await verifyTypedData({ ...MAIL, address: TEST_ADDRESS_0, signature })).toBe(true);
  });

  it('reproduces the EIP-712 specification signature for the "cow" key', async () => {
    const { keyring } = testKeyring({ vaultStore: new InspectableStore() });
    const [cow] = await keyring.createFromPrivateKey(PASSWORD, keccak256(stringToBytes('cow')));
    expect(cow?.address).toBe('0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826');
    expect(await keyring.signTypedData(cow!.address, MAIL)).toBe(
      '0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c',
    );
  });

  it('signs EIP-1559 transactions whose signer recovers to the account', async () => {
    const { keyring } = await unlockedTestKeyring();
    const transaction = {
      chainId: 31337,
      type: 'eip1559',
      nonce: 7,
      to: TEST_ADDRESS_1,
      value: parseEther('1.5'),
      gas: 21_000n,
      maxFeePerGas: 2_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
    } as const;
    const signed = await keyring.signTransaction(TEST_ADDRESS_0, transaction);
    expect(await recoverTransactionAddress({ serializedTransaction: signed as TransactionSerialized })).toBe(
      TEST_ADDRESS_0,
    );
    expect(parseTransaction(signed)).toMatchObject({
      chainId: 31337,
      nonce: 7,
      to: TEST_ADDRESS_1.toLowerCase(),
      value: parseEther('1.5'),
    });
  });

  it('refuses unknown and malformed addresses', async () => {
    const { keyring } = await unlockedTestKeyring();
    await expect(keyring.signMessage(TEST_ADDRESS_1, 'hi')).rejects.toThrow(UnknownAccountError);
    await expect(keyring.signMessage('0xnope' as `0x${string}`, 'hi')).rejects.toThrow(InvalidParamsError);
  });
});

describe('Keyring: no secret is ever stored in the clear', () => {
  async function everythingStored(...stores: InspectableStore[]): Promise<string> {
    const dumps = await Promise.all(stores.map((store) => store.dump()));
    return JSON.stringify(dumps);
  }

  function expectNoSecrets(stored: string, secrets: string[]) {
    for (const secret of secrets) {
      expect(stored.toLowerCase()).not.toContain(secret.toLowerCase());
    }
  }

  it('for a phrase wallet through its whole life', async () => {
    const vaultStore = new InspectableStore();
    const sessionStore = new InspectableStore();
    const { keyring } = testKeyring({ vaultStore, sessionStore });
    await keyring.createFromMnemonic(PASSWORD, TEST_MNEMONIC);
    await keyring.addAccount();
    await keyring.renameAccount(TEST_ADDRESS_1, 'Second');
    await keyring.lock();
    await expect(keyring.unlock('wrong password!')).rejects.toThrow('Incorrect password');
    await keyring.unlock(PASSWORD);
    expect(await testKeyring({ vaultStore, sessionStore }).keyring.restoreSession()).toBe(true);
    const stored = await everythingStored(vaultStore, sessionStore);
    expect(stored).toContain('"vault"');
    expectNoSecrets(stored, [
      TEST_MNEMONIC,
      TEST_MNEMONIC.replaceAll(' ', ''),
      'test test',
      TEST_PRIVATE_KEY_0.slice(2),
      TEST_PRIVATE_KEY_1.slice(2),
      Buffer.from(TEST_PRIVATE_KEY_0.slice(2), 'hex').toString('base64'),
      Buffer.from(TEST_PRIVATE_KEY_1.slice(2), 'hex').toString('base64'),
      PASSWORD,
      'Second',
      'Account 1',
    ]);
  }, 20_000);

  it('for an imported-key wallet', async () => {
    const vaultStore = new InspectableStore();
    const sessionStore = new InspectableStore();
    const { keyring } = testKeyring({ vaultStore, sessionStore });
    await keyring.createFromPrivateKey(PASSWORD, TEST_PRIVATE_KEY_1);
    await keyring.renameAccount(TEST_ADDRESS_1, 'Cold');
    const stored = await everythingStored(vaultStore, sessionStore);
    expectNoSecrets(stored, [
      TEST_PRIVATE_KEY_1.slice(2),
      Buffer.from(TEST_PRIVATE_KEY_1.slice(2), 'hex').toString('base64'),
      PASSWORD,
    ]);
  });
});

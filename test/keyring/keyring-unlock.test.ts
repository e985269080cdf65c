import { beforeAll, describe, expect, it } from 'vitest';
import { IncorrectPasswordError, NoVaultError, VaultFormatError } from '../../src/keyring/errors.ts';
import { Keyring } from '../../src/keyring/keyring.ts';
import {
  createTestVault,
  editVault,
  FIXTURE_600K,
  flipVaultByte,
  InspectableStore,
  PASSWORD,
  storesWithVault,
  TEST_ADDRESS_0,
  testKeyring,
} from './helpers.ts';

let testVault: string;
beforeAll(async () => {
  testVault = await createTestVault();
});

const WRONG = 'correct horse battery stapler';

describe('Keyring.unlock', () => {
  it('answers a wrong password five times with the same error and growing delays, then resets', async () => {
    const stores = await storesWithVault(testVault);
    const { keyring, delays } = testKeyring(stores);
    for (let i = 0; i < 5; i++) {
      const attempt = keyring.unlock(WRONG);
      await expect(attempt).rejects.toThrow(IncorrectPasswordError);
      await expect(attempt).rejects.toMatchObject({ message: 'Incorrect password', code: 4100 });
    }
    expect(delays).toEqual([0, 250, 500, 1000, 2000]);
    expect(await stores.vaultStore.get('unlockFailures')).toBe(5);
    expect(keyring.isUnlocked()).toBe(false);

    const accounts = await keyring.unlock(PASSWORD);
    expect(accounts[0]?.address).toBe(TEST_ADDRESS_0);
    expect(delays.at(-1)).toBe(4000);
    expect(await stores.vaultStore.get('unlockFailures')).toBe(0);

    await keyring.lock();
    await expect(keyring.unlock(WRONG)).rejects.toThrow(IncorrectPasswordError);
    expect(delays.at(-1)).toBe(0);
  }, 20_000);

  it('keeps counting across a worker restart', async () => {
    const stores = await storesWithVault(testVault);
    await expect(testKeyring(stores).keyring.unlock(WRONG)).rejects.toThrow(IncorrectPasswordError);
    await expect(testKeyring(stores).keyring.unlock(WRONG)).rejects.toThrow(IncorrectPasswordError);
    const restarted = testKeyring(stores);
    await restarted.keyring.unlock(PASSWORD);
    expect(restarted.delays).toEqual([500]);
  });

  it('serializes parallel attempts, so none skips the back-off', async () => {
    const stores = await storesWithVault(testVault);
    let running = 0;
    let maxRunning = 0;
    const delays: number[] = [];
    const keyring = new Keyring({
      ...stores,
      kdfIterations: 600_000,
      sleep: async (ms) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        delays.push(ms);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
      },
    });
    const results = await Promise.allSettled([
      keyring.unlock(WRONG),
      keyring.unlock(WRONG),
      keyring.unlock(WRONG),
      keyring.unlock(PASSWORD),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled']);
    expect(delays).toEqual([0, 250, 500, 1000]);
    expect(maxRunning).toBe(1);
  }, 20_000);

  it.each<[string, (vault: string) => string]>([
    ['ciphertext', (v) => flipVaultByte(v, 'data', 3)],
    ['tag', (v) => flipVaultByte(v, 'data', -1)],
    ['IV', (v) => flipVaultByte(v, 'iv', 0)],
    ['salt', (v) => flipVaultByte(v, 'salt', 0)],
  ])('answers a tampered %s with "Incorrect password" and leaves it stored', async (_, tamper) => {
    const tampered = tamper(testVault);
    const stores = await storesWithVault(tampered);
    const { keyring } = testKeyring(stores);
    await expect(keyring.unlock(PASSWORD)).rejects.toThrow(/^Incorrect password$/);
    expect(await stores.vaultStore.get('vault')).toBe(tampered);
  });

  it.each<[string, () => string, RegExp]>([
    ['corrupt JSON', () => testVault.replace('"kdf":', '"kdf"\u0000'), /not valid JSON/],
    ['truncated JSON', () => testVault.slice(0, testVault.length - 20), /not valid JSON/],
    [
      'weak iterations',
      () => editVault(testVault, (j) => (j.kdf.iterations = 100_000)),
      /iterations 100000 below minimum 600000/,
    ],
    ['an unknown KDF', () => editVault(testVault, (j) => (j.kdf.name = 'scrypt')), /unknown KDF "scrypt"/],
    ['an unknown cipher', () => editVault(testVault, (j) => (j.cipher.name = 'AES-CBC')), /unknown cipher/],
    ['a future version', () => editVault(testVault, (j) => (j.version = 2)), /unsupported vault version 2/],
  ])('refuses %s as VaultFormatError, without touching the stored string', async (_, make, detail) => {
    const stored = make();
    const stores = await storesWithVault(stored);
    const { keyring, delays } = testKeyring(stores);
    const attempt = keyring.unlock(PASSWORD);
    await expect(attempt).rejects.toThrow(VaultFormatError);
    await expect(attempt).rejects.toThrow(detail);
    expect(await stores.vaultStore.get('vault')).toBe(stored);
    expect(delays).toEqual([]);
    expect(await stores.vaultStore.get('unlockFailures')).toBeUndefined();
    expect(await keyring.status()).toBe('locked');
  });

  it('says there is no wallet yet when none is stored', async () => {
    const { keyring } = testKeyring({ vaultStore: new InspectableStore() });
    await expect(keyring.unlock(PASSWORD)).rejects.toThrow(NoVaultError);
  });
});

describe('old-format fixtures keep opening', () => {
  it('opens test/fixtures/vault-v1-pbkdf2-600k.json (v1, PBKDF2 600k) at the known address', async () => {
    const stores = await storesWithVault(FIXTURE_600K);
    const { keyring } = testKeyring(stores);
    expect(await keyring.unlock(PASSWORD)).toEqual([
      { address: TEST_ADDRESS_0, name: 'Account 1', kind: 'hd', index: 0 },
    ]);
    expect(await stores.vaultStore.get('vault')).toBe(FIXTURE_600K);
  });
});

describe('Keyring.restoreSession', () => {
  async function unlockedStores() {
    const stores = await storesWithVault(testVault);
    await testKeyring(stores).keyring.unlock(PASSWORD);
    return stores;
  }

  it('reopens the vault after a worker restart without the password', async () => {
    const stores = await unlockedStores();
    const { keyring, delays } = testKeyring(stores);
    expect(await keyring.status()).toBe('locked');
    expect(await keyring.restoreSession()).toBe(true);
    expect(await keyring.status()).toBe('unlocked');
    expect(keyring.getAccounts()[0]?.address).toBe(TEST_ADDRESS_0);
    expect(delays).toEqual([]);
    // Changes made with the restored key are openable with the password.
    await keyring.addAccount();
    await keyring.lock();
    expect(await keyring.unlock(PASSWORD)).toHaveLength(2);
  });

  it('is true at once when already unlocked, false when nothing is saved', async () => {
    const stores = await storesWithVault(testVault);
    const { keyring } = testKeyring(stores);
    expect(await keyring.restoreSession()).toBe(false);
    await keyring.unlock(PASSWORD);
    expect(await keyring.restoreSession()).toBe(true);
  });

  it('has nothing to restore after lock', async () => {
    const stores = await unlockedStores();
    const first = testKeyring(stores);
    await first.keyring.restoreSession();
    await first.keyring.lock();
    expect(await stores.sessionStore.get('vaultKey')).toBeUndefined();
    expect(await testKeyring(stores).keyring.restoreSession()).toBe(false);
  });

  it.each<[string, (session: { key: string; salt: string }) => unknown]>([
    ['a key for another salt', (s) => ({ ...s, salt: Buffer.alloc(32, 1).toString('base64') })],
    ['a wrong key', (s) => ({ ...s, key: Buffer.alloc(32, 2).toString('base64') })],
    ['a malformed record', () => ({ key: 'nope' })],
    ['a record of the wrong type', () => 'vaultKey'],
  ])('stays locked and clears %s', async (_, edit) => {
    const stores = await unlockedStores();
    const session = (await stores.sessionStore.get('vaultKey')) as { key: string; salt: string };
    await stores.sessionStore.set('vaultKey', edit(session));
    const { keyring, warnings } = testKeyring(stores);
    expect(await keyring.restoreSession()).toBe(false);
    expect(keyring.isUnlocked()).toBe(false);
    expect(await stores.sessionStore.get('vaultKey')).toBeUndefined();
    expect(warnings.join(' ')).not.toContain(PASSWORD);
  });

  it('stays locked and clears the key when the vault is gone or corrupt', async () => {
    for (const replace of [undefined, '{"version":1']) {
      const stores = await unlockedStores();
      if (replace === undefined) await stores.vaultStore.remove('vault');
      else await stores.vaultStore.set('vault', replace);
      expect(await testKeyring(stores).keyring.restoreSession()).toBe(false);
      expect(await stores.sessionStore.get('vaultKey')).toBeUndefined();
    }
  });

  it('writes the session key only to the session store', async () => {
    const stores = await unlockedStores();
    expect(Object.keys(await stores.vaultStore.dump()).sort()).toEqual(['unlockFailures', 'vault']);
    const session = await stores.sessionStore.get('vaultKey');
    expect(session).toEqual({ key: expect.any(String), salt: JSON.parse(testVault).kdf.salt });
  });
});

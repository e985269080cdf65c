import { beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_PBKDF2_ITERATIONS, parseVault } from '../../src/keyring/vault-format.ts';
import {
  createTestVault,
  FailingSetStore,
  FIXTURE_600K,
  PASSWORD,
  storesWithVault,
  TEST_ADDRESS_0,
  testKeyring,
} from './helpers.ts';

const TARGET = 900_000;

let vault600: string;
beforeAll(async () => {
  vault600 = await createTestVault(600_000);
});

describe('KDF upgrade on unlock', () => {
  it('re-encrypts a 600k vault at the target with a new salt; it still opens with the password', async () => {
    const stores = await storesWithVault(vault600);
    const { keyring, warnings } = testKeyring({ ...stores, kdfIterations: TARGET });
    expect((await keyring.unlock(PASSWORD))[0]?.address).toBe(TEST_ADDRESS_0);
    expect(warnings).toEqual([]);

    const upgraded = await stores.vaultStore.get('vault');
    const before = parseVault(vault600);
    const after = parseVault(upgraded);
    expect(after.kdf.iterations).toBe(TARGET);
    expect(after.kdf.salt).not.toEqual(before.kdf.salt);
    expect(await stores.sessionStore.get('vaultKey')).toMatchObject({
      salt: JSON.parse(String(upgraded)).kdf.salt,
    });

    // The session key follows the new vault: a restarted worker reopens it, and changes stay openable.
    const restarted = testKeyring({ ...stores, kdfIterations: TARGET });
    expect(await restarted.keyring.restoreSession()).toBe(true);
    await restarted.keyring.lock();
    const fresh = testKeyring({ ...stores, kdfIterations: TARGET });
    expect((await fresh.keyring.unlock(PASSWORD))[0]?.address).toBe(TEST_ADDRESS_0);
    expect(await stores.vaultStore.get('vault')).toBe(upgraded);
  }, 20_000);

  it('upgrades the committed 600k fixture to CURRENT_PBKDF2_ITERATIONS by default', async () => {
    expect(CURRENT_PBKDF2_ITERATIONS).toBeGreaterThan(600_000);
    const stores = await storesWithVault(FIXTURE_600K);
    const { keyring } = testKeyring({ ...stores, kdfIterations: undefined });
    await keyring.unlock(PASSWORD);
    expect(parseVault(await stores.vaultStore.get('vault')).kdf.iterations).toBe(CURRENT_PBKDF2_ITERATIONS);
  }, 20_000);

  it('survives a failed write: unlock succeeds, warns, and the old vault stays exactly as it was', async () => {
    const stores = await storesWithVault(vault600);
    const vaultStore = new FailingSetStore(stores.vaultStore, 'vault', 1);
    const { keyring, warnings } = testKeyring({
      vaultStore,
      sessionStore: stores.sessionStore,
      kdfIterations: TARGET,
    });
    expect((await keyring.unlock(PASSWORD))[0]?.address).toBe(TEST_ADDRESS_0);
    expect(vaultStore.failures).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Could not upgrade the vault/);
    expect(warnings[0]).not.toContain(PASSWORD);
    expect(await stores.vaultStore.get('vault')).toBe(vault600);

    // The wallet keeps working on the old key: changes are written with the old parameters.
    await keyring.addAccount();
    expect(parseVault(await stores.vaultStore.get('vault')).kdf).toEqual(parseVault(vault600).kdf);
    // A restarted worker reopens it with the session key, and the password still opens it.
    expect(await testKeyring({ ...stores, kdfIterations: TARGET }).keyring.restoreSession()).toBe(true);
    const old = testKeyring({ ...stores, kdfIterations: 600_000 });
    expect(await old.keyring.unlock(PASSWORD)).toHaveLength(2);
  }, 20_000);

  it('never lowers the iterations of a stronger vault', async () => {
    const vault900 = await createTestVault(TARGET);
    const stores = await storesWithVault(vault900);
    await testKeyring({ ...stores, kdfIterations: 600_000 }).keyring.unlock(PASSWORD);
    expect(await stores.vaultStore.get('vault')).toBe(vault900);
  });
});

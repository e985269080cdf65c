/**
 * Messaging identities live in the vault: created once per account with no prompt,
 * verifiable by anyone as belonging to that account, and the same after lock/unlock.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MessagingIdentities } from '../../../src/background/messaging/messaging-identity';
import {
  encodeContactBundle,
  encodePrivateKeyBundle,
  publicBundleOf,
  verifyContactBundle,
} from '../../../src/protocol/index';
import {
  createTestVault,
  FIXTURE_600K,
  InspectableStore,
  PASSWORD,
  storesWithVault,
  TEST_ADDRESS_0,
  TEST_ADDRESS_1,
  testKeyring,
} from '../../keyring/helpers';

let vault: string;
beforeAll(async () => {
  vault = await createTestVault();
});

async function unlockedKeyring(stored = vault) {
  const stores = await storesWithVault(stored);
  const { keyring } = testKeyring(stores);
  await keyring.unlock(PASSWORD);
  return { keyring, stores };
}

describe('MessagingIdentities', () => {
  it("creates an identity whose contact bundle verifies as the account's, once", async () => {
    const { keyring } = await unlockedKeyring();
    const identities = new MessagingIdentities(keyring);
    const [first, racing] = await Promise.all([
      identities.ensure(TEST_ADDRESS_0),
      identities.ensure(TEST_ADDRESS_0),
    ]);
    expect(encodePrivateKeyBundle(racing)).toEqual(encodePrivateKeyBundle(first));
    expect(verifyContactBundle(encodeContactBundle(publicBundleOf(first))).address).toBe(TEST_ADDRESS_0);
    const again = await identities.ensure(TEST_ADDRESS_0);
    expect(encodePrivateKeyBundle(again)).toEqual(encodePrivateKeyBundle(first));
  });

  it('keeps identities in the encrypted vault across lock and unlock, per account', async () => {
    const { keyring, stores } = await unlockedKeyring();
    await keyring.addAccount();
    const created = encodePrivateKeyBundle(await new MessagingIdentities(keyring).ensure(TEST_ADDRESS_1));
    await keyring.lock();
    await keyring.unlock(PASSWORD);
    const identities = new MessagingIdentities(keyring);
    expect(encodePrivateKeyBundle(await identities.ensure(TEST_ADDRESS_1))).toEqual(created);
    expect(keyring.getMessagingKey(TEST_ADDRESS_0)).toBeUndefined();
    // Nothing of the identity's secret reaches storage in the clear.
    const hex = Buffer.from(created).toString('hex');
    const stored = JSON.stringify(await (stores.vaultStore as InspectableStore).dump());
    expect(stored).not.toContain(Buffer.from(created).toString('base64'));
    expect(stored).not.toContain(hex.slice(0, 64));
  });

  it('still opens vaults written before messaging keys existed', async () => {
    const { keyring } = await unlockedKeyring(FIXTURE_600K);
    expect(keyring.getMessagingKey(TEST_ADDRESS_0)).toBeUndefined();
    const identity = await new MessagingIdentities(keyring).ensure(TEST_ADDRESS_0);
    expect(verifyContactBundle(encodeContactBundle(publicBundleOf(identity))).address).toBe(TEST_ADDRESS_0);
  });

  it('needs the wallet unlocked', async () => {
    const { keyring } = testKeyring({ vaultStore: new InspectableStore() });
    await expect(new MessagingIdentities(keyring).ensure(TEST_ADDRESS_0)).rejects.toThrow('Wallet is locked');
  });
});

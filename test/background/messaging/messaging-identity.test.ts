/**
 * Messaging identities live in the vault: created once per account with no prompt,
 * verifiable by anyone as belonging to that account, and the same after lock/unlock.
 * New ones are derived from the account key, so the same phrase restored elsewhere gets the
 * same keys and conversation topics; identities stored before are kept.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MessagingIdentities } from '../../../src/background/messaging/messaging-identity';
import { LockedError } from '../../../src/keyring/errors';
import type { Keyring } from '../../../src/keyring/keyring';
import {
  bytesToHex,
  deriveInvitation,
  encodeContactBundle,
  encodePrivateKeyBundle,
  generatePrivateKeyBundle,
  type PrivateKeyBundle,
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
  TEST_MNEMONIC,
  TEST_PRIVATE_KEY_1,
  testKeyring,
} from '../../keyring/helpers';

/** Identity and pre-key public keys derived for "test … junk" account 0 (see test/protocol/private-bundle.test.ts). */
const IDENTITY_0 =
  '0404b01ff5a47f6e0c9ceff6fcb296139972ade214e398664268ed2e3585e87343ec39e4d06b455b0fed9dc5e63b2b1e33551fef878b1150886b025ec8daf01a72';
const PRE_KEY_0 =
  '0485161261a44795747f36a635d1abe7d5cd28cfbf258fdb704116108a7ad593fa4e3b95d03876fceea6bdc888f2afaf76809eb9182479a851a444384363abc52a';
/** The same for TEST_PRIVATE_KEY_1 (account 1 of the phrase, or that key imported). */
const IDENTITY_1 =
  '04f8cd8ab9636a48b4cc05ac1d6d9a764039030a2369ff7d667178c9e34172ee406e35dfb14620a901d5e4deaadc9145bf10f93861f74fa17ab6bf81929949bfb3';
const PRE_KEY_1 =
  '04aa3e985e3cbd765d620ecbf76dd47cdb81510693b8a79c897e90cee7ef10feda88287963e22c68b6fb0da65619017c42586a97591936f9b8288943bbf9dc124e';
/** The XMTP v2 1:1 topic of those two derived identities (no conversation id). */
const TOPIC_0_1 = '/xmtp/0/m-77c348e843af86f02156925f1b908f1b679d27f50240f9113ffb4bdb4ee1a7ef/proto';

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
    await expect(new MessagingIdentities(keyring).ensure(TEST_ADDRESS_0)).rejects.toThrow(LockedError);
  });
});

describe('MessagingIdentities: derived from the account key', () => {
  const keysOf = (bundle: PrivateKeyBundle) => ({
    identity: bytesToHex(bundle.identityKey.publicKey.publicKey),
    preKey: bytesToHex(bundle.preKeys[0]!.publicKey.publicKey),
  });

  /** A new browser: a fresh vault from the test phrase, nothing stored yet. */
  async function freshDevice(): Promise<Keyring> {
    const { keyring } = testKeyring({ vaultStore: new InspectableStore() });
    await keyring.createFromMnemonic(PASSWORD, TEST_MNEMONIC);
    return keyring;
  }

  /** Someone else's wallet: TEST_PRIVATE_KEY_1 imported alone. */
  async function thirdParty(): Promise<PrivateKeyBundle> {
    const { keyring } = testKeyring({ vaultStore: new InspectableStore() });
    await keyring.createFromPrivateKey(PASSWORD, TEST_PRIVATE_KEY_1);
    return new MessagingIdentities(keyring).ensure(TEST_ADDRESS_1);
  }

  it('gives account 0 of the test phrase its known identity and pre-key', async () => {
    const identity = await new MessagingIdentities(await freshDevice()).ensure(TEST_ADDRESS_0);
    expect(keysOf(identity)).toEqual({ identity: IDENTITY_0, preKey: PRE_KEY_0 });
    expect(verifyContactBundle(encodeContactBundle(publicBundleOf(identity))).address).toBe(TEST_ADDRESS_0);
  });

  it('restoring the phrase in another browser keeps the keys, so peers keep the same topic', async () => {
    const [first, second] = await Promise.all([freshDevice(), freshDevice()]);
    const a = await new MessagingIdentities(first).ensure(TEST_ADDRESS_0);
    const b = await new MessagingIdentities(second).ensure(TEST_ADDRESS_0);
    expect(keysOf(b)).toEqual(keysOf(a));
    const peer = await thirdParty();
    expect(keysOf(peer)).toEqual({ identity: IDENTITY_1, preKey: PRE_KEY_1 });
    const peerBundle = verifyContactBundle(encodeContactBundle(publicBundleOf(peer)));
    // Each device of account 0, and the peer reading either device's published bundle.
    const topics = [
      deriveInvitation({ me: a, myAddress: TEST_ADDRESS_0, peer: peerBundle }).topic,
      deriveInvitation({ me: b, myAddress: TEST_ADDRESS_0, peer: peerBundle }).topic,
      ...[a, b].map(
        (device) =>
          deriveInvitation({
            me: peer,
            myAddress: TEST_ADDRESS_1,
            peer: verifyContactBundle(encodeContactBundle(publicBundleOf(device))),
          }).topic,
      ),
    ];
    expect(new Set(topics)).toEqual(new Set([TOPIC_0_1]));
  });

  it('gives each account its own keys', async () => {
    const keyring = await freshDevice();
    await keyring.addAccount();
    const identities = new MessagingIdentities(keyring);
    const zero = keysOf(await identities.ensure(TEST_ADDRESS_0));
    const one = keysOf(await identities.ensure(TEST_ADDRESS_1));
    expect(one).toEqual({ identity: IDENTITY_1, preKey: PRE_KEY_1 });
    expect(new Set([zero.identity, zero.preKey, one.identity, one.preKey]).size).toBe(4);
  });

  it('keeps an identity stored before derivation (random keys) as it is', async () => {
    const keyring = await freshDevice();
    const random = await generatePrivateKeyBundle({
      address: TEST_ADDRESS_0,
      signMessage: (message) => keyring.signMessage(TEST_ADDRESS_0, message),
    });
    await keyring.saveMessagingKey(TEST_ADDRESS_0, encodePrivateKeyBundle(random));
    const kept = await new MessagingIdentities(keyring).ensure(TEST_ADDRESS_0);
    expect(encodePrivateKeyBundle(kept)).toEqual(encodePrivateKeyBundle(random));
    expect(keysOf(kept).identity).not.toBe(IDENTITY_0);
  });

  describe('secrets stay in the vault', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('neither the secret keys nor their seed reach storage, warnings or the console', async () => {
      const logged: unknown[] = [];
      for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
        const original = console[method].bind(console);
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          logged.push(args);
          original(...args);
        });
      }
      const vaultStore = new InspectableStore();
      const sessionStore = new InspectableStore();
      const { keyring, warnings } = testKeyring({ vaultStore, sessionStore });
      await keyring.createFromMnemonic(PASSWORD, TEST_MNEMONIC);
      const identity = await new MessagingIdentities(keyring).ensure(TEST_ADDRESS_0);
      const seed = keyring.messagingIdentitySeed(TEST_ADDRESS_0);
      await keyring.lock();
      await keyring.unlock(PASSWORD);
      const seen = JSON.stringify([await vaultStore.dump(), await sessionStore.dump(), warnings, logged]);
      const secrets = [
        identity.identityKey.secretKey,
        identity.preKeys[0]!.secretKey,
        seed.subarray(0, 48),
        seed.subarray(48),
      ];
      for (const secret of secrets) {
        expect(seen.toLowerCase()).not.toContain(bytesToHex(secret).slice(0, 32));
        expect(seen).not.toContain(Buffer.from(secret).toString('base64').slice(0, 24));
      }
      // And it is in the vault: the same identity comes back after unlocking.
      expect(keyring.getMessagingKey(TEST_ADDRESS_0)).toEqual(encodePrivateKeyBundle(identity));
    });
  });
});

/**
 * Secrets derived from account keys: the HKDF known answer, and the keyring's messaging
 * identity seed — the same for the same phrase or key in any fresh keyring, distinct per
 * account, only while unlocked, never stored.
 */
import { hexToBytes } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  deriveAccountSecret,
  MESSAGING_IDENTITY_SALT,
  MESSAGING_IDENTITY_SEED_BYTES,
} from '../../src/keyring/account-secrets.ts';
import { InvalidParamsError, LockedError, UnknownAccountError } from '../../src/keyring/errors.ts';
import {
  createTestVault,
  InspectableStore,
  PASSWORD,
  storesWithVault,
  TEST_ADDRESS_0,
  TEST_ADDRESS_1,
  TEST_ADDRESS_2,
  TEST_MNEMONIC,
  TEST_PRIVATE_KEY_0,
  TEST_PRIVATE_KEY_1,
  testKeyring,
} from './helpers.ts';

/**
 * HKDF-SHA256(ikm = TEST_PRIVATE_KEY_0, salt = "cairn/messaging-identity/v1",
 * info = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", L = 96), checked independently with
 * Python's hmac/hashlib (RFC 5869 extract-then-expand).
 */
const SEED_0 =
  '8193fc60d0b722695771c95d5d47adcda6cc4f56d0bb930ce1402dff788a584d3507b3bc19e96e75499290edf68c18cb' +
  '26ad7e0585457e7d568a1f2f8679fd3eaacdd4a02ccaa71c14f8d95e8e32499904440ab9c5c129c30d6c80c9949189d1';
/** The same for TEST_PRIVATE_KEY_1 and TEST_ADDRESS_1. */
const SEED_1 =
  'fc83c217832088c402ff84ebc31546bae1076cb14cade7abe6c98bae27e902eb13694f758b32a6e7a66253a4037109c6' +
  '21988bcac0fa7720c12daa096c4d5e763e65a323fd69daca3cd553fc9a8166dab26fcbe28e3a55f42395f6cf5d56bc0b';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('deriveAccountSecret', () => {
  const key0 = hexToBytes(TEST_PRIVATE_KEY_0);

  it('is HKDF-SHA256 of the key, salted with the purpose, for the checksummed address', () => {
    expect(MESSAGING_IDENTITY_SALT).toBe('cairn/messaging-identity/v1');
    expect(hex(deriveAccountSecret(key0, TEST_ADDRESS_0, MESSAGING_IDENTITY_SALT, 96))).toBe(SEED_0);
    // Any spelling of the address is checksummed first.
    expect(hex(deriveAccountSecret(key0, TEST_ADDRESS_0.toLowerCase(), MESSAGING_IDENTITY_SALT, 96))).toBe(
      SEED_0,
    );
    // HKDF output is a prefix-stable stream.
    expect(hex(deriveAccountSecret(key0, TEST_ADDRESS_0, MESSAGING_IDENTITY_SALT, 32))).toBe(
      SEED_0.slice(0, 64),
    );
  });

  it('changes with the purpose, the address and the key', () => {
    const other = [
      deriveAccountSecret(key0, TEST_ADDRESS_0, 'cairn/messaging-identity/v2', 96),
      deriveAccountSecret(key0, TEST_ADDRESS_1, MESSAGING_IDENTITY_SALT, 96),
      deriveAccountSecret(hexToBytes(TEST_PRIVATE_KEY_1), TEST_ADDRESS_0, MESSAGING_IDENTITY_SALT, 96),
    ].map(hex);
    expect(new Set([SEED_0, ...other]).size).toBe(4);
  });

  it('refuses bad arguments without repeating the key', () => {
    expect(() => deriveAccountSecret(key0.subarray(1), TEST_ADDRESS_0, 'p', 32)).toThrow(
      '"privateKey" expected Uint8Array of length 32',
    );
    expect(() => deriveAccountSecret(key0, TEST_ADDRESS_0, '', 32)).toThrow(InvalidParamsError);
    for (const length of [0, 1.5, 1025]) {
      expect(() => deriveAccountSecret(key0, TEST_ADDRESS_0, 'p', length)).toThrow(InvalidParamsError);
    }
    expect(() => deriveAccountSecret(key0, '0xnope', 'p', 32)).toThrow();
  });
});

describe('Keyring.messagingIdentitySeed', () => {
  let testVault: string;
  beforeAll(async () => {
    testVault = await createTestVault();
  });

  async function freshPhraseKeyring() {
    const { keyring } = testKeyring({ vaultStore: new InspectableStore() });
    await keyring.createFromMnemonic(PASSWORD, TEST_MNEMONIC);
    return keyring;
  }

  it('is the known seed for "test … junk" account 0, the same in two fresh keyrings', async () => {
    const a = await freshPhraseKeyring();
    const b = await freshPhraseKeyring();
    expect(MESSAGING_IDENTITY_SEED_BYTES).toBe(96);
    expect(hex(a.messagingIdentitySeed(TEST_ADDRESS_0))).toBe(SEED_0);
    expect(hex(b.messagingIdentitySeed(TEST_ADDRESS_0))).toBe(SEED_0);
    expect(hex(b.messagingIdentitySeed(TEST_ADDRESS_0.toLowerCase() as `0x${string}`))).toBe(SEED_0);
  });

  it('differs per account, and survives lock + unlock', async () => {
    const stores = await storesWithVault(testVault);
    const { keyring } = testKeyring(stores);
    await keyring.unlock(PASSWORD);
    await keyring.addAccount();
    expect(hex(keyring.messagingIdentitySeed(TEST_ADDRESS_1))).toBe(SEED_1);
    await keyring.lock();
    await keyring.unlock(PASSWORD);
    expect(hex(keyring.messagingIdentitySeed(TEST_ADDRESS_0))).toBe(SEED_0);
    expect(hex(keyring.messagingIdentitySeed(TEST_ADDRESS_1))).toBe(SEED_1);
  });

  it('is the same for an imported key as for the HD account holding that key', async () => {
    const { keyring } = testKeyring({ vaultStore: new InspectableStore() });
    await keyring.createFromPrivateKey(PASSWORD, TEST_PRIVATE_KEY_0);
    expect(hex(keyring.messagingIdentitySeed(TEST_ADDRESS_0))).toBe(SEED_0);
  });

  it('needs the wallet unlocked and a known, well-formed account', async () => {
    const stores = await storesWithVault(testVault);
    const { keyring } = testKeyring(stores);
    expect(() => keyring.messagingIdentitySeed(TEST_ADDRESS_0)).toThrow(LockedError);
    await keyring.unlock(PASSWORD);
    expect(() => keyring.messagingIdentitySeed(TEST_ADDRESS_2)).toThrow(UnknownAccountError);
    expect(() => keyring.messagingIdentitySeed('0xnope' as `0x${string}`)).toThrow(InvalidParamsError);
    await keyring.lock();
    expect(() => keyring.messagingIdentitySeed(TEST_ADDRESS_0)).toThrow(LockedError);
  });

  it('is never stored nor warned about', async () => {
    const vaultStore = new InspectableStore();
    const sessionStore = new InspectableStore();
    const { keyring, warnings } = testKeyring({ vaultStore, sessionStore });
    await keyring.createFromMnemonic(PASSWORD, TEST_MNEMONIC);
    const seed = keyring.messagingIdentitySeed(TEST_ADDRESS_0);
    await keyring.addAccount();
    await keyring.lock();
    await keyring.unlock(PASSWORD);
    const stored = JSON.stringify([await vaultStore.dump(), await sessionStore.dump(), warnings]);
    for (const part of [seed.subarray(0, 48), seed.subarray(48)]) {
      expect(stored.toLowerCase()).not.toContain(hex(part).slice(0, 32));
      expect(stored).not.toContain(Buffer.from(part).toString('base64').slice(0, 24));
    }
  });
});

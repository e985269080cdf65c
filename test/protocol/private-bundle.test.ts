/**
 * Private key bundles from given secret keys: `bundleSecretsFromSeed` known answers and edge
 * seeds, validation of `secrets`, and bundles that verify and interoperate like random ones.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { SignedPublicKeyBundle } from '@xmtp/xmtp-js';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it, vi } from 'vitest';
import {
  BUNDLE_SEED_BYTES,
  bundleSecretsFromSeed,
  bytesToHex,
  decodePrivateKeyBundle,
  encodeContactBundle,
  encodePrivateKeyBundle,
  encodeSignedPublicKeyBundle,
  generatePrivateKeyBundle,
  ProtocolArgumentError,
  publicBundleOf,
  sharedSecret3dh,
  verifyBundle,
  verifyContactBundle,
} from '../../src/protocol/index.ts';
import { publicKeyOf } from '../../src/protocol/keys.ts';
import { xmtpIdentity } from './helpers.ts';

/**
 * HKDF-SHA256(ikm = key of "test … junk" account 0, salt "cairn/messaging-identity/v1",
 * info "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 96 bytes): the keyring's messaging
 * identity seed of that account, and the public keys it maps to (checked independently with
 * Python's hmac/hashlib and a textbook secp256k1 multiplication).
 */
const SEED = hexToBytes(
  '8193fc60d0b722695771c95d5d47adcda6cc4f56d0bb930ce1402dff788a584d3507b3bc19e96e75499290edf68c18cb' +
    '26ad7e0585457e7d568a1f2f8679fd3eaacdd4a02ccaa71c14f8d95e8e32499904440ab9c5c129c30d6c80c9949189d1',
);
const IDENTITY_PUBLIC_KEY =
  '0404b01ff5a47f6e0c9ceff6fcb296139972ade214e398664268ed2e3585e87343ec39e4d06b455b0fed9dc5e63b2b1e33551fef878b1150886b025ec8daf01a72';
const PRE_KEY_PUBLIC_KEY =
  '0485161261a44795747f36a635d1abe7d5cd28cfbf258fdb704116108a7ad593fa4e3b95d03876fceea6bdc888f2afaf76809eb9182479a851a444384363abc52a';

const N = secp256k1.Point.Fn.ORDER;
const scalarOf = (bytes: Uint8Array) => BigInt(`0x${bytesToHex(bytes)}`);

const wallet = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const signMessage = (message: string) => wallet.signMessage({ message });

describe('bundleSecretsFromSeed', () => {
  it('maps the known seed to the known identity and pre-key', () => {
    const secrets = bundleSecretsFromSeed(SEED);
    expect(bytesToHex(publicKeyOf(secrets.identity))).toBe(IDENTITY_PUBLIC_KEY);
    expect(bytesToHex(publicKeyOf(secrets.preKey))).toBe(PRE_KEY_PUBLIC_KEY);
    // Each key is (48-byte half mod (n - 1)) + 1.
    expect(scalarOf(secrets.identity)).toBe((scalarOf(SEED.subarray(0, 48)) % (N - 1n)) + 1n);
    expect(scalarOf(secrets.preKey)).toBe((scalarOf(SEED.subarray(48)) % (N - 1n)) + 1n);
  });

  it('is deterministic and never mutates the seed', () => {
    const copy = Uint8Array.from(SEED);
    expect(bundleSecretsFromSeed(SEED)).toEqual(bundleSecretsFromSeed(copy));
    expect(copy).toEqual(SEED);
  });

  it('gives valid scalars for the extreme seeds (all zero → 1, all 0xff)', () => {
    const zero = bundleSecretsFromSeed(new Uint8Array(BUNDLE_SEED_BYTES));
    expect(scalarOf(zero.identity)).toBe(1n);
    const ones = bundleSecretsFromSeed(new Uint8Array(BUNDLE_SEED_BYTES).fill(0xff));
    for (const key of [ones.identity, ones.preKey]) {
      expect(key.length).toBe(32);
      expect(secp256k1.utils.isValidSecretKey(key)).toBe(true);
    }
  });

  it.each([0, 32, 64, 95, 97])('refuses a seed of %i bytes', (length) => {
    expect(() => bundleSecretsFromSeed(new Uint8Array(length).fill(7))).toThrow(
      `"seed" expected Uint8Array of length 96, got length=${length}`,
    );
  });
});

describe('generatePrivateKeyBundle with given secrets', () => {
  it('uses them, verifies as the wallet, and round-trips through the stored encoding', async () => {
    const bundle = await generatePrivateKeyBundle({
      signMessage,
      address: wallet.address,
      createdNs: 1_700_000_000_000_000_000n,
      secrets: bundleSecretsFromSeed(SEED),
    });
    expect(bytesToHex(bundle.identityKey.publicKey.publicKey)).toBe(IDENTITY_PUBLIC_KEY);
    expect(bytesToHex(bundle.preKeys[0]!.publicKey.publicKey)).toBe(PRE_KEY_PUBLIC_KEY);
    expect(verifyContactBundle(encodeContactBundle(publicBundleOf(bundle))).address).toBe(wallet.address);
    expect(decodePrivateKeyBundle(encodePrivateKeyBundle(bundle))).toEqual(bundle);
  });

  it('differs from another creation time only in the signatures, not the keys', async () => {
    const secrets = bundleSecretsFromSeed(SEED);
    const a = await generatePrivateKeyBundle({ signMessage, createdNs: 1n, secrets });
    const b = await generatePrivateKeyBundle({ signMessage, createdNs: 2n, secrets });
    expect(b.identityKey.secretKey).toEqual(a.identityKey.secretKey);
    expect(b.preKeys[0]!.secretKey).toEqual(a.preKeys[0]!.secretKey);
    expect(b.identityKey.publicKey.signature).not.toEqual(a.identityKey.publicKey.signature);
  });

  it('keeps its own copies: zeroing the given secrets afterwards changes nothing', async () => {
    const secrets = bundleSecretsFromSeed(SEED);
    const bundle = await generatePrivateKeyBundle({ signMessage, secrets });
    secrets.identity.fill(0);
    secrets.preKey.fill(0);
    expect(bytesToHex(publicKeyOf(bundle.identityKey.secretKey))).toBe(IDENTITY_PUBLIC_KEY);
    expect(bytesToHex(publicKeyOf(bundle.preKeys[0]!.secretKey))).toBe(PRE_KEY_PUBLIC_KEY);
  });

  it('shares the same 3-DH secret with xmtp-js as a random identity does', async () => {
    const me = await generatePrivateKeyBundle({ signMessage, secrets: bundleSecretsFromSeed(SEED) });
    const peer = await xmtpIdentity();
    const theirs = await peer.v2.sharedSecret(
      SignedPublicKeyBundle.fromBytes(encodeSignedPublicKeyBundle(publicBundleOf(me))),
      peer.v2.getCurrentPreKey().publicKey,
      true,
    );
    const mine = sharedSecret3dh(
      me.identityKey.secretKey,
      me.preKeys[0]!.secretKey,
      verifyBundle(publicBundleOf(peer.asCairn)),
      false,
    );
    expect(mine).toEqual(Uint8Array.from(theirs));
  });

  const valid = bundleSecretsFromSeed(SEED);
  const nBytes = hexToBytes(N.toString(16).padStart(64, '0'));
  it.each([
    ['a zero identity key', { identity: new Uint8Array(32), preKey: valid.preKey }, '"secrets.identity"'],
    ['an identity key equal to n', { identity: nBytes, preKey: valid.preKey }, '"secrets.identity"'],
    ['a 31-byte pre-key', { identity: valid.identity, preKey: valid.preKey.subarray(1) }, '"secrets.preKey"'],
    [
      'a pre-key of 0xff bytes (≥ n)',
      { identity: valid.identity, preKey: new Uint8Array(32).fill(0xff) },
      '"secrets.preKey"',
    ],
    ['equal keys', { identity: valid.identity, preKey: Uint8Array.from(valid.identity) }, 'must differ'],
  ])('refuses %s before asking for a signature', async (_, secrets, message) => {
    const sign = vi.fn(signMessage);
    const attempt = generatePrivateKeyBundle({ signMessage: sign, secrets });
    await expect(attempt).rejects.toThrow(ProtocolArgumentError);
    await expect(attempt).rejects.toThrow(message);
    expect(sign).not.toHaveBeenCalled();
  });

  it('refuses "random" together with "secrets"', async () => {
    const random = (length: number) => new Uint8Array(length).fill(1);
    await expect(generatePrivateKeyBundle({ signMessage, random, secrets: valid })).rejects.toThrow(
      '"random" and "secrets" cannot be given together',
    );
  });

  it('without secrets still draws the keys from `random`, identity first', async () => {
    let counter = 0;
    const random = (length: number) => new Uint8Array(length).fill(++counter);
    const bundle = await generatePrivateKeyBundle({ signMessage, random });
    expect(bundle.identityKey.secretKey).toEqual(new Uint8Array(32).fill(1));
    expect(bundle.preKeys[0]!.secretKey).toEqual(new Uint8Array(32).fill(2));
  });
});

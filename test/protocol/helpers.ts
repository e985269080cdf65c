/** Fresh identities for the protocol tests: Cairn (src/protocol) and xmtp-js 13 (reference). */
import {
  InMemoryKeystore,
  InMemoryPersistence,
  PrivateKeyBundleV1,
  PrivateKeyBundleV2,
  SignedPublicKeyBundle,
} from '@xmtp/xmtp-js';
import type { Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  decodePrivateKeyBundle,
  generatePrivateKeyBundle,
  type PrivateKeyBundle,
  publicBundleOf,
  type VerifiedBundle,
  verifyBundle,
} from '../../src/protocol/index.ts';

/** A random wallet with both signer shapes. */
export function randomWallet() {
  const account = privateKeyToAccount(generatePrivateKey());
  return {
    address: account.address,
    signMessage: (message: string) => account.signMessage({ message }),
    /** The xmtp-js `Signer` interface. */
    xmtpSigner: {
      getAddress: async () => account.address,
      signMessage: (message: ArrayLike<number> | string) =>
        account.signMessage({
          message: typeof message === 'string' ? message : { raw: Uint8Array.from(message) },
        }),
    },
  };
}

export interface CairnIdentity {
  address: Address;
  keys: PrivateKeyBundle;
  bundle: VerifiedBundle;
}

/** A new Cairn identity for a random wallet. */
export async function cairnIdentity(): Promise<CairnIdentity> {
  const wallet = randomWallet();
  const keys = await generatePrivateKeyBundle({ signMessage: wallet.signMessage, address: wallet.address });
  return { address: wallet.address, keys, bundle: verifyBundle(publicBundleOf(keys)) };
}

export interface XmtpIdentity {
  address: Address;
  v1: PrivateKeyBundleV1;
  v2: PrivateKeyBundleV2;
  keystore: InMemoryKeystore;
  /** The v2 public bundle xmtp-js publishes and sends in SignedContent. */
  signedBundle: SignedPublicKeyBundle;
  /** The same keys as a Cairn private bundle (converted from the legacy v1 encoding). */
  asCairn: PrivateKeyBundle;
}

/** A new xmtp-js identity for a random wallet, offline: keys + in-memory keystore. */
export async function xmtpIdentity(): Promise<XmtpIdentity> {
  const wallet = randomWallet();
  const v1 = await PrivateKeyBundleV1.generate(wallet.xmtpSigner);
  const keystore = await InMemoryKeystore.create(v1, InMemoryPersistence.create());
  const v2 = PrivateKeyBundleV2.fromLegacyBundle(v1);
  return {
    address: wallet.address,
    v1,
    v2,
    keystore,
    signedBundle: SignedPublicKeyBundle.fromLegacyBundle(v1.getPublicKeyBundle()),
    asCairn: decodePrivateKeyBundle(v1.encode()),
  };
}

/** A copy of `bytes` with the byte at `index` XOR-ed with `mask` (never mutates the input). */
export function flip(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index] = out[index]! ^ mask;
  return out;
}

export const nowNs = () => BigInt(Date.now()) * 1_000_000n;

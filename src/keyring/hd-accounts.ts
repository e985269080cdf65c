/**
 * HD accounts: BIP-39 seed → BIP-32 master key → BIP-44 Ethereum path
 * `m/44'/60'/0'/0/i` (SLIP-44 coin type 60), the path MetaMask and viem use.
 * https://github.com/bitcoin/bips/blob/master/bip-0032.mediawiki
 * https://github.com/bitcoin/bips/blob/master/bip-0044.mediawiki
 */
import { HDKey } from '@scure/bip32';
import { mnemonicToSeed } from '@scure/bip39';
import { bytesToHex, type Hex } from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { InvalidParamsError } from './errors.ts';

/** BIP-44 prefix of every Ethereum external-chain account. */
export const HD_BASE_PATH = "m/44'/60'/0'/0";

/** Largest non-hardened BIP-32 child index. */
export const MAX_HD_INDEX = 2 ** 31 - 1;

/**
 * The derivation path of HD account `index`.
 * @example hdPath(1) // "m/44'/60'/0'/0/1"
 */
export function hdPath(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0 || index > MAX_HD_INDEX) {
    throw new InvalidParamsError(`"index" must be an integer between 0 and ${MAX_HD_INDEX}, got ${index}`);
  }
  return `${HD_BASE_PATH}/${index}`;
}

/**
 * Computes the BIP-39 seed of a normalized phrase (2048 rounds of PBKDF2-HMAC-SHA512,
 * empty passphrase) and returns the BIP-32 master key. Do this once per unlock and
 * keep the result: deriving accounts from it is cheap. The seed bytes are wiped.
 */
export async function hdMasterKeyFromMnemonic(mnemonic: string): Promise<HDKey> {
  const seed = await mnemonicToSeed(mnemonic);
  try {
    return HDKey.fromMasterSeed(seed);
  } finally {
    seed.fill(0);
  }
}

/** Derives the private key of HD account `index` from the master key, as `0x` hex. */
export function deriveHdPrivateKey(master: HDKey, index: number): Hex {
  const privateKey = deriveHdPrivateKeyBytes(master, index);
  try {
    return bytesToHex(privateKey);
  } finally {
    privateKey.fill(0);
  }
}

/** Derives the 32-byte private key of HD account `index`; the caller zeroes it after use. */
export function deriveHdPrivateKeyBytes(master: HDKey, index: number): Uint8Array {
  const node = master.derive(hdPath(index));
  try {
    const privateKey = node.privateKey; // a copy
    if (!privateKey) throw new InvalidParamsError('"master" must be a private HD key');
    return privateKey;
  } finally {
    node.wipePrivateData();
  }
}

/** The signing account of HD account `index`. */
export function deriveHdAccount(master: HDKey, index: number): PrivateKeyAccount {
  return privateKeyToAccount(deriveHdPrivateKey(master, index));
}

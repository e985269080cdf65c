/**
 * The decrypted wallet held in memory while unlocked: the vault secrets, the cached
 * BIP-32 master key, and one viem signer per account (HD accounts first, by index,
 * then imported keys in import order). Every change is persisted through a caller
 * supplied `persist` before it is applied in memory, so a failed write changes nothing.
 */
import type { HDKey } from '@scure/bip32';
import { hexToBytes } from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { deriveAccountSecret } from './account-secrets.ts';
import { type AccountInfo, defaultAccountName } from './accounts.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { InvalidParamsError, UnknownAccountError } from './errors.ts';
import {
  deriveHdAccount,
  deriveHdPrivateKeyBytes,
  hdMasterKeyFromMnemonic,
  MAX_HD_INDEX,
} from './hd-accounts.ts';
import { cloneVaultSecrets, MAX_MESSAGING_KEY_BYTES, type VaultSecrets } from './vault-secrets.ts';

interface Entry {
  info: AccountInfo;
  signer: PrivateKeyAccount;
}

/** Writes the next secrets to the vault; the wallet applies them only once this resolves. */
export type PersistSecrets = (next: VaultSecrets) => Promise<void>;

export class UnlockedWallet {
  #secrets: VaultSecrets;
  #master: HDKey | null;
  #entries: Entry[];

  private constructor(secrets: VaultSecrets, master: HDKey | null, entries: Entry[]) {
    this.#secrets = secrets;
    this.#master = master;
    this.#entries = entries;
  }

  /** Computes the seed once (if the wallet has a phrase) and derives every account. */
  static async open(secrets: VaultSecrets): Promise<UnlockedWallet> {
    const own = cloneVaultSecrets(secrets);
    const master = own.hd ? await hdMasterKeyFromMnemonic(own.hd.mnemonic) : null;
    const hd = (own.hd?.accountNames ?? []).map((name, index) => hdEntry(master!, index, name));
    const imported = own.imported.map(({ privateKey, name }, index): Entry => {
      const signer = privateKeyToAccount(privateKey);
      return { info: { address: signer.address, name, kind: 'imported', index }, signer };
    });
    return new UnlockedWallet(own, master, [...hd, ...imported]);
  }

  /** A copy of the secrets, e.g. to re-encrypt them under new KDF parameters. */
  secrets(): VaultSecrets {
    return cloneVaultSecrets(this.#secrets);
  }

  /** Copies of the account list, HD accounts first. */
  accounts(): AccountInfo[] {
    return this.#entries.map(({ info }) => ({ ...info }));
  }

  /** The signer of `address` (compared case-insensitively). */
  signer(address: string): PrivateKeyAccount {
    return this.#find(address).signer;
  }

  /** Derives the next HD account, persists its name, then adds it. */
  async addHdAccount(name: string | undefined, persist: PersistSecrets): Promise<AccountInfo> {
    const hd = this.#secrets.hd;
    if (!hd || !this.#master) {
      throw new InvalidParamsError('This wallet has no secret recovery phrase to derive accounts from');
    }
    const index = hd.accountNames.length;
    if (index > MAX_HD_INDEX) throw new InvalidParamsError('No more HD accounts can be derived');
    const entry = hdEntry(this.#master, index, name ?? defaultAccountName('hd', index));
    const next = cloneVaultSecrets(this.#secrets);
    next.hd?.accountNames.push(entry.info.name);
    await persist(next);
    this.#secrets = next;
    const firstImported = this.#entries.findIndex(({ info }) => info.kind === 'imported');
    this.#entries.splice(firstImported === -1 ? this.#entries.length : firstImported, 0, entry);
    return { ...entry.info };
  }

  /** Persists a new name for `address`, then applies it. */
  async renameAccount(address: string, name: string, persist: PersistSecrets): Promise<void> {
    const entry = this.#find(address);
    const next = cloneVaultSecrets(this.#secrets);
    if (entry.info.kind === 'hd') next.hd!.accountNames[entry.info.index] = name;
    else next.imported[entry.info.index]!.name = name;
    await persist(next);
    this.#secrets = next;
    entry.info.name = name;
  }

  /** The stored messaging key bundle of `address`, if one was generated. */
  messagingKey(address: string): Uint8Array | undefined {
    const { info } = this.#find(address);
    const stored = this.#secrets.messagingKeys?.[info.address];
    return stored === undefined ? undefined : decodeBase64(stored);
  }

  /** Persists `address`'s messaging key bundle (opaque bytes to the keyring), then keeps it. */
  async setMessagingKey(address: string, bundle: Uint8Array, persist: PersistSecrets): Promise<void> {
    const { info } = this.#find(address);
    if (bundle.length === 0 || bundle.length > MAX_MESSAGING_KEY_BYTES) {
      throw new InvalidParamsError(`"bundle" must be 1 to ${MAX_MESSAGING_KEY_BYTES} bytes`);
    }
    const next = cloneVaultSecrets(this.#secrets);
    next.messagingKeys = { ...next.messagingKeys, [info.address]: encodeBase64(bundle) };
    await persist(next);
    this.#secrets = next;
  }

  /**
   * A secret derived from `address`'s private key (see `deriveAccountSecret`); the key bytes
   * are zeroed before this returns.
   */
  deriveSecret(address: string, purpose: string, length: number): Uint8Array {
    const { info } = this.#find(address);
    const privateKey = this.#privateKeyBytes(info);
    try {
      return deriveAccountSecret(privateKey, info.address, purpose, length);
    } finally {
      privateKey.fill(0);
    }
  }

  /**
   * Drops every reference to key material and zeroes the master key bytes. Strings
   * (phrase, hex keys) cannot be overwritten in JS; they become unreachable.
   */
  wipe(): void {
    this.#master?.wipePrivateData();
    this.#master = null;
    this.#entries = [];
    this.#secrets = { version: 1, hd: null, imported: [] };
  }

  #privateKeyBytes(info: AccountInfo): Uint8Array {
    if (info.kind === 'hd') {
      if (!this.#master) throw new InvalidParamsError('This wallet has no secret recovery phrase');
      return deriveHdPrivateKeyBytes(this.#master, info.index);
    }
    const imported = this.#secrets.imported[info.index];
    if (!imported) throw new UnknownAccountError(info.address);
    return hexToBytes(imported.privateKey);
  }

  #find(address: string): Entry {
    const wanted = address.toLowerCase();
    const entry = this.#entries.find(({ info }) => info.address.toLowerCase() === wanted);
    if (!entry) throw new UnknownAccountError(address);
    return entry;
  }
}

function hdEntry(master: HDKey, index: number, name: string): Entry {
  const signer = deriveHdAccount(master, index);
  return { info: { address: signer.address, name, kind: 'hd', index }, signer };
}

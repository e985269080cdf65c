/**
 * The keyring: creates, unlocks and locks the vault, lists HD (BIP-44) and imported
 * accounts, and signs EIP-191 personal messages and EIP-712 typed data.
 * https://eips.ethereum.org/EIPS/eip-191 · https://eips.ethereum.org/EIPS/eip-712
 *
 * Storage is injected: the persistent `vaultStore` holds `vault` and
 * `unlockFailures`; the memory-only `sessionStore` holds `vaultKey` so a restarted
 * worker can resume. Vault writes and unlock attempts run one at a time under one
 * mutex, so parallel password guesses cannot skip the back-off. Secrets live only in
 * private fields and never reach an error message or a warning.
 */
import {
  type Address,
  type Hex,
  isAddress,
  type SignableMessage,
  type TransactionSerializable,
  type TypedDataDefinition,
} from 'viem';
import { MESSAGING_IDENTITY_SALT, MESSAGING_IDENTITY_SEED_BYTES } from './account-secrets.ts';
import { type AccountInfo, defaultAccountName, parseAccountName } from './accounts.ts';
import {
  InvalidParamsError,
  LockedError,
  NoVaultError,
  VaultExistsError,
  WeakPasswordError,
} from './errors.ts';
import type { KeyValueStore } from './key-value-store.ts';
import { parseMnemonic } from './mnemonic.ts';
import { Mutex } from './mutex.ts';
import { MIN_PASSWORD_LENGTH } from './password-policy.ts';
import { parsePrivateKey } from './private-key.ts';
import { clearSessionKey, readSessionKey, writeSessionKey } from './session-key.ts';
import { UnlockThrottle } from './unlock-throttle.ts';
import { UnlockedWallet } from './unlocked-wallet.ts';
import {
  createKdfParams,
  decryptVault,
  decryptVaultWithKey,
  deriveVaultKey,
  encryptVault,
} from './vault-cipher.ts';
import {
  CURRENT_PBKDF2_ITERATIONS,
  type KdfParams,
  MAX_PBKDF2_ITERATIONS,
  MIN_PBKDF2_ITERATIONS,
  parseVault,
  serializeVault,
  VAULT_STORAGE_KEY,
  type Vault,
} from './vault-format.ts';
import type { VaultSecrets } from './vault-secrets.ts';

export type { AccountInfo, AccountKind } from './accounts.ts';

export type KeyringStatus = 'uninitialized' | 'locked' | 'unlocked';

export { MIN_PASSWORD_LENGTH };

export interface KeyringOptions {
  /** Persistent (storage.local): keys `vault` (JSON string) and `unlockFailures`. */
  vaultStore: KeyValueStore;
  /** Memory-only (storage.session): key `vaultKey` = `{ key, salt }`, both base64. */
  sessionStore: KeyValueStore;
  /** WebCrypto; defaults to `globalThis.crypto`. */
  crypto?: Crypto;
  /** Waits between failed unlocks; defaults to a timer. Tests record instead. */
  sleep?: (ms: number) => Promise<void>;
  /** PBKDF2 iterations for new and upgraded vaults; at least MIN_PBKDF2_ITERATIONS. */
  kdfIterations?: number;
  /** Non-fatal problems (a failed upgrade or session write). Never receives secrets. */
  onWarning?: (message: string) => void;
}

/** What is held while unlocked: the wallet, and the key + KDF parameters of the stored vault. */
interface Unlocked {
  wallet: UnlockedWallet;
  key: CryptoKey;
  kdf: KdfParams;
}

const defaultSleep = (ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));

export class Keyring {
  readonly #vaultStore: KeyValueStore;
  readonly #sessionStore: KeyValueStore;
  readonly #crypto: { crypto: Crypto };
  readonly #kdfIterations: number;
  readonly #onWarning: (message: string) => void;
  readonly #throttle: UnlockThrottle;
  readonly #mutex = new Mutex();
  #unlocked: Unlocked | null = null;

  constructor(options: KeyringOptions) {
    const iterations = options.kdfIterations ?? CURRENT_PBKDF2_ITERATIONS;
    if (
      !Number.isSafeInteger(iterations) ||
      iterations < MIN_PBKDF2_ITERATIONS ||
      iterations > MAX_PBKDF2_ITERATIONS
    ) {
      throw new InvalidParamsError(
        `"kdfIterations" must be an integer from ${MIN_PBKDF2_ITERATIONS} to ${MAX_PBKDF2_ITERATIONS}, got ${iterations}`,
      );
    }
    this.#vaultStore = options.vaultStore;
    this.#sessionStore = options.sessionStore;
    this.#crypto = { crypto: options.crypto ?? globalThis.crypto };
    this.#kdfIterations = iterations;
    const onWarning = options.onWarning ?? (() => {});
    // A throwing warning sink must not turn a handled problem into a failed unlock.
    this.#onWarning = (message) => {
      try {
        onWarning(message);
      } catch {}
    };
    this.#throttle = new UnlockThrottle({
      store: options.vaultStore,
      sleep: options.sleep ?? defaultSleep,
      onWarning: this.#onWarning,
    });
  }

  /** 'unlocked' in memory, else 'locked' if any vault is stored (even an unreadable one), else 'uninitialized'. */
  async status(): Promise<KeyringStatus> {
    if (this.#unlocked) return 'unlocked';
    return (await this.#vaultStore.get(VAULT_STORAGE_KEY)) === undefined ? 'uninitialized' : 'locked';
  }

  /** Creates a vault from a recovery phrase with one HD account, "Account 1"; ends unlocked. */
  createFromMnemonic(password: string, mnemonic: string): Promise<AccountInfo[]> {
    return this.#mutex.runExclusive(async () => {
      await this.#assertNoVault();
      assertNewPassword(password);
      const phrase = parseMnemonic(mnemonic);
      return this.#create(password, {
        version: 1,
        hd: { mnemonic: phrase, accountNames: [defaultAccountName('hd', 0)] },
        imported: [],
      });
    });
  }

  /** Creates a vault holding one imported key, "Imported 1", and no recovery phrase; ends unlocked. */
  createFromPrivateKey(password: string, privateKey: string): Promise<AccountInfo[]> {
    return this.#mutex.runExclusive(async () => {
      await this.#assertNoVault();
      assertNewPassword(password);
      const key = parsePrivateKey(privateKey);
      return this.#create(password, {
        version: 1,
        hd: null,
        imported: [{ privateKey: key, name: defaultAccountName('imported', 0) }],
      });
    });
  }

  /**
   * Waits the back-off owed for earlier failures, then opens the vault with the password.
   * Re-encrypts a vault weaker than the target KDF parameters (best effort).
   * @throws IncorrectPasswordError on any decryption failure; VaultFormatError if the stored vault is unreadable (it is left untouched); NoVaultError.
   */
  unlock(password: string): Promise<AccountInfo[]> {
    return this.#mutex.runExclusive(async () => {
      if (typeof password !== 'string') throw new InvalidParamsError('"password" must be a string');
      const vault = await this.#readVault();
      await this.#throttle.beginAttempt();
      const { secrets, key } = await decryptVault(password, vault, this.#crypto);
      const wallet = await UnlockedWallet.open(secrets);
      await this.#throttle.succeeded();
      let current = { key, kdf: vault.kdf };
      if (vault.kdf.iterations < this.#kdfIterations) {
        current = await this.#upgrade(password, secrets, current);
      }
      this.#replaceUnlocked({ wallet, ...current });
      await this.#storeSessionKey(current.key, current.kdf.salt);
      return wallet.accounts();
    });
  }

  /**
   * After a worker restart: reopens the vault with the key kept in session storage.
   * @returns true if unlocked. A key that no longer opens the stored vault is removed.
   */
  restoreSession(): Promise<boolean> {
    return this.#mutex.runExclusive(async () => {
      if (this.#unlocked) return true;
      const session = await readSessionKey(this.#sessionStore, this.#crypto);
      if (!session) {
        await clearSessionKey(this.#sessionStore);
        return false;
      }
      const stored = await this.#vaultStore.get(VAULT_STORAGE_KEY);
      try {
        const vault = parseVault(stored);
        if (!equalBytes(vault.kdf.salt, session.salt)) throw new Error('session key is for another vault');
        const wallet = await UnlockedWallet.open(await decryptVaultWithKey(session.key, vault, this.#crypto));
        this.#replaceUnlocked({ wallet, key: session.key, kdf: vault.kdf });
        return true;
      } catch {
        this.#onWarning('The saved session does not open the stored vault; the password is needed');
        await clearSessionKey(this.#sessionStore);
        return false;
      }
    });
  }

  /** Forgets every secret in memory and removes the session key. */
  lock(): Promise<void> {
    return this.#mutex.runExclusive(async () => {
      this.#replaceUnlocked(null);
      await clearSessionKey(this.#sessionStore);
    });
  }

  isUnlocked(): boolean {
    return this.#unlocked !== null;
  }

  /** HD accounts by index, then imported keys in import order. @throws LockedError */
  getAccounts(): AccountInfo[] {
    return this.#requireUnlocked().wallet.accounts();
  }

  /**
   * Derives the next HD account and persists it (default name "Account N").
   * @throws InvalidParamsError if the wallet has no recovery phrase.
   */
  addAccount(name?: string): Promise<AccountInfo> {
    return this.#mutex.runExclusive(async () => {
      const unlocked = this.#requireUnlocked();
      const parsed = name === undefined ? undefined : parseAccountName(name);
      return unlocked.wallet.addHdAccount(parsed, (next) => this.#persist(unlocked, next));
    });
  }

  /** Renames an account (trimmed, 1 to 40 characters) and persists it. */
  renameAccount(address: Address, name: string): Promise<void> {
    return this.#mutex.runExclusive(async () => {
      const unlocked = this.#requireUnlocked();
      assertAddress(address);
      const parsed = parseAccountName(name);
      await unlocked.wallet.renameAccount(address, parsed, (next) => this.#persist(unlocked, next));
    });
  }

  /** The messaging (XMTP) private key bundle stored for `address`, or undefined if none yet. @throws LockedError */
  getMessagingKey(address: Address): Uint8Array | undefined {
    assertAddress(address);
    return this.#requireUnlocked().wallet.messagingKey(address);
  }

  /** Stores `address`'s messaging key bundle inside the encrypted vault (generated once, kept across unlocks). */
  saveMessagingKey(address: Address, bundle: Uint8Array): Promise<void> {
    return this.#mutex.runExclusive(async () => {
      const unlocked = this.#requireUnlocked();
      assertAddress(address);
      await unlocked.wallet.setMessagingKey(address, bundle, (next) => this.#persist(unlocked, next));
    });
  }

  /**
   * 96 bytes to derive `address`'s messaging identity from: HKDF-SHA256 of the account's private
   * key (salt `MESSAGING_IDENTITY_SALT`, info the checksummed address). The same phrase or key
   * gives the same seed in every browser; the key itself is never returned. Zero it after use.
   * @throws LockedError, UnknownAccountError
   */
  messagingIdentitySeed(address: Address): Uint8Array {
    assertAddress(address);
    return this.#requireUnlocked().wallet.deriveSecret(
      address,
      MESSAGING_IDENTITY_SALT,
      MESSAGING_IDENTITY_SEED_BYTES,
    );
  }

  /** EIP-191 `personal_sign` of `message` by `address`. */
  async signMessage(address: Address, message: SignableMessage): Promise<Hex> {
    return this.#signer(address).signMessage({ message });
  }

  /** EIP-712 `eth_signTypedData_v4` of `typedData` by `address`. */
  async signTypedData(address: Address, typedData: TypedDataDefinition): Promise<Hex> {
    return this.#signer(address).signTypedData(typedData);
  }

  /** Signs a fully prepared transaction (nonce, gas, fees and chain id filled in); returns the raw signed bytes. */
  async signTransaction(address: Address, transaction: TransactionSerializable): Promise<Hex> {
    return this.#signer(address).signTransaction(transaction);
  }

  #signer(address: Address) {
    const unlocked = this.#requireUnlocked();
    assertAddress(address);
    return unlocked.wallet.signer(address);
  }

  #requireUnlocked(): Unlocked {
    if (!this.#unlocked) throw new LockedError();
    return this.#unlocked;
  }

  async #assertNoVault(): Promise<void> {
    if ((await this.#vaultStore.get(VAULT_STORAGE_KEY)) !== undefined) throw new VaultExistsError();
  }

  async #readVault(): Promise<Vault> {
    const stored = await this.#vaultStore.get(VAULT_STORAGE_KEY);
    if (stored === undefined) throw new NoVaultError();
    return parseVault(stored);
  }

  async #create(password: string, secrets: VaultSecrets): Promise<AccountInfo[]> {
    const wallet = await UnlockedWallet.open(secrets);
    const kdf = createKdfParams(this.#kdfIterations, this.#crypto);
    const key = await deriveVaultKey(password, kdf, this.#crypto);
    const vault = await encryptVault(key, kdf, secrets, this.#crypto);
    await this.#throttle.succeeded();
    await this.#vaultStore.set(VAULT_STORAGE_KEY, serializeVault(vault));
    this.#replaceUnlocked({ wallet, key, kdf });
    await this.#storeSessionKey(key, kdf.salt);
    return wallet.accounts();
  }

  /** Re-encrypts under the same key and KDF parameters with a new IV: one atomic write. */
  async #persist(unlocked: Unlocked, secrets: VaultSecrets): Promise<void> {
    const vault = await encryptVault(unlocked.key, unlocked.kdf, secrets, this.#crypto);
    await this.#vaultStore.set(VAULT_STORAGE_KEY, serializeVault(vault));
  }

  /**
   * Re-encrypts with a new salt and the target iterations, checks the result opens
   * with the password, then replaces the vault in one write. On any failure the
   * stored vault is unchanged and the current key stays in use.
   */
  async #upgrade(
    password: string,
    secrets: VaultSecrets,
    current: { key: CryptoKey; kdf: KdfParams },
  ): Promise<{ key: CryptoKey; kdf: KdfParams }> {
    try {
      const kdf = createKdfParams(this.#kdfIterations, this.#crypto);
      const key = await deriveVaultKey(password, kdf, this.#crypto);
      const serialized = serializeVault(await encryptVault(key, kdf, secrets, this.#crypto));
      const check = await decryptVault(password, parseVault(serialized), this.#crypto);
      if (JSON.stringify(check.secrets) !== JSON.stringify(secrets)) throw new Error('round trip mismatch');
      await this.#vaultStore.set(VAULT_STORAGE_KEY, serialized);
      return { key, kdf };
    } catch (error) {
      this.#onWarning(
        `Could not upgrade the vault to ${this.#kdfIterations} PBKDF2 iterations; it stays at ${current.kdf.iterations} (${errorName(error)})`,
      );
      return current;
    }
  }

  /** Best effort: without it the wallet works but a restarted worker asks for the password. */
  async #storeSessionKey(key: CryptoKey, salt: Uint8Array): Promise<void> {
    try {
      await writeSessionKey(this.#sessionStore, { key, salt }, this.#crypto);
    } catch (error) {
      this.#onWarning(`Could not save the session key (${errorName(error)})`);
    }
  }

  #replaceUnlocked(next: Unlocked | null): void {
    if (this.#unlocked && this.#unlocked.wallet !== next?.wallet) this.#unlocked.wallet.wipe();
    this.#unlocked = next;
  }
}

function assertNewPassword(password: unknown): void {
  if (typeof password !== 'string') throw new InvalidParamsError('"password" must be a string');
  if (password.length < MIN_PASSWORD_LENGTH) throw new WeakPasswordError(MIN_PASSWORD_LENGTH);
}

function assertAddress(address: unknown): void {
  if (typeof address !== 'string' || !isAddress(address, { strict: false })) {
    throw new InvalidParamsError('"address" must be a 20-byte hex address');
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** An error's class name only: messages from storage layers are not ours to forward. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

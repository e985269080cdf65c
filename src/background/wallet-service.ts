/**
 * The wallet's privileged operations, as the popup sees them: one handler per
 * `UiApi` method. Every state-changing call reports the new state so open pages
 * can follow (e.g. an auto-lock while the popup is open).
 */

import type { Keyring } from '../keyring/keyring';
import { generateMnemonic } from '../keyring/mnemonic';
import type { AutoLock } from './auto-lock';
import type { SettingsStore } from './settings-store';
import type { UiHandlers, UiMethod, WalletState } from './ui-api-contract';

const PASSIVE_METHODS: ReadonlySet<UiMethod> = new Set<UiMethod>(['getApproval']);

export type WalletUiMethods =
  | 'getState'
  | 'generateMnemonic'
  | 'createFromMnemonic'
  | 'createFromPrivateKey'
  | 'unlock'
  | 'lock'
  | 'addAccount'
  | 'renameAccount'
  | 'setAutoLockMinutes';

export interface WalletServiceOptions {
  keyring: Keyring;
  settings: SettingsStore;
  autoLock: AutoLock;
  onStateChange?: (state: WalletState) => void;
}

export class WalletService {
  readonly #keyring: Keyring;
  readonly #settings: SettingsStore;
  readonly #autoLock: AutoLock;
  readonly #onStateChange: (state: WalletState) => void;

  constructor(options: WalletServiceOptions) {
    this.#keyring = options.keyring;
    this.#settings = options.settings;
    this.#autoLock = options.autoLock;
    this.#onStateChange = options.onStateChange ?? (() => {});
  }

  async state(): Promise<WalletState> {
    const status = await this.#keyring.status();
    return {
      status,
      accounts: status === 'unlocked' ? this.#keyring.getAccounts() : [],
      autoLockMinutes: await this.#settings.getAutoLockMinutes(),
    };
  }

  /**
   * User activity through an extension page pushes the auto-lock back while unlocked.
   * An approval window re-reading its request is polling, not a person at work.
   */
  async recordActivity(method: UiMethod): Promise<void> {
    if (PASSIVE_METHODS.has(method)) return;
    if (this.#keyring.isUnlocked()) await this.#autoLock.touch();
  }

  async lock(): Promise<WalletState> {
    await this.#keyring.lock();
    await this.#autoLock.cancel();
    return this.#changed();
  }

  readonly handlers: Pick<UiHandlers, WalletUiMethods> = {
    getState: () => this.state(),
    generateMnemonic: async ({ words }) => ({ mnemonic: generateMnemonic(words) }),
    createFromMnemonic: async ({ password, mnemonic }) => {
      await this.#keyring.createFromMnemonic(password, mnemonic);
      return this.#unlockedChanged();
    },
    createFromPrivateKey: async ({ password, privateKey }) => {
      await this.#keyring.createFromPrivateKey(password, privateKey);
      return this.#unlockedChanged();
    },
    unlock: async ({ password }) => {
      await this.#keyring.unlock(password);
      return this.#unlockedChanged();
    },
    lock: () => this.lock(),
    addAccount: async ({ name }) => {
      await this.#keyring.addAccount(name);
      return this.#changed();
    },
    renameAccount: async ({ address, name }) => {
      await this.#keyring.renameAccount(address, name);
      return this.#changed();
    },
    setAutoLockMinutes: async ({ minutes }) => {
      await this.#settings.setAutoLockMinutes(minutes);
      if (this.#keyring.isUnlocked()) await this.#autoLock.touch();
      return this.#changed();
    },
  };

  async #unlockedChanged(): Promise<WalletState> {
    await this.#autoLock.touch();
    return this.#changed();
  }

  async #changed(): Promise<WalletState> {
    const state = await this.state();
    this.#onStateChange(state);
    return state;
  }
}

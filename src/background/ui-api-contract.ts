/**
 * The privileged API between extension pages (popup, approval windows) and the
 * background. Types only: the UI imports this file for its client, the background
 * pairs each method with a runtime schema in `ui-api-schemas.ts`.
 */
import type { Address } from 'viem';
import type { AccountInfo, KeyringStatus } from '../keyring/keyring';

export const UI_PORT_NAME = 'cairn-ui';

export interface WalletState {
  status: KeyringStatus;
  /** Empty unless unlocked. */
  accounts: AccountInfo[];
  autoLockMinutes: number;
}

export interface UiApi {
  getState: { params: undefined; result: WalletState };
  generateMnemonic: { params: { words: 12 | 24 }; result: { mnemonic: string } };
  createFromMnemonic: { params: { password: string; mnemonic: string }; result: WalletState };
  createFromPrivateKey: { params: { password: string; privateKey: string }; result: WalletState };
  unlock: { params: { password: string }; result: WalletState };
  lock: { params: undefined; result: WalletState };
  addAccount: { params: { name?: string }; result: WalletState };
  renameAccount: { params: { address: Address; name: string }; result: WalletState };
  setAutoLockMinutes: { params: { minutes: number }; result: WalletState };
}

export type UiMethod = keyof UiApi;
export type UiParams<M extends UiMethod> = UiApi[M]['params'];
export type UiResult<M extends UiMethod> = UiApi[M]['result'];

/** Wire messages on the UI port. Errors carry only `{ code, message }`. */
export type UiRequestMessage = { type: 'request'; id: number; method: string; params?: unknown };
export type UiResponseMessage =
  | { type: 'response'; id: number; result: unknown }
  | { type: 'response'; id: number; error: { code: number; message: string } };
export type UiEventMessage = { type: 'event'; event: 'state'; data: WalletState };

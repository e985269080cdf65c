/**
 * Account metadata shown to the UI and dapps: address (EIP-55), name, kind, index.
 * https://eips.ethereum.org/EIPS/eip-55
 */
import type { Address } from 'viem';
import { InvalidParamsError } from './errors.ts';

export type AccountKind = 'hd' | 'imported';

export interface AccountInfo {
  /** EIP-55 checksummed. */
  address: Address;
  name: string;
  kind: AccountKind;
  /** The HD index (`m/44'/60'/0'/0/index`), or the position among imported keys. */
  index: number;
}

export const MAX_ACCOUNT_NAME_LENGTH = 40;

const CONTROL_CHARACTER = /\p{Cc}/u;

/** True for a stored name: already trimmed, 1 to 40 characters, no control characters. */
export function isAccountName(name: string): boolean {
  const length = [...name].length;
  return (
    name === name.trim() && length >= 1 && length <= MAX_ACCOUNT_NAME_LENGTH && !CONTROL_CHARACTER.test(name)
  );
}

/**
 * Trims and validates a user-chosen account name.
 * @throws InvalidParamsError unless the trimmed name has 1 to 40 characters and no control characters.
 */
export function parseAccountName(input: unknown): string {
  if (typeof input !== 'string') throw new InvalidParamsError('"name" must be a string');
  const name = input.trim();
  if (!isAccountName(name)) {
    throw new InvalidParamsError(
      `"name" must be 1 to ${MAX_ACCOUNT_NAME_LENGTH} characters without control characters`,
    );
  }
  return name;
}

/** "Account 1", "Account 2", … for HD accounts; "Imported 1", … for imported keys. */
export function defaultAccountName(kind: AccountKind, index: number): string {
  return `${kind === 'hd' ? 'Account' : 'Imported'} ${index + 1}`;
}

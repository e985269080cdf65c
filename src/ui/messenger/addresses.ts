/** Address helpers for the messenger: comparison and the recipient field's validation. */
import { type Address, getAddress, isAddress } from 'viem';

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Whether two addresses name the same account, whatever their letter case. */
export function sameAddress(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export type ParseRecipientReturnType = { address: Address } | { error: string };

/**
 * Reads what the user typed as a recipient: a 0x address of 40 hex digits, all
 * lower or upper case or with a valid EIP-55 checksum. Returns the checksummed
 * address or what to tell the user.
 * @example parseRecipient(' 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266 ') // { address: '0xf39F…2266' }
 */
export function parseRecipient(input: string): ParseRecipientReturnType {
  const value = input.trim();
  if (value === '') return { error: 'Enter the recipient’s address' };
  if (!HEX_ADDRESS.test(value)) return { error: 'Enter a 0x address of 40 hex characters' };
  const digits = value.slice(2);
  const oneCase = digits === digits.toLowerCase() || digits === digits.toUpperCase();
  if (!oneCase && !isAddress(value, { strict: true }))
    return { error: 'The address checksum does not match; check it for typos' };
  return { address: getAddress(value) };
}

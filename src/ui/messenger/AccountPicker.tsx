/** Which of the wallet's accounts the messenger speaks for; shown only when there is a choice. */
import type { Address } from 'viem';
import type { AccountInfo } from '../../keyring/keyring';
import { shortAddress } from '../wallet/AccountRow';

export function AccountPicker({
  accounts,
  account,
  onAccount,
}: {
  accounts: readonly AccountInfo[];
  account: Address;
  onAccount: (account: Address) => void;
}) {
  if (accounts.length < 2) return null;
  return (
    <select
      class="account-picker"
      aria-label="Account"
      value={account}
      onChange={(e) => {
        const picked = accounts.find((candidate) => candidate.address === e.currentTarget.value);
        if (picked) onAccount(picked.address);
      }}
    >
      {accounts.map((candidate) => (
        <option key={candidate.address} value={candidate.address}>
          {candidate.name} · {shortAddress(candidate.address)}
        </option>
      ))}
    </select>
  );
}

/** The content of one approval, per kind, with its decision buttons. */
import { useState } from 'preact/hooks';
import { formatEther } from 'viem';
import type { ApprovalDetails, TransactionView } from '../../background/dapp/approval-types';
import type { AccountInfo } from '../../keyring/keyring';
import { Identicon } from '../components/Identicon';
import { shortAddress } from '../wallet/AccountRow';
import { DataTree } from './DataTree';
import { useArmed } from './use-armed';

export interface Decision {
  approved: boolean;
  accounts?: AccountInfo['address'][];
}

function Buttons({
  approveLabel,
  disabled,
  onDecide,
}: {
  approveLabel: string;
  disabled?: boolean;
  onDecide: (approved: boolean) => void;
}) {
  const armed = useArmed();
  return (
    <div class="actions row">
      <button type="button" onClick={() => onDecide(false)}>
        Reject
      </button>
      <button type="button" class="primary" disabled={disabled || !armed} onClick={() => onDecide(true)}>
        {approveLabel}
      </button>
    </div>
  );
}

function AccountLine({ address, accounts }: { address: string; accounts: AccountInfo[] }) {
  const account = accounts.find((a) => a.address === address);
  return (
    <p class="account-line" data-address={address}>
      <span>Account:</span> <strong>{account?.name ?? 'Unknown account'}</strong>{' '}
      <code title={address}>{shortAddress(address)}</code>
    </p>
  );
}

function TransactionFacts({ transaction: tx }: { transaction: TransactionView }) {
  const symbol = tx.network.currencySymbol;
  return (
    <dl class="facts">
      <dt>To</dt>
      <dd>
        <code>{tx.to ?? 'New contract'}</code>
      </dd>
      <dt>Value</dt>
      <dd>
        {formatEther(BigInt(tx.valueWei))} {symbol}
      </dd>
      <dt>Network</dt>
      <dd>
        {tx.network.name} ({tx.network.chainId})
      </dd>
      <dt>Max fee</dt>
      <dd>
        {formatEther(BigInt(tx.maxFeeWei))} {symbol}
      </dd>
      <dt>Data</dt>
      <dd>
        <code class="data">
          {tx.data === '0x'
            ? 'none'
            : `${tx.data.slice(0, 138)}${tx.data.length > 138 ? '…' : ''} (${(tx.data.length - 2) / 2} bytes)`}
        </code>
      </dd>
    </dl>
  );
}

const MESSAGING_TEXT =
  'It may also read your conversations, send messages, replies and reactions, and be told of new messages, without asking you each time, as:';

/** The account a site messages as, in full: the user must see exactly which address speaks. */
function MessagingAccount({
  address,
  accounts,
}: {
  address: AccountInfo['address'] | undefined;
  accounts: AccountInfo[];
}) {
  if (!address) return <p class="hint">Choose an account.</p>;
  const account = accounts.find((a) => a.address === address);
  return (
    <p class="account-line messaging-account" data-address={address}>
      <Identicon address={address} size={20} /> <strong>{account?.name ?? 'Unknown account'}</strong>{' '}
      <code>{address}</code>
    </p>
  );
}

function ConnectBody({
  accounts,
  messaging = false,
  onDecide,
}: {
  accounts: AccountInfo[];
  /** Connect and allow messaging (as the first chosen account) in one approval. */
  messaging?: boolean;
  onDecide: (d: Decision) => void;
}) {
  const [chosen, setChosen] = useState<AccountInfo['address'][]>(accounts[0] ? [accounts[0].address] : []);
  return (
    <>
      <p>The site will see the chosen addresses and may ask you to sign messages and transactions.</p>
      {messaging ? (
        <>
          <p>{MESSAGING_TEXT}</p>
          <MessagingAccount address={chosen[0]} accounts={accounts} />
        </>
      ) : null}
      <fieldset class="pick-accounts">
        <legend>Accounts to connect</legend>
        {accounts.map((account) => (
          <label key={account.address} class="check">
            <input
              type="checkbox"
              checked={chosen.includes(account.address)}
              onChange={(e) =>
                setChosen(
                  e.currentTarget.checked
                    ? [...chosen, account.address]
                    : chosen.filter((address) => address !== account.address),
                )
              }
            />
            <Identicon address={account.address} size={20} />
            {account.name} <code>{shortAddress(account.address)}</code>
          </label>
        ))}
      </fieldset>
      <Buttons
        approveLabel={messaging ? 'Connect and allow' : 'Connect'}
        disabled={chosen.length === 0}
        onDecide={(approved) => onDecide(approved ? { approved, accounts: chosen } : { approved })}
      />
    </>
  );
}

export function ApprovalBody({
  details,
  accounts,
  onDecide,
}: {
  details: ApprovalDetails;
  accounts: AccountInfo[];
  onDecide: (decision: Decision) => void;
}) {
  const decide = (approved: boolean) => onDecide({ approved });
  switch (details.kind) {
    case 'connect':
      return <ConnectBody accounts={accounts} onDecide={onDecide} />;
    case 'messaging':
      if (details.accounts === null) return <ConnectBody accounts={accounts} messaging onDecide={onDecide} />;
      return (
        <>
          <p>
            The site may read your conversations, send messages, replies and reactions, and be told of new
            messages, without asking you each time, as:
          </p>
          <MessagingAccount address={details.accounts[0]} accounts={accounts} />
          <p class="hint">Revoke it any time in Settings → Connected sites.</p>
          <Buttons approveLabel="Allow" onDecide={decide} />
        </>
      );
    case 'signMessage':
      return (
        <>
          <AccountLine address={details.address} accounts={accounts} />
          <h2>Message</h2>
          <section aria-label="Message">
            <pre class="message">{details.message.text ?? details.message.hex}</pre>
          </section>
          {details.message.text === null ? <p class="hint">Not readable text; shown as hex.</p> : null}
          <Buttons approveLabel="Sign" onDecide={decide} />
        </>
      );
    case 'signTypedData':
      return (
        <>
          <AccountLine address={details.address} accounts={accounts} />
          <h2>{details.typedData.primaryType}</h2>
          <section aria-label="Domain">
            <h3>Domain</h3>
            <DataTree value={details.typedData.domain} />
          </section>
          <section aria-label="Message">
            <h3>Message</h3>
            <DataTree value={details.typedData.message} />
          </section>
          <Buttons approveLabel="Sign" onDecide={decide} />
        </>
      );
    case 'switchChain':
    case 'addChain':
      return (
        <>
          <p>
            {details.kind === 'addChain'
              ? 'Add this network and switch to it?'
              : 'Switch the wallet to this network?'}
          </p>
          <dl class="facts">
            <dt>Network</dt>
            <dd>{details.network.name}</dd>
            <dt>Chain ID</dt>
            <dd>{details.network.chainId}</dd>
            <dt>RPC URL</dt>
            <dd>
              <code>{details.network.rpcUrl}</code>
            </dd>
            <dt>Currency</dt>
            <dd>{details.network.currencySymbol}</dd>
          </dl>
          <Buttons approveLabel="Confirm" onDecide={decide} />
        </>
      );
    case 'sendTransaction':
      return (
        <>
          <AccountLine address={details.address} accounts={accounts} />
          <TransactionFacts transaction={details.transaction} />
          <Buttons approveLabel="Confirm" onDecide={decide} />
        </>
      );
    case 'walletTransaction':
      return (
        <>
          <p class="purpose">{details.purpose}</p>
          <AccountLine address={details.address} accounts={accounts} />
          <TransactionFacts transaction={details.transaction} />
          <Buttons approveLabel="Confirm" onDecide={decide} />
        </>
      );
  }
}

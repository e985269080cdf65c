/**
 * Settings › Messaging › Key on chain: for each account, whether the KeyRegistry holds its
 * current messaging key (peers find it there when no relay knows it, and everyone sees when it
 * changes), and a button to publish it: one transaction from the account, confirmed in Cairn's
 * approval window.
 */
import { useEffect, useState } from 'preact/hooks';
import type { KeyOnChain as KeyStatus } from '../../background/messaging/key-registry-service';
import type { AccountInfo } from '../../keyring/keyring';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { errorMessage } from '../error-message';
import { shortAddress } from '../wallet/AccountRow';

function describe(key: KeyStatus): string {
  const where = `${key.network}, block ${key.block}`;
  switch (key.status) {
    case 'current':
      return `Your current key is on chain (version ${key.version}, ${where}).`;
    case 'outdated':
      return `The key on chain is an older one (version ${key.version}, ${where}).`;
    case 'unpublished':
      return `Never published on ${key.network}.`;
    case 'confirming':
      return `Your current key is on its way to ${key.network}: the transaction is not mined yet.`;
  }
}

function AccountKey({ client, account }: { client: Pick<UiClient, 'call'>; account: AccountInfo }) {
  const [key, setKey] = useState<KeyStatus | null>(null);
  const [running, setRunning] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reads, setReads] = useState(0);

  useEffect(() => {
    let stopped = false;
    client
      .call('getKeyOnChain', { account: account.address })
      .then((status) => {
        if (!stopped) setKey(status);
      })
      .catch((cause: unknown) => {
        if (!stopped) setError(errorMessage(cause));
      });
    return () => {
      stopped = true;
    };
  }, [client, account.address, reads]);

  async function publish() {
    setRunning(true);
    setError(null);
    setDone(null);
    try {
      const result = await client.call('publishKeyOnChain', { account: account.address });
      const pinned = `kept by ${result.pinnedBy} relay(s)`;
      setDone(
        result.status === 'confirming'
          ? `Sent; waiting for the transaction to be mined (${pinned}).`
          : `Published your key on chain (${pinned}).`,
      );
      setReads((n) => n + 1);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setRunning(false);
    }
  }

  const label = `${account.name} (${shortAddress(account.address)})`;
  return (
    <li class="account-key" aria-label={label}>
      <strong>{label}</strong>
      {key ? (
        <p class={`key-status ${key.status}`}>{describe(key)}</p>
      ) : error ? null : (
        <p class="hint">Reading…</p>
      )}
      {key && key.status !== 'current' && key.status !== 'confirming' ? (
        <button type="button" disabled={running} onClick={() => void publish()}>
          {running ? 'Publishing…' : 'Publish my key on chain'}
        </button>
      ) : null}
      {done ? <p role="status">{done}</p> : null}
      <ErrorNote message={error} />
    </li>
  );
}

export function KeyOnChain({
  client,
  accounts,
}: {
  client: Pick<UiClient, 'call'>;
  accounts: readonly AccountInfo[];
}) {
  return (
    <div class="key-on-chain">
      <h3 id="key-on-chain-heading">Key on chain</h3>
      <p class="hint">
        Peers find your messaging key in the KeyRegistry when no relay knows it, and every change is public.
      </p>
      <ul class="account-keys" aria-labelledby="key-on-chain-heading">
        {accounts.map((account) => (
          <AccountKey key={account.address} client={client} account={account} />
        ))}
      </ul>
    </div>
  );
}

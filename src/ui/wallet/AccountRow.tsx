import { useState } from 'preact/hooks';
import type { AccountInfo } from '../../keyring/keyring';
import { Identicon } from '../components/Identicon';

export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

export function AccountRow({
  account,
  onRename,
}: {
  account: AccountInfo;
  onRename: (name: string) => Promise<void>;
}) {
  const [copied, setCopied] = useState(false);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(account.name);

  async function copy() {
    await navigator.clipboard.writeText(account.address);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }

  return (
    <li class="account" data-address={account.address}>
      <Identicon address={account.address} />
      <div class="account-text">
        {editing ? (
          <form
            class="rename"
            onSubmit={async (e) => {
              e.preventDefault();
              await onRename(name);
              setEditing(false);
            }}
          >
            <input
              aria-label={`Name of ${account.name}`}
              maxLength={40}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
            <button type="submit">Save</button>
          </form>
        ) : (
          <button type="button" class="link name" title="Rename" onClick={() => setEditing(true)}>
            {account.name}
            {account.kind === 'imported' ? <span class="tag">imported</span> : null}
          </button>
        )}
        <code class="address" title={account.address}>
          {shortAddress(account.address)}
        </code>
      </div>
      <button type="button" class="icon" aria-label={`Copy address of ${account.name}`} onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </li>
  );
}

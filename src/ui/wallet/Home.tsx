import { useState } from 'preact/hooks';
import type { WalletState } from '../../background/ui-api-contract';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { errorMessage } from '../error-message';
import { AccountRow } from './AccountRow';

export function Home({
  client,
  state,
  onState,
  onSettings,
}: {
  client: UiClient;
  state: WalletState;
  onState: (state: WalletState) => void;
  onSettings: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const hasPhrase = state.accounts.some((account) => account.kind === 'hd');

  async function run(action: () => Promise<WalletState>) {
    setError(null);
    try {
      onState(await action());
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  return (
    <main class="screen home">
      <header class="bar">
        <h1>Accounts</h1>
        <button type="button" onClick={onSettings}>
          Settings
        </button>
        <button type="button" onClick={() => run(() => client.call('lock'))}>
          Lock
        </button>
      </header>
      <ul class="accounts" aria-label="Accounts">
        {state.accounts.map((account) => (
          <AccountRow
            key={account.address}
            account={account}
            onRename={(name) => run(() => client.call('renameAccount', { address: account.address, name }))}
          />
        ))}
      </ul>
      <ErrorNote message={error} />
      {hasPhrase ? (
        <div class="actions">
          <button type="button" onClick={() => run(() => client.call('addAccount', {}))}>
            Add account
          </button>
        </div>
      ) : null}
    </main>
  );
}

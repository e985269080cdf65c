/**
 * The popup: onboarding, unlock, or the unlocked wallet following the background's
 * state. Unlocked, two tabs: "Wallet" (accounts) and "Messages" (the messenger).
 */
import { useState } from 'preact/hooks';
import type { Address } from 'viem';
import type { UiClient } from './background-client';
import { TabBar } from './components/TabBar';
import { sameAddress } from './messenger/addresses';
import { Messenger } from './messenger/Messenger';
import { Onboarding } from './onboarding/Onboarding';
import { Settings } from './settings/Settings';
import { useWalletState } from './use-wallet-state';
import { Home } from './wallet/Home';
import { Unlock } from './wallet/Unlock';

type Page = 'wallet' | 'messages' | 'settings';

const TABS = [
  { id: 'wallet', label: 'Wallet' },
  { id: 'messages', label: 'Messages' },
] as const satisfies readonly { id: Page; label: string }[];

export function App({ client }: { client: UiClient }) {
  const { state, setState, error, refresh } = useWalletState(client);
  const [page, setPage] = useState<Page>('wallet');
  const [chosenAccount, setChosenAccount] = useState<Address | null>(null);

  if (!state) {
    return (
      <main class="screen">
        {error ? (
          <>
            <p class="error" role="alert">
              {error}
            </p>
            <button type="button" onClick={refresh}>
              Retry
            </button>
          </>
        ) : (
          <p class="hint">Loading…</p>
        )}
      </main>
    );
  }
  if (state.status === 'uninitialized') return <Onboarding client={client} onDone={setState} />;
  if (state.status === 'locked') return <Unlock client={client} onDone={setState} />;
  if (page === 'settings') {
    return <Settings client={client} state={state} onState={setState} onBack={() => setPage('wallet')} />;
  }
  // The messenger's account: the one picked while it still exists, else the first.
  const account =
    state.accounts.find(
      (candidate) => chosenAccount !== null && sameAddress(candidate.address, chosenAccount),
    )?.address ?? state.accounts[0]?.address;
  return (
    <>
      <TabBar tabs={TABS} current={page} onSelect={setPage} />
      {page === 'wallet' ? (
        <Home client={client} state={state} onState={setState} onSettings={() => setPage('settings')} />
      ) : account ? (
        <Messenger client={client} accounts={state.accounts} account={account} onAccount={setChosenAccount} />
      ) : (
        <main class="screen">
          <p class="hint">Add an account to send messages.</p>
        </main>
      )}
    </>
  );
}

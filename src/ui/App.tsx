/** The popup: onboarding, unlock, or the wallet, following the background's state. */
import { useState } from 'preact/hooks';
import type { BackgroundClient } from './background-client';
import { Onboarding } from './onboarding/Onboarding';
import { Settings } from './settings/Settings';
import { useWalletState } from './use-wallet-state';
import { Home } from './wallet/Home';
import { Unlock } from './wallet/Unlock';

export function App({ client }: { client: BackgroundClient }) {
  const { state, setState, error, refresh } = useWalletState(client);
  const [page, setPage] = useState<'home' | 'settings'>('home');

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
    return <Settings client={client} state={state} onState={setState} onBack={() => setPage('home')} />;
  }
  return <Home client={client} state={state} onState={setState} onSettings={() => setPage('settings')} />;
}

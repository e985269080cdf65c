import type { WalletState } from '../../background/ui-api-contract';
import type { BackgroundClient } from '../background-client';
import { AutoLockSettings } from './AutoLockSettings';
import { ConnectedSites } from './ConnectedSites';
import { NetworkSettings } from './NetworkSettings';

export function Settings({
  client,
  state,
  onState,
  onBack,
}: {
  client: BackgroundClient;
  state: WalletState;
  onState: (state: WalletState) => void;
  onBack: () => void;
}) {
  return (
    <main class="screen settings">
      <header class="bar">
        <h1>Settings</h1>
        <button type="button" onClick={onBack}>
          Back
        </button>
      </header>
      <AutoLockSettings client={client} state={state} onState={onState} />
      <NetworkSettings client={client} />
      <ConnectedSites client={client} />
    </main>
  );
}

import type { WalletState } from '../../background/ui-api-contract';
import type { UiClient } from '../background-client';
import { AutoLockSettings } from './AutoLockSettings';
import { ConnectedSites } from './ConnectedSites';
import { KeyOnChain } from './KeyOnChain';
import { MessagingSection } from './MessagingSection';
import { NetworkSettings } from './NetworkSettings';
import { RebuildInbox } from './RebuildInbox';

export function Settings({
  client,
  state,
  onState,
  onBack,
}: {
  client: UiClient;
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
      <MessagingSection client={client} />
      <KeyOnChain client={client} accounts={state.accounts} />
      <RebuildInbox client={client} accounts={state.accounts.map((account) => account.address)} />
      <ConnectedSites client={client} />
    </main>
  );
}

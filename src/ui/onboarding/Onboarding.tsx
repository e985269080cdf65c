import { useState } from 'preact/hooks';
import type { WalletState } from '../../background/ui-api-contract';
import type { UiClient } from '../background-client';
import { CreateWallet } from './CreateWallet';
import { ImportWallet } from './ImportWallet';
import { Welcome } from './Welcome';

export function Onboarding({ client, onDone }: { client: UiClient; onDone: (state: WalletState) => void }) {
  const [flow, setFlow] = useState<'welcome' | 'create' | 'import'>('welcome');
  const back = () => setFlow('welcome');
  if (flow === 'create') return <CreateWallet client={client} onDone={onDone} onCancel={back} />;
  if (flow === 'import') return <ImportWallet client={client} onDone={onDone} onCancel={back} />;
  return <Welcome onCreate={() => setFlow('create')} onImport={() => setFlow('import')} />;
}

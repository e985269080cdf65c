import { useState } from 'preact/hooks';
import type { WalletState } from '../../background/ui-api-contract';
import type { BackgroundClient } from '../background-client';
import { errorMessage } from '../error-message';

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
  const [minutes, setMinutes] = useState(String(state.autoLockMinutes));
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | null>(null);

  async function save(event: Event) {
    event.preventDefault();
    setMessage(null);
    try {
      onState(await client.call('setAutoLockMinutes', { minutes: Number(minutes) }));
      setMessage({ kind: 'ok', text: 'Saved' });
    } catch (cause) {
      setMessage({ kind: 'error', text: errorMessage(cause) });
    }
  }

  return (
    <main class="screen settings">
      <header class="bar">
        <h1>Settings</h1>
        <button type="button" onClick={onBack}>
          Back
        </button>
      </header>
      <form onSubmit={save}>
        <label class="field">
          <span>Auto-lock after (minutes)</span>
          <input
            type="number"
            min={1}
            max={1440}
            step={1}
            value={minutes}
            onInput={(e) => setMinutes(e.currentTarget.value)}
          />
        </label>
        {message ? (
          <p class={message.kind === 'error' ? 'error' : 'hint'} role="status">
            {message.text}
          </p>
        ) : null}
        <div class="actions">
          <button type="submit" class="primary">
            Save
          </button>
        </div>
      </form>
    </main>
  );
}

import { useState } from 'preact/hooks';
import type { WalletState } from '../../background/ui-api-contract';
import type { UiClient } from '../background-client';
import { errorMessage } from '../error-message';

export function AutoLockSettings({
  client,
  state,
  onState,
}: {
  client: UiClient;
  state: WalletState;
  onState: (state: WalletState) => void;
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
    <section aria-labelledby="auto-lock-heading">
      <h2 id="auto-lock-heading">Security</h2>
      <form onSubmit={save} class="inline-form">
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
        <button type="submit">Save</button>
      </form>
      {message ? (
        <p class={message.kind === 'error' ? 'error' : 'hint'} role="status">
          {message.text}
        </p>
      ) : null}
    </section>
  );
}

import { useState } from 'preact/hooks';
import type { WalletState } from '../../background/ui-api-contract';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { errorMessage } from '../error-message';

export function UnlockForm({ client, onDone }: { client: UiClient; onDone: (state: WalletState) => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy || password === '') return;
    setBusy(true);
    setError(null);
    try {
      const state = await client.call('unlock', { password });
      setPassword('');
      onDone(state);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit}>
      <label class="field">
        <span>Password</span>
        <input
          type="password"
          autocomplete="current-password"
          // biome-ignore lint/a11y/noAutofocus: the unlock screen has one field; typing at once is what users expect
          autoFocus
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <ErrorNote message={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy || password === ''}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </div>
    </form>
  );
}

export function Unlock(props: { client: UiClient; onDone: (state: WalletState) => void }) {
  return (
    <main class="screen unlock">
      <h1>Welcome back</h1>
      <UnlockForm {...props} />
    </main>
  );
}

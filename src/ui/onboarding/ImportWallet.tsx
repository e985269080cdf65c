/**
 * Import a wallet from a secret recovery phrase or a raw private key. Both are
 * typed into password-type inputs, which browsers never save or restore
 * (CVE-2022-32969 was a phrase kept on disk by session restore).
 */
import { useState } from 'preact/hooks';
import type { WalletState } from '../../background/ui-api-contract';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { PasswordFields, passwordProblem } from '../components/PasswordFields';
import { errorMessage } from '../error-message';

type Source = 'phrase' | 'key';

const PHRASE_LENGTHS = [12, 15, 18, 21, 24];

export function countWords(phrase: string): number {
  const trimmed = phrase.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/u).length;
}

export function ImportWallet({
  client,
  onDone,
  onCancel,
}: {
  client: UiClient;
  onDone: (state: WalletState) => void;
  onCancel: () => void;
}) {
  const [source, setSource] = useState<Source>('phrase');
  const [secret, setSecret] = useState('');
  const [passwords, setPasswords] = useState({ password: '', confirm: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const words = countWords(secret);
  const secretProblem =
    source === 'phrase'
      ? PHRASE_LENGTHS.includes(words)
        ? null
        : `${words} words; a recovery phrase has 12, 15, 18, 21 or 24`
      : secret.trim() === ''
        ? 'Enter a private key'
        : null;
  const problem = secretProblem ?? passwordProblem(passwords);

  async function submit(event: Event) {
    event.preventDefault();
    if (problem || busy) return;
    setBusy(true);
    setError(null);
    try {
      const { password } = passwords;
      const state =
        source === 'phrase'
          ? await client.call('createFromMnemonic', { password, mnemonic: secret })
          : await client.call('createFromPrivateKey', { password, privateKey: secret });
      setSecret('');
      onDone(state);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="screen">
      <h1>Import a wallet</h1>
      <form onSubmit={submit}>
        <fieldset class="segmented">
          <legend>Import from</legend>
          <label>
            <input
              type="radio"
              name="source"
              checked={source === 'phrase'}
              onChange={() => {
                setSource('phrase');
                setSecret('');
              }}
            />
            Recovery phrase
          </label>
          <label>
            <input
              type="radio"
              name="source"
              checked={source === 'key'}
              onChange={() => {
                setSource('key');
                setSecret('');
              }}
            />
            Private key
          </label>
        </fieldset>
        <label class="field">
          <span>{source === 'phrase' ? 'Secret recovery phrase' : 'Private key'}</span>
          <input
            type="password"
            autocomplete="off"
            spellcheck={false}
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
          />
        </label>
        {source === 'phrase' ? (
          <p class="hint" aria-live="polite">
            {words === 0
              ? 'Paste or type your words, separated by spaces.'
              : (secretProblem ?? `${words} words`)}
          </p>
        ) : null}
        <PasswordFields value={passwords} onChange={setPasswords} />
        {passwords.confirm && !secretProblem && problem ? <p class="error">{problem}</p> : null}
        <ErrorNote message={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={problem !== null || busy}>
            {busy ? 'Importing…' : 'Import'}
          </button>
          <button type="button" onClick={onCancel}>
            Back
          </button>
        </div>
      </form>
    </main>
  );
}

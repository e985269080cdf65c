/** Asks for a recipient address and opens the chat once the address is known to have a messaging identity. */
import { useState } from 'preact/hooks';
import type { Address } from 'viem';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { errorMessage } from '../error-message';
import { parseRecipient } from './addresses';

export const NO_IDENTITY = 'This address has no Cairn/XMTP identity yet';

export function NewConversation({
  client,
  account,
  onOpen,
  onBack,
}: {
  client: Pick<UiClient, 'call'>;
  account: Address;
  onOpen: (peer: Address) => void;
  onBack: () => void;
}) {
  const [input, setInput] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    const parsed = parseRecipient(input);
    if ('error' in parsed) {
      setProblem(parsed.error);
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const { canMessage } = await client.call('canMessage', { account, address: parsed.address });
      if (!canMessage) {
        setProblem(NO_IDENTITY);
        setBusy(false);
        return;
      }
      onOpen(parsed.address);
    } catch (cause) {
      setProblem(errorMessage(cause));
      setBusy(false);
    }
  }

  return (
    <main class="screen messenger">
      <header class="bar">
        <h1>New conversation</h1>
        <button type="button" onClick={onBack}>
          Back
        </button>
      </header>
      <form onSubmit={submit} noValidate>
        <label class="field">
          <span>Recipient address</span>
          <input
            type="text"
            class="mono"
            placeholder="0x…"
            autocomplete="off"
            spellcheck={false}
            // biome-ignore lint/a11y/noAutofocus: the screen has one field; typing at once is what users expect
            autoFocus
            value={input}
            onInput={(e) => {
              setInput(e.currentTarget.value);
              setProblem(null);
            }}
          />
        </label>
        <ErrorNote message={problem} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || input.trim() === ''}>
            {busy ? 'Checking…' : 'Start conversation'}
          </button>
        </div>
      </form>
    </main>
  );
}

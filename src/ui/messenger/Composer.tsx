/** The message field under a chat: Enter sends, Shift+Enter starts a new line. */
import { useState } from 'preact/hooks';
import { MAX_TEXT_BYTES } from '../../protocol/limits';
import { ErrorNote } from '../components/ErrorNote';
import { errorMessage } from '../error-message';

export function Composer({ onSend }: { onSend: (text: string) => Promise<void> }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const body = text.trim();

  async function send() {
    if (busy || body === '') return;
    if (new TextEncoder().encode(body).length > MAX_TEXT_BYTES) {
      setError(`The message is too long (at most ${MAX_TEXT_BYTES / 1024} KiB)`);
      return;
    }
    setBusy(true);
    setError(null);
    // Cleared at once: what the user types while this one is on its way must not be wiped.
    setText('');
    try {
      await onSend(body);
    } catch (cause) {
      setError(errorMessage(cause));
      // Give the unsent text back, unless a new one was started meanwhile.
      setText((current) => (current === '' ? body : current));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <ErrorNote message={error} />
      <div class="composer-row">
        <textarea
          aria-label="Message"
          placeholder="Write a message"
          rows={2}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
            e.preventDefault();
            void send();
          }}
        />
        <button type="submit" class="primary" disabled={busy || body === ''}>
          Send
        </button>
      </div>
    </form>
  );
}

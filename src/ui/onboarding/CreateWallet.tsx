/**
 * Create a wallet: choose a password, write down a new recovery phrase, prove it
 * by picking a few of its words, then the background creates the vault.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { WalletState } from '../../background/ui-api-contract';
import type { UiClient } from '../background-client';
import { PasswordFields, passwordProblem } from '../components/PasswordFields';
import { errorMessage } from '../error-message';
import { confirmQuestions } from './confirm-challenge';

type Step = 'password' | 'phrase' | 'confirm';

export function CreateWallet({
  client,
  onDone,
  onCancel,
}: {
  client: UiClient;
  onDone: (state: WalletState) => void;
  onCancel: () => void;
}) {
  const [step, setStep] = useState<Step>('password');
  const [passwords, setPasswords] = useState({ password: '', confirm: '' });
  const [wordCount, setWordCount] = useState<12 | 24>(12);
  // One phrase per length, kept while onboarding: going back must never show new words.
  const [phrases, setPhrases] = useState<Partial<Record<12 | 24, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const mnemonic = phrases[wordCount] ?? null;

  useEffect(() => {
    if (step !== 'phrase' || mnemonic) return;
    client
      .call('generateMnemonic', { words: wordCount })
      .then((result) => setPhrases((known) => ({ [wordCount]: result.mnemonic, ...known })))
      .catch((cause: unknown) => setError(errorMessage(cause)));
  }, [client, step, wordCount, mnemonic]);

  if (step === 'password') {
    const problem = passwordProblem(passwords);
    return (
      <main class="screen">
        <h1>Create a password</h1>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!problem) setStep('phrase');
          }}
        >
          <PasswordFields value={passwords} onChange={setPasswords} />
          {passwords.confirm && problem ? <p class="error">{problem}</p> : null}
          <div class="actions">
            <button type="submit" class="primary" disabled={problem !== null}>
              Continue
            </button>
            <button type="button" onClick={onCancel}>
              Back
            </button>
          </div>
        </form>
      </main>
    );
  }

  if (step === 'phrase') {
    return (
      <PhraseStep
        mnemonic={mnemonic}
        wordCount={wordCount}
        onWordCount={setWordCount}
        error={error}
        onContinue={() => setStep('confirm')}
        onBack={() => setStep('password')}
      />
    );
  }

  return (
    <ConfirmStep
      mnemonic={mnemonic ?? ''}
      onBack={() => setStep('phrase')}
      onConfirmed={async () => {
        setError(null);
        try {
          onDone(
            await client.call('createFromMnemonic', {
              password: passwords.password,
              mnemonic: mnemonic ?? '',
            }),
          );
        } catch (cause) {
          setError(errorMessage(cause));
        }
      }}
      error={error}
    />
  );
}

function PhraseStep(props: {
  mnemonic: string | null;
  wordCount: 12 | 24;
  onWordCount: (count: 12 | 24) => void;
  error: string | null;
  onContinue: () => void;
  onBack: () => void;
}) {
  const [saved, setSaved] = useState(false);
  return (
    <main class="screen">
      <h1>Your secret recovery phrase</h1>
      <p class="hint">
        Write these words down in order and keep them offline. Anyone with them controls your wallet; Cairn
        cannot recover them for you.
      </p>
      <fieldset class="segmented">
        <legend>Phrase length</legend>
        {([12, 24] as const).map((count) => (
          <label key={count}>
            <input
              type="radio"
              name="word-count"
              checked={props.wordCount === count}
              onChange={() => props.onWordCount(count)}
            />
            {count} words
          </label>
        ))}
      </fieldset>
      {props.mnemonic ? (
        <ol class="phrase" aria-label="Secret recovery phrase">
          {props.mnemonic.split(' ').map((word, i) => (
            <li key={`${i}-${word}`} data-word-index={i}>
              {word}
            </li>
          ))}
        </ol>
      ) : (
        <p class="hint">Generating…</p>
      )}
      {props.error ? <p class="error">{props.error}</p> : null}
      <label class="check">
        <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} />I wrote
        down my recovery phrase
      </label>
      <div class="actions">
        <button type="button" class="primary" disabled={!saved || !props.mnemonic} onClick={props.onContinue}>
          Continue
        </button>
        <button type="button" onClick={props.onBack}>
          Back
        </button>
      </div>
    </main>
  );
}

function ConfirmStep(props: {
  mnemonic: string;
  onConfirmed: () => Promise<void>;
  onBack: () => void;
  error: string | null;
}) {
  const words = useMemo(() => props.mnemonic.split(' '), [props.mnemonic]);
  const questions = useMemo(() => confirmQuestions(words), [words]);
  const [picked, setPicked] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState(false);
  const allRight = questions.every((q) => picked[q.position] === words[q.position]);
  return (
    <main class="screen">
      <h1>Confirm your phrase</h1>
      {questions.map((q) => {
        const choice = picked[q.position];
        const wrong = choice !== undefined && choice !== words[q.position];
        return (
          <fieldset key={q.position} class="choices" aria-label={`Word #${q.position + 1}`}>
            <legend>Word #{q.position + 1}</legend>
            {q.choices.map((word) => (
              <button
                type="button"
                key={word}
                aria-pressed={choice === word}
                onClick={() => setPicked({ ...picked, [q.position]: word })}
              >
                {word}
              </button>
            ))}
            {wrong ? <p class="error">That is not word #{q.position + 1}</p> : null}
          </fieldset>
        );
      })}
      {props.error ? <p class="error">{props.error}</p> : null}
      <div class="actions">
        <button
          type="button"
          class="primary"
          disabled={!allRight || busy}
          onClick={async () => {
            setBusy(true);
            await props.onConfirmed();
            setBusy(false);
          }}
        >
          {busy ? 'Creating…' : 'Create wallet'}
        </button>
        <button type="button" onClick={props.onBack}>
          Back
        </button>
      </div>
    </main>
  );
}

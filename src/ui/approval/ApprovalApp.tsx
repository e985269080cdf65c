/**
 * The approval window: shows who asks (origin from the browser, in ASCII), asks for
 * the password first when the wallet is locked, then the request and its buttons.
 */
import { useEffect, useState } from 'preact/hooks';
import { type PendingApproval, WALLET_ORIGIN } from '../../background/dapp/approval-types';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { errorMessage } from '../error-message';
import { useWalletState } from '../use-wallet-state';
import { UnlockForm } from '../wallet/Unlock';
import { ApprovalBody, type Decision } from './ApprovalBody';
import { displayOrigin } from './site-origin';

/** Re-reading the approval also keeps the MV3 worker awake while the user reads. */
const REFRESH_MS = 15_000;

const TITLES: Record<PendingApproval['details']['kind'], string> = {
  connect: 'Connect to this site?',
  messaging: 'Allow messaging?',
  signMessage: 'Signature request',
  signTypedData: 'Typed data signature request',
  switchChain: 'Switch network',
  addChain: 'Add network',
  sendTransaction: 'Send transaction',
  walletTransaction: 'Confirm transaction',
};

export function ApprovalApp({
  client,
  approvalId,
  closeWindow,
}: {
  client: UiClient;
  approvalId: string;
  closeWindow: () => void;
}) {
  const { state, setState } = useWalletState(client);
  const [approval, setApproval] = useState<PendingApproval | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    const load = () =>
      client
        .call('getApproval', { id: approvalId })
        .then((found) => {
          if (!stopped) setApproval(found);
        })
        .catch((cause: unknown) => {
          if (!stopped) setError(errorMessage(cause));
        });
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [client, approvalId]);

  async function decide(decision: Decision) {
    setError(null);
    try {
      const { decided } = await client.call('resolveApproval', { id: approvalId, ...decision });
      // Not decided: the request is gone (e.g. the wallet restarted); say so rather than pretend.
      if (decided) closeWindow();
      else setApproval(null);
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  if (approval === undefined || !state)
    return <main class="screen">{error ? <p class="error">{error}</p> : <p class="hint">Loading…</p>}</main>;
  if (approval === null) {
    return (
      <main class="screen">
        <p role="status">This request is no longer waiting for you.</p>
        <button type="button" onClick={closeWindow}>
          Close
        </button>
      </main>
    );
  }
  // Cairn's own requests have an origin no page can have; say plainly who asks.
  const site =
    approval.origin === WALLET_ORIGIN
      ? { text: 'Cairn (this wallet)', international: false }
      : displayOrigin(approval.origin);
  return (
    <main class="screen approval">
      <h1>{TITLES[approval.details.kind]}</h1>
      <section class="origin" aria-label="Requesting site">
        <code>{site.text}</code>
      </section>
      {site.international ? (
        <p class="hint">
          This address uses international characters, shown in their xn-- form. Check it carefully.
        </p>
      ) : null}
      {state.status === 'unlocked' ? (
        <ApprovalBody details={approval.details} accounts={state.accounts} onDecide={decide} />
      ) : state.status === 'locked' ? (
        <>
          <p>Unlock Cairn to review this request.</p>
          <UnlockForm client={client} onDone={setState} />
          <button type="button" onClick={() => decide({ approved: false })}>
            Reject
          </button>
        </>
      ) : (
        <>
          <p>Set up your wallet from the Cairn toolbar button first.</p>
          <button type="button" onClick={() => decide({ approved: false })}>
            Reject
          </button>
        </>
      )}
      <ErrorNote message={error} />
    </main>
  );
}

/**
 * Forced inclusion in the chat: when some of the account's messages waited past the deadline
 * (Settings › Messaging) with no relay anchoring them, the user can anchor them with their own
 * account. The transaction is confirmed in an approval window; the messages then turn
 * "Verified on chain" like any other.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Address } from 'viem';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { errorMessage } from '../error-message';

/** The overdue count is read again this often (messages cross the deadline as time passes). */
const REFRESH_MS = 15_000;

export function SelfAnchor({
  client,
  account,
  changes,
}: {
  client: Pick<UiClient, 'call'>;
  account: Address;
  /** Bumped when the chat's anchoring states changed: read the count again. */
  changes: unknown;
}) {
  const [overdue, setOverdue] = useState<{ count: number; deadlineMinutes: number } | null>(null);
  const [running, setRunning] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    let stopped = false;
    client
      .call('getOverdueAnchors', { account })
      .then((result) => {
        if (!stopped) setOverdue(result);
      })
      .catch(() => {
        if (!stopped) setOverdue(null); // locked, or no anchoring: nothing to offer
      });
    return () => {
      stopped = true;
    };
  }, [client, account, changes, tick, running]);

  async function anchor() {
    setRunning(true);
    setError(null);
    setDone(null);
    try {
      const result = await client.call('anchorOverdueMessages', { account });
      const where = result.pinnedBy > 0 ? `, batch pinned by ${result.pinnedBy} relay(s)` : '';
      setDone(
        result.status === 'anchored'
          ? `Anchored ${result.count} message(s) yourself${where}.`
          : `Sent the anchoring transaction for ${result.count} message(s); waiting for it to be mined${where}.`,
      );
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setRunning(false);
    }
  }

  if (!done && !error && (!overdue || overdue.count === 0)) return null;
  return (
    <section class="self-anchor" aria-label="Anchor your messages">
      {overdue && overdue.count > 0 ? (
        <>
          <p>
            {overdue.count} message(s) waited more than {overdue.deadlineMinutes} min with no relay anchoring
            them. You can anchor them yourself (one transaction from your account).
          </p>
          <button type="button" disabled={running} onClick={() => void anchor()}>
            {running ? 'Anchoring…' : 'Anchor them myself'}
          </button>
        </>
      ) : null}
      {done ? <p role="status">{done}</p> : null}
      <ErrorNote message={error} />
    </section>
  );
}

/**
 * Settings › Messaging › Rebuild inbox from chain: for every account, scans the Anchor contract's
 * batches and restores, from IPFS, the messages of its conversations that the relays no longer
 * have. Messages already in the inbox are skipped; what cannot be fetched or checked is counted.
 */
import { useState } from 'preact/hooks';
import type { Address } from 'viem';
import type { UiResult } from '../../background/ui-api-contract';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { errorMessage } from '../error-message';

type Result = UiResult<'rebuildInbox'>;

export function RebuildInbox({
  client,
  accounts,
}: {
  client: Pick<UiClient, 'call'>;
  accounts: readonly Address[];
}) {
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<string | null>(null);
  const [summary, setSummary] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function rebuild() {
    setRunning(true);
    setError(null);
    setSummary(null);
    // Progress while it runs: blocks scanned of the chain's head.
    const timer = setInterval(() => {
      client
        .call('getRebuildProgress')
        .then((p) =>
          setProgress(p ? `Scanned block ${p.scannedTo} of ${p.head}, ${p.restored} restored…` : null),
        )
        .catch(() => {});
    }, 500);
    try {
      const totals = { batches: 0, found: 0, restored: 0, skipped: 0 };
      let head = '';
      for (const account of accounts) {
        const result: Result = await client.call('rebuildInbox', { account });
        totals.batches = Math.max(totals.batches, result.batches);
        totals.found += result.found;
        totals.restored += result.restored;
        totals.skipped += result.skipped;
        head = result.head;
      }
      setSummary(
        `Scanned ${totals.batches} anchored batches up to block ${head}: restored ${totals.restored} of ${totals.found} messages found` +
          (totals.skipped > 0 ? ` (${totals.skipped} could not be fetched or checked)` : ''),
      );
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      clearInterval(timer);
      setProgress(null);
      setRunning(false);
    }
  }

  return (
    <div class="rebuild">
      <button type="button" disabled={running || accounts.length === 0} onClick={() => void rebuild()}>
        {running ? 'Rebuilding…' : 'Rebuild inbox from chain'}
      </button>
      {running && progress ? <p class="hint">{progress}</p> : null}
      {summary ? <p role="status">{summary}</p> : null}
      <ErrorNote message={error} />
    </div>
  );
}

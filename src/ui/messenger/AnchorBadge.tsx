/**
 * A message's anchoring: "Anchoring…" while no batch holds it, "Anchored" on a relay's word,
 * "Verified on chain" once its proof was checked against the Anchor contract; the details show
 * the proof, so a user (or anyone they show it to) can check it again.
 */
import { useState } from 'preact/hooks';
import type { AnchorRecord } from '../../background/anchoring/anchor-db';
import { errorMessage } from '../error-message';

const LABELS: Record<AnchorRecord['state'], string> = {
  pending: 'Anchoring…',
  anchored: 'Anchored (not verified)',
  verified: 'Verified on chain',
};

/** Checks the proof against the chain now: the new record and what the check took, ms. */
export type CheckAnchor = (
  messageId: string,
) => Promise<{ record: AnchorRecord | null; timing: { totalMs: number; chainMs: number } | null }>;

export function AnchorBadge({ record, onCheck }: { record: AnchorRecord; onCheck?: CheckAnchor }) {
  const { anchor } = record;
  const [checking, setChecking] = useState(false);
  const [checked, setChecked] = useState<string | null>(null);

  async function check() {
    if (!onCheck) return;
    setChecking(true);
    setChecked(null);
    try {
      const { record: after, timing } = await onCheck(record.messageId);
      const state = after ? LABELS[after.state] : 'No longer followed';
      setChecked(
        timing
          ? `${state}: checked just now in ${timing.totalMs.toFixed(1)} ms (chain read ${timing.chainMs.toFixed(1)} ms).`
          : `${state}.`,
      );
    } catch (cause) {
      setChecked(`Could not check: ${errorMessage(cause)}`);
    } finally {
      setChecking(false);
    }
  }

  return (
    <details class={`anchor ${record.state}`}>
      <summary>
        <span class="sr-only">Anchoring: </span>
        {LABELS[record.state]}
      </summary>
      {anchor ? (
        <dl class="anchor-details">
          <dt>Batch</dt>
          <dd>{anchor.batchId}</dd>
          <dt>Block</dt>
          <dd>{anchor.blockNumber}</dd>
          <dt>Chain</dt>
          <dd>{anchor.chainId}</dd>
          <dt>Transaction</dt>
          <dd class="mono">{anchor.txHash}</dd>
          <dt>Root</dt>
          <dd class="mono">{anchor.root}</dd>
          <dt>Proof</dt>
          <dd class="mono">
            {anchor.proof.length === 0 ? '(the message is the whole batch)' : anchor.proof.join(' ')}
          </dd>
          {onCheck ? (
            <dd class="anchor-check">
              <button type="button" class="link" disabled={checking} onClick={() => void check()}>
                {checking ? 'Checking…' : 'Check again on chain'}
              </button>
              {checked ? <span role="status"> {checked}</span> : null}
            </dd>
          ) : null}
        </dl>
      ) : (
        <p>Waiting for a relay to anchor its batch on chain.</p>
      )}
    </details>
  );
}

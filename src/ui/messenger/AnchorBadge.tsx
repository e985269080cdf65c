/**
 * A message's anchoring: "Anchoring…" while no batch holds it, "Anchored" on a relay's word,
 * "Verified on chain" once its proof was checked against the Anchor contract; the details show
 * the proof, so a user (or anyone they show it to) can check it again.
 */
import type { AnchorRecord } from '../../background/anchoring/anchor-db';

const LABELS: Record<AnchorRecord['state'], string> = {
  pending: 'Anchoring…',
  anchored: 'Anchored (not verified)',
  verified: 'Verified on chain',
};

export function AnchorBadge({ record }: { record: AnchorRecord }) {
  const { anchor } = record;
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
        </dl>
      ) : (
        <p>Waiting for a relay to anchor its batch on chain.</p>
      )}
    </details>
  );
}

/**
 * The relay's reorg watch. The submitter calls a batch anchored once it is `confirmations` deep,
 * but a deeper reorg can still remove its transaction; the relay would then keep handing out
 * proofs for a root the chain no longer has, and the wallets' messages would stay pending for
 * good. So batches recorded anchored within the last `windowMs` are read again every `periodMs`:
 * the head once per pass, then one `anchoredAt(root)` per batch at that head.
 *
 * Only a definite answer changes anything (see `judgeAnchor`): the root absent at a head past the
 * batch's block, or present in another block or batch. The batch then goes back to "submitting"
 * in the ledger (its proofs answer "pending") and into the aggregator's submission queue, where
 * the submitter anchors it again or, if it is on chain elsewhere, confirms and records that. An
 * RPC failure, a reply that does not decode, or a head not yet past the batch's block changes
 * nothing. The ledger holds the state, so a restarted relay watches (and resubmits) the same.
 */
import { bytesToHex, type Hex } from 'viem';
import { sleepFor } from '../chain/anchor-submitter.ts';
import type { AnchoredBatch, AnchorLedger, LedgerBatch } from './anchor-ledger.ts';
import type { Logger } from './logger.ts';

/** What the watch reads from the chain; every call takes the watch's signal. */
export interface AnchorWatchChain {
  /** The head's block number. */
  head(signal: AbortSignal): Promise<bigint>;
  /** `Anchor.anchoredAt(root)` as of block `block`: (batch id, block number, time), zeros if absent. */
  anchoredAt(root: Hex, block: bigint, signal: AbortSignal): Promise<readonly [bigint, bigint, bigint]>;
}

export interface AnchorWatchOptions {
  ledger: Pick<AnchorLedger, 'anchoredSince' | 'markUnconfirmed'>;
  chain: AnchorWatchChain;
  /** Queues a batch sent back to "submitting" (the aggregator's submission queue). */
  resubmit(batch: LedgerBatch): void;
  /** Batches recorded anchored this recently are watched, ms. @default 3_600_000 */
  windowMs?: number;
  /** Time between passes, ms. @default 30_000 */
  periodMs?: number;
  /**
   * Passes in a row that must find a batch gone (or moved) before it is sent back: one answer
   * from an RPC whose backends disagree is not enough. @default 2
   */
  passesToAct?: number;
  logger: Logger;
  clock?: () => number;
}

/** What one pass did. */
export interface AnchorWatchPass {
  /** Batches read. */
  checked: number;
  /** Batches sent back to "submitting". */
  unconfirmed: number;
  /** Batches that could not be read (RPC failures): unchanged. */
  failed: number;
}

/**
 * - `holds`: anchored where the ledger says;
 * - `gone`: not anchored at a head past the batch's block (the block was reorged away);
 * - `moved`: anchored, but in another block or batch (re-included elsewhere, or by someone else);
 * - `unsure`: not anchored, but the head is not past the batch's block yet (a node behind, or a
 *   chain rolled back that has not grown again): not a definite answer, look again later.
 */
export type AnchorVerdict = 'holds' | 'gone' | 'moved' | 'unsure';

/** Judges what the chain says about a batch at `head`. */
export function judgeAnchor(
  batch: Pick<AnchoredBatch, 'batchId' | 'blockNumber'>,
  head: bigint,
  onChain: readonly [bigint, bigint, bigint],
): AnchorVerdict {
  const [batchId, blockNumber] = onChain;
  if (batchId === 0n) return head > batch.blockNumber ? 'gone' : 'unsure';
  return batchId === batch.batchId && blockNumber === batch.blockNumber ? 'holds' : 'moved';
}

export class AnchorWatch {
  readonly #o: AnchorWatchOptions;
  readonly #windowMs: number;
  readonly #periodMs: number;
  readonly #clock: () => number;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  /** Whether the last pass could not read the chain (logged once per outage). */
  #failing = false;
  /** Roots found gone or moved, with how many passes in a row found them so. */
  readonly #suspects = new Map<string, number>();

  constructor(options: AnchorWatchOptions) {
    this.#o = options;
    this.#windowMs = options.windowMs ?? 3_600_000;
    this.#periodMs = options.periodMs ?? 30_000;
    this.#clock = options.clock ?? Date.now;
    if (!Number.isInteger(options.passesToAct ?? 2) || (options.passesToAct ?? 2) < 1) {
      throw new RangeError('"passesToAct" must be a positive integer');
    }
    if (!(this.#windowMs > 0)) throw new RangeError('"windowMs" must be positive');
    if (!(this.#periodMs > 0)) throw new RangeError('"periodMs" must be positive');
  }

  /** Starts passes: one now (a restarted relay catches up at once), then every `periodMs`. */
  start(): void {
    const signal = this.#abort.signal;
    this.#running ??= (async () => {
      while (!signal.aborted) {
        await this.check(signal);
        await sleepFor(this.#periodMs, signal).catch(() => {});
      }
    })();
  }

  async stop(): Promise<void> {
    this.#abort.abort(new Error('the anchor watch stopped'));
    await this.#running;
  }

  /** One pass over the batches inside the window. Never rejects; stops early when `signal` aborts. */
  async check(signal: AbortSignal): Promise<AnchorWatchPass> {
    const batches = this.#o.ledger.anchoredSince(this.#clock() - this.#windowMs);
    const pass: AnchorWatchPass = { checked: 0, unconfirmed: 0, failed: 0 };
    const watched = new Set<string>(batches.map((batch) => bytesToHex(batch.root)));
    for (const root of this.#suspects.keys()) if (!watched.has(root)) this.#suspects.delete(root);
    if (batches.length === 0 || signal.aborted) return pass;
    let head: bigint;
    try {
      head = await this.#o.chain.head(signal);
    } catch (error) {
      this.#failed(error, signal);
      return { ...pass, failed: batches.length };
    }
    for (const batch of batches) {
      if (signal.aborted) break;
      const root = bytesToHex(batch.root);
      let verdict: AnchorVerdict;
      try {
        verdict = judgeAnchor(batch, head, await this.#o.chain.anchoredAt(root, head, signal));
      } catch (error) {
        this.#failed(error, signal);
        pass.failed++;
        continue;
      }
      pass.checked++;
      if (verdict === 'holds' || verdict === 'unsure') {
        this.#suspects.delete(root);
        continue;
      }
      const seen = (this.#suspects.get(root) ?? 0) + 1;
      if (seen < (this.#o.passesToAct ?? 2)) {
        this.#suspects.set(root, seen);
        continue;
      }
      this.#suspects.delete(root);
      // Conditional on the receipt we read: a batch the ledger changed since is left alone.
      if (!this.#o.ledger.markUnconfirmed(batch.root, batch.blockHash)) continue;
      pass.unconfirmed++;
      this.#o.logger.warn(
        verdict === 'gone'
          ? 'anchoring: a reorg removed an anchored batch; submitting it again'
          : 'anchoring: an anchored batch is now in another block; confirming it again',
        { root, batch: batch.batchId.toString(), block: batch.blockNumber.toString(), head: head.toString() },
      );
      this.#o.resubmit(batch);
    }
    if (this.#failing && pass.failed === 0 && !signal.aborted) {
      this.#failing = false;
      this.#o.logger.info('anchoring: the watch reads the chain again');
    }
    return pass;
  }

  #failed(error: unknown, signal: AbortSignal): void {
    if (signal.aborted) return;
    const fields = { error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error' };
    if (this.#failing) {
      this.#o.logger.debug('anchoring: the watch could not read the chain', fields);
    } else {
      this.#failing = true;
      this.#o.logger.warn('anchoring: the watch could not read the chain; nothing changes', fields);
    }
  }
}

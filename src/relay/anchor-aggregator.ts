/**
 * The relay's anchoring aggregator: collects message leaves (from envelopes this relay stored and
 * from other relays on the leaves topic), cuts a batch every `intervalMs` or at `maxLeaves`,
 * builds its Merkle tree, writes the manifest to IPFS (pinned), submits the root to the Anchor
 * contract and, once confirmed, publishes a receipt. Durable (src/relay/anchor-ledger.ts): after a
 * restart, pending leaves are batched and unconfirmed batches submitted again. One submission at a
 * time, so the relay's account never races itself for a nonce. A batch a reorg removed after its
 * confirmations comes back through `resubmit` (src/relay/anchor-watch.ts).
 */
import { bytesToHex, type Hex, toHex } from 'viem';
import { buildAnchorBatch, type StoreBlock } from '../chain/anchor-batch.ts';
import type { ManifestLeaf } from '../chain/anchor-manifest.ts';
import type { BatchReceipt } from '../chain/anchor-receipt.ts';
import type { AnchorBatch, AnchorReceipt } from '../chain/anchor-submitter.ts';
import type { Keccak256 } from '../chain/merkle-tree.ts';
import type { AnchorLedger, LedgerBatch } from './anchor-ledger.ts';
import type { Logger } from './logger.ts';

export interface AnchorAggregatorOptions {
  ledger: AnchorLedger;
  submitter: { anchor(batch: AnchorBatch, signal: AbortSignal): Promise<AnchorReceipt> };
  /** Stores and pins a raw block (a manifest page or root). */
  storeBlock: StoreBlock;
  /** Pins the message blocks this relay holds, so recovery can fetch them by CID. */
  pinMessages(messageIds: readonly Uint8Array[], signal: AbortSignal): Promise<void>;
  publishReceipt(receipt: BatchReceipt): Promise<void>;
  keccak: Keccak256;
  chainId: bigint;
  contract: Hex;
  /** A batch is cut this long after its first leaf arrived, ms. @default 30_000 */
  intervalMs?: number;
  /** … or as soon as this many leaves wait. @default 10_000 */
  maxLeaves?: number;
  logger: Logger;
  clock?: () => number;
}

export class AnchorAggregator {
  readonly #o: AnchorAggregatorOptions;
  readonly #intervalMs: number;
  readonly #maxLeaves: number;
  readonly #clock: () => number;
  readonly #abort = new AbortController();
  #timer: ReturnType<typeof setInterval> | undefined;
  #cutting: Promise<void> | null = null;
  /** Leaves waiting for a batch (undefined: read from the ledger at the next add). */
  #pending: number | undefined;
  /** The submission queue: one batch at a time. */
  #submitting: Promise<void> = Promise.resolve();

  constructor(options: AnchorAggregatorOptions) {
    this.#o = options;
    this.#intervalMs = options.intervalMs ?? 30_000;
    this.#maxLeaves = options.maxLeaves ?? 10_000;
    this.#clock = options.clock ?? Date.now;
    if (!(this.#intervalMs > 0)) throw new RangeError('"intervalMs" must be positive');
    if (!Number.isInteger(this.#maxLeaves) || this.#maxLeaves < 1)
      throw new RangeError('"maxLeaves" must be ≥ 1');
  }

  /** Resumes unconfirmed batches and starts the batch timer. */
  start(): void {
    for (const batch of this.#o.ledger.unfinished()) this.#enqueue(batch);
    this.#timer = setInterval(() => void this.#tick(), Math.min(this.#intervalMs, 1000));
    this.#timer.unref?.();
  }

  /** Stops cutting and submitting; what is unfinished resumes on the next start. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#abort.abort(new Error('the aggregator stopped'));
    await this.#cutting?.catch(() => {});
    await this.#submitting;
  }

  /** Adds leaves; cuts a batch at once when `maxLeaves` wait. */
  add(leaves: readonly ManifestLeaf[]): void {
    if (this.#abort.signal.aborted) return;
    const added = this.#o.ledger.add(leaves);
    if (added === 0) return;
    // Counted in the ledger once, then kept here: this runs for every envelope the relay stores.
    this.#pending = this.#pending === undefined ? this.#o.ledger.pendingCount() : this.#pending + added;
    if (this.#pending >= this.#maxLeaves) void this.cut();
  }

  /** Cuts a batch of the pending leaves now (if any); resolves once it is queued for submission. */
  cut(): Promise<void> {
    this.#cutting ??= this.#cutNow()
      .catch((error: unknown) => {
        if (!this.#abort.signal.aborted)
          this.#o.logger.error('anchoring: cutting a batch failed', { error: name(error) });
      })
      .finally(() => {
        this.#cutting = null;
      });
    return this.#cutting;
  }

  /** Queues a batch the ledger holds as "submitting" again (a reorg removed it); anchored once more. */
  resubmit(batch: LedgerBatch): void {
    if (!this.#abort.signal.aborted) this.#enqueue(batch);
  }

  /** Resolves when every queued batch was anchored (or the aggregator stopped). */
  idle(): Promise<void> {
    return Promise.all([this.#cutting, this.#submitting]).then(() => undefined);
  }

  async #tick(): Promise<void> {
    const oldest = this.#o.ledger.oldestPendingAt();
    if (oldest !== undefined && this.#clock() - oldest >= this.#intervalMs) await this.cut();
  }

  async #cutNow(): Promise<void> {
    const signal = this.#abort.signal;
    const leaves = this.#o.ledger.pending(this.#maxLeaves);
    if (leaves.length === 0) return;
    const { tree, manifestCid } = await buildAnchorBatch(leaves, {
      storeBlock: this.#o.storeBlock,
      keccak: this.#o.keccak,
      signal,
    });
    await this.#o.pinMessages(
      leaves.map((leaf) => leaf.messageId),
      signal,
    );
    signal.throwIfAborted();
    const batch = { root: tree.root, count: tree.size, manifestCid };
    this.#o.ledger.createBatch(batch, leaves);
    this.#pending = undefined;
    this.#o.logger.info('anchoring: batch cut', { count: batch.count, manifest: batch.manifestCid });
    this.#enqueue({ ...batch, createdAt: this.#clock() });
  }

  #enqueue(batch: LedgerBatch): void {
    this.#submitting = this.#submitting.then(() => this.#submit(batch));
  }

  async #submit(batch: LedgerBatch): Promise<void> {
    const signal = this.#abort.signal;
    if (signal.aborted) return;
    const root = bytesToHex(batch.root);
    try {
      const receipt = await this.#o.submitter.anchor(
        { root, count: batch.count, manifestCid: toHex(new TextEncoder().encode(batch.manifestCid)) },
        signal,
      );
      this.#o.ledger.markAnchored(batch.root, receipt);
      this.#o.logger.info('anchoring: batch anchored', {
        count: batch.count,
        batch: receipt.batchId.toString(),
        block: receipt.blockNumber.toString(),
      });
      await this.#o
        .publishReceipt({
          root,
          batchId: receipt.batchId,
          txHash: receipt.txHash,
          blockNumber: receipt.blockNumber,
          blockHash: receipt.blockHash,
          manifestCid: batch.manifestCid,
          chainId: this.#o.chainId,
          contract: this.#o.contract,
        })
        .catch((error: unknown) =>
          this.#o.logger.warn('anchoring: receipt not published', { error: name(error) }),
        );
    } catch (error) {
      // Only an abort (stop) or an invalid batch ends `anchor`; an unfinished batch resumes on start.
      if (!signal.aborted) this.#o.logger.error('anchoring: batch refused', { error: name(error) });
    }
  }
}

function name(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}

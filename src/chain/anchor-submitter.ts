/**
 * Submits a batch root to the Anchor contract and reports it anchored only once it is
 * confirmed: `confirmations` blocks deep, or at or below the `finalized` block where the chain
 * has that tag. Safe against what chains and RPC nodes do:
 *   - a root already anchored (by us before a restart, or by anyone) is success: its `Anchored`
 *     event is found and confirmed like our own transaction (idempotent);
 *   - a transaction dropped, or removed by a reorg, is looked for again and resubmitted if the
 *     root is no longer anchored; a receipt counts only while its block is still canonical;
 *   - RPC failures (timeouts, 429, 5xx, network) back off and retry; nothing is ever reported
 *     anchored on a guess.
 * Pure code: the viem clients are given (any transport), every wait takes the caller's signal.
 */
import {
  type Account,
  type Address,
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { anchorAbi } from './contract-artifacts.ts';

export interface AnchorBatch {
  root: Hex;
  count: number;
  /** The manifest's CID, as bytes. */
  manifestCid: Hex;
}

export interface AnchorReceipt {
  root: Hex;
  batchId: bigint;
  txHash: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  /** Whether our transaction anchored it (false: it was anchored already). */
  submittedByUs: boolean;
}

export interface AnchorSubmitterOptions {
  publicClient: PublicClient<Transport, Chain | undefined>;
  walletClient: WalletClient<Transport, Chain | undefined, Account>;
  contract: Address;
  /** Blocks deep (the anchoring block counts as 1) before "anchored". @default 3 */
  confirmations?: number;
  /** Wait for the `finalized` block instead (chains that have it, e.g. OP Stack L2s). */
  useFinalized?: boolean;
  /** Poll interval while waiting for blocks, ms. @default 2_000 */
  pollMs?: number;
  /** A transaction not mined within this long is looked for again, ms. @default 120_000 */
  receiptTimeoutMs?: number;
  /** Longest pause between retries after RPC failures, ms. @default 60_000 */
  maxBackoffMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  log?: (message: string) => void;
  /** Progress, e.g. for tests and metrics. */
  onProgress?: (
    event: { kind: 'submitted'; txHash: Hex } | { kind: 'mined'; txHash: Hex; blockNumber: bigint },
  ) => void;
}

/** Waits `ms`, rejecting with the signal's reason if it aborts first. */
export function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The contract's custom error name when `error` is a revert, else undefined. */
function revertName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError ? (revert.data?.errorName ?? 'reverted') : undefined;
}

interface Mined {
  txHash: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  batchId: bigint;
  submittedByUs: boolean;
}

export class AnchorSubmitter {
  readonly #o: Required<Omit<AnchorSubmitterOptions, 'onProgress' | 'log'>> &
    Pick<AnchorSubmitterOptions, 'onProgress' | 'log'>;

  constructor(options: AnchorSubmitterOptions) {
    this.#o = {
      confirmations: 3,
      useFinalized: false,
      pollMs: 2_000,
      receiptTimeoutMs: 120_000,
      maxBackoffMs: 60_000,
      sleep: sleepFor,
      ...options,
    };
    if (!Number.isInteger(this.#o.confirmations) || this.#o.confirmations < 1) {
      throw new RangeError('"confirmations" must be a positive integer');
    }
  }

  /** Anchors `batch` and resolves once it is confirmed. Rejects only when `signal` aborts or the batch is invalid. */
  async anchor(batch: AnchorBatch, signal: AbortSignal): Promise<AnchorReceipt> {
    let failures = 0;
    for (;;) {
      signal.throwIfAborted();
      try {
        const mined = (await this.#findAnchored(batch.root)) ?? (await this.#submit(batch, signal));
        if (mined && (await this.#confirm(mined, signal))) {
          return { root: batch.root, ...mined };
        }
        failures = 0; // dropped or reorged: look again at once
      } catch (error) {
        signal.throwIfAborted();
        const name = revertName(error);
        if (name === 'ZeroRoot' || name === 'EmptyBatch') throw error;
        failures++;
        const delay = Math.min(this.#o.maxBackoffMs, 1000 * 2 ** Math.min(failures - 1, 10));
        this.#o.log?.(`anchoring: ${error instanceof Error ? error.name : 'error'}; retrying in ${delay} ms`);
        await this.#o.sleep(delay, signal);
      }
    }
  }

  /** The `Anchored` event of `root` on the canonical chain, if it is anchored. */
  async #findAnchored(root: Hex): Promise<Mined | undefined> {
    const { publicClient, contract } = this.#o;
    const [batchId, blockNumber] = await publicClient.readContract({
      address: contract,
      abi: anchorAbi,
      functionName: 'anchoredAt',
      args: [root],
    });
    if (batchId === 0n) return undefined;
    const [event] = await publicClient.getContractEvents({
      address: contract,
      abi: anchorAbi,
      eventName: 'Anchored',
      args: { root },
      fromBlock: blockNumber,
      toBlock: blockNumber,
    });
    if (!event?.transactionHash || !event.blockHash) return undefined;
    return {
      txHash: event.transactionHash,
      blockNumber,
      blockHash: event.blockHash,
      batchId,
      submittedByUs: false,
    };
  }

  /** Sends the transaction and waits for its receipt; undefined when it was not mined in time. */
  async #submit(batch: AnchorBatch, signal: AbortSignal): Promise<Mined | undefined> {
    const { publicClient, walletClient, contract } = this.#o;
    try {
      const { request } = await publicClient.simulateContract({
        address: contract,
        abi: anchorAbi,
        functionName: 'anchor',
        args: [batch.root, batch.count, batch.manifestCid],
        account: walletClient.account,
      });
      signal.throwIfAborted();
      const txHash = await walletClient.writeContract(request);
      this.#o.onProgress?.({ kind: 'submitted', txHash });
      const receipt = await publicClient.waitForTransactionReceipt({
        hash: txHash,
        timeout: this.#o.receiptTimeoutMs,
        pollingInterval: this.#o.pollMs,
      });
      if (receipt.status !== 'success') return undefined; // lost a race: look again
      this.#o.onProgress?.({ kind: 'mined', txHash, blockNumber: receipt.blockNumber });
      const found = await this.#findAnchored(batch.root);
      return found && found.txHash === txHash ? { ...found, submittedByUs: true } : found;
    } catch (error) {
      // Someone anchored it between our read and our transaction: that is success.
      if (revertName(error) === 'AlreadyAnchored') return this.#findAnchored(batch.root);
      if (error instanceof BaseError && error.name === 'WaitForTransactionReceiptTimeoutError')
        return undefined;
      throw error;
    }
  }

  /** Waits until `mined` is confirmed (true) or its block left the canonical chain (false). */
  async #confirm(mined: Mined, signal: AbortSignal): Promise<boolean> {
    const { publicClient } = this.#o;
    for (;;) {
      const block = await publicClient
        .getBlock({ blockNumber: mined.blockNumber })
        .catch((error: unknown) => {
          if (error instanceof BaseError && error.name === 'BlockNotFoundError') return undefined;
          throw error;
        });
      if (block?.hash !== mined.blockHash) return false;
      const confirmed = this.#o.useFinalized
        ? (await publicClient.getBlock({ blockTag: 'finalized' })).number >= mined.blockNumber
        : (await publicClient.getBlockNumber({ cacheTime: 0 })) - mined.blockNumber + 1n >=
          BigInt(this.#o.confirmations);
      if (confirmed) {
        // Still canonical at the moment it counts.
        const again = await publicClient.getBlock({ blockNumber: mined.blockNumber });
        return again.hash === mined.blockHash;
      }
      await this.#o.sleep(this.#o.pollMs, signal);
    }
  }
}

/**
 * Forced inclusion: when no aggregator anchored an account's messages within the deadline (a
 * setting), the user anchors them with their own account, so no relay can keep a message off
 * chain. The batch is built like a relay's (src/chain/anchor-batch.ts: same leaves, tree and
 * manifest), its blocks kept here and pinned by the relays that will, and its root sent to the
 * Anchor contract in a transaction the user confirms. The batch is stored before the
 * transaction goes out, so a worker stopped while it is mined finishes it on the next pass; a
 * root someone anchored already counts as anchored (the contract refuses a duplicate).
 */
import { type Address, bytesToHex, encodeFunctionData, getAddress, type Hex, hexToBytes, toHex } from 'viem';
import { buildAnchorBatch } from '../../chain/anchor-batch.ts';
import { anchorLeaf } from '../../chain/anchor-leaf.ts';
import type { ReadAnchoredAt } from '../../chain/anchor-proof.ts';
import type { AnchoredEvent } from '../../chain/anchor-reader.ts';
import { anchorAbi } from '../../chain/contract-artifacts.ts';
import { MerkleTree } from '../../chain/merkle-tree.ts';
import { messageCid } from '../../chain/message-cid.ts';
import type { Network } from '../../chain/networks.ts';
import { CairnError, RpcErrorCode } from '../../keyring/errors.ts';
import { OneRunPerAccount } from '../one-run-per-account.ts';
import { BroadcastUnknownError, type OwnTransactions } from '../wallet-transactions.ts';
import { type AnchorDb, type AnchorRecord, MAX_OWN_BATCH, type OwnBatch } from './anchor-db.ts';

/** Nothing of the account has waited past the deadline. */
export class NothingToAnchorError extends CairnError {
  override name = 'NothingToAnchorError';
  constructor() {
    super('No message has waited past the anchoring deadline', { code: RpcErrorCode.invalidParams });
  }
}

/** The anchoring transaction was mined but reverted, and the root is not on chain. */
export class AnchorTransactionFailedError extends CairnError {
  override name = 'AnchorTransactionFailedError';
  constructor(txHash: Hex) {
    super(`The anchoring transaction ${txHash} failed; your messages are still waiting`, {
      code: RpcErrorCode.internal,
    });
  }
}

export interface SelfAnchorResult {
  count: number;
  root: Hex;
  /** Null when the root was on chain already (the same messages, anchored before). */
  txHash: Hex | null;
  /** `anchored`: the messages have their proof; `confirming`: sent, finished by a later pass. */
  status: 'anchored' | 'confirming';
  /** Relays that pinned the batch's manifest (0: only this browser holds it; messages follow). */
  pinnedBy: number;
}

/** How the anchoring network is reached: its Anchor contract read and its events. */
export interface AnchorChain {
  network: Network;
  contract: Address;
  readAnchoredAt: ReadAnchoredAt;
  anchoredEvents(from: bigint, to: bigint, signal: AbortSignal, root?: Hex): Promise<AnchoredEvent[]>;
}

export interface SelfAnchoringOptions {
  db(): Promise<
    Pick<AnchorDb, 'pendingSince' | 'getMany' | 'put' | 'putOwnBatch' | 'ownBatches' | 'deleteOwnBatch'>
  >;
  /** The network to anchor on (the selected one if it has the Anchor contract, else the first that does). */
  chain(): Promise<AnchorChain>;
  /** The chain of an own batch that was started earlier (null: the wallet no longer knows it). */
  chainOf(chainId: number, contract: Address): Promise<AnchorChain | null>;
  transactions: OwnTransactions;
  putBlock(bytes: Uint8Array, signal: AbortSignal): Promise<{ bytes: Uint8Array; toString(): string }>;
  pinAtRelays(cids: { toString(): string }[], signal: AbortSignal): Promise<number>;
  /** Minutes a message waits for an aggregator before the user may anchor it. */
  deadlineMinutes(): Promise<number>;
  /** These conversations' messages got their proof (verified by the tracker next). */
  onAnchored(account: Address, topics: string[]): void;
  log(message: string): void;
  now(): number;
  /** How long a receipt is waited for in `anchor`, ms. @default 180_000 */
  receiptWaitMs?: number;
}

/** The approval's method: one anchoring approval waits at a time. */
const METHOD = 'cairn_anchorMessages';
/** An unfinished own batch is given up after this long without its root on chain, once dropped. */
const GIVE_UP_MS = 30 * 60_000;

export class SelfAnchoring {
  readonly #o: SelfAnchoringOptions;
  /** Accounts whose anchoring runs now: one at a time each. */
  readonly #runs = new OneRunPerAccount('Anchoring is already under way');

  constructor(options: SelfAnchoringOptions) {
    this.#o = options;
  }

  /** The account's messages that waited past the deadline (and are in no own batch yet). */
  async overdue(account: Address): Promise<{ count: number; deadlineMinutes: number }> {
    const deadlineMinutes = await this.#o.deadlineMinutes();
    const records = await this.#overdue(account, deadlineMinutes);
    return { count: records.length, deadlineMinutes };
  }

  async #overdue(account: Address, deadlineMinutes: number): Promise<AnchorRecord[]> {
    const db = await this.#o.db();
    // A message in a batch already sent is not offered again: its transaction may still land.
    const inBatches = new Set(
      (await db.ownBatches())
        .filter((batch) => batch.account === getAddress(account))
        .flatMap((batch) => batch.leaves.map((leaf) => leaf.messageId)),
    );
    const records = await db.pendingSince(account, this.#o.now() - deadlineMinutes * 60_000, MAX_OWN_BATCH);
    return records.filter((record) => !inBatches.has(record.messageId));
  }

  /**
   * Anchors the account's overdue messages with its own transaction (after the user confirms).
   * @throws NothingToAnchorError, UserRejectedError, AnchorTransactionFailedError,
   *   TransactionNotMinedError's kin (the signal's reason), RPC errors
   */
  async anchor(account: Address, signal: AbortSignal): Promise<SelfAnchorResult> {
    return this.#runs.run(account, () => this.#anchor(account, signal));
  }

  async #anchor(account: Address, signal: AbortSignal): Promise<SelfAnchorResult> {
    const deadlineMinutes = await this.#o.deadlineMinutes();
    const db = await this.#o.db();
    const records = await this.#overdue(account, deadlineMinutes);
    if (records.length === 0) throw new NothingToAnchorError();
    const chain = await this.#o.chain();
    const leaves = records.map((record) => ({
      messageId: record.messageId,
      contentTopic: record.contentTopic,
    }));
    const cids: { toString(): string }[] = [];
    const { tree, manifestCid } = await buildAnchorBatch(
      leaves.map((leaf) => ({
        messageId: hexToBytes(`0x${leaf.messageId}`),
        contentTopic: leaf.contentTopic,
      })),
      {
        storeBlock: async (bytes, s) => {
          const cid = await this.#o.putBlock(bytes, s);
          cids.push(cid);
          return { bytes: cid.bytes, text: cid.toString() };
        },
        signal,
      },
    );
    const batch: OwnBatch = {
      account,
      root: bytesToHex(tree.root),
      chainId: chain.network.chainId,
      contract: chain.contract,
      manifestCid,
      leaves,
      txHash: null,
      createdAt: this.#o.now(),
    };
    await db.putOwnBatch(batch);
    const result = { count: tree.size, root: batch.root, txHash: null as Hex | null };
    const [already] = await chain.readAnchoredAt(batch.root, signal);
    if (already === 0n) {
      const data = encodeFunctionData({
        abi: anchorAbi,
        functionName: 'anchor',
        args: [batch.root, tree.size, toHex(new TextEncoder().encode(manifestCid))],
      });
      const purpose = `Anchor ${tree.size} of your messages on chain: no relay anchored them within ${deadlineMinutes} minutes.`;
      try {
        result.txHash = await this.#o.transactions.send(
          {
            from: account,
            network: chain.network,
            to: chain.contract,
            data,
            purpose,
            method: METHOD,
            // Kept before the node sees it: a later pass follows it whatever happens next.
            beforeBroadcast: (txHash) => db.putOwnBatch({ ...batch, txHash }),
          },
          signal,
        );
      } catch (error) {
        // Sent, or maybe sent (no answer): the kept batch is followed; nothing else is.
        if (error instanceof BroadcastUnknownError) {
          return { ...result, txHash: error.txHash, status: 'confirming', pinnedBy: 0 };
        }
        await db.deleteOwnBatch(account, batch.root).catch(() => {});
        throw error;
      }
    }
    // Relays pin the manifest, and the messages, which every relay keeps as blocks named by their
    // ids (when it stored them), so the batch can be rebuilt from chain + IPFS like a relay's.
    const pinned = this.#o.pinAtRelays(cids, signal).catch(() => 0);
    const messageCids = leaves.map((leaf) => messageCid(hexToBytes(`0x${leaf.messageId}`)));
    this.#o.pinAtRelays(messageCids, signal).catch(() => 0);
    if (result.txHash) {
      const waitMs = this.#o.receiptWaitMs ?? 180_000;
      const mined = await this.#o.transactions.receiptWithin(chain.network, result.txHash, waitMs, signal);
      // No receipt in time, or the caller gave up: the transaction is out, a later pass follows it.
      if (!mined) return { ...result, status: 'confirming', pinnedBy: await pinned };
      // A revert: someone may have anchored the same root first (AlreadyAnchored), which is success.
      if (!mined.success && (await chain.readAnchoredAt(batch.root, signal))[0] === 0n) {
        await db.deleteOwnBatch(account, batch.root);
        throw new AnchorTransactionFailedError(result.txHash);
      }
    }
    // The node may not serve the new block's state yet: then a later pass finishes the batch.
    const finished = await this.#finish({ ...batch, txHash: result.txHash }, chain, signal);
    return { ...result, status: finished ? 'anchored' : 'confirming', pinnedBy: await pinned };
  }

  /**
   * Finishes own batches a stopped worker left (their root on chain: the messages get their
   * proofs), and gives up ones that never made it. Never throws.
   */
  async resume(signal: AbortSignal): Promise<void> {
    try {
      const db = await this.#o.db();
      for (const batch of await db.ownBatches()) {
        if (this.#runs.isRunning(batch.account)) continue;
        // Never signed (the worker stopped before): nothing can land.
        if (!batch.txHash) {
          await db.deleteOwnBatch(batch.account, batch.root);
          continue;
        }
        const chain = await this.#o.chainOf(batch.chainId, batch.contract);
        if (chain && (await this.#finish(batch, chain, signal))) continue;
        // Given up only once the node no longer knows the transaction (dropped, or never received).
        const stale = this.#o.now() - batch.createdAt > GIVE_UP_MS;
        if (stale && (!chain || !(await this.#o.transactions.known(chain.network, batch.txHash, signal)))) {
          await db.deleteOwnBatch(batch.account, batch.root);
        }
      }
    } catch (error) {
      if (!signal.aborted) this.#o.log(`Own anchoring: ${error instanceof Error ? error.name : 'error'}`);
    }
  }

  /**
   * When the batch's root is on chain, gives its messages that still wait the proof (state
   * "anchored", verified by the tracker next) and forgets the batch. @returns false if not on chain
   */
  async #finish(batch: OwnBatch, chain: AnchorChain, signal: AbortSignal): Promise<boolean> {
    const [batchId, blockNumber] = await chain.readAnchoredAt(batch.root, signal);
    if (batchId === 0n) return false;
    // The transaction that anchored the root (ours, or whoever anchored the same root first).
    const [event] = await chain.anchoredEvents(blockNumber, blockNumber, signal, batch.root);
    const txHash = event?.transactionHash ?? batch.txHash;
    if (!txHash) return false;
    const leafHashes = batch.leaves.map((leaf) => anchorLeaf(leaf.messageId, leaf.contentTopic));
    const tree = MerkleTree.fromLeaves(leafHashes);
    const db = await this.#o.db();
    if (bytesToHex(tree.root) !== batch.root.toLowerCase()) {
      // Stored data is untrusted: leaves that do not make the root give no proof.
      await db.deleteOwnBatch(batch.account, batch.root);
      this.#o.log('Own anchoring: a kept batch did not match its root; dropped');
      return false;
    }
    const updates: AnchorRecord[] = [];
    const records = await db.getMany(
      batch.account,
      batch.leaves.map((leaf) => leaf.messageId),
    );
    for (const [i, leaf] of batch.leaves.entries()) {
      const record = records[i];
      if (record?.state !== 'pending' || record.contentTopic !== leaf.contentTopic) continue;
      updates.push({
        ...record,
        state: 'anchored',
        attempts: 0,
        nextCheckAt: this.#o.now(),
        anchor: {
          root: batch.root,
          proof: tree.proof(leafHashes[i] as Uint8Array).map((node) => bytesToHex(node)),
          batchId: batchId.toString(),
          txHash,
          blockNumber: blockNumber.toString(),
          chainId: batch.chainId,
          contract: batch.contract,
          manifestCid: batch.manifestCid,
        },
      });
    }
    await db.put(updates);
    await db.deleteOwnBatch(batch.account, batch.root);
    this.#o.onAnchored(batch.account, [...new Set(updates.map((record) => record.contentTopic))]);
    return true;
  }
}

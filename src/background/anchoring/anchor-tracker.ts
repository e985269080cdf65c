/**
 * Follows each of the account's messages through anchoring: pending → anchored (a relay's proof)
 * → verified (the proof checked against the Anchor contract here). A pass asks the relays for the
 * proofs of the messages that are due, at most `BATCH` at a time, and checks the ones it gets.
 * Nothing is marked verified on a relay's word: a proof that does not hold is dropped (the message
 * stays pending, asked again later); a chain that cannot be reached leaves it "anchored" until a
 * later pass can check it. Checks back off per message (10 s doubling to 10 min). A verified
 * message is checked again every minute for an hour (past L1 and L2 finality): a reorg that
 * removed its batch sends it back to pending, and it is anchored again.
 */
import type { Address, Hex } from 'viem';
import type { MessageProof, VerifiedAnchor } from '../../chain/anchor-proof.ts';
import { AnchorProofError } from '../../chain/anchor-proof.ts';
import type { MessageProofEntry } from '../../p2p/store-proofs.ts';
import type { AnchorDb, AnchorDetails, AnchorRecord } from './anchor-db.ts';

export const BATCH = 100;
const FIRST_DELAY_MS = 10_000;
const MAX_DELAY_MS = 10 * 60_000;
/** Verified messages are checked again this often, for this long after their first verification. */
export const RECHECK_MS = 60_000;
export const RECHECK_WINDOW_MS = 60 * 60_000;
const NEVER = Number.MAX_SAFE_INTEGER;

export interface AnchorTrackerOptions {
  db: Pick<AnchorDb, 'track' | 'due' | 'put'>;
  /** Asks the relays for proofs (unknown / pending / anchored) of these message ids. */
  proofs(messageIds: Hex[], signal: AbortSignal): Promise<MessageProofEntry[]>;
  /**
   * Checks a proof against the chain `chainId` and contract, or says the chain is not one this
   * wallet can read (undefined). @throws AnchorProofError when it does not hold; RPC errors.
   */
  verify(
    proof: MessageProof,
    chain: { chainId: number; contract: Address },
    signal: AbortSignal,
  ): Promise<VerifiedAnchor | undefined>;
  /** These conversations' messages changed anchoring state. */
  onChange(account: Address, topics: string[]): void;
  log(message: string): void;
  now(): number;
}

function backoff(attempts: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempts, 10));
}

export class AnchorTracker {
  readonly #o: AnchorTrackerOptions;

  constructor(options: AnchorTrackerOptions) {
    this.#o = options;
  }

  /** Starts following a message (sent with a relay's ack, or received). */
  async track(account: Address, messageId: string, contentTopic: string): Promise<void> {
    if (await this.#o.db.track(account, messageId, contentTopic, this.#o.now())) {
      this.#o.onChange(account, [contentTopic]);
    }
  }

  /**
   * One pass over what is due: pending messages first, then anchored ones not yet verified, then
   * verified ones still inside their re-check window.
   */
  async check(signal: AbortSignal): Promise<void> {
    const now = this.#o.now();
    const pending = await this.#o.db.due('pending', now, BATCH);
    if (pending.length > 0) await this.#askRelays(pending, signal);
    for (const state of ['anchored', 'verified'] as const) {
      const due = await this.#o.db.due(state, now, BATCH);
      if (due.length > 0) await this.#verifyAll(due, signal);
    }
  }

  /**
   * Checks these records' proofs against the chain now (the user asked), whatever their schedule;
   * `verify` replaces the usual check (e.g. one that is timed).
   */
  async recheck(
    records: AnchorRecord[],
    signal: AbortSignal,
    verify: AnchorTrackerOptions['verify'] = this.#o.verify,
  ): Promise<void> {
    const withProof = records.filter((record) => record.anchor !== undefined);
    if (withProof.length > 0) await this.#verifyAll(withProof, signal, verify);
  }

  async #askRelays(records: AnchorRecord[], signal: AbortSignal): Promise<void> {
    const ids = [...new Set(records.map((record) => record.messageId))];
    let entries: MessageProofEntry[];
    try {
      entries = await this.#o.proofs(
        ids.map((id) => `0x${id}` as Hex),
        signal,
      );
    } catch (error) {
      signal.throwIfAborted();
      this.#o.log(`Anchoring: no relay answered (${error instanceof Error ? error.name : 'error'})`);
      await this.#later(records);
      return;
    }
    const byId = new Map(entries.map((entry) => [entry.messageId.slice(2).toLowerCase(), entry]));
    const anchored: AnchorRecord[] = [];
    const waiting: AnchorRecord[] = [];
    for (const record of records) {
      const entry = byId.get(record.messageId);
      // The relay's topic must be the one the message is on: a proof for another leaf is no proof.
      if (entry?.state === 'anchored' && entry.anchored && entry.contentTopic === record.contentTopic) {
        const a = entry.anchored;
        anchored.push({
          ...record,
          state: 'anchored',
          anchor: {
            root: a.root,
            proof: a.proof,
            batchId: a.batchId.toString(),
            txHash: a.txHash,
            blockNumber: a.blockNumber.toString(),
            chainId: Number(a.chainId),
            contract: a.contract as Address,
            manifestCid: a.manifestCid,
          },
        });
      } else {
        waiting.push(record);
      }
    }
    await this.#later(waiting);
    if (anchored.length > 0) await this.#verifyAll(anchored, signal);
  }

  async #verifyAll(
    records: AnchorRecord[],
    signal: AbortSignal,
    verify: AnchorTrackerOptions['verify'] = this.#o.verify,
  ): Promise<void> {
    const now = this.#o.now();
    const done: AnchorRecord[] = [];
    for (const record of records) {
      const anchor = record.anchor as AnchorDetails;
      try {
        const verified = await verify(
          {
            messageId: record.messageId,
            contentTopic: record.contentTopic,
            root: anchor.root,
            proof: anchor.proof,
          },
          { chainId: anchor.chainId, contract: anchor.contract },
          signal,
        );
        if (verified) {
          const verifiedAt = anchor.verifiedAt ?? now;
          done.push({
            ...record,
            state: 'verified',
            nextCheckAt: now - verifiedAt >= RECHECK_WINDOW_MS ? NEVER : now + RECHECK_MS,
            anchor: {
              ...anchor,
              blockNumber: verified.blockNumber.toString(),
              batchId: verified.batchId.toString(),
              verifiedAt,
            },
          });
        } else if (record.state === 'verified') {
          done.push({ ...record, nextCheckAt: now + RECHECK_MS });
        } else {
          // A chain this wallet does not know: keep the relay's word, marked as unverified.
          done.push({
            ...record,
            state: 'anchored',
            attempts: record.attempts + 1,
            nextCheckAt: now + MAX_DELAY_MS,
          });
        }
      } catch (error) {
        signal.throwIfAborted();
        if (error instanceof AnchorProofError) {
          // Wrong proof, or a root the chain no longer has (a reorg): back to pending.
          this.#o.log(`Anchoring: a relay's proof did not hold (${error.reason})`);
          const { anchor: _dropped, ...rest } = record;
          done.push({
            ...rest,
            state: 'pending',
            attempts: record.attempts + 1,
            nextCheckAt: now + backoff(record.attempts),
          });
        } else {
          // The chain could not be asked: nothing changes, it is asked again later.
          done.push({
            ...record,
            attempts: record.attempts + 1,
            nextCheckAt: now + backoff(record.attempts),
          });
        }
      }
    }
    await this.#o.db.put(done);
    // The UI hears of state changes only (a re-check that changed nothing is silent).
    this.#notify(
      done.filter((record, i) => record.state !== records[i]!.state || record.state !== 'verified'),
    );
  }

  async #later(records: AnchorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const now = this.#o.now();
    await this.#o.db.put(
      records.map((record) => ({
        ...record,
        attempts: record.attempts + 1,
        nextCheckAt: now + backoff(record.attempts),
      })),
    );
  }

  #notify(records: AnchorRecord[]): void {
    const byAccount = new Map<Address, Set<string>>();
    for (const record of records) {
      const topics = byAccount.get(record.account) ?? new Set<string>();
      topics.add(record.contentTopic);
      byAccount.set(record.account, topics);
    }
    for (const [account, topics] of byAccount) this.#o.onChange(account, [...topics]);
  }
}

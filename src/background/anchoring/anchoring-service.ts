/**
 * Anchoring in the background: follows the unlocked accounts' messages through anchoring
 * (AnchorTracker over AnchorDb), asks the relays on a timer and on the wake alarm, and checks
 * proofs against the chain the relay anchored on, when the wallet knows that network (its
 * contracts); otherwise a message stays "anchored" on the relay's word, never "verified".
 */
import type { Address, Hex } from 'viem';
import { verifyMessageProof } from '../../chain/anchor-proof.ts';
import { anchoredAtReader } from '../../chain/anchor-reader.ts';
import { JsonRpcClient } from '../../chain/json-rpc-client.ts';
import type { Network } from '../../chain/networks.ts';
import type { MessageProofEntry } from '../../p2p/store-proofs.ts';
import type { WalletState } from '../ui-api-contract';
import type { AnchorDb, AnchorRecord } from './anchor-db.ts';
import { AnchorTracker, type AnchorTrackerOptions } from './anchor-tracker.ts';

export interface AnchoringServiceOptions {
  openDb(): Promise<AnchorDb>;
  /** Asks the running messenger's relays. */
  proofs(messageIds: Hex[], signal: AbortSignal): Promise<MessageProofEntry[]>;
  /** The networks the wallet knows (presets and the user's). */
  networks(): Promise<Network[]>;
  onChange(account: Address, topics: string[]): void;
  log(message: string): void;
  /** @default 15_000 */
  intervalMs?: number;
  now?: () => number;
}

export class AnchoringService {
  readonly #o: AnchoringServiceOptions;
  #db: Promise<AnchorDb> | undefined;
  #tracker: AnchorTracker | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #abort = new AbortController();
  #checking: Promise<void> | null = null;

  constructor(options: AnchoringServiceOptions) {
    this.#o = options;
  }

  /** Runs while the wallet is unlocked. */
  walletStateChanged(state: WalletState): void {
    if (state.status === 'unlocked') this.#start();
    else this.#stop();
  }

  /** Follows a message a relay stored. Never throws. */
  track(account: Address, messageId: string, topic: string): void {
    const tracker = this.#tracker;
    if (!tracker) return;
    tracker
      .track(account, messageId, topic)
      .catch((error: unknown) => this.#o.log(`Anchoring: ${name(error)}`));
  }

  /** One pass now (the wake alarm, or a test); passes never overlap. */
  check(): Promise<void> {
    const tracker = this.#tracker;
    if (!tracker) return Promise.resolve();
    this.#checking ??= tracker
      .check(this.#abort.signal)
      .catch((error: unknown) => {
        if (!this.#abort.signal.aborted) this.#o.log(`Anchoring check: ${name(error)}`);
      })
      .finally(() => {
        this.#checking = null;
      });
    return this.#checking;
  }

  /** The anchoring records of these messages (missing ones: not followed). */
  async anchors(account: Address, messageIds: readonly string[]): Promise<AnchorRecord[]> {
    if (!this.#db) return [];
    const db = await this.#db;
    const records = await Promise.all(messageIds.map((id) => db.get(account, id)));
    return records.filter((record): record is AnchorRecord => record !== undefined);
  }

  #start(): void {
    if (this.#tracker) return;
    this.#abort = new AbortController();
    const db = this.#o.openDb();
    this.#db = db;
    db.catch((error: unknown) => this.#o.log(`Anchoring store: ${name(error)}`));
    const lazyDb: AnchorTrackerOptions['db'] = {
      track: async (...args) => (await db).track(...args),
      due: async (...args) => (await db).due(...args),
      put: async (...args) => (await db).put(...args),
    };
    this.#tracker = new AnchorTracker({
      db: lazyDb,
      proofs: (ids, signal) => this.#o.proofs(ids, signal),
      verify: async (proof, chain, signal) => {
        const network = (await this.#o.networks()).find(
          (n) =>
            n.chainId === chain.chainId && n.anchoring?.anchor.toLowerCase() === chain.contract.toLowerCase(),
        );
        if (!network) return undefined;
        const readAnchoredAt = anchoredAtReader(new JsonRpcClient({ url: network.rpcUrl }), chain.contract);
        return verifyMessageProof(proof, { ...chain, readAnchoredAt }, signal);
      },
      onChange: (account, topics) => this.#o.onChange(account, topics),
      log: (message) => this.#o.log(message),
      now: this.#o.now ?? Date.now,
    });
    this.#timer = setInterval(() => void this.check(), this.#o.intervalMs ?? 15_000);
  }

  #stop(): void {
    if (!this.#tracker) return;
    clearInterval(this.#timer);
    this.#abort.abort();
    this.#tracker = undefined;
    const db = this.#db;
    this.#db = undefined;
    void db?.then((opened) => opened.close()).catch(() => {});
  }
}

function name(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

/**
 * Anchoring in the background: follows the unlocked accounts' messages through anchoring
 * (AnchorTracker over AnchorDb), asks the relays on a timer and on the wake alarm, and checks
 * proofs against the chain the relay anchored on, when the wallet knows that network (its
 * contracts); otherwise a message stays "anchored" on the relay's word, never "verified".
 */
import type { CID } from 'multiformats/cid';
import type { Address, Hex } from 'viem';
import { type ReadAnchoredAt, verifyMessageProof } from '../../chain/anchor-proof.ts';
import { anchoredAtReader, anchoredEventsReader, readHead } from '../../chain/anchor-reader.ts';
import { type RecoveryProgress, rebuildInbox } from '../../chain/inbox-recovery.ts';
import { JsonRpcClient } from '../../chain/json-rpc-client.ts';
import { type AnchoringNetwork, anchoringNetwork, type Network } from '../../chain/networks.ts';
import { CairnError, RpcErrorCode } from '../../keyring/errors.ts';
import type { MessageProofEntry } from '../../p2p/store-proofs.ts';
import type { Envelope } from '../../protocol/index.ts';
import type { WalletState } from '../ui-api-contract';
import type { AnchorDb, AnchorRecord } from './anchor-db.ts';
import { AnchorTracker, type AnchorTrackerOptions } from './anchor-tracker.ts';
import {
  type AnchorChain,
  SelfAnchoring,
  type SelfAnchoringOptions,
  type SelfAnchorResult,
} from './self-anchoring.ts';

export interface AnchoringServiceOptions {
  openDb(): Promise<AnchorDb>;
  /** Asks the running messenger's relays. */
  proofs(messageIds: Hex[], signal: AbortSignal): Promise<MessageProofEntry[]>;
  /** The networks the wallet knows (presets and the user's), and the selected one. */
  networks(): Promise<Network[]>;
  selectedNetwork(): Promise<Network>;
  /** The running messenger, for rebuilding an inbox. */
  messenger(): Promise<{
    listConversations(account: Address): Promise<{ topic: string }[]>;
    receiveRecovered(account: Address, envelope: Envelope): Promise<boolean>;
  }>;
  /** A block from the relays by CID (bitswap). */
  fetchBlock(cid: CID, signal: AbortSignal): Promise<Uint8Array>;
  /** Forced inclusion: the user's own transactions, blocks kept here and pinned by relays. */
  transactions: SelfAnchoringOptions['transactions'];
  putBlock(bytes: Uint8Array, signal: AbortSignal): Promise<CID>;
  pinAtRelays(cids: readonly CID[], signal: AbortSignal): Promise<number>;
  /** Minutes a message waits for a relay's batch before the user may anchor it. */
  deadlineMinutes(): Promise<number>;
  onChange(account: Address, topics: string[]): void;
  log(message: string): void;
  /** @default 15_000 */
  intervalMs?: number;
  now?: () => number;
}

/** No network the wallet knows has the Anchor contract to rebuild from. */
export class AnchoringUnavailableError extends CairnError {
  override name = 'AnchoringUnavailableError';
  constructor() {
    super('No known network has the Anchor contract: select one that does (e.g. the devnet)', {
      code: RpcErrorCode.resourceUnavailable,
    });
  }
}

/** One block fetch may take this long before it counts as missing. */
const BLOCK_TIMEOUT_MS = 10_000;

/** What a check asked for by the user took: all of it, and the chain read within it, ms. */
export interface VerifyTiming {
  totalMs: number;
  chainMs: number;
}

/**
 * An Anchor contract the wallet knows, as a pass uses it: `readAnchoredAtOnce` reads each root
 * once for the object's life (a pass), `readAnchoredAt` always asks the chain.
 */
type KnownChain = AnchorChain & { rpc: JsonRpcClient; readAnchoredAtOnce: ReadAnchoredAt };

export class AnchoringService {
  readonly #o: AnchoringServiceOptions;
  #db: Promise<AnchorDb> | undefined;
  #tracker: AnchorTracker | undefined;
  #own: SelfAnchoring | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #abort = new AbortController();
  #checking: Promise<void> | null = null;
  /** The Anchor contracts a pass needs (null: a chain the wallet does not know), per pass. */
  readonly #chains = new Map<string, Promise<KnownChain | null>>();
  /** The rebuild under way, if any. */
  #rebuilding: RecoveryProgress | null = null;

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
    // Networks may have changed since the last pass: look them up again, once per contract.
    if (!this.#checking) this.#chains.clear();
    const signal = this.#abort.signal;
    this.#checking ??= (this.#own?.resume(signal) ?? Promise.resolve())
      .then(() => tracker.check(signal))
      .catch((error: unknown) => {
        if (!signal.aborted) this.#o.log(`Anchoring check: ${name(error)}`);
      })
      .finally(() => {
        this.#checking = null;
      });
    return this.#checking;
  }

  /**
   * Rebuilds `account`'s inbox from chain + IPFS (src/chain/inbox-recovery.ts): the selected
   * network's Anchor contract if it has one, else the first known network with one.
   * @throws AnchoringUnavailableError, MessengerStoppedError, RPC errors
   */
  async rebuild(account: Address, signal: AbortSignal): Promise<RecoveryProgress> {
    const network = await this.#anchoringNetwork();
    const contracts = network.anchoring;
    const messenger = await this.#o.messenger();
    const topics = new Set((await messenger.listConversations(account)).map((c) => c.topic));
    const chain = this.#chain(network);
    const from = BigInt(contracts.fromBlock);
    this.#rebuilding = { scannedTo: from - 1n, head: from, batches: 0, found: 0, restored: 0, skipped: 0 };
    return rebuildInbox(
      {
        head: (s) => readHead(chain.rpc, s),
        anchoredEvents: chain.anchoredEvents,
        fetchBlock: (cid, s) =>
          this.#o.fetchBlock(cid, AbortSignal.any([s, AbortSignal.timeout(BLOCK_TIMEOUT_MS)])),
        deliver: (envelope) => messenger.receiveRecovered(account, envelope),
      },
      {
        topics,
        fromBlock: from,
        signal,
        onProgress: (progress) => {
          this.#rebuilding = progress;
        },
      },
    ).finally(() => {
      this.#rebuilding = null;
    });
  }

  /**
   * Checks one message's proof against the chain now (the user asked, from its details).
   * @returns its record after the check (undefined: not followed) and what the check took
   */
  async verifyNow(
    account: Address,
    messageId: string,
    signal: AbortSignal,
  ): Promise<{ record: AnchorRecord | undefined; timing: VerifyTiming | null }> {
    const tracker = this.#tracker;
    const db = await this.#db;
    if (!tracker || !db) throw new CairnError('The wallet is locked', { code: RpcErrorCode.unauthorized });
    const record = await db.get(account, messageId);
    if (!record?.anchor) return { record, timing: null };
    const timing: VerifyTiming = { totalMs: 0, chainMs: 0 };
    const started = performance.now();
    await tracker.recheck([record], signal, async (proof, chain, s) => {
      const known = await this.#knownChain(chain.chainId, chain.contract);
      if (!known) return undefined;
      const readAnchoredAt: ReadAnchoredAt = async (root, s2) => {
        const before = performance.now();
        try {
          return await known.readAnchoredAt(root, s2);
        } finally {
          timing.chainMs += performance.now() - before;
        }
      };
      return verifyMessageProof(proof, { ...chain, readAnchoredAt }, s);
    });
    timing.totalMs = performance.now() - started;
    return { record: await db.get(account, messageId), timing };
  }

  /** The account's messages that waited past the deadline for a relay's batch. */
  async overdue(account: Address): Promise<{ count: number; deadlineMinutes: number }> {
    return this.#requireOwn().overdue(account);
  }

  /**
   * Forced inclusion: anchors the account's overdue messages with its own transaction, after the
   * user confirms it. @throws see SelfAnchoring.anchor
   */
  async anchorOverdue(account: Address, signal: AbortSignal): Promise<SelfAnchorResult> {
    const result = await this.#requireOwn().anchor(account, signal);
    void this.check(); // verify the new proofs now
    return result;
  }

  #requireOwn(): SelfAnchoring {
    if (!this.#own) throw new CairnError('The wallet is locked', { code: RpcErrorCode.unauthorized });
    return this.#own;
  }

  /** The selected network if it has the Anchor contract, else the first known one that does. */
  async #anchoringNetwork(): Promise<AnchoringNetwork> {
    const network = anchoringNetwork(await this.#o.selectedNetwork(), await this.#o.networks());
    if (!network) throw new AnchoringUnavailableError();
    return network;
  }

  #chain(network: AnchoringNetwork): KnownChain {
    const contract = network.anchoring.anchor;
    const rpc = new JsonRpcClient({ url: network.rpcUrl });
    const readAnchoredAt = anchoredAtReader(rpc, contract);
    const read = new Map<string, ReturnType<ReadAnchoredAt>>();
    return {
      network,
      contract,
      rpc,
      readAnchoredAt,
      anchoredEvents: anchoredEventsReader(rpc, contract),
      readAnchoredAtOnce: (root, signal) => {
        const key = root.toLowerCase();
        let answer = read.get(key);
        if (!answer) {
          answer = readAnchoredAt(root, signal);
          read.set(key, answer);
        }
        return answer;
      },
    };
  }

  /** How far the rebuild under way got (null when none runs). */
  rebuildProgress(): RecoveryProgress | null {
    return this.#rebuilding ? { ...this.#rebuilding } : null;
  }

  /** The anchoring records of these messages (missing ones: not followed). */
  async anchors(account: Address, messageIds: readonly string[]): Promise<AnchorRecord[]> {
    if (!this.#db) return [];
    const records = await (await this.#db).getMany(account, messageIds);
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
        const known = await this.#knownChain(chain.chainId, chain.contract);
        // Messages of one batch share a root: one read of it a pass.
        return known
          ? verifyMessageProof(proof, { ...chain, readAnchoredAt: known.readAnchoredAtOnce }, signal)
          : undefined;
      },
      onChange: (account, topics) => this.#o.onChange(account, topics),
      log: (message) => this.#o.log(message),
      now: this.#o.now ?? Date.now,
    });
    this.#own = new SelfAnchoring({
      db: () => db,
      chain: async () => this.#chain(await this.#anchoringNetwork()),
      chainOf: (chainId, contract) => this.#knownChain(chainId, contract),
      transactions: this.#o.transactions,
      putBlock: (bytes, signal) => this.#o.putBlock(bytes, signal),
      pinAtRelays: (cids, signal) => this.#o.pinAtRelays(cids as CID[], signal),
      deadlineMinutes: () => this.#o.deadlineMinutes(),
      onAnchored: (account, topics) => this.#o.onChange(account, topics),
      log: (message) => this.#o.log(message),
      now: this.#o.now ?? Date.now,
    });
    this.#timer = setInterval(() => void this.check(), this.#o.intervalMs ?? 15_000);
  }

  /** `contract` on chain `chainId`, when the wallet knows that network (looked up once a pass). */
  #knownChain(chainId: number, contract: Address): Promise<KnownChain | null> {
    const key = `${chainId}:${contract.toLowerCase()}`;
    let chain = this.#chains.get(key);
    if (!chain) {
      chain = this.#o.networks().then((networks) => {
        const network = networks.find(
          (n): n is AnchoringNetwork =>
            n.chainId === chainId && n.anchoring?.anchor.toLowerCase() === contract.toLowerCase(),
        );
        return network ? this.#chain(network) : null;
      });
      this.#chains.set(key, chain);
    }
    return chain;
  }

  #stop(): void {
    if (!this.#tracker) return;
    clearInterval(this.#timer);
    this.#abort.abort();
    this.#tracker = undefined;
    this.#own = undefined;
    const db = this.#db;
    this.#db = undefined;
    void db?.then((opened) => opened.close()).catch(() => {});
  }
}

function name(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

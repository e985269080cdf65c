/**
 * The user's messaging key on chain (key transparency, contracts/KeyRegistry.sol): publishes an
 * account's contact bundle — the very bytes the messenger publishes on its contact topic, kept
 * here as an IPFS raw block and pinned by the relays — by sending `KeyRegistry.publish(cid)` from
 * the account in a transaction the user confirms (Cairn's own approval window); says whether the
 * key on chain is the current one; and reads a peer's CID for the bundle fallback. The registry
 * is the one of the anchoring network (the selected network if it has the contracts, else the
 * first known network that does).
 */
import type { CID } from 'multiformats/cid';
import { type Address, encodeFunctionData, type Hex, toHex } from 'viem';
import type { JsonRpcRequester } from '../../chain/anchor-reader';
import { keyRegistryAbi } from '../../chain/contract-artifacts';
import { JsonRpcClient } from '../../chain/json-rpc-client';
import {
  bundleCidOf,
  decodeBundleCid,
  type KeyRegistryEntry,
  keyOfReader,
} from '../../chain/key-registry-reader';
import { type AnchoringNetwork, anchoringNetwork, type Network } from '../../chain/networks';
import { CairnError, RpcErrorCode } from '../../keyring/errors';
import { equalBytes, type PrivateKeyBundle } from '../../protocol/index';
import { OneRunPerAccount } from '../one-run-per-account';
import type { UiHandlers } from '../ui-api-contract';
import { BroadcastUnknownError, type OwnTransactions } from '../wallet-transactions';
import type { MessagingNetwork } from './messaging-service';
import { contactBundleOf } from './own-contact-bundle';

/** No network the wallet knows has the KeyRegistry contract. */
export class KeyRegistryUnavailableError extends CairnError {
  override name = 'KeyRegistryUnavailableError';
  constructor() {
    super('No known network has the KeyRegistry contract: select one that does (e.g. the devnet)', {
      code: RpcErrorCode.resourceUnavailable,
    });
  }
}

/** The KeyRegistry could not be read (RPC down, or a malformed reply). */
export class KeyRegistryReadError extends CairnError {
  override name = 'KeyRegistryReadError';
  constructor(network: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : 'unknown error';
    super(`Could not read the KeyRegistry on ${network}: ${detail}`, { code: RpcErrorCode.internal, cause });
  }
}

/** No relay pinned the bundle's block: a CID on chain that no one serves would help no peer. */
export class KeyNotPinnedError extends CairnError {
  override name = 'KeyNotPinnedError';
  constructor() {
    super('No relay could keep your key: connect to a relay, then publish again', {
      code: RpcErrorCode.disconnected,
    });
  }
}

/** The publish transaction was mined but reverted. */
export class KeyPublishFailedError extends CairnError {
  override name = 'KeyPublishFailedError';
  constructor(txHash: Hex) {
    super(`The transaction ${txHash} publishing your key failed`, { code: RpcErrorCode.internal });
  }
}

/**
 * `current`: the chain has this account's current bundle; `outdated`: an older one; `confirming`:
 * this wallet sent the current one and the transaction is not mined yet.
 */
export type KeyOnChainStatus = 'current' | 'outdated' | 'unpublished' | 'confirming';

export interface KeyOnChain {
  status: KeyOnChainStatus;
  /** How many times the account published (decimal; "0" when never). */
  version: string;
  /** The block of the last publish (decimal), null when never. */
  block: string | null;
  /** The CID of the account's current bundle. */
  cid: string;
  chainId: number;
  network: string;
}

export interface PublishKeyResult {
  /** `current`: already on chain, nothing sent; `confirming`: sent, not mined within the wait. */
  status: 'published' | 'confirming' | 'current';
  txHash: Hex | null;
  cid: string;
  /** Relays that pinned the bundle's block. */
  pinnedBy: number;
}

export interface KeyRegistryServiceOptions {
  identities: { ensure(address: Address): Promise<PrivateKeyBundle> };
  selectedNetwork(): Promise<Network>;
  networks(): Promise<Network[]>;
  /** @default a JsonRpcClient on the network's RPC URL */
  rpcFor?: (network: Network) => JsonRpcRequester;
  /** The running messaging network: the block is kept here and pinned by relays. */
  blocks(): Promise<Pick<MessagingNetwork, 'putBlock' | 'pinAtRelays'>>;
  transactions: OwnTransactions;
  log(message: string): void;
  /** How long `publish` waits for the receipt, ms. @default 180_000 */
  receiptWaitMs?: number;
}

/** The approval's method: one key approval waits at a time. */
const METHOD = 'cairn_publishKey';
const PURPOSE =
  'Publish your messaging key on chain (KeyRegistry), so anyone can find it, and see when it changes, even when no relay knows it.';

export class KeyRegistryService {
  readonly #o: KeyRegistryServiceOptions;
  readonly #runs = new OneRunPerAccount('Publishing your key is already under way');
  /** Publishes sent and not seen on chain yet, per account: never sent twice while one may land. */
  readonly #sent = new Map<Address, { cid: string; txHash: Hex }>();

  constructor(options: KeyRegistryServiceOptions) {
    this.#o = options;
  }

  /** Where the account's key stands on chain. @throws KeyRegistryUnavailableError, KeyRegistryReadError, LockedError */
  async status(account: Address, signal: AbortSignal): Promise<KeyOnChain> {
    const { network, cid, entry } = await this.#read(account, signal);
    const sent = await this.#stillSent(account, network, cid, entry, signal);
    return {
      status: sent ? 'confirming' : statusOf(entry, cid),
      version: entry.version.toString(),
      block: entry.version === 0n ? null : entry.updatedAt.toString(),
      cid: cid.toString(),
      chainId: network.chainId,
      network: network.name,
    };
  }

  /**
   * Pins the account's bundle at the relays and, unless the chain has it already, publishes its
   * CID from the account after the user confirms.
   * @throws KeyNotPinnedError, UserRejectedError, KeyPublishFailedError, KeyRegistryUnavailableError,
   *   KeyRegistryReadError, MessengerStoppedError, RPC errors (e.g. the gas estimate failed)
   */
  async publish(account: Address, signal: AbortSignal): Promise<PublishKeyResult> {
    return this.#runs.run(account, () => this.#publish(account, signal));
  }

  async #publish(account: Address, signal: AbortSignal): Promise<PublishKeyResult> {
    const { network, bundle, cid, entry } = await this.#read(account, signal);
    const blocks = await this.#o.blocks();
    const stored = await blocks.putBlock(bundle, signal);
    if (!stored.equals(cid)) throw new CairnError('The key block was stored under another CID');
    const pinnedBy = await blocks.pinAtRelays([cid], signal);
    if (pinnedBy === 0) throw new KeyNotPinnedError();
    const result = { txHash: null as Hex | null, cid: cid.toString(), pinnedBy };
    if (statusOf(entry, cid) === 'current') return { ...result, status: 'current' };
    const sent = await this.#stillSent(account, network, cid, entry, signal);
    if (sent) return { ...result, txHash: sent.txHash, status: 'confirming' };
    const data = encodeFunctionData({
      abi: keyRegistryAbi,
      functionName: 'publish',
      args: [toHex(cid.bytes)],
    });
    const to = network.anchoring.keyRegistry;
    let txHash: Hex;
    try {
      txHash = await this.#o.transactions.send(
        {
          from: account,
          network,
          to,
          data,
          purpose: PURPOSE,
          method: METHOD,
          // Kept before the node sees it: a publish that may land is never sent again.
          beforeBroadcast: async (hash) => {
            this.#sent.set(account, { cid: cid.toString(), txHash: hash });
          },
        },
        signal,
      );
    } catch (error) {
      // Maybe sent (the node did not answer): followed like one that was.
      if (error instanceof BroadcastUnknownError)
        return { ...result, txHash: error.txHash, status: 'confirming' };
      throw error;
    }
    result.txHash = txHash;
    const waitMs = this.#o.receiptWaitMs ?? 180_000;
    const mined = await this.#o.transactions.receiptWithin(network, txHash, waitMs, signal);
    // No receipt in time, or the caller gave up: the transaction is out either way.
    if (!mined) return { ...result, status: 'confirming' };
    this.#sent.delete(account);
    if (!mined.success) throw new KeyPublishFailedError(txHash);
    this.#o.log('Published a messaging key on chain');
    return { ...result, status: 'published' };
  }

  /**
   * The CID `peer` published (the bundle fallback); null when it never did or no known network
   * has the registry. @throws KeyRegistryReadError, KeyRegistryReplyError (not a binary CID)
   */
  async cidOf(peer: Address, signal: AbortSignal): Promise<CID | null> {
    const network = await this.#network().catch(() => null);
    if (!network) return null;
    const entry = await this.#keyOf(network, peer, signal);
    return entry.version === 0n ? null : decodeBundleCid(entry.bundleCid);
  }

  readonly uiHandlers: Pick<UiHandlers, 'getKeyOnChain' | 'publishKeyOnChain'> = {
    getKeyOnChain: ({ account }) => this.status(account, AbortSignal.timeout(30_000)),
    publishKeyOnChain: ({ account }) => this.publish(account, AbortSignal.timeout(10 * 60_000)),
  };

  /**
   * The publish of `cid` this wallet sent and that may still land: none once the chain has it,
   * or once the node no longer knows the transaction (dropped).
   */
  async #stillSent(
    account: Address,
    network: Network,
    cid: CID,
    entry: KeyRegistryEntry,
    signal: AbortSignal,
  ): Promise<{ txHash: Hex } | null> {
    const sent = this.#sent.get(account);
    if (!sent) return null;
    const landed = statusOf(entry, cid) === 'current';
    if (
      sent.cid !== cid.toString() ||
      landed ||
      !(await this.#o.transactions.known(network, sent.txHash, signal))
    ) {
      this.#sent.delete(account);
      return null;
    }
    return sent;
  }

  async #read(account: Address, signal: AbortSignal) {
    const network = await this.#network();
    const bundle = contactBundleOf(await this.#o.identities.ensure(account));
    const cid = bundleCidOf(bundle);
    return { network, bundle, cid, entry: await this.#keyOf(network, account, signal) };
  }

  async #keyOf(network: AnchoringNetwork, account: Address, signal: AbortSignal): Promise<KeyRegistryEntry> {
    const rpc = this.#o.rpcFor?.(network) ?? new JsonRpcClient({ url: network.rpcUrl });
    try {
      return await keyOfReader(rpc, network.anchoring.keyRegistry)(account, signal);
    } catch (error) {
      signal.throwIfAborted();
      throw new KeyRegistryReadError(network.name, error);
    }
  }

  async #network(): Promise<AnchoringNetwork> {
    const network = anchoringNetwork(await this.#o.selectedNetwork(), await this.#o.networks());
    if (!network) throw new KeyRegistryUnavailableError();
    return network;
  }
}

function statusOf(entry: KeyRegistryEntry, cid: CID): KeyOnChainStatus {
  if (entry.version === 0n) return 'unpublished';
  return equalBytes(entry.bundleCid, cid.bytes) ? 'current' : 'outdated';
}

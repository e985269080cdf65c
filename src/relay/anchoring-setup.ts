/**
 * Wires anchoring into a running relay: the feed (message blocks + leaf sharing) always; with an
 * anchoring configuration, also the ledger, the aggregator and its submitter (viem over HTTP, the
 * relay's funded key), and the reorg watch over anchored batches. The chain is asked for its id in the background: a relay whose RPC is down
 * at start keeps collecting leaves in its ledger and starts anchoring once the RPC answers.
 */
import { join } from 'node:path';
import { TopicValidatorResult } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { type Address, createPublicClient, createWalletClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { ManifestLeaf } from '../chain/anchor-manifest.ts';
import { anchoredAtBlockReader, readHead } from '../chain/anchor-reader.ts';
import { decodeBatchReceipt, encodeBatchReceipt } from '../chain/anchor-receipt.ts';
import { AnchorSubmitter, sleepFor } from '../chain/anchor-submitter.ts';
import { JsonRpcClient } from '../chain/json-rpc-client.ts';
import { messageCid } from '../chain/message-cid.ts';
import { ANCHOR_LEAVES_TOPIC, ANCHOR_RECEIPTS_TOPIC } from '../p2p/anchor-topics.ts';
import type { CairnNode } from '../p2p/cairn-node';
import { AnchorAggregator } from './anchor-aggregator.ts';
import { AnchorFeed } from './anchor-feed.ts';
import { AnchorLedger } from './anchor-ledger.ts';
import { AnchorWatch } from './anchor-watch.ts';
import type { Logger } from './logger.ts';
import { ProofServer } from './proof-server.ts';
import { RateLimiter } from './rate-limiter.ts';
import { createWasmKeccak256 } from './wasm-keccak.ts';

export interface RelayAnchoringInit {
  /** The chain's JSON-RPC URL (http:// or https://). */
  rpcUrl: string;
  /** The Anchor contract. */
  contract: Address;
  /** The relay's funded account (from the environment, never a flag). */
  privateKey: Hex;
  /** @default 30_000 */
  intervalMs?: number;
  /** @default 10_000 */
  maxLeaves?: number;
  /** @default 3 */
  confirmations?: number;
  /** Wait for the `finalized` block instead of `confirmations`. */
  useFinalized?: boolean;
  /** Block polling, ms. @default 2_000 */
  pollMs?: number;
  /** Anchored batches are re-read for reorgs this long after anchoring, ms; 0 turns it off. @default 3_600_000 */
  watchWindowMs?: number;
  /** … every this long, ms. @default 30_000 */
  watchPeriodMs?: number;
}

export interface RelayAnchoring {
  feed: AnchorFeed;
  ledger: AnchorLedger | undefined;
  /** Resolves once the aggregator runs (never without an anchoring configuration). */
  aggregatorReady: Promise<AnchorAggregator>;
  stop(): Promise<void>;
}

export function startAnchoring(params: {
  node: CairnNode;
  dataDir: string;
  init: RelayAnchoringInit | undefined;
  logger: Logger;
  clock: () => number;
}): RelayAnchoring {
  const { node, init, logger } = params;
  const pubsub = node.libp2p.services.pubsub;
  const abort = new AbortController();
  const ledger = init ? AnchorLedger.open(join(params.dataDir, 'anchoring.sqlite'), params.clock) : undefined;
  let aggregator: AnchorAggregator | undefined;
  let watch: AnchorWatch | undefined;
  let proofs: ProofServer | undefined;
  const sink = ledger && {
    add: (leaves: readonly ManifestLeaf[]) => (aggregator ? aggregator.add(leaves) : void ledger.add(leaves)),
  };
  const feed = new AnchorFeed({
    blockstore: node.blockstore,
    share: async (page) => {
      await pubsub.publish(ANCHOR_LEAVES_TOPIC, page);
    },
    ...(sink ? { aggregator: sink } : {}),
    limiter: new RateLimiter({ ratePerSecond: 20, burst: 60, clock: params.clock }),
    logger,
  });
  const verdicts = {
    accept: TopicValidatorResult.Accept,
    reject: TopicValidatorResult.Reject,
    ignore: TopicValidatorResult.Ignore,
  };
  pubsub.topicValidators.set(ANCHOR_LEAVES_TOPIC, (peer: PeerId, message: { data: Uint8Array }) => {
    return verdicts[feed.acceptShared(peer.toString(), message.data)];
  });
  pubsub.topicValidators.set(ANCHOR_RECEIPTS_TOPIC, (_peer: PeerId, message: { data: Uint8Array }) => {
    try {
      decodeBatchReceipt(message.data);
      return TopicValidatorResult.Accept;
    } catch {
      return TopicValidatorResult.Reject;
    }
  });
  pubsub.subscribe(ANCHOR_LEAVES_TOPIC);
  pubsub.subscribe(ANCHOR_RECEIPTS_TOPIC);
  feed.start();

  const aggregatorReady = init && ledger ? startAggregator(init, ledger) : new Promise<never>(() => {});
  aggregatorReady.catch(() => {});

  async function startAggregator(config: RelayAnchoringInit, book: AnchorLedger): Promise<AnchorAggregator> {
    const transport = http(config.rpcUrl, { retryCount: 1, timeout: 15_000 });
    const publicClient = createPublicClient({ transport, pollingInterval: config.pollMs ?? 2_000 });
    let chainId: number | undefined;
    for (let attempt = 0; chainId === undefined; attempt++) {
      try {
        chainId = await publicClient.getChainId();
      } catch (error) {
        if (attempt === 0)
          logger.warn('anchoring: the chain RPC does not answer yet', { error: String(error) });
        await sleepFor(Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)), abort.signal);
      }
    }
    const account = privateKeyToAccount(config.privateKey);
    const walletClient = createWalletClient({ account, transport });
    const keccak = await createWasmKeccak256();
    const started = new AnchorAggregator({
      ledger: book,
      submitter: new AnchorSubmitter({
        publicClient,
        walletClient,
        contract: config.contract,
        ...(config.confirmations !== undefined ? { confirmations: config.confirmations } : {}),
        ...(config.useFinalized ? { useFinalized: true } : {}),
        ...(config.pollMs !== undefined ? { pollMs: config.pollMs } : {}),
        log: (line) => logger.warn(line),
      }),
      storeBlock: async (bytes, signal) => {
        const cid = CID.createV1(raw.code, await sha256.digest(bytes));
        await node.blockstore.put(cid, bytes, { signal });
        for await (const _ of node.pins.add(cid, { signal })) {
          // pinning walks the (one-block) DAG
        }
        return { bytes: cid.bytes, text: cid.toString() };
      },
      pinMessages: async (ids, signal) => {
        for (const id of ids) {
          const cid = messageCid(id);
          if (!(await node.blockstore.has(cid, { signal })) || (await node.pins.isPinned(cid, { signal })))
            continue;
          for await (const _ of node.pins.add(cid, { signal })) {
            // one block
          }
        }
      },
      publishReceipt: async (receipt) => {
        await pubsub.publish(ANCHOR_RECEIPTS_TOPIC, encodeBatchReceipt(receipt));
      },
      keccak,
      chainId: BigInt(chainId),
      contract: config.contract,
      ...(config.intervalMs !== undefined ? { intervalMs: config.intervalMs } : {}),
      ...(config.maxLeaves !== undefined ? { maxLeaves: config.maxLeaves } : {}),
      logger,
    });
    abort.signal.throwIfAborted();
    aggregator = started;
    started.start();
    if (config.watchWindowMs !== 0) {
      const rpc = new JsonRpcClient({ url: config.rpcUrl, timeoutMs: 15_000 });
      const anchoredAt = anchoredAtBlockReader(rpc, config.contract);
      watch = new AnchorWatch({
        ledger: book,
        chain: { head: (signal) => readHead(rpc, signal), anchoredAt },
        resubmit: (batch) => started.resubmit(batch),
        ...(config.watchWindowMs !== undefined ? { windowMs: config.watchWindowMs } : {}),
        ...(config.watchPeriodMs !== undefined ? { periodMs: config.watchPeriodMs } : {}),
        logger,
        clock: params.clock,
      });
      watch.start();
    }
    proofs = new ProofServer({
      ledger: book,
      keccak,
      limiter: new RateLimiter({ ratePerSecond: 10, burst: 50, clock: params.clock }),
      chainId: BigInt(chainId),
      contract: config.contract,
      logger,
    });
    await proofs.register(node.libp2p);
    logger.info('anchoring started', { chain: chainId, contract: config.contract, account: account.address });
    return started;
  }

  return {
    feed,
    ledger,
    aggregatorReady,
    stop: async () => {
      abort.abort(new Error('the relay is stopping'));
      feed.stop();
      await proofs?.unregister(node.libp2p).catch(() => {});
      await watch?.stop();
      await aggregator?.stop();
      ledger?.close();
    },
  };
}

/**
 * A relay's aggregator for tests: a real ledger file (in a fresh temporary folder unless given),
 * the real submitter on the in-process chain, blocks kept in memory under a stand-in CID, and
 * the pinned ids and published receipts recorded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { type Address, bytesToHex } from 'viem';
import type { BatchReceipt } from '../../src/chain/anchor-receipt.ts';
import { AnchorSubmitter } from '../../src/chain/anchor-submitter.ts';
import { nobleKeccak256 } from '../../src/chain/merkle-tree.ts';
import { AnchorAggregator, type AnchorAggregatorOptions } from '../../src/relay/anchor-aggregator.ts';
import { AnchorLedger } from '../../src/relay/anchor-ledger.ts';
import { silentLogger } from '../../src/relay/logger.ts';
import type { InProcessChain } from '../support/in-process-chain.ts';

export interface TestAggregator {
  ledger: AnchorLedger;
  aggregator: AnchorAggregator;
  /** Stored blocks by their stand-in CID text. */
  blocks: Map<string, Uint8Array>;
  receipts: BatchReceipt[];
  pinned: Uint8Array[];
  /** The ledger file, to reopen it as a restarted relay would. */
  path: string;
  /** Stops the aggregator and closes the ledger (once; also registered as cleanup). */
  close: () => Promise<void>;
}

export async function testAggregator(options: {
  chain: InProcessChain;
  contract: Address;
  /** Index of the chain account that submits. */
  submitter: number;
  /** Registers an after-test step. */
  cleanup: (step: () => Promise<void> | void) => void;
  ledgerPath?: string;
  clock?: () => number;
  overrides?: Partial<AnchorAggregatorOptions>;
}): Promise<TestAggregator> {
  const { chain, contract } = options;
  let path = options.ledgerPath;
  if (!path) {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-aggregator-'));
    options.cleanup(() => rm(dir, { recursive: true, force: true }));
    path = join(dir, 'anchoring.sqlite');
  }
  const clock = options.clock ?? Date.now;
  const ledger = AnchorLedger.open(path, clock);
  const blocks = new Map<string, Uint8Array>();
  const receipts: BatchReceipt[] = [];
  const pinned: Uint8Array[] = [];
  const aggregator = new AnchorAggregator({
    ledger,
    submitter: new AnchorSubmitter({
      publicClient: chain.publicClient,
      walletClient: chain.walletFor(chain.accounts[options.submitter]!),
      contract,
      confirmations: 1,
      pollMs: 10,
    }),
    storeBlock: async (bytes) => {
      const text = `b${bytesToHex(sha256(bytes)).slice(2)}`;
      blocks.set(text, bytes);
      return { bytes: new TextEncoder().encode(text), text };
    },
    pinMessages: async (ids) => {
      pinned.push(...ids);
    },
    publishReceipt: async (receipt) => {
      receipts.push(receipt);
    },
    keccak: nobleKeccak256,
    chainId: 31337n,
    contract,
    logger: silentLogger,
    clock,
    ...options.overrides,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await aggregator.stop();
    ledger.close();
  };
  options.cleanup(close);
  return { ledger, aggregator, blocks, receipts, pinned, path, close };
}

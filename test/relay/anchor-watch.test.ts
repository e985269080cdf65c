import { sha256 } from '@noble/hashes/sha2.js';
import { type Address, bytesToHex, type Hex } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ManifestLeaf } from '../../src/chain/anchor-manifest.ts';
import { anchoredAtBlockReader, type JsonRpcRequester, readHead } from '../../src/chain/anchor-reader.ts';
import { anchorAbi, anchorBytecode } from '../../src/chain/contract-artifacts.ts';
import { JsonRpcError } from '../../src/chain/json-rpc-client.ts';
import { nobleKeccak256 } from '../../src/chain/merkle-tree.ts';
import type { AnchorAggregator } from '../../src/relay/anchor-aggregator.ts';
import type { AnchorLedger, LedgerBatch } from '../../src/relay/anchor-ledger.ts';
import { AnchorWatch, type AnchorWatchOptions, judgeAnchor } from '../../src/relay/anchor-watch.ts';
import { type Logger, silentLogger } from '../../src/relay/logger.ts';
import { ProofServer } from '../../src/relay/proof-server.ts';
import {
  anchorOnChain,
  deployOnChain,
  type InProcessChain,
  inProcessChain,
} from '../support/in-process-chain.ts';
import { testAggregator } from './test-aggregator.ts';

let chain: InProcessChain;
let contract: Address;
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  chain = await inProcessChain();
  contract = await deployOnChain(chain, anchorAbi, anchorBytecode);
});

afterAll(async () => {
  await chain?.close();
});

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

let seq = 0;
function leaves(count: number): ManifestLeaf[] {
  return Array.from({ length: count }, () => {
    seq++;
    return { messageId: sha256(new Uint8Array([seq, 0x77])), contentTopic: `/xmtp/0/m-${seq % 2}/proto` };
  });
}

/**
 * The chain as the relay reads it (the same readers over JSON-RPC), with a switch: `healthy`,
 * `down` (every call fails like an HTTP 503), `calls-fail` (the head answers, `eth_call` fails),
 * or `garbage` (`eth_call` answers bytes that do not decode).
 */
function watchedChain() {
  const state = { mode: 'healthy' as 'healthy' | 'down' | 'calls-fail' | 'garbage', calls: 0 };
  const rpc: JsonRpcRequester = {
    request: async (method, params = []) => {
      state.calls++;
      if (state.mode === 'down') throw new JsonRpcError(-32603, 'The RPC endpoint answered HTTP 503');
      if (method === 'eth_call' && state.mode === 'calls-fail')
        throw new JsonRpcError(-32000, 'header not found');
      if (method === 'eth_call' && state.mode === 'garbage') return '0x1234';
      return chain.rpc(method, params);
    },
  };
  const anchoredAt = anchoredAtBlockReader(rpc, contract);
  return { state, chain: { head: (signal: AbortSignal) => readHead(rpc, signal), anchoredAt } };
}

/** A relay's anchoring parts on a ledger file: aggregator (batches of `maxLeaves`), proof server. */
async function relayParts(options: { path?: string; clock?: () => number; maxLeaves?: number } = {}) {
  const { ledger, aggregator, receipts, path, close } = await testAggregator({
    chain,
    contract,
    submitter: 4,
    cleanup: (step) => cleanup.push(step),
    ledgerPath: options.path,
    clock: options.clock,
    overrides: { maxLeaves: options.maxLeaves ?? 3, intervalMs: 60_000 },
  });
  const proofs = new ProofServer({
    ledger,
    keccak: nobleKeccak256,
    limiter: { tryTake: () => true },
    chainId: 31337n,
    contract,
    logger: silentLogger,
  });
  /** The proof states the relay would answer for `batch`'s messages. */
  const states = (batch: ManifestLeaf[]) =>
    proofs.answer(batch.map((leaf) => bytesToHex(leaf.messageId))).proofs.map((entry) => entry.state);
  return { ledger, aggregator, receipts, proofs, states, close, path };
}

function watchFor(
  parts: { ledger: AnchorLedger; aggregator: AnchorAggregator },
  chainView: AnchorWatchOptions['chain'],
  overrides: Partial<AnchorWatchOptions> = {},
) {
  const watch = new AnchorWatch({
    ledger: parts.ledger,
    chain: chainView,
    resubmit: (batch) => parts.aggregator.resubmit(batch),
    logger: silentLogger,
    // One pass decides here; the default (two in a row) is the first test's.
    passesToAct: 1,
    ...overrides,
  });
  cleanup.push(() => watch.stop());
  return watch;
}

/** Anchors one batch of fresh leaves through the aggregator; its leaves and receipt. */
async function anchorBatch(parts: Awaited<ReturnType<typeof relayParts>>) {
  const batch = leaves(3);
  const before = parts.receipts.length;
  parts.aggregator.add(batch);
  await expect.poll(() => parts.receipts.length, { timeout: 10_000, interval: 20 }).toBe(before + 1);
  return { batch, receipt: parts.receipts.at(-1)! };
}

const anchoredEvents = (root: Hex) =>
  chain.publicClient.getContractEvents({
    address: contract,
    abi: anchorAbi,
    eventName: 'Anchored',
    args: { root },
    fromBlock: 0n,
  });

async function mine(blocks: number): Promise<void> {
  for (let i = 0; i < blocks; i++) await chain.rpc('evm_mine');
}

const signal = () => AbortSignal.timeout(10_000);

describe('judgeAnchor', () => {
  const batch = { batchId: 4n, blockNumber: 10n };
  it.each([
    ['holds', 12n, [4n, 10n, 1n]],
    ['gone', 11n, [0n, 0n, 0n]],
    ['unsure', 10n, [0n, 0n, 0n]],
    ['unsure', 8n, [0n, 0n, 0n]],
    ['moved', 12n, [4n, 11n, 1n]],
    ['moved', 12n, [5n, 10n, 1n]],
  ] as const)('%s at head %s with %o', (verdict, head, onChain) => {
    expect(judgeAnchor(batch, head, onChain)).toBe(verdict);
  });
});

describe('AnchorWatch', () => {
  it('a reorg deeper than the confirmations sends the batch back to pending; it is anchored again, once', async () => {
    const parts = await relayParts();
    parts.aggregator.start();
    const { chain: view } = watchedChain();
    const atResubmit: string[][] = [];
    const watch = watchFor(parts, view, {
      resubmit: (batch: LedgerBatch) => {
        atResubmit.push(parts.states(sent));
        parts.aggregator.resubmit(batch);
      },
      passesToAct: 2,
    });
    const snapshot = await chain.rpc('evm_snapshot');
    const { batch: sent, receipt } = await anchorBatch(parts);
    await mine(2);
    expect(await watch.check(signal())).toEqual({ checked: 1, unconfirmed: 0, failed: 0 });
    expect(parts.states(sent)).toEqual(['anchored', 'anchored', 'anchored']);

    await chain.rpc('evm_revert', [snapshot]);
    expect(await anchoredEvents(receipt.root)).toEqual([]);
    // The chain rolled back below the batch's block: not a definite answer yet.
    expect(await watch.check(signal())).toEqual({ checked: 1, unconfirmed: 0, failed: 0 });
    expect(parts.states(sent)).toEqual(['anchored', 'anchored', 'anchored']);

    // Past the batch's block without the root: gone, once the next pass says so too (one answer
    // could be a lagging backend). Pending at once, then anchored again.
    await mine(Number(receipt.blockNumber - (await chain.publicClient.getBlockNumber({ cacheTime: 0 }))) + 1);
    expect(await watch.check(signal())).toEqual({ checked: 1, unconfirmed: 0, failed: 0 });
    expect(atResubmit).toEqual([]);
    expect(await watch.check(signal())).toEqual({ checked: 1, unconfirmed: 1, failed: 0 });
    expect(atResubmit).toEqual([['pending', 'pending', 'pending']]);
    await expect.poll(() => parts.receipts.length, { timeout: 10_000, interval: 20 }).toBe(2);
    const again = parts.receipts[1]!;
    expect(again.root).toBe(receipt.root);
    expect(again.blockNumber).toBeGreaterThan(receipt.blockNumber);
    expect(parts.states(sent)).toEqual(['anchored', 'anchored', 'anchored']);
    expect(parts.proofs.answer([bytesToHex(sent[0]!.messageId)]).proofs[0]!.anchored).toMatchObject({
      root: receipt.root,
      blockNumber: again.blockNumber,
      txHash: again.txHash,
    });
    const events = await anchoredEvents(receipt.root);
    expect(events.map((event) => event.blockNumber)).toEqual([again.blockNumber]);
    expect(await watch.check(signal())).toEqual({ checked: 1, unconfirmed: 0, failed: 0 });
    expect(parts.ledger.unfinished()).toEqual([]);
  });

  it('an RPC that fails or answers nonsense un-anchors nothing, even when the root is really gone', async () => {
    const parts = await relayParts();
    parts.aggregator.start();
    const { state, chain: view } = watchedChain();
    const lines: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (message) => lines.push(`warn ${message}`),
      info: (message) => lines.push(`info ${message}`),
    };
    const watch = watchFor(parts, view, { logger });
    const snapshot = await chain.rpc('evm_snapshot');
    const { batch, receipt } = await anchorBatch(parts);
    await chain.rpc('evm_revert', [snapshot]);
    await mine(
      Number(receipt.blockNumber) + 2 - Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 })),
    );

    for (const mode of ['down', 'calls-fail', 'garbage', 'down'] as const) {
      state.mode = mode;
      expect(await watch.check(signal()), mode).toEqual({ checked: 0, unconfirmed: 0, failed: 1 });
      expect(parts.states(batch), mode).toEqual(['anchored', 'anchored', 'anchored']);
      expect(parts.ledger.anchoredSince(0).map((b) => bytesToHex(b.root))).toContain(receipt.root);
    }
    expect(parts.receipts).toHaveLength(1);
    expect(lines).toEqual(['warn anchoring: the watch could not read the chain; nothing changes']);

    state.mode = 'healthy';
    expect(await watch.check(signal())).toEqual({ checked: 1, unconfirmed: 1, failed: 0 });
    expect(lines.slice(1)).toEqual([
      'warn anchoring: a reorg removed an anchored batch; submitting it again',
      'info anchoring: the watch reads the chain again',
    ]);
    await expect.poll(() => parts.receipts.length, { timeout: 10_000, interval: 20 }).toBe(2);
    expect(await anchoredEvents(receipt.root)).toHaveLength(1);
  });

  it('a batch now anchored in another block (by someone else) is confirmed again and its receipt updated', async () => {
    const parts = await relayParts();
    parts.aggregator.start();
    const { chain: view } = watchedChain();
    const watch = watchFor(parts, view);
    const snapshot = await chain.rpc('evm_snapshot');
    const { batch, receipt } = await anchorBatch(parts);
    await chain.rpc('evm_revert', [snapshot]);
    await mine(2);
    const theirs = await anchorOnChain(chain, contract, receipt.root, 3);
    expect(theirs.blockNumber).not.toBe(receipt.blockNumber);

    expect(await watch.check(signal())).toEqual({ checked: 1, unconfirmed: 1, failed: 0 });
    await expect.poll(() => parts.receipts.length, { timeout: 10_000, interval: 20 }).toBe(2);
    expect(parts.receipts[1]).toMatchObject({ root: receipt.root, txHash: theirs.transactionHash });
    expect(parts.ledger.batchOf(batch[0]!.messageId)?.receipt).toMatchObject({
      txHash: theirs.transactionHash,
      blockNumber: theirs.blockNumber,
      blockHash: theirs.blockHash,
    });
    expect(await anchoredEvents(receipt.root)).toHaveLength(1); // no transaction of ours
  });

  it('reads only batches inside the window; a restarted relay resumes from the ledger', async () => {
    let now = 1_000_000;
    const first = await relayParts({ clock: () => now });
    first.aggregator.start();
    const { state, chain: view } = watchedChain();
    const snapshot = await chain.rpc('evm_snapshot');
    const { batch, receipt } = await anchorBatch(first);
    await chain.rpc('evm_revert', [snapshot]);
    await mine(
      Number(receipt.blockNumber) + 1 - Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 })),
    );

    // The relay un-anchors the batch, then stops before its resubmission ran (as in a crash).
    const lost: LedgerBatch[] = [];
    const crashing = watchFor(first, view, {
      resubmit: (b) => lost.push(b),
      windowMs: 60_000,
      clock: () => now,
    });
    expect(await crashing.check(signal())).toMatchObject({ unconfirmed: 1 });
    expect(lost).toHaveLength(1);
    await first.close();

    const second = await relayParts({ path: first.path, clock: () => now });
    expect(second.states(batch)).toEqual(['pending', 'pending', 'pending']);
    second.aggregator.start();
    await expect.poll(() => second.receipts.length, { timeout: 10_000, interval: 20 }).toBe(1);
    expect(second.states(batch)).toEqual(['anchored', 'anchored', 'anchored']);

    // Watched for `windowMs` after its (new) anchoring, then no longer read at all.
    const watch = watchFor(second, view, { windowMs: 60_000, clock: () => now });
    expect(await watch.check(signal())).toEqual({ checked: 1, unconfirmed: 0, failed: 0 });
    now += 60_001;
    const calls = state.calls;
    expect(await watch.check(signal())).toEqual({ checked: 0, unconfirmed: 0, failed: 0 });
    expect(state.calls).toBe(calls);
  });

  it('started, it keeps watching: a later reorg is noticed and repaired without anyone asking', async () => {
    const parts = await relayParts();
    parts.aggregator.start();
    const { chain: view } = watchedChain();
    const watch = watchFor(parts, view, { periodMs: 20 });
    const snapshot = await chain.rpc('evm_snapshot');
    const { batch, receipt } = await anchorBatch(parts);
    watch.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(parts.receipts).toHaveLength(1);
    await chain.rpc('evm_revert', [snapshot]);
    await mine(
      Number(receipt.blockNumber) + 1 - Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 })),
    );
    await expect.poll(() => parts.receipts.length, { timeout: 10_000, interval: 20 }).toBe(2);
    expect(parts.states(batch)).toEqual(['anchored', 'anchored', 'anchored']);
    expect(await anchoredEvents(receipt.root)).toHaveLength(1);
    await watch.stop();
  });
});

import { sha256 } from '@noble/hashes/sha2.js';
import { type Address, bytesToHex, type Hex } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { anchorLeaf } from '../../src/chain/anchor-leaf.ts';
import { decodeManifest, decodeManifestPage, type ManifestLeaf } from '../../src/chain/anchor-manifest.ts';
import { anchorAbi, anchorBytecode } from '../../src/chain/contract-artifacts.ts';
import { MerkleTree, verifyMerkleProof } from '../../src/chain/merkle-tree.ts';
import type { AnchorAggregatorOptions } from '../../src/relay/anchor-aggregator.ts';
import { deployOnChain, type InProcessChain, inProcessChain } from '../support/in-process-chain.ts';
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
    return {
      messageId: sha256(new Uint8Array([seq >> 8, seq & 0xff, 7])),
      contentTopic: `/xmtp/0/m-${seq % 3}/proto`,
    };
  });
}

function setup(overrides: Partial<AnchorAggregatorOptions> = {}, ledgerPath?: string) {
  return testAggregator({
    chain,
    contract,
    submitter: 3,
    cleanup: (step) => cleanup.push(step),
    ledgerPath,
    overrides,
  });
}

const isAnchored = (root: Hex) =>
  chain.publicClient.readContract({
    address: contract,
    abi: anchorAbi,
    functionName: 'isAnchored',
    args: [root],
  });

describe('AnchorAggregator', () => {
  it('cuts a batch at maxLeaves, anchors it, publishes a receipt, and its manifest is the batch', async () => {
    const { aggregator, blocks, receipts, pinned, ledger } = await setup({
      maxLeaves: 5,
      intervalMs: 60_000,
    });
    aggregator.start();
    const batch = leaves(5);
    aggregator.add(batch);
    await expect.poll(() => receipts.length, { timeout: 10_000 }).toBe(1);
    const [receipt] = receipts;
    expect(await isAnchored(receipt!.root)).toBe(true);
    expect(receipt).toMatchObject({ chainId: 31337n, contract, batchId: expect.any(BigInt) });
    const byId = (a: ManifestLeaf, b: ManifestLeaf) =>
      bytesToHex(a.messageId).localeCompare(bytesToHex(b.messageId));
    const sorted = [...batch].sort(byId);
    expect([...pinned].sort((a, b) => bytesToHex(a).localeCompare(bytesToHex(b)))).toEqual(
      sorted.map((leaf) => leaf.messageId),
    );

    const manifest = decodeManifest(blocks.get(receipt!.manifestCid)!);
    const described = manifest.pages.flatMap((page) =>
      decodeManifestPage(blocks.get(new TextDecoder().decode(page))!),
    );
    expect([...described].sort(byId)).toEqual(sorted);
    const tree = MerkleTree.fromLeaves(
      described.map((leaf) => anchorLeaf(bytesToHex(leaf.messageId), leaf.contentTopic)),
    );
    expect(bytesToHex(tree.root)).toBe(receipt!.root);
    const mine = anchorLeaf(bytesToHex(batch[2]!.messageId), batch[2]!.contentTopic);
    expect(verifyMerkleProof(tree.root, mine, tree.proof(mine))).toBe(true);
    expect(ledger.batchOf(batch[2]!.messageId)?.receipt?.txHash).toBe(receipt!.txHash);
  });

  it('cuts a batch when its first leaf has waited intervalMs, and repeats are anchored once', async () => {
    const { aggregator, receipts } = await setup({ maxLeaves: 1000, intervalMs: 100 });
    aggregator.start();
    const batch = leaves(3);
    aggregator.add(batch);
    aggregator.add(batch);
    await expect.poll(() => receipts.length, { timeout: 10_000 }).toBe(1);
    aggregator.add(batch);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receipts).toHaveLength(1);
  });

  it('after a stop before confirmation, the next start anchors the same batch', async () => {
    const neverConfirms = {
      anchor: (_batch: unknown, signal: AbortSignal) =>
        new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    };
    const first = await setup({ submitter: neverConfirms, maxLeaves: 4, intervalMs: 60_000 });
    first.aggregator.start();
    first.aggregator.add(leaves(4));
    await expect.poll(() => first.ledger.unfinished().length, { timeout: 5_000 }).toBe(1);
    const [unfinished] = first.ledger.unfinished();
    await first.aggregator.stop();
    first.ledger.close();

    const second = await setup({ maxLeaves: 4, intervalMs: 60_000 }, first.path);
    second.aggregator.start();
    await expect.poll(() => second.receipts.length, { timeout: 10_000 }).toBe(1);
    expect(second.receipts[0]!.root).toBe(bytesToHex(unfinished!.root));
    expect(second.ledger.unfinished()).toEqual([]);
  });
});

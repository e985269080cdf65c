/** The Anchor contract on an in-process Hardhat chain, with proofs from src/chain/merkle-tree.ts. */
import { type Address, bytesToHex, getAddress, type Hex, parseEventLogs, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorLeaf } from '../../src/chain/anchor-leaf.ts';
import { anchorAbi, anchorBytecode } from '../../src/chain/contract-artifacts.ts';
import { type Keccak256, MerkleTree } from '../../src/chain/merkle-tree.ts';
import { createWasmKeccak256 } from '../../src/relay/wasm-keccak.ts';
import { deployOnChain, type InProcessChain, inProcessChain } from '../support/in-process-chain.ts';

let chain: InProcessChain;
let anchor: Address;
let keccak: Keccak256;
const CID = toHex(new TextEncoder().encode('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'));

function batch(size: number, salt: number) {
  const messages = Array.from({ length: size }, (_, i) => ({
    id: (salt * 1_000_000 + i).toString(16).padStart(64, '0'),
    topic: `/xmtp/0/m-${(i % 13).toString(16).padStart(64, 'c')}/proto`,
  }));
  const leaves = messages.map((message) => anchorLeaf(message.id, message.topic, keccak));
  return { messages, leaves, tree: MerkleTree.fromLeaves(leaves, keccak) };
}

async function anchorRoot(root: Hex, count: number, from = chain.accounts[0]!) {
  const wallet = chain.walletFor(from);
  const hash = await wallet.writeContract({
    address: anchor,
    abi: anchorAbi,
    functionName: 'anchor',
    args: [root, count, CID],
  });
  return chain.publicClient.waitForTransactionReceipt({ hash });
}

const read = {
  isAnchored: (root: Hex) =>
    chain.publicClient.readContract({
      address: anchor,
      abi: anchorAbi,
      functionName: 'isAnchored',
      args: [root],
    }),
  verify: (root: Hex, leaf: Uint8Array, proof: Uint8Array[]) =>
    chain.publicClient.readContract({
      address: anchor,
      abi: anchorAbi,
      functionName: 'verify',
      args: [root, bytesToHex(leaf), proof.map((node) => bytesToHex(node))],
    }),
};

beforeAll(async () => {
  chain = await inProcessChain();
  keccak = await createWasmKeccak256();
  anchor = await deployOnChain(chain, anchorAbi, anchorBytecode);
});

afterAll(async () => {
  await chain?.close();
});

describe('Anchor', () => {
  it('anchors a root once: event, batch id, block and time; a duplicate reverts AlreadyAnchored', async () => {
    const { tree } = batch(5, 1);
    const root = bytesToHex(tree.root);
    expect(await read.isAnchored(root)).toBe(false);
    const receipt = await anchorRoot(root, tree.size, chain.accounts[1]);
    expect(receipt.status).toBe('success');
    const [event] = parseEventLogs({ abi: anchorAbi, logs: receipt.logs, eventName: 'Anchored' });
    expect(event?.args).toEqual({
      batchId: 1n,
      root,
      submitter: getAddress(chain.accounts[1]!),
      count: 5,
      manifestCid: CID,
    });
    expect(await read.isAnchored(root)).toBe(true);
    const block = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const at = await chain.publicClient.readContract({
      address: anchor,
      abi: anchorAbi,
      functionName: 'anchoredAt',
      args: [root],
    });
    expect(at).toEqual([1n, receipt.blockNumber, block.timestamp]);

    await expect(
      chain.publicClient.simulateContract({
        address: anchor,
        abi: anchorAbi,
        functionName: 'anchor',
        args: [root, 5, CID],
        account: chain.accounts[2]!,
      }),
    ).rejects.toMatchObject({ cause: { data: { errorName: 'AlreadyAnchored', args: [root, 1n] } } });
    expect(
      await chain.publicClient.readContract({ address: anchor, abi: anchorAbi, functionName: 'batchCount' }),
    ).toBe(1n);
  });

  it('refuses a zero root and an empty batch', async () => {
    for (const [root, count, error] of [
      [`0x${'00'.repeat(32)}`, 1, 'ZeroRoot'],
      [`0x${'11'.repeat(32)}`, 0, 'EmptyBatch'],
    ] as const) {
      await expect(
        chain.publicClient.simulateContract({
          address: anchor,
          abi: anchorAbi,
          functionName: 'anchor',
          args: [root, count, CID],
          account: chain.accounts[0]!,
        }),
      ).rejects.toMatchObject({ cause: { data: { errorName: error } } });
    }
  });

  it('verifies OpenZeppelin proofs of depth 1, 10 and 17 against anchored roots only', async () => {
    for (const [size, depth] of [
      [2, 1],
      [1024, 10],
      [131_072, 17],
    ] as const) {
      const { messages, leaves, tree } = batch(size, 10 + depth);
      const root = bytesToHex(tree.root);
      const leaf = leaves[size - 1]!;
      const proof = tree.proof(leaf);
      expect(proof).toHaveLength(depth);
      expect(await read.verify(root, leaf, proof)).toBe(false); // not anchored yet
      await anchorRoot(root, tree.size);
      expect(await read.verify(root, leaf, proof)).toBe(true);
      const outsider = anchorLeaf(
        `${'ee'.repeat(31)}${depth.toString(16).padStart(2, '0')}`,
        messages[0]!.topic,
      );
      expect(await read.verify(root, outsider, proof)).toBe(false);
      const tampered = proof.map((node, i) => (i === 0 ? node.map((b, j) => (j === 31 ? b ^ 1 : b)) : node));
      expect(await read.verify(root, leaf, tampered)).toBe(false);
    }
  });

  it('costs the same gas for a batch of 1 and of 10,000 messages (up to calldata bytes)', async () => {
    const small = await anchorRoot(bytesToHex(batch(1, 30).tree.root), 1);
    const large = await anchorRoot(bytesToHex(batch(10_000, 31).tree.root), 10_000);
    // Only the calldata differs: zero and non-zero bytes of the root and the count (4 or 16 gas each).
    expect(Math.abs(Number(large.gasUsed - small.gasUsed))).toBeLessThan(32 * 12 + 4 * 12);
    expect(Number(large.gasUsed)).toBeLessThan(60_000);
  });
});

/** verifyMessageProof against the real Anchor contract on an in-process Hardhat chain. */
import { type Address, bytesToHex, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorLeaf } from '../../src/chain/anchor-leaf.ts';
import { AnchorProofError, type MessageProof, verifyMessageProof } from '../../src/chain/anchor-proof.ts';
import { anchorAbi, anchorBytecode } from '../../src/chain/contract-artifacts.ts';
import { MerkleTree } from '../../src/chain/merkle-tree.ts';
import {
  anchorOnChain,
  deployOnChain,
  type InProcessChain,
  inProcessChain,
} from '../support/in-process-chain.ts';

let chain: InProcessChain;
let contract: Address;

const messages = Array.from({ length: 9 }, (_, i) => ({
  messageId: (i + 1).toString(16).padStart(64, '0'),
  contentTopic: `/xmtp/0/m-${i % 2}/proto`,
}));
const tree = MerkleTree.fromLeaves(messages.map((m) => anchorLeaf(m.messageId, m.contentTopic)));
const root = bytesToHex(tree.root);

function proofOf(index: number, overrides: Partial<MessageProof> = {}): MessageProof {
  const message = messages[index]!;
  const leaf = anchorLeaf(message.messageId, message.contentTopic);
  return { ...message, root, proof: tree.proof(leaf).map((node) => bytesToHex(node)), ...overrides };
}

const onChain = () => ({
  chainId: 31337,
  contract,
  readAnchoredAt: (r: Hex) =>
    chain.publicClient.readContract({
      address: contract,
      abi: anchorAbi,
      functionName: 'anchoredAt',
      args: [r],
    }),
});

beforeAll(async () => {
  chain = await inProcessChain();
  contract = await deployOnChain(chain, anchorAbi, anchorBytecode);
});

afterAll(async () => {
  await chain?.close();
});

describe('verifyMessageProof', () => {
  it('refuses a root the chain does not have, then verifies once it is anchored', async () => {
    const signal = AbortSignal.timeout(5000);
    await expect(verifyMessageProof(proofOf(4), onChain(), signal)).rejects.toMatchObject({
      reason: 'not-anchored',
    });
    const receipt = await anchorOnChain(chain, contract, root, tree.size);
    const verified = await verifyMessageProof(proofOf(4), onChain(), signal);
    expect(verified).toMatchObject({
      root,
      batchId: 1n,
      blockNumber: receipt.blockNumber,
      chainId: 31337,
      contract,
    });
    expect(verified.leaf).toBe(bytesToHex(anchorLeaf(messages[4]!.messageId, messages[4]!.contentTopic)));
  });

  it('refuses another message, another topic, a tampered proof and malformed input', async () => {
    const signal = AbortSignal.timeout(5000);
    const cases: [MessageProof, AnchorProofError['reason']][] = [
      [proofOf(4, { messageId: messages[5]!.messageId }), 'not-in-batch'],
      [proofOf(4, { contentTopic: '/xmtp/0/m-9/proto' }), 'not-in-batch'],
      [proofOf(4, { proof: proofOf(4).proof.slice(1) }), 'not-in-batch'],
      [proofOf(4, { messageId: 'xyz' }), 'malformed'],
      [proofOf(4, { proof: ['0x1234'] }), 'malformed'],
      [proofOf(4, { root: '0x00' }), 'malformed'],
    ];
    for (const [proof, reason] of cases) {
      const error = await verifyMessageProof(proof, onChain(), signal).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AnchorProofError);
      expect((error as AnchorProofError).reason).toBe(reason);
    }
  });
});

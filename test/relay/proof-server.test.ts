/** ProofServer answers from a real ledger: unknown, pending, anchored with a proof that holds. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { anchorLeaf } from '../../src/chain/anchor-leaf.ts';
import { MerkleTree, nobleKeccak256, verifyMerkleProof } from '../../src/chain/merkle-tree.ts';
import { AnchorLedger } from '../../src/relay/anchor-ledger.ts';
import { silentLogger } from '../../src/relay/logger.ts';
import { ProofServer } from '../../src/relay/proof-server.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const leaf = (n: number) => ({
  messageId: new Uint8Array(32).fill(n),
  contentTopic: `/xmtp/0/m-${n % 2}/proto`,
});

describe('ProofServer', () => {
  it('says unknown, pending or anchored, with a proof for the batch the ledger recorded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-proofs-'));
    dirs.push(dir);
    const ledger = AnchorLedger.open(join(dir, 'anchoring.sqlite'));
    const batch = [1, 2, 3, 4, 5].map(leaf);
    ledger.add([...batch, leaf(6)]);
    const tree = MerkleTree.fromLeaves(batch.map((l) => anchorLeaf(bytesToHex(l.messageId), l.contentTopic)));
    ledger.createBatch({ root: tree.root, count: tree.size, manifestCid: 'bafymanifest' }, batch);
    const server = new ProofServer({
      ledger,
      keccak: nobleKeccak256,
      limiter: { tryTake: () => true },
      chainId: 31337n,
      contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      logger: silentLogger,
    });
    const ids = [leaf(3), leaf(6), leaf(9)].map((l) => bytesToHex(l.messageId));
    expect(server.answer(ids).proofs.map((entry) => entry.state)).toEqual(['pending', 'pending', 'unknown']);

    ledger.markAnchored(tree.root, {
      batchId: 2n,
      txHash: `0x${'ab'.repeat(32)}`,
      blockNumber: 40n,
      blockHash: '0x01',
    });
    const [anchored, pending, unknown] = server.answer(ids).proofs;
    expect(pending).toEqual({ messageId: ids[1], state: 'pending', contentTopic: leaf(6).contentTopic });
    expect(unknown).toEqual({ messageId: ids[2], state: 'unknown' });
    expect(anchored).toMatchObject({
      state: 'anchored',
      contentTopic: leaf(3).contentTopic,
      anchored: { root: bytesToHex(tree.root), batchId: 2n, blockNumber: 40n, manifestCid: 'bafymanifest' },
    });
    const proof = anchored!.anchored!.proof.map((node) => hexToBytes(node));
    expect(verifyMerkleProof(tree.root, anchorLeaf(ids[0]!, leaf(3).contentTopic), proof)).toBe(true);
    ledger.close();
  });
});

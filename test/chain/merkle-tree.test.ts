/** Anchor leaves and Merkle trees, cross-checked with @openzeppelin/merkle-tree and viem. */
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { bytesToHex, encodeAbiParameters, hexToBytes, keccak256 } from 'viem';
import { describe, expect, it } from 'vitest';
import { anchorLeaf, encodeLeafValues, messageIdBytes } from '../../src/chain/anchor-leaf.ts';
import {
  hashPair,
  LeafNotInTreeError,
  MerkleTree,
  MerkleTreeError,
  processProof,
  verifyMerkleProof,
} from '../../src/chain/merkle-tree.ts';

const TYPES = ['bytes32', 'string'];

function randomMessage(i: number): [string, string] {
  const id = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
  return [id, `/xmtp/0/m-${(i % 7).toString(16).padStart(64, 'a')}/proto`];
}

function treeOf(values: [string, string][]) {
  return MerkleTree.fromLeaves(values.map(([id, topic]) => anchorLeaf(id, topic)));
}

describe('anchorLeaf', () => {
  it('is the StandardMerkleTree leaf of (bytes32 id, string topic), double keccak of abi.encode', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.string({ minLength: 1 }),
        (id, topic) => {
          const idHex = bytesToHex(id);
          expect(bytesToHex(encodeLeafValues(id, topic))).toBe(
            encodeAbiParameters([{ type: 'bytes32' }, { type: 'string' }], [idHex, topic]),
          );
          const oz = StandardMerkleTree.of([[idHex, topic]], TYPES).leafHash([idHex, topic]);
          expect(bytesToHex(anchorLeaf(idHex, topic))).toBe(oz);
          expect(anchorLeaf(idHex.slice(2), topic)).toEqual(anchorLeaf(idHex, topic));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses malformed ids and empty or huge topics', () => {
    for (const id of ['', '0x1234', 'zz'.repeat(32), `0x${'00'.repeat(33)}`]) {
      expect(() => messageIdBytes(id)).toThrow(MerkleTreeError);
    }
    const id = '11'.repeat(32);
    expect(() => anchorLeaf(id, '')).toThrow(MerkleTreeError);
    expect(() => anchorLeaf(id, 'x'.repeat(1025))).toThrow(MerkleTreeError);
    expect(() => encodeLeafValues(new Uint8Array(31), 't')).toThrow(MerkleTreeError);
  });
});

describe('MerkleTree', () => {
  it('has the root and proofs of OpenZeppelin StandardMerkleTree', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 33, 100, 1000]) {
      const values = Array.from({ length: n }, (_, i) => randomMessage(i));
      const oz = StandardMerkleTree.of(values, TYPES);
      const ours = treeOf(values);
      expect(bytesToHex(ours.root)).toBe(oz.root);
      expect(ours.size).toBe(n);
      for (const value of values.slice(0, 20)) {
        const proof = ours.proof(anchorLeaf(...value)).map((node) => bytesToHex(node));
        expect(proof).toEqual(oz.getProof(value));
        expect(StandardMerkleTree.verify(oz.root, TYPES, value, proof)).toBe(true);
        expect(
          verifyMerkleProof(
            ours.root,
            anchorLeaf(...value),
            proof.map((node) => hexToBytes(node)),
          ),
        ).toBe(true);
      }
    }
  });

  it('keeps repeated leaves once and lists the leaves in ascending order', () => {
    const values = [randomMessage(0), randomMessage(1), randomMessage(2)];
    const leaves = values.map((value) => anchorLeaf(...value));
    const tree = MerkleTree.fromLeaves([...leaves, leaves[0]!, leaves[2]!]);
    expect(tree.size).toBe(3);
    expect(tree.root).toEqual(MerkleTree.fromLeaves(leaves).root);
    const sorted = tree.leaves().map((leaf) => bytesToHex(leaf));
    expect(sorted).toEqual([...sorted].sort());
    expect(tree.has(leaves[1]!)).toBe(true);
  });

  it('a proof of another leaf, a tampered proof or a leaf not in the batch fails', () => {
    const values = Array.from({ length: 50 }, (_, i) => randomMessage(i));
    const tree = treeOf(values);
    const leaf = anchorLeaf(...values[3]!);
    const proof = tree.proof(leaf);
    expect(verifyMerkleProof(tree.root, leaf, proof)).toBe(true);
    const outsider = anchorLeaf(...randomMessage(99));
    expect(tree.has(outsider)).toBe(false);
    expect(() => tree.proof(outsider)).toThrow(LeafNotInTreeError);
    expect(verifyMerkleProof(tree.root, outsider, proof)).toBe(false);
    expect(verifyMerkleProof(tree.root, anchorLeaf(...values[4]!), proof)).toBe(false);
    const tampered = proof.map((node, i) =>
      i === 2 ? Uint8Array.from(node, (b, j) => (j === 0 ? b ^ 1 : b)) : node,
    );
    expect(verifyMerkleProof(tree.root, leaf, tampered)).toBe(false);
    expect(verifyMerkleProof(tree.root, leaf, proof.slice(1))).toBe(false);
    expect(verifyMerkleProof(tree.root, leaf, [...proof, new Uint8Array(31)])).toBe(false);
    expect(verifyMerkleProof(new Uint8Array(31), leaf, proof)).toBe(false);
  });

  it('an inner node passed as a leaf fails: no message id hashes to it', () => {
    const values = Array.from({ length: 16 }, (_, i) => randomMessage(i));
    const tree = treeOf(values);
    const leaf = anchorLeaf(...values[0]!);
    const proof = tree.proof(leaf);
    // The raw proof machinery would accept the parent of two leaves with the shorter proof…
    const inner = hashPair(leaf, proof[0]!);
    expect(processProof(inner, proof.slice(1))).toEqual(tree.root);
    // …but a verifier hashes the message it holds into the leaf, and nothing hashes to an inner node.
    const asMessageId = anchorLeaf(bytesToHex(inner), values[0]![1]);
    expect(verifyMerkleProof(tree.root, asMessageId, proof.slice(1))).toBe(false);
    expect(ozVerifies(tree.root, [bytesToHex(inner), values[0]![1]], proof.slice(1))).toBe(false);
  });

  it('refuses an empty batch and leaves that are not 32 bytes', () => {
    expect(() => MerkleTree.fromLeaves([])).toThrow(MerkleTreeError);
    expect(() => MerkleTree.fromLeaves([new Uint8Array(31)])).toThrow(MerkleTreeError);
    expect(() => processProof(new Uint8Array(33), [])).toThrow(MerkleTreeError);
  });

  it('a one-leaf tree has the leaf as root and an empty proof', () => {
    const leaf = hexToBytes(keccak256('0x01'));
    const tree = MerkleTree.fromLeaves([leaf]);
    expect(tree.root).toEqual(leaf);
    expect(tree.proof(leaf)).toEqual([]);
  });
});

function ozVerifies(root: Uint8Array, value: [string, string], proof: Uint8Array[]): boolean {
  return StandardMerkleTree.verify(
    bytesToHex(root),
    TYPES,
    value,
    proof.map((node) => bytesToHex(node)),
  );
}

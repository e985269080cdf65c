/**
 * Merkle trees of anchored batches, laid out exactly as OpenZeppelin's `StandardMerkleTree`
 * (@openzeppelin/merkle-tree, the default `sortLeaves`): leaves sorted by value, stored at the end
 * of a complete binary tree in one array of 2n − 1 nodes, each inner node the keccak256 of its
 * two children in ascending order. So roots are the ones OpenZeppelin's library computes, and
 * proofs verify with OpenZeppelin's `MerkleProof` on chain.
 *
 * Built over one flat byte array (32 bytes a node) instead of hex strings, with an injectable
 * keccak256: @noble/hashes by default (pure JS, runs anywhere), a WebAssembly one where big batches
 * are built (the relay: src/relay/wasm-keccak.ts). 100,000 leaves take well under a second, where
 * OpenZeppelin's library takes tens of seconds (bench/).
 */
import { keccak_256 } from '@noble/hashes/sha3.js';

export const NODE_BYTES = 32;

/** keccak256 of `data`, 32 bytes. */
export type Keccak256 = (data: Uint8Array) => Uint8Array;

/** @noble/hashes' keccak256 (pure JS). */
export const nobleKeccak256: Keccak256 = (data) => keccak_256(data);

export class MerkleTreeError extends Error {
  override name = 'MerkleTreeError';
}

/** A leaf asked for is not in the tree. */
export class LeafNotInTreeError extends MerkleTreeError {
  override name = 'LeafNotInTreeError';
  constructor() {
    super('The leaf is not in this tree');
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < NODE_BYTES; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** keccak256 of `a` and `b` in ascending order (OpenZeppelin's `standardNodeHash`). */
export function hashPair(a: Uint8Array, b: Uint8Array, keccak: Keccak256 = nobleKeccak256): Uint8Array {
  const pair = new Uint8Array(NODE_BYTES * 2);
  const [low, high] = compareBytes(a, b) <= 0 ? [a, b] : [b, a];
  pair.set(low, 0);
  pair.set(high, NODE_BYTES);
  return keccak(pair);
}

/** The root `proof` leads to from `leaf` (OpenZeppelin's `processProof`). */
export function processProof(
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  keccak: Keccak256 = nobleKeccak256,
): Uint8Array {
  if (leaf.length !== NODE_BYTES) throw new MerkleTreeError('"leaf" expected 32 bytes');
  let node = leaf;
  for (const sibling of proof) {
    if (sibling.length !== NODE_BYTES) throw new MerkleTreeError('proof nodes must be 32 bytes');
    node = hashPair(node, sibling, keccak);
  }
  return node;
}

/** Whether `proof` proves `leaf` under `root`. Never throws on bad input: false. */
export function verifyMerkleProof(root: Uint8Array, leaf: Uint8Array, proof: readonly Uint8Array[]): boolean {
  try {
    return root.length === NODE_BYTES && compareBytes(processProof(leaf, proof), root) === 0;
  } catch {
    return false;
  }
}

export class MerkleTree {
  /** The 2n − 1 nodes, root first, leaves last (in descending tree index = ascending value). */
  readonly #nodes: Uint8Array;
  readonly #leafCount: number;

  private constructor(nodes: Uint8Array, leafCount: number) {
    this.#nodes = nodes;
    this.#leafCount = leafCount;
  }

  /**
   * Builds the tree of `leaves` (32-byte hashes; repeats are kept once).
   * @throws MerkleTreeError when there is no leaf or one is not 32 bytes.
   */
  static fromLeaves(leaves: readonly Uint8Array[], keccak: Keccak256 = nobleKeccak256): MerkleTree {
    if (leaves.length === 0) throw new MerkleTreeError('a tree needs at least one leaf');
    for (const leaf of leaves) {
      if (!(leaf instanceof Uint8Array) || leaf.length !== NODE_BYTES) {
        throw new MerkleTreeError('leaves must be 32-byte hashes');
      }
    }
    const sorted = [...leaves].sort(compareBytes);
    const unique = sorted.filter((leaf, i) => i === 0 || compareBytes(leaf, sorted[i - 1]!) !== 0);
    const n = unique.length;
    const nodes = new Uint8Array((2 * n - 1) * NODE_BYTES);
    const last = 2 * n - 2;
    for (let i = 0; i < n; i++) nodes.set(unique[i]!, (last - i) * NODE_BYTES);
    const pair = new Uint8Array(NODE_BYTES * 2);
    for (let i = last - n; i >= 0; i--) {
      const left = nodes.subarray((2 * i + 1) * NODE_BYTES, (2 * i + 2) * NODE_BYTES);
      const right = nodes.subarray((2 * i + 2) * NODE_BYTES, (2 * i + 3) * NODE_BYTES);
      const leftFirst = compareBytes(left, right) <= 0;
      pair.set(leftFirst ? left : right, 0);
      pair.set(leftFirst ? right : left, NODE_BYTES);
      nodes.set(keccak(pair), i * NODE_BYTES);
    }
    return new MerkleTree(nodes, n);
  }

  get root(): Uint8Array {
    return this.#node(0);
  }

  /** Distinct leaves. */
  get size(): number {
    return this.#leafCount;
  }

  /** The leaves in ascending order. */
  leaves(): Uint8Array[] {
    const last = 2 * this.#leafCount - 2;
    return Array.from({ length: this.#leafCount }, (_, i) => this.#node(last - i));
  }

  has(leaf: Uint8Array): boolean {
    return this.#indexOf(leaf) !== undefined;
  }

  /** The sibling hashes from `leaf` up to the root. @throws LeafNotInTreeError */
  proof(leaf: Uint8Array): Uint8Array[] {
    let index = this.#indexOf(leaf);
    if (index === undefined) throw new LeafNotInTreeError();
    const proof: Uint8Array[] = [];
    while (index > 0) {
      proof.push(this.#node(index % 2 === 1 ? index + 1 : index - 1));
      index = Math.floor((index - 1) / 2);
    }
    return proof;
  }

  #node(index: number): Uint8Array {
    return this.#nodes.slice(index * NODE_BYTES, (index + 1) * NODE_BYTES);
  }

  /** The tree index of `leaf`: a binary search, the leaves being sorted. */
  #indexOf(leaf: Uint8Array): number | undefined {
    if (!(leaf instanceof Uint8Array) || leaf.length !== NODE_BYTES) return undefined;
    const last = 2 * this.#leafCount - 2;
    let low = 0;
    let high = this.#leafCount - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = last - mid;
      const order = compareBytes(this.#nodes.subarray(at * NODE_BYTES, (at + 1) * NODE_BYTES), leaf);
      if (order === 0) return at;
      if (order < 0) low = mid + 1;
      else high = mid - 1;
    }
    return undefined;
  }
}

/**
 * Cutting a batch: the Merkle tree of the messages' leaves and the manifest that lets anyone find
 * their own leaves in it, written block by block (pages first, the root block last, whose CID goes
 * on chain). The relay's aggregator and a user anchoring their own messages build batches alike.
 */
import { bytesToHex } from 'viem';
import { anchorLeaf } from './anchor-leaf.ts';
import { encodeManifest, encodeManifestPages, type ManifestLeaf } from './anchor-manifest.ts';
import { type Keccak256, MerkleTree, nobleKeccak256 } from './merkle-tree.ts';

export interface StoredBlock {
  /** Binary CID. */
  bytes: Uint8Array;
  text: string;
}

/** Stores (and pins, where the caller can) a raw block; returns its CID. */
export type StoreBlock = (bytes: Uint8Array, signal: AbortSignal) => Promise<StoredBlock>;

export interface BuiltBatch {
  tree: MerkleTree;
  /** The CID of the manifest's root block (text), as anchored. */
  manifestCid: string;
}

/** Builds the tree of `leaves` and stores its manifest. @throws MerkleTreeError; storeBlock's errors */
export async function buildAnchorBatch(
  leaves: readonly ManifestLeaf[],
  options: { storeBlock: StoreBlock; keccak?: Keccak256; signal: AbortSignal },
): Promise<BuiltBatch> {
  const keccak = options.keccak ?? nobleKeccak256;
  const tree = MerkleTree.fromLeaves(
    leaves.map((leaf) => anchorLeaf(bytesToHex(leaf.messageId), leaf.contentTopic, keccak)),
    keccak,
  );
  const pages: Uint8Array[] = [];
  for (const page of encodeManifestPages(leaves)) {
    pages.push((await options.storeBlock(page, options.signal)).bytes);
  }
  const manifest = await options.storeBlock(
    encodeManifest({ root: tree.root, count: tree.size, pages }),
    options.signal,
  );
  return { tree, manifestCid: manifest.text };
}

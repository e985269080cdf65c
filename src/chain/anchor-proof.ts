/**
 * Checking that a message was anchored, trusting nobody but the chain: recompute the message's
 * leaf from its id and content topic, walk the Merkle proof to the root, and read that root's
 * record from the Anchor contract. A relay hands out proofs; this decides whether one holds.
 */
import { type Address, bytesToHex, type Hex, hexToBytes } from 'viem';
import { anchorLeaf } from './anchor-leaf.ts';
import { MerkleTreeError, NODE_BYTES, verifyMerkleProof } from './merkle-tree.ts';

/** What a message's inclusion proof says, as a relay (or a dapp) hands it out. */
export interface MessageProof {
  /** hex(sha256(message bytes)), 64 hex digits. */
  messageId: string;
  contentTopic: string;
  root: Hex;
  proof: Hex[];
}

/** A proof that held: the root is on chain, in this batch and block. */
export interface VerifiedAnchor {
  root: Hex;
  leaf: Hex;
  proof: Hex[];
  batchId: bigint;
  blockNumber: bigint;
  /** Block time of the anchoring, seconds. */
  timestamp: bigint;
  chainId: number;
  contract: Address;
}

/** Why a proof does not hold. */
export class AnchorProofError extends MerkleTreeError {
  override name = 'AnchorProofError';
  readonly reason: 'malformed' | 'not-in-batch' | 'not-anchored';
  constructor(reason: AnchorProofError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Reads the Anchor contract: `anchoredAt(root)` → (batch id, block, time); zeros when not anchored. */
export type ReadAnchoredAt = (root: Hex, signal: AbortSignal) => Promise<readonly [bigint, bigint, bigint]>;

const MAX_PROOF_DEPTH = 64;

/**
 * Verifies `proof` for the message and asks the chain about its root.
 * @throws AnchorProofError; whatever `readAnchoredAt` throws (RPC failures: retry later).
 */
export async function verifyMessageProof(
  proof: MessageProof,
  chain: { chainId: number; contract: Address; readAnchoredAt: ReadAnchoredAt },
  signal: AbortSignal,
): Promise<VerifiedAnchor> {
  let leaf: Uint8Array;
  let root: Uint8Array;
  let nodes: Uint8Array[];
  try {
    leaf = anchorLeaf(proof.messageId, proof.contentTopic);
    root = hexToBytes(proof.root);
    if (proof.proof.length > MAX_PROOF_DEPTH) throw new Error('proof too long');
    nodes = proof.proof.map((node) => hexToBytes(node));
    if (root.length !== NODE_BYTES || nodes.some((node) => node.length !== NODE_BYTES))
      throw new Error('not 32 bytes');
  } catch {
    throw new AnchorProofError('malformed', 'The proof is malformed');
  }
  if (!verifyMerkleProof(root, leaf, nodes)) {
    throw new AnchorProofError('not-in-batch', 'The proof does not lead from this message to the root');
  }
  const [batchId, blockNumber, timestamp] = await chain.readAnchoredAt(proof.root, signal);
  if (batchId === 0n) throw new AnchorProofError('not-anchored', 'The root is not anchored on this chain');
  return {
    root: proof.root,
    leaf: bytesToHex(leaf),
    proof: proof.proof,
    batchId,
    blockNumber,
    timestamp,
    chainId: chain.chainId,
    contract: chain.contract,
  };
}

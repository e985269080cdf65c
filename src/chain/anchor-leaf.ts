/**
 * The Merkle leaf of a message in an anchored batch: OpenZeppelin's StandardMerkleTree leaf of
 * the values `(bytes32 messageId, string contentTopic)`,
 *   leaf = keccak256(keccak256(abi.encode(messageId, contentTopic)))
 * Hashing twice means no inner node of a tree (the hash of 64 bytes) can pass for a leaf: a
 * verifier always computes the leaf from the message it holds, never takes one it is given.
 * https://github.com/OpenZeppelin/merkle-tree#validating-a-proof-in-solidity
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { type Keccak256, MerkleTreeError, nobleKeccak256 } from './merkle-tree.ts';

/** Longest content topic a leaf is made for (Cairn topics are under 100 characters). */
export const MAX_LEAF_TOPIC_BYTES = 1024;

const utf8 = new TextEncoder();

/** A message id as 32 bytes: 64 hex digits, with or without `0x`. @throws MerkleTreeError */
export function messageIdBytes(messageId: string): Uint8Array {
  const hex = messageId.startsWith('0x') ? messageId.slice(2) : messageId;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new MerkleTreeError('"messageId" expected 32 bytes of hex');
  return hexToBytes(hex);
}

/**
 * `abi.encode(bytes32 id, string topic)`: the id, the offset of the string (0x40), its length,
 * then its bytes padded to a multiple of 32.
 */
export function encodeLeafValues(messageId: Uint8Array, contentTopic: string): Uint8Array {
  if (messageId.length !== 32) throw new MerkleTreeError('"messageId" expected 32 bytes');
  const topic = utf8.encode(contentTopic);
  if (topic.length === 0 || topic.length > MAX_LEAF_TOPIC_BYTES) {
    throw new MerkleTreeError('"contentTopic" is empty or too long');
  }
  const out = new Uint8Array(96 + Math.ceil(topic.length / 32) * 32);
  out.set(messageId, 0);
  out[63] = 0x40;
  new DataView(out.buffer).setUint32(92, topic.length);
  out.set(topic, 96);
  return out;
}

/** The leaf of message `messageId` (hex) on `contentTopic`. @throws MerkleTreeError */
export function anchorLeaf(
  messageId: string,
  contentTopic: string,
  keccak: Keccak256 = nobleKeccak256,
): Uint8Array {
  return keccak(keccak(encodeLeafValues(messageIdBytes(messageId), contentTopic)));
}

import { keccak_256 } from '@noble/hashes/sha3.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anchorLeaf } from '../../src/chain/anchor-leaf.ts';
import { MerkleTree } from '../../src/chain/merkle-tree.ts';
import { createWasmKeccak256 } from '../../src/relay/wasm-keccak.ts';

describe('WebAssembly keccak256', () => {
  it('equals @noble/hashes on any input, call after call', async () => {
    const keccak = await createWasmKeccak256();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        expect(keccak(data)).toEqual(keccak_256(data));
      }),
      { numRuns: 500 },
    );
  });

  it('builds the same trees and leaves', async () => {
    const keccak = await createWasmKeccak256();
    const ids = Array.from({ length: 300 }, (_, i) => i.toString(16).padStart(64, '0'));
    const leaves = ids.map((id) => anchorLeaf(id, '/xmtp/0/m-x/proto'));
    expect(ids.map((id) => anchorLeaf(id, '/xmtp/0/m-x/proto', keccak))).toEqual(leaves);
    const fast = MerkleTree.fromLeaves(leaves, keccak);
    const slow = MerkleTree.fromLeaves(leaves);
    expect(fast.root).toEqual(slow.root);
    expect(fast.proof(leaves[7]!)).toEqual(slow.proof(leaves[7]!));
  });
});

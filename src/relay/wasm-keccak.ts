/**
 * keccak256 on hash-wasm's WebAssembly build, about 5× @noble/hashes' pure JS on this kind of
 * machine: the relay builds the Merkle trees of whole batches (10,000+ leaves) with it.
 */
import { createKeccak } from 'hash-wasm';
import type { Keccak256 } from '../chain/merkle-tree.ts';

/** A keccak256 function (synchronous once created; not reentrant, which JS never is). */
export async function createWasmKeccak256(): Promise<Keccak256> {
  const hasher = await createKeccak(256);
  return (data) => {
    hasher.init();
    hasher.update(data);
    return hasher.digest('binary');
  };
}

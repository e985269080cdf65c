/**
 * Reads an Anchor contract over a JSON-RPC endpoint (`eth_call anchoredAt(root)`), with the
 * reply decoded and checked by viem: what `verifyMessageProof` needs from the chain.
 */
import { type Address, decodeFunctionResult, encodeFunctionData, type Hex } from 'viem';
import type { ReadAnchoredAt } from './anchor-proof.ts';
import { anchorAbi } from './contract-artifacts.ts';

export interface JsonRpcRequester {
  request(method: string, params?: unknown[], options?: { signal?: AbortSignal }): Promise<unknown>;
}

export function anchoredAtReader(rpc: JsonRpcRequester, contract: Address): ReadAnchoredAt {
  return async (root: Hex, signal: AbortSignal) => {
    const data = encodeFunctionData({ abi: anchorAbi, functionName: 'anchoredAt', args: [root] });
    const result = await rpc.request('eth_call', [{ to: contract, data }, 'latest'], { signal });
    if (typeof result !== 'string' || !/^0x[0-9a-fA-F]*$/.test(result)) {
      throw new TypeError('eth_call returned something that is not hex');
    }
    return decodeFunctionResult({ abi: anchorAbi, functionName: 'anchoredAt', data: result as Hex });
  };
}

/**
 * Reads an Anchor contract over a JSON-RPC endpoint, replies decoded and checked by viem:
 * `anchoredAt(root)` (what `verifyMessageProof` needs; at a given block, what the relay's reorg
 * watch needs), the head, and the `Anchored` events of a block range (what rebuilding an inbox
 * from chain scans).
 */
import {
  type Address,
  decodeEventLog,
  decodeFunctionResult,
  encodeEventTopics,
  encodeFunctionData,
  type Hex,
  hexToString,
  toHex,
} from 'viem';
import type { ReadAnchoredAt } from './anchor-proof.ts';
import { anchorAbi } from './contract-artifacts.ts';

export interface JsonRpcRequester {
  request(method: string, params?: unknown[], options?: { signal?: AbortSignal }): Promise<unknown>;
}

export function anchoredAtReader(rpc: JsonRpcRequester, contract: Address): ReadAnchoredAt {
  const read = anchoredAtBlockReader(rpc, contract);
  return (root, signal) => read(root, 'latest', signal);
}

/** `anchoredAt(root)` as of a given block, so the answer belongs to a known height. */
export function anchoredAtBlockReader(rpc: JsonRpcRequester, contract: Address) {
  return async (
    root: Hex,
    block: bigint | 'latest',
    signal: AbortSignal,
  ): Promise<readonly [bigint, bigint, bigint]> => {
    const data = encodeFunctionData({ abi: anchorAbi, functionName: 'anchoredAt', args: [root] });
    const tag = block === 'latest' ? block : toHex(block);
    const result = await rpc.request('eth_call', [{ to: contract, data }, tag], { signal });
    if (typeof result !== 'string' || !/^0x[0-9a-fA-F]*$/.test(result)) {
      throw new TypeError('eth_call returned something that is not hex');
    }
    return decodeFunctionResult({ abi: anchorAbi, functionName: 'anchoredAt', data: result as Hex });
  };
}

/** The chain's head block number (`eth_blockNumber`). */
export async function readHead(rpc: JsonRpcRequester, signal: AbortSignal): Promise<bigint> {
  const result = await rpc.request('eth_blockNumber', [], { signal });
  if (typeof result !== 'string' || !/^0x[0-9a-fA-F]{1,16}$/.test(result)) {
    throw new TypeError('eth_blockNumber returned something that is not a block number');
  }
  return BigInt(result);
}

interface AnchoredLog {
  data: Hex;
  topics: [Hex, ...Hex[]];
  blockNumber: Hex;
  transactionHash: Hex;
}

export interface AnchoredEvent {
  batchId: bigint;
  root: Hex;
  count: number;
  manifestCid: string;
  blockNumber: bigint;
  transactionHash: Hex;
}

/**
 * The `Anchored` events of `contract` in [fromBlock, toBlock] (of one root, if given); malformed
 * logs are skipped.
 */
export function anchoredEventsReader(rpc: JsonRpcRequester, contract: Address) {
  return async (
    fromBlock: bigint,
    toBlock: bigint,
    signal: AbortSignal,
    root?: Hex,
  ): Promise<AnchoredEvent[]> => {
    const topics = encodeEventTopics({
      abi: anchorAbi,
      eventName: 'Anchored',
      ...(root ? { args: { root } } : {}),
    });
    const logs = await rpc.request(
      'eth_getLogs',
      [{ address: contract, topics, fromBlock: toHex(fromBlock), toBlock: toHex(toBlock) }],
      { signal },
    );
    if (!Array.isArray(logs)) throw new TypeError('eth_getLogs returned something that is not a list');
    const events: AnchoredEvent[] = [];
    for (const log of logs as AnchoredLog[]) {
      try {
        if (!/^0x[0-9a-fA-F]{64}$/.test(String(log.transactionHash))) throw new TypeError('no tx hash');
        const { args } = decodeEventLog({
          abi: anchorAbi,
          eventName: 'Anchored',
          data: log.data,
          topics: log.topics,
        });
        events.push({
          batchId: args.batchId,
          root: args.root,
          count: args.count,
          manifestCid: hexToString(args.manifestCid),
          blockNumber: BigInt(log.blockNumber),
          transactionHash: log.transactionHash,
        });
      } catch {
        // Not an Anchored log of this ABI: skip it.
      }
    }
    return events;
  };
}

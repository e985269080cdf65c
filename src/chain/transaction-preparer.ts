/**
 * Fills in what a dapp's transaction request leaves out (nonce, gas, fees, chain id)
 * from the network's node, with viem's `prepareTransactionRequest` over our JSON-RPC
 * client, and returns something the keyring can sign.
 */
import {
  type Address,
  createClient,
  custom,
  type Hex,
  type TransactionSerializable,
  type TransactionSerializableEIP1559,
  type TransactionSerializableLegacy,
} from 'viem';
import { prepareTransactionRequest } from 'viem/actions';
import type { JsonRpcClient } from './json-rpc-client';
import { type Network, toViemChain } from './networks';

export interface TransactionRequest {
  from: Address;
  to?: Address | null;
  value?: bigint;
  data?: Hex;
  gas?: bigint;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  nonce?: bigint;
  type?: 'legacy' | 'eip1559';
}

export type PreparedTransaction = TransactionSerializableEIP1559 | TransactionSerializableLegacy;

// A bare client with one action imported: the full public client drags in code the worker cannot load (dynamic imports).
function bareClient(network: Network, rpc: JsonRpcClient, signal?: AbortSignal) {
  return createClient({
    chain: toViemChain(network),
    transport: custom(
      { request: ({ method, params }) => rpc.request(method, params ?? [], { signal }) },
      { retryCount: 0 },
    ),
  });
}

export async function prepareTransaction(
  network: Network,
  rpc: JsonRpcClient,
  request: TransactionRequest,
  options: { signal?: AbortSignal } = {},
): Promise<PreparedTransaction> {
  const client = bareClient(network, rpc, options.signal);
  const legacy =
    request.type === 'legacy' || (request.gasPrice !== undefined && request.maxFeePerGas === undefined);
  const eip1559 =
    request.type === 'eip1559' ||
    request.maxFeePerGas !== undefined ||
    request.maxPriorityFeePerGas !== undefined;
  const base = {
    account: request.from,
    to: request.to ?? undefined,
    value: request.value,
    data: request.data,
    gas: request.gas,
    nonce: request.nonce === undefined ? undefined : Number(request.nonce),
  };
  // With no fee fields and no type, viem picks EIP-1559 where the chain has a base fee, else legacy.
  const prepared = legacy
    ? await prepareTransactionRequest(client, { ...base, type: 'legacy', gasPrice: request.gasPrice })
    : eip1559
      ? await prepareTransactionRequest(client, {
          ...base,
          type: 'eip1559',
          maxFeePerGas: request.maxFeePerGas,
          maxPriorityFeePerGas: request.maxPriorityFeePerGas,
        })
      : await prepareTransactionRequest(client, base);
  const common = {
    chainId: network.chainId,
    nonce: prepared.nonce,
    to: prepared.to ?? null,
    value: prepared.value ?? 0n,
    data: prepared.data,
    gas: prepared.gas,
  };
  if (prepared.type === 'legacy') return { ...common, type: 'legacy', gasPrice: prepared.gasPrice };
  return {
    ...common,
    type: 'eip1559',
    maxFeePerGas: prepared.maxFeePerGas,
    maxPriorityFeePerGas: prepared.maxPriorityFeePerGas,
  };
}

/** The pending nonce of `address` right now (re-read just before signing). */
export async function pendingNonce(
  rpc: JsonRpcClient,
  address: Address,
  options: { signal?: AbortSignal } = {},
) {
  const result = await rpc.request('eth_getTransactionCount', [address, 'pending'], options);
  if (typeof result !== 'string' || !/^0x[0-9a-fA-F]+$/.test(result))
    throw new Error('malformed nonce from RPC');
  return Number.parseInt(result, 16);
}

/** Sends signed bytes; returns the transaction hash the node reports. */
export async function sendRawTransaction(
  rpc: JsonRpcClient,
  raw: Hex,
  options: { signal?: AbortSignal } = {},
) {
  const hash = await rpc.request('eth_sendRawTransaction', [raw], options);
  if (typeof hash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(hash))
    throw new Error('malformed transaction hash from RPC');
  return hash as Hex;
}

export type { TransactionSerializable };

/**
 * Reads a KeyRegistry contract (contracts/KeyRegistry.sol) over JSON-RPC: an address's current
 * contact-bundle CID (`keyOf`, an `eth_call`) and its `KeyPublished` events (`eth_getLogs`), the
 * public history of its keys (key transparency). Replies are untrusted: decoded by viem against
 * the ABI and checked; malformed logs are skipped. Cairn publishes a CID in its binary form
 * (CIDv1, raw codec, sha2-256: 36 bytes), the form `bundleCidOf` computes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import {
  type Address,
  decodeEventLog,
  decodeFunctionResult,
  encodeEventTopics,
  encodeFunctionData,
  getAddress,
  type Hex,
  hexToBytes,
  isAddressEqual,
  toHex,
} from 'viem';
import type { JsonRpcRequester } from './anchor-reader.ts';
import { keyRegistryAbi } from './contract-artifacts.ts';
import { messageCid } from './message-cid.ts';

/** The node answered something that is not a KeyRegistry reply. */
export class KeyRegistryReplyError extends Error {
  override name = 'KeyRegistryReplyError';
  constructor(detail: string, cause?: unknown) {
    super(`The KeyRegistry reply is malformed: ${detail}`, cause === undefined ? undefined : { cause });
  }
}

/** An address's entry; `version` 0 means it never published (then `bundleCid` is empty). */
export interface KeyRegistryEntry {
  bundleCid: Uint8Array;
  version: bigint;
  /** The block the current CID was published in (0 when never). */
  updatedAt: bigint;
}

export interface KeyPublishedEvent {
  account: Address;
  version: bigint;
  bundleCid: Uint8Array;
  blockNumber: bigint;
  transactionHash: Hex;
}

/** The CID Cairn publishes for a contact bundle: CIDv1, raw codec, sha2-256 of the bytes. */
export function bundleCidOf(bundle: Uint8Array): CID {
  return messageCid(sha256(bundle));
}

/** The CID in a registry entry. @throws KeyRegistryReplyError when the bytes are not a binary CID */
export function decodeBundleCid(bytes: Uint8Array): CID {
  try {
    return CID.decode(bytes);
  } catch (cause) {
    throw new KeyRegistryReplyError('"bundleCid" is not a binary CID', cause);
  }
}

const HEX = /^0x([0-9a-fA-F]{2})*$/;
const QUANTITY = /^0x[0-9a-fA-F]{1,16}$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;

/**
 * `keyOf(account)` of the KeyRegistry at `contract`.
 * @example const entry = await keyOfReader(rpc, registry)(peer, AbortSignal.timeout(5_000))
 */
export function keyOfReader(rpc: JsonRpcRequester, contract: Address) {
  return async (account: Address, signal: AbortSignal): Promise<KeyRegistryEntry> => {
    const data = encodeFunctionData({ abi: keyRegistryAbi, functionName: 'keyOf', args: [account] });
    const result = await rpc.request('eth_call', [{ to: contract, data }, 'latest'], { signal });
    if (typeof result !== 'string' || !HEX.test(result)) {
      throw new KeyRegistryReplyError('eth_call returned something that is not hex');
    }
    let decoded: readonly [Hex, bigint, bigint];
    try {
      decoded = decodeFunctionResult({ abi: keyRegistryAbi, functionName: 'keyOf', data: result as Hex });
    } catch (cause) {
      throw new KeyRegistryReplyError('keyOf did not decode', cause);
    }
    const [cid, version, updatedAt] = decoded;
    const bundleCid = hexToBytes(cid);
    // The contract never stores an empty CID, and only a publish sets a version.
    if ((version === 0n) !== (bundleCid.length === 0)) {
      throw new KeyRegistryReplyError('"version" and "bundleCid" disagree');
    }
    return { bundleCid, version, updatedAt };
  };
}

export interface KeyHistoryParameters {
  fromBlock: bigint;
  /** @default 'latest' */
  toBlock?: bigint | 'latest';
  signal: AbortSignal;
}

/**
 * The `KeyPublished` events of `account` on the KeyRegistry at `contract`, in the node's order
 * (oldest first). Logs that do not decode, or are of another contract or account, are skipped.
 */
export function keyHistoryReader(rpc: JsonRpcRequester, contract: Address) {
  return async (account: Address, parameters: KeyHistoryParameters): Promise<KeyPublishedEvent[]> => {
    const topics = encodeEventTopics({ abi: keyRegistryAbi, eventName: 'KeyPublished', args: { account } });
    const { fromBlock, toBlock = 'latest', signal } = parameters;
    const logs = await rpc.request(
      'eth_getLogs',
      [
        {
          address: contract,
          topics,
          fromBlock: toHex(fromBlock),
          toBlock: toBlock === 'latest' ? toBlock : toHex(toBlock),
        },
      ],
      { signal },
    );
    if (!Array.isArray(logs)) {
      throw new KeyRegistryReplyError('eth_getLogs returned something that is not a list');
    }
    const events: KeyPublishedEvent[] = [];
    for (const log of logs) {
      const event = parseLog(log, contract, account);
      if (event) events.push(event);
    }
    return events;
  };
}

function parseLog(log: unknown, contract: Address, account: Address): KeyPublishedEvent | null {
  if (typeof log !== 'object' || log === null) return null;
  const { address, data, topics, blockNumber, transactionHash } = log as Record<string, unknown>;
  if (
    typeof address !== 'string' ||
    typeof data !== 'string' ||
    !HEX.test(data) ||
    !Array.isArray(topics) ||
    topics.length === 0 ||
    !topics.every((topic) => typeof topic === 'string' && HASH.test(topic)) ||
    typeof blockNumber !== 'string' ||
    !QUANTITY.test(blockNumber) ||
    typeof transactionHash !== 'string' ||
    !HASH.test(transactionHash)
  ) {
    return null;
  }
  try {
    if (!isAddressEqual(getAddress(address), contract)) return null;
    const { args } = decodeEventLog({
      abi: keyRegistryAbi,
      eventName: 'KeyPublished',
      data: data as Hex,
      topics: topics as [Hex, ...Hex[]],
    });
    if (!isAddressEqual(args.account, account)) return null;
    return {
      account: getAddress(args.account),
      version: args.version,
      bundleCid: hexToBytes(args.bundleCid),
      blockNumber: BigInt(blockNumber),
      transactionHash: transactionHash as Hex,
    };
  } catch {
    return null; // not a KeyPublished log of this ABI
  }
}

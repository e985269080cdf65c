/**
 * Reading the real KeyRegistry (in-process Hardhat) through `eth_call` and `eth_getLogs`: an
 * address's current bundle CID and its public history, malformed replies refused, malformed or
 * foreign logs skipped, the signal honoured.
 */
import { CID } from 'multiformats/cid';
import { type Address, encodeAbiParameters, getAddress, type Hex, keccak256, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonRpcRequester } from '../../src/chain/anchor-reader.ts';
import { keyRegistryAbi, keyRegistryBytecode } from '../../src/chain/contract-artifacts.ts';
import {
  bundleCidOf,
  decodeBundleCid,
  KeyRegistryReplyError,
  keyHistoryReader,
  keyOfReader,
} from '../../src/chain/key-registry-reader.ts';
import { deployOnChain, type InProcessChain, inProcessChain } from '../support/in-process-chain.ts';

let chain: InProcessChain;
let registry: Address;
let rpc: JsonRpcRequester;
const encoder = new TextEncoder();

async function publish(from: Address, bundleCid: Hex) {
  const hash = await chain
    .walletFor(from)
    .writeContract({ address: registry, abi: keyRegistryAbi, functionName: 'publish', args: [bundleCid] });
  return chain.publicClient.waitForTransactionReceipt({ hash });
}

/** A requester answering `method` with `reply` (and the chain for the rest). */
function answering(method: string, reply: unknown): JsonRpcRequester {
  return {
    request: async (m, params) => (m === method ? reply : rpc.request(m, params)),
  };
}

beforeAll(async () => {
  chain = await inProcessChain();
  registry = await deployOnChain(chain, keyRegistryAbi, keyRegistryBytecode);
  rpc = {
    request: async (method, params = [], options) => {
      options?.signal?.throwIfAborted();
      return chain.rpc(method, params);
    },
  };
});

afterAll(async () => {
  await chain?.close();
});

describe('bundleCidOf', () => {
  it('is the CIDv1 raw sha2-256 a node stores the bytes under, 36 bytes in binary', () => {
    const cid = bundleCidOf(encoder.encode('a contact bundle'));
    expect(cid.version).toBe(1);
    expect(cid.code).toBe(0x55);
    expect(cid.multihash.code).toBe(0x12);
    expect(cid.bytes).toHaveLength(36);
    expect(decodeBundleCid(cid.bytes).equals(cid)).toBe(true);
    expect(() => decodeBundleCid(encoder.encode('bafy-not-binary'))).toThrow(KeyRegistryReplyError);
  });
});

describe('keyOfReader', () => {
  it('reads nothing for an address that never published, then its current CID, version and block', async () => {
    const [alice, bob] = [chain.accounts[1]!, chain.accounts[2]!];
    const keyOf = keyOfReader(rpc, registry);
    expect(await keyOf(alice, AbortSignal.timeout(5_000))).toEqual({
      bundleCid: new Uint8Array(),
      version: 0n,
      updatedAt: 0n,
    });
    const first = bundleCidOf(encoder.encode('first bundle'));
    const second = bundleCidOf(encoder.encode('second bundle'));
    await publish(alice, toHex(first.bytes));
    await publish(bob, toHex(first.bytes));
    const receipt = await publish(alice, toHex(second.bytes));
    const entry = await keyOf(alice, AbortSignal.timeout(5_000));
    expect(entry).toEqual({ bundleCid: second.bytes, version: 2n, updatedAt: receipt.blockNumber });
    expect(decodeBundleCid(entry.bundleCid).equals(second)).toBe(true);
  });

  it('refuses replies that are not hex, do not decode, or contradict the contract', async () => {
    const account = chain.accounts[3]!;
    const inconsistent = encodeAbiParameters(
      [{ type: 'bytes' }, { type: 'uint64' }, { type: 'uint64' }],
      ['0x', 3n, 10n],
    );
    for (const reply of [null, 42, 'not hex', '0x123', '0x', '0x1234', inconsistent]) {
      await expect(
        keyOfReader(answering('eth_call', reply), registry)(account, AbortSignal.timeout(5_000)),
        `reply ${String(reply).slice(0, 20)}`,
      ).rejects.toBeInstanceOf(KeyRegistryReplyError);
    }
  });

  it('passes the signal on: an aborted read rejects', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(keyOfReader(rpc, registry)(chain.accounts[1]!, controller.signal)).rejects.toThrow('stop');
  });
});

describe('keyHistoryReader', () => {
  it("lists an address's KeyPublished events oldest first, nobody else's", async () => {
    const carol = chain.accounts[4]!;
    const cids = ['c1', 'c2', 'c3'].map((text) => bundleCidOf(encoder.encode(text)));
    const receipts: Awaited<ReturnType<typeof publish>>[] = [];
    for (const cid of cids) receipts.push(await publish(carol, toHex(cid.bytes)));
    await publish(chain.accounts[5]!, toHex(cids[0]!.bytes));
    const history = await keyHistoryReader(rpc, registry)(carol, {
      fromBlock: 0n,
      signal: AbortSignal.timeout(5_000),
    });
    expect(history).toEqual(
      cids.map((cid, index) => ({
        account: getAddress(carol),
        version: BigInt(index + 1),
        bundleCid: cid.bytes,
        blockNumber: receipts[index]!.blockNumber,
        transactionHash: receipts[index]!.transactionHash,
      })),
    );
    expect(CID.decode(history[2]!.bundleCid).equals(cids[2]!)).toBe(true);
    // A range before the first publish is empty.
    const before = await keyHistoryReader(rpc, registry)(carol, {
      fromBlock: 0n,
      toBlock: receipts[0]!.blockNumber - 1n,
      signal: AbortSignal.timeout(5_000),
    });
    expect(before).toEqual([]);
  });

  it('skips logs that are malformed, of another contract or of another account; refuses a non-list', async () => {
    const dave = chain.accounts[6]!;
    const cid = bundleCidOf(encoder.encode('dave'));
    await publish(dave, toHex(cid.bytes));
    const [real] = (await chain.rpc('eth_getLogs', [
      {
        address: registry,
        topics: [keccak256(toHex('KeyPublished(address,uint64,bytes)'))],
        fromBlock: '0x0',
        toBlock: 'latest',
      },
    ])) as Record<string, unknown>[];
    const [own] = (await chain.rpc('eth_getLogs', [
      {
        address: registry,
        topics: [null, `0x${dave.slice(2).toLowerCase().padStart(64, '0')}`],
        fromBlock: '0x0',
      },
    ])) as Record<string, unknown>[];
    expect(real && own).toBeTruthy();
    const replies = [
      own,
      { ...own, address: chain.accounts[0] }, // another contract
      { ...own, data: '0x1234' }, // data that does not decode
      { ...own, topics: (own!.topics as Hex[]).slice(0, 2) }, // a topic missing
      { ...own, blockNumber: 'soon' },
      { ...own, transactionHash: '0x12' },
      real, // another account's event, though the node was asked for Dave's only
      null,
      'garbage',
    ];
    const history = await keyHistoryReader(answering('eth_getLogs', replies), registry)(dave, {
      fromBlock: 0n,
      signal: AbortSignal.timeout(5_000),
    });
    expect(history).toHaveLength(1);
    expect(history[0]!.bundleCid).toEqual(cid.bytes);

    await expect(
      keyHistoryReader(answering('eth_getLogs', { logs: [] }), registry)(dave, {
        fromBlock: 0n,
        signal: AbortSignal.timeout(5_000),
      }),
    ).rejects.toBeInstanceOf(KeyRegistryReplyError);
  });
});

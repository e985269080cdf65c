/** The KeyRegistry contract on an in-process Hardhat chain: publish, update, public history. */
import { type Address, getAddress, type Hex, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyRegistryAbi, keyRegistryBytecode } from '../../src/chain/contract-artifacts.ts';
import { deployOnChain, type InProcessChain, inProcessChain } from '../support/in-process-chain.ts';

let chain: InProcessChain;
let registry: Address;
const cid = (text: string): Hex => toHex(new TextEncoder().encode(text));

async function publish(from: Address, bundleCid: Hex) {
  const hash = await chain
    .walletFor(from)
    .writeContract({ address: registry, abi: keyRegistryAbi, functionName: 'publish', args: [bundleCid] });
  return chain.publicClient.waitForTransactionReceipt({ hash });
}

const keyOf = (account: Address) =>
  chain.publicClient.readContract({
    address: registry,
    abi: keyRegistryAbi,
    functionName: 'keyOf',
    args: [account],
  });

beforeAll(async () => {
  chain = await inProcessChain();
  registry = await deployOnChain(chain, keyRegistryAbi, keyRegistryBytecode);
});

afterAll(async () => {
  await chain?.close();
});

describe('KeyRegistry', () => {
  it('publishes and updates a key; every change is an event, so the history is public', async () => {
    const [alice, bob] = [chain.accounts[1]!, chain.accounts[2]!];
    expect(await keyOf(alice)).toEqual(['0x', 0n, 0n]);
    const first = await publish(alice, cid('bafy-first'));
    expect(await keyOf(alice)).toEqual([cid('bafy-first'), 1n, first.blockNumber]);
    await publish(bob, cid('bafy-bob'));
    const second = await publish(alice, cid('bafy-second'));
    expect(await keyOf(alice)).toEqual([cid('bafy-second'), 2n, second.blockNumber]);
    expect(await keyOf(bob)).toEqual([cid('bafy-bob'), 1n, expect.any(BigInt)]);

    const history = await chain.publicClient.getContractEvents({
      address: registry,
      abi: keyRegistryAbi,
      eventName: 'KeyPublished',
      args: { account: alice },
      fromBlock: 0n,
    });
    expect(history.map((log) => log.args)).toEqual([
      { account: getAddress(alice), version: 1n, bundleCid: cid('bafy-first') },
      { account: getAddress(alice), version: 2n, bundleCid: cid('bafy-second') },
    ]);
    // First publish stores the CID in new slots; an update rewrites them.
    expect(Number(first.gasUsed)).toBeGreaterThan(Number(second.gasUsed));
  });

  it('refuses an empty CID and one over 128 bytes', async () => {
    for (const [value, error] of [
      ['0x', 'EmptyCid'],
      [toHex(new Uint8Array(129)), 'CidTooLong'],
    ] as const) {
      await expect(
        chain.publicClient.simulateContract({
          address: registry,
          abi: keyRegistryAbi,
          functionName: 'publish',
          args: [value],
          account: chain.accounts[3]!,
        }),
      ).rejects.toMatchObject({ cause: { data: { errorName: error } } });
    }
  });
});

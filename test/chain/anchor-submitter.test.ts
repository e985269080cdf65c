/**
 * AnchorSubmitter against an in-process Hardhat chain and the real Anchor contract: confirmations,
 * a root anchored by someone else, a reorg that removes the anchoring block, and an RPC that fails
 * for a while.
 */
import {
  type Address,
  createPublicClient,
  createWalletClient,
  custom,
  type EIP1193RequestFn,
  type Hex,
  toHex,
} from 'viem';
import { hardhat } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnchorSubmitter, type AnchorSubmitterOptions } from '../../src/chain/anchor-submitter.ts';
import { anchorAbi, anchorBytecode } from '../../src/chain/contract-artifacts.ts';
import { deployOnChain, type InProcessChain, inProcessChain } from '../support/in-process-chain.ts';

let chain: InProcessChain;
let contract: Address;
let roots = 0;
const CID = toHex(new TextEncoder().encode('bafkrei-manifest'));

function batch() {
  roots++;
  return { root: `0x${roots.toString(16).padStart(64, 'a')}` as Hex, count: 10, manifestCid: CID };
}

/** Mines a block every `ms` until stopped (confirmations need blocks after the anchoring one). */
function mineEvery(ms: number): () => void {
  const timer = setInterval(() => void chain.rpc('evm_mine').catch(() => {}), ms);
  return () => clearInterval(timer);
}

function submitter(overrides: Partial<AnchorSubmitterOptions> = {}, account = chain.accounts[0]!) {
  return new AnchorSubmitter({
    publicClient: chain.publicClient,
    walletClient: chain.walletFor(account),
    contract,
    confirmations: 3,
    pollMs: 10,
    maxBackoffMs: 50,
    ...overrides,
  });
}

beforeAll(async () => {
  chain = await inProcessChain();
  contract = await deployOnChain(chain, anchorAbi, anchorBytecode);
});

afterAll(async () => {
  await chain?.close();
});

describe('AnchorSubmitter', () => {
  it('anchors a root and resolves only once it is 3 blocks deep', async () => {
    const progress: string[] = [];
    const stop = mineEvery(20);
    try {
      const target = batch();
      const receipt = await submitter({ onProgress: (event) => progress.push(event.kind) }).anchor(
        target,
        AbortSignal.timeout(10_000),
      );
      expect(receipt).toMatchObject({ root: target.root, submittedByUs: true });
      expect(progress).toEqual(['submitted', 'mined']);
      expect(
        (await chain.publicClient.getBlockNumber({ cacheTime: 0 })) - receipt.blockNumber,
      ).toBeGreaterThanOrEqual(2n);
      const block = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber });
      expect(block.hash).toBe(receipt.blockHash);
    } finally {
      stop();
    }
  });

  it('treats a root anchored by someone else as success, without a transaction of its own', async () => {
    const target = batch();
    const other = submitter({ confirmations: 1 }, chain.accounts[5]!);
    const theirs = await other.anchor(target, AbortSignal.timeout(10_000));
    const progress: string[] = [];
    const ours = await submitter({
      confirmations: 1,
      onProgress: (event) => progress.push(event.kind),
    }).anchor(target, AbortSignal.timeout(10_000));
    expect(ours).toEqual({ ...theirs, submittedByUs: false });
    expect(progress).toEqual([]);
  });

  it('a reorg removing the anchoring block sends it back to pending, then anchors it again', async () => {
    const target = batch();
    const snapshot = await chain.rpc('evm_snapshot');
    let firstBlock: bigint | undefined;
    let submissions = 0;
    let reorged = false;
    const run = submitter({
      confirmations: 4,
      onProgress: (event) => {
        if (event.kind === 'submitted') submissions++;
        if (event.kind !== 'mined' || firstBlock !== undefined) return;
        firstBlock = event.blockNumber;
        // The block (and the transaction) vanish, as in a reorg.
        void chain.rpc('evm_revert', [snapshot]).then(() => {
          reorged = true;
        });
      },
    }).anchor(target, AbortSignal.timeout(15_000));
    const stop = mineEvery(25);
    try {
      const receipt = await run;
      expect(reorged).toBe(true);
      // Sent again after the reorg (the same signed transaction, so the same hash, in a new block).
      expect(submissions).toBe(2);
      expect(receipt.submittedByUs).toBe(true);
      expect(
        await chain.publicClient.readContract({
          address: contract,
          abi: anchorAbi,
          functionName: 'isAnchored',
          args: [target.root],
        }),
      ).toBe(true);
      expect((await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })).hash).toBe(
        receipt.blockHash,
      );
    } finally {
      stop();
    }
  });

  it('keeps retrying through RPC failures and never reports a batch anchored while it cannot tell', async () => {
    let failing = true;
    let failures = 0;
    const request: EIP1193RequestFn = async (args) => {
      if (failing && args.method !== 'eth_chainId') {
        failures++;
        throw Object.assign(new Error('503 Service Unavailable'), { code: -32603 });
      }
      return chain.publicClient.request(args as never);
    };
    const transport = custom({ request }, { retryCount: 0 });
    const flaky = new AnchorSubmitter({
      publicClient: createPublicClient({ chain: hardhat, transport }),
      walletClient: createWalletClient({ chain: hardhat, transport, account: chain.accounts[0]! }),
      contract,
      confirmations: 1,
      pollMs: 10,
      maxBackoffMs: 20,
    });
    const target = batch();
    let settled = false;
    const run = flaky.anchor(target, AbortSignal.timeout(10_000)).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(failures).toBeGreaterThan(3);
    expect(settled).toBe(false);
    expect(
      await chain.publicClient.readContract({
        address: contract,
        abi: anchorAbi,
        functionName: 'isAnchored',
        args: [target.root],
      }),
    ).toBe(false);
    failing = false;
    expect(await run).toMatchObject({ root: target.root, submittedByUs: true });
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const never = new AnchorSubmitter({
      publicClient: chain.publicClient,
      walletClient: chain.walletFor(chain.accounts[0]!),
      contract,
      confirmations: 1000,
      pollMs: 10,
    });
    const run = never.anchor(batch(), controller.signal);
    setTimeout(() => controller.abort(new Error('stopping')), 200);
    await expect(run).rejects.toThrow('stopping');
  });
});

/**
 * Publishing the user's key on chain against the real KeyRegistry (in-process Hardhat), the real
 * keyring, identities and WalletTransactions: the block is the contact bundle the messenger
 * publishes, relays pin it before any transaction, nothing is sent without approval, and the
 * status follows the chain (never published → current → outdated when the chain has another).
 */
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { type Address, type Hex, toHex } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserRejectedError } from '../../../src/background/dapp/approval-controller';
import { type ApprovalDetails, WALLET_ORIGIN } from '../../../src/background/dapp/approval-types';
import {
  KeyNotPinnedError,
  KeyRegistryReadError,
  KeyRegistryService,
  KeyRegistryUnavailableError,
} from '../../../src/background/messaging/key-registry-service';
import type { EnqueueInput } from '../../../src/background/messaging/message-db';
import { MessagingIdentities } from '../../../src/background/messaging/messaging-identity';
import { queueContactBundle } from '../../../src/background/messaging/own-contact-bundle';
import { keyRegistryAbi, keyRegistryBytecode } from '../../../src/chain/contract-artifacts';
import { JsonRpcClient } from '../../../src/chain/json-rpc-client';
import { keyHistoryReader, keyOfReader } from '../../../src/chain/key-registry-reader';
import { DEVNET, type Network, PRESET_NETWORKS } from '../../../src/chain/networks';
import { MemoryKeyValueStore } from '../../../src/keyring/key-value-store';
import { Keyring } from '../../../src/keyring/keyring';
import { decodeEnvelope, verifyContactBundleFor } from '../../../src/protocol/index';
import { freePort } from '../../support/free-port';
import { deployOnChain, type InProcessChain, inProcessChain } from '../../support/in-process-chain';
import {
  type RecordedApproval,
  rawBlockStore,
  recordingWalletTransactions,
} from '../support/recording-transactions.ts';

const TEST_MNEMONIC = 'test test test test test test test test test test test junk';

let chain: InProcessChain;
let network: Network;
let keyring: Keyring;
let identities: MessagingIdentities;
let account: Address;
const rpc = { request: (method: string, params: unknown[] = []) => chain.rpc(method, params) };

beforeAll(async () => {
  chain = await inProcessChain();
  const keyRegistry = await deployOnChain(chain, keyRegistryAbi, keyRegistryBytecode);
  network = { ...DEVNET, anchoring: { anchor: keyRegistry, keyRegistry, fromBlock: 0 } };
  keyring = new Keyring({ vaultStore: new MemoryKeyValueStore(), sessionStore: new MemoryKeyValueStore() });
  const accounts = await keyring.createFromMnemonic('correct horse battery', TEST_MNEMONIC);
  account = (accounts[0] as { address: Address }).address;
  identities = new MessagingIdentities(keyring);
}, 60_000);

afterAll(async () => {
  await chain?.close();
});

interface Harness {
  service: KeyRegistryService;
  approvals: RecordedApproval[];
  blocks: Map<string, Uint8Array>;
  pinned: string[];
  pinners: { count: number };
  decide: { approved: boolean };
}

function harness(
  options: { networks?: Network[]; rpcDown?: number; receiptWaitMs?: number; silentBroadcast?: boolean } = {},
): Harness {
  const h: Omit<Harness, 'service'> = {
    approvals: [],
    blocks: new Map(),
    pinned: [],
    pinners: { count: 1 },
    decide: { approved: true },
  };
  const transactions = recordingWalletTransactions({
    keyring,
    rpc,
    approvals: h.approvals,
    decide: h.decide,
    silentBroadcast: () => options.silentBroadcast === true,
  });
  const networks = options.networks ?? [network];
  const service = new KeyRegistryService({
    identities,
    selectedNetwork: async () => networks[0]!,
    networks: async () => networks,
    rpcFor: () =>
      options.rpcDown === undefined ? rpc : new JsonRpcClient({ url: `http://127.0.0.1:${options.rpcDown}` }),
    blocks: async () => ({
      putBlock: rawBlockStore(h.blocks),
      pinAtRelays: async (cids) => {
        if (h.pinners.count > 0) h.pinned.push(...cids.map(String));
        return h.pinners.count;
      },
    }),
    transactions,
    log: () => {},
    ...(options.receiptWaitMs === undefined ? {} : { receiptWaitMs: options.receiptWaitMs }),
  });
  return { ...h, service };
}

async function keyOnChain() {
  return keyOfReader(rpc, network.anchoring!.keyRegistry)(account, AbortSignal.timeout(5_000));
}

let h: Harness;
beforeEach(() => {
  h = harness();
});

describe('KeyRegistryService', () => {
  it('publishes the contact bundle the messenger publishes, pinned first, after the user confirms', async () => {
    const before = await h.service.status(account, AbortSignal.timeout(5_000));
    expect(before).toMatchObject({ status: 'unpublished', version: '0', block: null, chainId: 31337 });

    const result = await h.service.publish(account, AbortSignal.timeout(30_000));
    expect(result).toMatchObject({ status: 'published', cid: before.cid, pinnedBy: 1 });
    expect(result.txHash).toMatch(/^0x[0-9a-f]{64}$/);

    // The block is the account's signed bundle, byte for byte the one queued for its contact topic.
    const block = h.blocks.get(before.cid)!;
    expect(verifyContactBundleFor(account, block).address).toBe(account);
    const queued: EnqueueInput[] = [];
    await queueContactBundle(
      { getCursor: async () => null, enqueue: async (item) => queued.push(item) > 0 },
      account,
      await identities.ensure(account),
      Date.now(),
    );
    expect(decodeEnvelope(queued[0]!.envelope).message).toEqual(block);
    expect(h.pinned).toEqual([before.cid]);

    // Cairn's own approval window, for this very transaction.
    expect(h.approvals).toHaveLength(1);
    const [approval] = h.approvals;
    expect(approval).toMatchObject({ origin: WALLET_ORIGIN, method: 'cairn_publishKey' });
    expect(approval!.details).toMatchObject({ kind: 'walletTransaction', address: account });
    const details = approval!.details as Extract<ApprovalDetails, { kind: 'walletTransaction' }>;
    expect(details.purpose).toMatch(/^Publish your messaging key on chain/);
    expect(details.transaction.to).toBe(network.anchoring!.keyRegistry);

    const entry = await keyOnChain();
    expect(toHex(entry.bundleCid)).toBe(toHex(CID.parse(before.cid).bytes));
    const receipt = await chain.publicClient.getTransactionReceipt({ hash: result.txHash as Hex });
    expect(await h.service.status(account, AbortSignal.timeout(5_000))).toEqual({
      ...before,
      status: 'current',
      version: '1',
      block: receipt.blockNumber.toString(),
    });
    // A first publish of a 36-byte CID: new storage slots for the CID, version and block.
    expect(receipt.gasUsed).toBeGreaterThan(50_000n);
    expect(receipt.gasUsed).toBeLessThan(120_000n);

    // Already current: pinned again, nothing sent, nothing asked.
    expect(await h.service.publish(account, AbortSignal.timeout(30_000))).toEqual({
      status: 'current',
      txHash: null,
      cid: before.cid,
      pinnedBy: 1,
    });
    expect(h.approvals).toHaveLength(1);
  });

  it('says "outdated" when the chain has another CID, and publishing makes it current again', async () => {
    const hash = await chain.walletFor(account).writeContract({
      address: network.anchoring!.keyRegistry,
      abi: keyRegistryAbi,
      functionName: 'publish',
      args: [toHex(CID.createV1(raw.code, await sha256.digest(new Uint8Array([1]))).bytes)],
    });
    await chain.publicClient.waitForTransactionReceipt({ hash });
    const outdated = await h.service.status(account, AbortSignal.timeout(5_000));
    expect(outdated.status).toBe('outdated');

    const result = await h.service.publish(account, AbortSignal.timeout(30_000));
    expect(result.status).toBe('published');
    const update = await chain.publicClient.getTransactionReceipt({ hash: result.txHash as Hex });
    expect(update.gasUsed).toBeLessThan(60_000n); // rewriting the slots costs less than the first publish
    const status = await h.service.status(account, AbortSignal.timeout(5_000));
    expect(status).toMatchObject({ status: 'current', version: String(Number(outdated.version) + 1) });

    // The whole history is public: every version, in order.
    const history = await keyHistoryReader(rpc, network.anchoring!.keyRegistry)(account, {
      fromBlock: 0n,
      signal: AbortSignal.timeout(5_000),
    });
    expect(history.map((event) => event.version)).toEqual(
      Array.from({ length: Number(status.version) }, (_, i) => BigInt(i + 1)),
    );
  });

  it('never sends a second publish while the first may still land', async () => {
    const hash = await chain.walletFor(account).writeContract({
      address: network.anchoring!.keyRegistry,
      abi: keyRegistryAbi,
      functionName: 'publish',
      args: [toHex(CID.createV1(raw.code, await sha256.digest(new Uint8Array([2]))).bytes)],
    });
    await chain.publicClient.waitForTransactionReceipt({ hash });
    const slow = harness({ receiptWaitMs: 300 });
    await chain.rpc('evm_setAutomine', [false]);
    try {
      const first = await slow.service.publish(account, AbortSignal.timeout(30_000));
      expect(first.status).toBe('confirming');
      expect((await slow.service.status(account, AbortSignal.timeout(5_000))).status).toBe('confirming');
      const again = await slow.service.publish(account, AbortSignal.timeout(30_000));
      expect(again).toMatchObject({ status: 'confirming', txHash: first.txHash });
      expect(slow.approvals).toHaveLength(1);
    } finally {
      await chain.rpc('evm_setAutomine', [true]);
      await chain.rpc('evm_mine');
    }
    expect((await slow.service.status(account, AbortSignal.timeout(5_000))).status).toBe('current');
  });

  it('a publish the node never acknowledged is followed, not sent again', async () => {
    const hash = await chain.walletFor(account).writeContract({
      address: network.anchoring!.keyRegistry,
      abi: keyRegistryAbi,
      functionName: 'publish',
      args: [toHex(CID.createV1(raw.code, await sha256.digest(new Uint8Array([3]))).bytes)],
    });
    await chain.publicClient.waitForTransactionReceipt({ hash });
    const silent = harness({ silentBroadcast: true, receiptWaitMs: 300 });
    await chain.rpc('evm_setAutomine', [false]);
    try {
      const first = await silent.service.publish(account, AbortSignal.timeout(30_000));
      expect(first.status).toBe('confirming');
      expect(first.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      const again = await silent.service.publish(account, AbortSignal.timeout(30_000));
      expect(again).toMatchObject({ status: 'confirming', txHash: first.txHash });
      expect(silent.approvals).toHaveLength(1);
    } finally {
      await chain.rpc('evm_setAutomine', [true]);
      await chain.rpc('evm_mine');
    }
    expect((await silent.service.status(account, AbortSignal.timeout(5_000))).status).toBe('current');
  });

  it('sends nothing when the user rejects, or when no relay pinned the block', async () => {
    const stale = await chain.walletFor(account).writeContract({
      address: network.anchoring!.keyRegistry,
      abi: keyRegistryAbi,
      functionName: 'publish',
      args: ['0x0102'],
    });
    await chain.publicClient.waitForTransactionReceipt({ hash: stale });
    const before = await keyOnChain();

    h.decide.approved = false;
    await expect(h.service.publish(account, AbortSignal.timeout(30_000))).rejects.toThrow(UserRejectedError);
    expect(h.approvals).toHaveLength(1);

    h.decide.approved = true;
    h.pinners.count = 0;
    await expect(h.service.publish(account, AbortSignal.timeout(30_000))).rejects.toThrow(KeyNotPinnedError);
    expect(h.approvals).toHaveLength(1); // not even asked
    expect(await keyOnChain()).toEqual(before);
  });

  it('reads peers’ CIDs for the fallback; refuses clearly without a registry or with the RPC down', async () => {
    const peer = chain.accounts[7]!;
    expect(await h.service.cidOf(peer, AbortSignal.timeout(5_000))).toBeNull();
    const cid = CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode('peer bundle')));
    const hash = await chain.walletFor(peer).writeContract({
      address: network.anchoring!.keyRegistry,
      abi: keyRegistryAbi,
      functionName: 'publish',
      args: [toHex(cid.bytes)],
    });
    await chain.publicClient.waitForTransactionReceipt({ hash });
    expect((await h.service.cidOf(peer, AbortSignal.timeout(5_000)))?.equals(cid)).toBe(true);

    // Base Sepolia and OP Sepolia presets have no contracts here.
    const without = harness({ networks: PRESET_NETWORKS.filter((n) => !n.anchoring) });
    expect(await without.service.cidOf(peer, AbortSignal.timeout(5_000))).toBeNull();
    await expect(without.service.status(account, AbortSignal.timeout(5_000))).rejects.toThrow(
      KeyRegistryUnavailableError,
    );

    const down = harness({ rpcDown: await freePort() });
    const failure = down.service.status(account, AbortSignal.timeout(5_000));
    await expect(failure).rejects.toThrow(KeyRegistryReadError);
    await expect(failure).rejects.toMatchObject({ code: -32603, message: /Cairn devnet: .*unreachable/ });
    await expect(down.service.cidOf(peer, AbortSignal.timeout(5_000))).rejects.toThrow(KeyRegistryReadError);
  });
});

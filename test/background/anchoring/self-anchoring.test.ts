/**
 * Forced inclusion over a real AnchorDb (fake-indexeddb), the real Anchor contract (in-process
 * Hardhat), the real keyring signing and WalletTransactions: the user anchors their overdue
 * messages with their own transaction, only after approving it, and the proofs it leaves hold
 * on chain.
 */
import { IDBFactory } from 'fake-indexeddb';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { type Address, bytesToHex, type Hex, hexToBytes } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AnchorDb } from '../../../src/background/anchoring/anchor-db.ts';
import {
  NothingToAnchorError,
  SelfAnchoring,
  type SelfAnchoringOptions,
} from '../../../src/background/anchoring/self-anchoring.ts';
import { UserRejectedError } from '../../../src/background/dapp/approval-controller.ts';
import { WALLET_ORIGIN } from '../../../src/background/dapp/approval-types.ts';
import { buildAnchorBatch } from '../../../src/chain/anchor-batch.ts';
import { decodeManifest } from '../../../src/chain/anchor-manifest.ts';
import { verifyMessageProof } from '../../../src/chain/anchor-proof.ts';
import { anchoredAtReader, anchoredEventsReader } from '../../../src/chain/anchor-reader.ts';
import { anchorAbi, anchorBytecode } from '../../../src/chain/contract-artifacts.ts';
import type { JsonRpcClient } from '../../../src/chain/json-rpc-client.ts';
import { messageCid } from '../../../src/chain/message-cid.ts';
import { DEVNET } from '../../../src/chain/networks.ts';
import { MemoryKeyValueStore } from '../../../src/keyring/key-value-store.ts';
import { Keyring } from '../../../src/keyring/keyring.ts';
import {
  anchorOnChain,
  deployOnChain,
  type InProcessChain,
  inProcessChain,
} from '../../support/in-process-chain.ts';
import {
  type RecordedApproval,
  rawBlockStore,
  recordingWalletTransactions,
} from '../support/recording-transactions.ts';

const TEST_MNEMONIC = 'test test test test test test test test test test test junk';
const OTHER: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const TOPIC = '/xmtp/0/m-aa/proto';
const MINUTE = 60_000;

let chain: InProcessChain;
let contract: Address;
let keyring: Keyring;
let account: Address;
let rpc: JsonRpcClient;
let salt = 0;

beforeAll(async () => {
  chain = await inProcessChain();
  contract = await deployOnChain(chain, anchorAbi, anchorBytecode);
  keyring = new Keyring({ vaultStore: new MemoryKeyValueStore(), sessionStore: new MemoryKeyValueStore() });
  const accounts = await keyring.createFromMnemonic('correct horse battery', TEST_MNEMONIC);
  account = (accounts[0] as { address: Address }).address;
  rpc = { request: (method: string, params: unknown[] = []) => chain.rpc(method, params) } as JsonRpcClient;
}, 60_000);

afterAll(async () => {
  await chain?.close();
});

interface Harness {
  anchoring: SelfAnchoring;
  db: AnchorDb;
  approvals: RecordedApproval[];
  blocks: Map<string, Uint8Array>;
  /** The CIDs of each pin request, in order. */
  pinned: string[][];
  changes: string[][];
  clock: { now: number };
  decide: { approved: boolean };
  /** While on, the node takes raw transactions but its answer never arrives. */
  silentNode: { on: boolean };
}

async function harness(): Promise<Harness> {
  const db = await AnchorDb.open(new IDBFactory());
  const h: Omit<Harness, 'anchoring'> = {
    db,
    approvals: [],
    blocks: new Map(),
    pinned: [],
    changes: [],
    clock: { now: 1_800_000_000_000 },
    decide: { approved: true },
    silentNode: { on: false },
  };
  const transactions = recordingWalletTransactions({
    keyring,
    rpc,
    approvals: h.approvals,
    decide: h.decide,
    silentBroadcast: () => h.silentNode.on,
  });
  const network = { ...DEVNET, anchoring: { anchor: contract, keyRegistry: contract, fromBlock: 0 } };
  const target = {
    network,
    contract,
    readAnchoredAt: anchoredAtReader(rpc, contract),
    anchoredEvents: anchoredEventsReader(rpc, contract),
  };
  const options: SelfAnchoringOptions = {
    db: async () => db,
    chain: async () => target,
    chainOf: async (chainId) => (chainId === network.chainId ? target : null),
    transactions,
    putBlock: rawBlockStore(h.blocks),
    pinAtRelays: async (cids) => {
      h.pinned.push(cids.map(String));
      return 1;
    },
    deadlineMinutes: async () => 10,
    onAnchored: (_account, topics) => h.changes.push(topics),
    log: () => {},
    now: () => h.clock.now,
  };
  return { ...h, anchoring: new SelfAnchoring(options) };
}

const SOME_TX: Hex = `0x${'ab'.repeat(32)}`;

/** An own batch of `count` fresh tracked messages, kept as a stopped worker would leave it. */
async function keptBatch(h: Harness, count: number, { txHash }: { txHash: Hex | null }) {
  const ids = await track(h, count);
  const leaves = ids.map((id) => ({ messageId: id, contentTopic: TOPIC }));
  const { tree } = await buildAnchorBatch(
    leaves.map((leaf) => ({ messageId: hexToBytes(`0x${leaf.messageId}`), contentTopic: TOPIC })),
    {
      storeBlock: async () => ({ bytes: new Uint8Array([1]), text: 'bafymanifest' }),
      signal: AbortSignal.timeout(1000),
    },
  );
  const root = bytesToHex(tree.root);
  await h.db.putOwnBatch({
    account,
    root,
    chainId: 31337,
    contract,
    manifestCid: 'bafymanifest',
    leaves,
    txHash,
    createdAt: h.clock.now,
  });
  return { ids, root };
}

/** `count` fresh message ids, tracked (pending) at the harness's current time. */
async function track(h: Harness, count: number, owner: Address = account): Promise<string[]> {
  const ids = Array.from({ length: count }, () => (++salt).toString(16).padStart(64, '0'));
  for (const id of ids) await h.db.track(owner, id, TOPIC, h.clock.now);
  return ids;
}

let h: Harness;
beforeEach(async () => {
  h = await harness();
});

describe('SelfAnchoring', () => {
  it('counts only the account’s messages that waited past the deadline', async () => {
    await track(h, 2);
    await track(h, 1, OTHER);
    h.clock.now += 5 * MINUTE;
    await track(h, 1);
    expect(await h.anchoring.overdue(account)).toEqual({ count: 0, deadlineMinutes: 10 });
    h.clock.now += 6 * MINUTE;
    expect(await h.anchoring.overdue(account)).toEqual({ count: 2, deadlineMinutes: 10 });
    await expect(h.anchoring.overdue(OTHER)).resolves.toEqual({ count: 1, deadlineMinutes: 10 });
  });

  it('anchors the overdue messages in one approved transaction; their proofs hold on chain', async () => {
    const ids = await track(h, 3);
    h.clock.now += 11 * MINUTE;
    const recent = await track(h, 1); // not overdue yet: left for the relays

    const result = await h.anchoring.anchor(account, AbortSignal.timeout(30_000));
    expect(result).toMatchObject({ count: 3, status: 'anchored', pinnedBy: 1 });
    expect(result.txHash).toMatch(/^0x[0-9a-f]{64}$/);

    expect(h.approvals).toHaveLength(1);
    const [approval] = h.approvals;
    expect(approval?.origin).toBe(WALLET_ORIGIN);
    expect(approval?.details).toMatchObject({ kind: 'walletTransaction', address: account });
    expect(approval?.details.kind === 'walletTransaction' && approval.details.purpose).toMatch(
      /Anchor 3 of your/,
    );

    // The manifest's blocks were kept here and offered to the relays to pin, and the messages too.
    const [manifestPins, messagePins] = h.pinned;
    expect(manifestPins?.length).toBe(2);
    expect(messagePins).toEqual(ids.map((id) => messageCid(hexToBytes(`0x${id}`)).toString()));
    const manifest = decodeManifest(h.blocks.get(manifestPins?.at(-1) as string) as Uint8Array);
    expect(bytesToHex(manifest.root)).toBe(result.root);
    expect(manifest.count).toBe(3);

    const readAnchoredAt = anchoredAtReader(rpc, contract);
    for (const id of ids) {
      const record = await h.db.get(account, id);
      expect(record?.state).toBe('anchored');
      expect(record?.anchor?.txHash).toBe(result.txHash);
      const verified = await verifyMessageProof(
        {
          messageId: id,
          contentTopic: TOPIC,
          root: record?.anchor?.root as Hex,
          proof: record?.anchor?.proof as Hex[],
        },
        { chainId: 31337, contract, readAnchoredAt },
        AbortSignal.timeout(10_000),
      );
      expect(verified.batchId.toString()).toBe(record?.anchor?.batchId);
    }
    expect((await h.db.get(account, recent[0] as string))?.state).toBe('pending');
    expect(await h.db.ownBatches()).toEqual([]);
    expect(h.changes).toEqual([[TOPIC]]);
  });

  it('sends nothing when the user rejects, and leaves the messages pending', async () => {
    const [id] = await track(h, 1);
    h.clock.now += 11 * MINUTE;
    h.decide.approved = false;
    const before = await chain.rpc('eth_getTransactionCount', [account, 'latest']);
    await expect(h.anchoring.anchor(account, AbortSignal.timeout(30_000))).rejects.toThrow(UserRejectedError);
    expect(await chain.rpc('eth_getTransactionCount', [account, 'latest'])).toBe(before);
    expect((await h.db.get(account, id as string))?.state).toBe('pending');
    expect(await h.db.ownBatches()).toEqual([]);
  });

  it('takes a root someone anchored already as anchored, without a transaction', async () => {
    const ids = await track(h, 2);
    h.clock.now += 11 * MINUTE;
    const leaves = ids.map((id) => ({ messageId: hexToBytes(`0x${id}`), contentTopic: TOPIC }));
    const { tree } = await buildAnchorBatch(leaves, {
      storeBlock: async (bytes) => {
        const cid = CID.createV1(raw.code, await sha256.digest(bytes));
        return { bytes: cid.bytes, text: cid.toString() };
      },
      signal: AbortSignal.timeout(1000),
    });
    const theirs = await anchorOnChain(chain, contract, bytesToHex(tree.root), 2);

    const result = await h.anchoring.anchor(account, AbortSignal.timeout(30_000));
    expect(result).toMatchObject({ count: 2, status: 'anchored', txHash: null });
    expect(h.approvals).toEqual([]);
    expect((await h.db.get(account, ids[0] as string))?.anchor?.txHash).toBe(theirs.transactionHash);
  });

  it('refuses when nothing is overdue', async () => {
    await track(h, 1);
    await expect(h.anchoring.anchor(account, AbortSignal.timeout(1000))).rejects.toThrow(
      NothingToAnchorError,
    );
  });

  it('finishes a batch a stopped worker left once its root is on chain, and gives up dropped ones', async () => {
    const kept = await keptBatch(h, 2, { txHash: SOME_TX });
    const lost = await keptBatch(h, 1, { txHash: `0x${'ee'.repeat(32)}` }); // a hash no node knows
    const unsigned = await keptBatch(h, 1, { txHash: null });

    // Nothing on chain yet: the sent ones are kept; one never signed cannot land and goes.
    await h.anchoring.resume(AbortSignal.timeout(10_000));
    expect((await h.db.ownBatches()).map((b) => b.root).sort()).toEqual([kept.root, lost.root].sort());
    expect(await h.anchoring.overdue(account)).toMatchObject({ count: 0 }); // deadline not passed
    h.clock.now += 11 * MINUTE;
    // Messages in a sent batch are not offered again; the one whose batch was never signed is.
    expect(await h.anchoring.overdue(account)).toMatchObject({ count: 1 });

    const mined = await anchorOnChain(chain, contract, kept.root, 2);
    h.clock.now += 20 * MINUTE;
    await h.anchoring.resume(AbortSignal.timeout(10_000));
    expect(await h.db.ownBatches()).toEqual([]);
    expect(await h.db.get(account, kept.ids[1] as string)).toMatchObject({
      state: 'anchored',
      anchor: { root: kept.root, txHash: mined.transactionHash },
    });
    expect((await h.db.get(account, lost.ids[0] as string))?.state).toBe('pending');
    expect((await h.db.get(account, unsigned.ids[0] as string))?.state).toBe('pending');
  });

  it('keeps a stale batch while the node still knows its transaction', async () => {
    const kept = await keptBatch(h, 1, { txHash: null });
    await chain.rpc('evm_setAutomine', [false]);
    try {
      const hash = await chain.walletFor(chain.accounts[3]!).sendTransaction({ to: OTHER, value: 1n });
      await h.db.putOwnBatch({ ...(await h.db.ownBatches())[0]!, txHash: hash });
      h.clock.now += 31 * MINUTE;
      await h.anchoring.resume(AbortSignal.timeout(10_000));
      expect((await h.db.ownBatches()).map((b) => b.root)).toEqual([kept.root]);
    } finally {
      await chain.rpc('evm_setAutomine', [true]);
      await chain.rpc('evm_mine');
    }
  });

  it('drops a kept batch whose leaves do not make its root, giving no proof', async () => {
    const kept = await keptBatch(h, 2, { txHash: SOME_TX });
    const other = await keptBatch(h, 1, { txHash: SOME_TX });
    // The stored leaves are another batch's: the root on chain cannot prove them.
    await h.db.deleteOwnBatch(account, other.root);
    const [stored] = await h.db.ownBatches();
    await h.db.putOwnBatch({ ...stored!, leaves: [{ messageId: other.ids[0]!, contentTopic: TOPIC }] });
    await anchorOnChain(chain, contract, kept.root, 2);
    await h.anchoring.resume(AbortSignal.timeout(10_000));
    expect(await h.db.ownBatches()).toEqual([]);
    expect((await h.db.get(account, other.ids[0] as string))?.state).toBe('pending');
  });

  it('a send the node never answered leaves the batch followed, and its messages are not offered again', async () => {
    const ids = await track(h, 2);
    h.clock.now += 11 * MINUTE;
    h.silentNode.on = true;
    const result = await h.anchoring.anchor(account, AbortSignal.timeout(30_000));
    expect(result.status).toBe('confirming');
    expect(result.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await h.db.ownBatches())[0]).toMatchObject({ txHash: result.txHash });
    expect(await h.anchoring.overdue(account)).toMatchObject({ count: 0 });
    await expect(h.anchoring.anchor(account, AbortSignal.timeout(1000))).rejects.toThrow(
      NothingToAnchorError,
    );
    expect((await h.db.get(account, ids[0] as string))?.state).toBe('pending');
  });
});

/**
 * AnchorTracker over a real AnchorDb (fake-indexeddb) and the real Anchor contract (in-process
 * Hardhat): the relay's word is never enough; proofs are checked against the chain.
 */
import { IDBFactory } from 'fake-indexeddb';
import { type Address, bytesToHex, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnchorDb } from '../../../src/background/anchoring/anchor-db.ts';
import {
  AnchorTracker,
  type AnchorTrackerOptions,
  RECHECK_MS,
  RECHECK_WINDOW_MS,
} from '../../../src/background/anchoring/anchor-tracker.ts';
import { anchorLeaf } from '../../../src/chain/anchor-leaf.ts';
import { type MessageProof, verifyMessageProof } from '../../../src/chain/anchor-proof.ts';
import { anchorAbi, anchorBytecode } from '../../../src/chain/contract-artifacts.ts';
import { MerkleTree } from '../../../src/chain/merkle-tree.ts';
import type { MessageProofEntry } from '../../../src/p2p/store-proofs.ts';
import {
  anchorOnChain,
  deployOnChain,
  type InProcessChain,
  inProcessChain,
} from '../../support/in-process-chain.ts';

const ACCOUNT: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const TOPIC = '/xmtp/0/m-aa/proto';
let chain: InProcessChain;
let contract: Address;
let salt = 0;

beforeAll(async () => {
  chain = await inProcessChain();
  contract = await deployOnChain(chain, anchorAbi, anchorBytecode);
});

afterAll(async () => {
  await chain?.close();
});

/** A batch of messages, optionally anchored on chain, and the relay's entries for it. */
async function batch(anchorIt: boolean) {
  salt++;
  const ids = Array.from({ length: 4 }, (_, i) => (salt * 100 + i).toString(16).padStart(64, '0'));
  const tree = MerkleTree.fromLeaves(ids.map((id) => anchorLeaf(id, TOPIC)));
  const root = bytesToHex(tree.root);
  if (anchorIt) {
    await anchorOnChain(chain, contract, root, 4);
  }
  const entry = (id: string, topic = TOPIC): MessageProofEntry => ({
    messageId: `0x${id}`,
    state: 'anchored',
    contentTopic: topic,
    anchored: {
      root,
      proof: tree.proof(anchorLeaf(id, TOPIC)).map((node) => bytesToHex(node)),
      batchId: 1n,
      txHash: `0x${'ab'.repeat(32)}`,
      blockNumber: 1n,
      manifestCid: 'bafymanifest',
      chainId: 31337n,
      contract,
    },
  });
  return { ids, root, entry };
}

const chainVerify: AnchorTrackerOptions['verify'] = (proof: MessageProof, target, signal) =>
  verifyMessageProof(
    proof,
    {
      ...target,
      readAnchoredAt: (root: Hex) =>
        chain.publicClient.readContract({
          address: target.contract,
          abi: anchorAbi,
          functionName: 'anchoredAt',
          args: [root],
        }),
    },
    signal,
  );

async function setup(overrides: Partial<AnchorTrackerOptions>) {
  const db = await AnchorDb.open(new IDBFactory());
  let now = 1_000_000;
  const changes: string[][] = [];
  const tracker = new AnchorTracker({
    db,
    proofs: async () => [],
    verify: chainVerify,
    onChange: (_account, ids) => changes.push(ids),
    log: () => {},
    now: () => now,
    ...overrides,
  });
  return { db, tracker, changes, advance: (ms: number) => (now += ms), now: () => now };
}

const signal = () => AbortSignal.timeout(10_000);

describe('AnchorTracker', () => {
  it('pending until a relay has a proof; verified once the proof holds against the chain', async () => {
    const { ids, root, entry } = await batch(true);
    let relayHasIt = false;
    const t = await setup({
      proofs: async (asked) =>
        asked.map((id) =>
          relayHasIt ? entry(id.slice(2)) : { messageId: id, state: 'pending', contentTopic: TOPIC },
        ),
    });
    await t.tracker.track(ACCOUNT, ids[1]!, TOPIC);
    await t.tracker.check(signal());
    expect((await t.db.get(ACCOUNT, ids[1]!))?.state).toBe('pending');
    // Not asked again before its back-off.
    relayHasIt = true;
    await t.tracker.check(signal());
    expect((await t.db.get(ACCOUNT, ids[1]!))?.state).toBe('pending');
    t.advance(20_000);
    await t.tracker.check(signal());
    const record = await t.db.get(ACCOUNT, ids[1]!);
    expect(record).toMatchObject({
      state: 'verified',
      anchor: { root, chainId: 31337, contract, verifiedAt: t.now() },
    });
    expect(t.changes.flat()).toContain(TOPIC);
  });

  it('drops a proof for another topic, a root the chain lacks, or a tampered proof: back to pending', async () => {
    const good = await batch(true);
    const notOnChain = await batch(false);
    const t = await setup({
      proofs: async (asked) =>
        asked.map((id) => {
          const raw = id.slice(2);
          if (raw === good.ids[0]) return good.entry(raw, '/xmtp/0/m-other/proto');
          if (raw === good.ids[1]) {
            const e = good.entry(raw);
            return { ...e, anchored: { ...e.anchored!, proof: e.anchored!.proof.slice(1) } };
          }
          return notOnChain.entry(raw);
        }),
    });
    for (const id of [good.ids[0]!, good.ids[1]!, notOnChain.ids[0]!])
      await t.tracker.track(ACCOUNT, id, TOPIC);
    await t.tracker.check(signal());
    for (const id of [good.ids[0]!, good.ids[1]!, notOnChain.ids[0]!]) {
      const record = await t.db.get(ACCOUNT, id);
      expect(record?.state).toBe('pending');
      expect(record?.anchor).toBeUndefined();
    }
  });

  it('an unreachable chain leaves it anchored (unverified) until a later pass verifies it', async () => {
    const { ids, entry } = await batch(true);
    let rpcDown = true;
    const t = await setup({
      proofs: async (asked) => asked.map((id) => entry(id.slice(2))),
      verify: async (proof, target, s) => {
        if (rpcDown) throw new Error('fetch failed');
        return chainVerify(proof, target, s);
      },
    });
    await t.tracker.track(ACCOUNT, ids[2]!, TOPIC);
    await t.tracker.check(signal());
    expect((await t.db.get(ACCOUNT, ids[2]!))?.state).toBe('anchored');
    rpcDown = false;
    t.advance(20_000);
    await t.tracker.check(signal());
    expect((await t.db.get(ACCOUNT, ids[2]!))?.state).toBe('verified');
  });

  it('re-checks a verified message for an hour: a reorg that removed its batch sends it back to pending', async () => {
    const snapshot = await chain.rpc('evm_snapshot');
    const { ids, root, entry } = await batch(true);
    const t = await setup({ proofs: async (asked) => asked.map((id) => entry(id.slice(2))) });
    await t.tracker.track(ACCOUNT, ids[3]!, TOPIC);
    await t.tracker.check(signal());
    expect((await t.db.get(ACCOUNT, ids[3]!))?.state).toBe('verified');

    await chain.rpc('evm_revert', [snapshot]); // the anchoring transaction is gone
    t.advance(RECHECK_MS);
    await t.tracker.check(signal());
    const reorged = await t.db.get(ACCOUNT, ids[3]!);
    expect(reorged?.state).toBe('pending');
    expect(reorged?.anchor).toBeUndefined();

    // Anchored again (as the relay's submitter does after a reorg): verified again.
    await anchorOnChain(chain, contract, root, 4);
    t.advance(20_000);
    await t.tracker.check(signal());
    expect((await t.db.get(ACCOUNT, ids[3]!))?.state).toBe('verified');

    // Past the window it is final: no more checks.
    t.advance(RECHECK_WINDOW_MS + RECHECK_MS);
    await t.tracker.check(signal());
    expect((await t.db.get(ACCOUNT, ids[3]!))?.nextCheckAt).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('re-checks on demand, with the check given, whatever the schedule', async () => {
    const { ids, entry } = await batch(true);
    const t = await setup({ proofs: async (asked) => asked.map((id) => entry(id.slice(2))) });
    await t.tracker.track(ACCOUNT, ids[0]!, TOPIC);
    await t.tracker.check(signal());
    const verified = await t.db.get(ACCOUNT, ids[0]!);
    expect(verified?.state).toBe('verified');
    // Not due for a minute, yet checked now, through the given check (which here finds no root).
    let asked = 0;
    await t.tracker.recheck([verified!], signal(), async (proof, chain, s) => {
      asked++;
      return verifyMessageProof(proof, { ...chain, readAnchoredAt: async () => [0n, 0n, 0n] }, s);
    });
    expect(asked).toBe(1);
    expect((await t.db.get(ACCOUNT, ids[0]!))?.state).toBe('pending');
    // A record without a proof is left alone.
    await t.tracker.recheck([(await t.db.get(ACCOUNT, ids[0]!))!], signal(), async () => {
      throw new Error('must not be asked');
    });
  });

  it('relays that do not answer push the messages back, nothing else changes', async () => {
    const t = await setup({
      proofs: async () => {
        throw new Error('unreachable');
      },
    });
    const id = 'ff'.repeat(32);
    await t.tracker.track(ACCOUNT, id, TOPIC);
    await t.tracker.check(signal());
    expect(await t.db.get(ACCOUNT, id)).toMatchObject({
      state: 'pending',
      attempts: 1,
      nextCheckAt: t.now() + 10_000,
    });
    expect(await t.db.due('pending', t.now(), 10)).toEqual([]);
  });
});

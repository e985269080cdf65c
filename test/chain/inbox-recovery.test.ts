/**
 * Rebuilding an inbox from the real Anchor contract's events (in-process Hardhat, read through
 * `eth_getLogs`) and blocks fetched by CID: only the asked topics, only what checks out.
 */
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 as sha256Hasher } from 'multiformats/hashes/sha2';
import { type Address, bytesToHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorLeaf } from '../../src/chain/anchor-leaf.ts';
import { encodeManifest, encodeManifestPages, type ManifestLeaf } from '../../src/chain/anchor-manifest.ts';
import { anchoredEventsReader } from '../../src/chain/anchor-reader.ts';
import { anchorAbi, anchorBytecode } from '../../src/chain/contract-artifacts.ts';
import { rebuildInbox } from '../../src/chain/inbox-recovery.ts';
import { MerkleTree } from '../../src/chain/merkle-tree.ts';
import { messageCid } from '../../src/chain/message-cid.ts';
import { decodeEnvelope, type Envelope } from '../../src/protocol/index.ts';
import { sha256 } from '../../src/protocol/keys.ts';
import { conversation, messageEnvelope } from '../relay/helpers.ts';
import {
  anchorOnChain,
  deployOnChain,
  type InProcessChain,
  inProcessChain,
} from '../support/in-process-chain.ts';

let chain: InProcessChain;
let contract: Address;
const blocks = new Map<string, Uint8Array>();

async function put(bytes: Uint8Array): Promise<CID> {
  const cid = CID.createV1(raw.code, await sha256Hasher.digest(bytes));
  blocks.set(cid.toString(), bytes);
  return cid;
}

/** Stores a batch's manifest and anchors `root` (its own root unless told otherwise). */
async function anchorBatch(leaves: ManifestLeaf[], rootOverride?: Uint8Array) {
  const tree = MerkleTree.fromLeaves(
    leaves.map((leaf) => anchorLeaf(bytesToHex(leaf.messageId), leaf.contentTopic)),
  );
  const pages = [];
  for (const page of encodeManifestPages(leaves)) pages.push((await put(page)).bytes);
  const manifest = await put(encodeManifest({ root: tree.root, count: tree.size, pages }));
  const root = bytesToHex(rootOverride ?? tree.root);
  await anchorOnChain(chain, contract, root, tree.size, manifest.toString());
}

beforeAll(async () => {
  chain = await inProcessChain();
  contract = await deployOnChain(chain, anchorAbi, anchorBytecode);
});

afterAll(async () => {
  await chain?.close();
});

describe('rebuildInbox', () => {
  it('restores the messages of the asked topics from anchored manifests, skipping what does not check out', async () => {
    const ours = await conversation();
    const theirs = await conversation();
    const envelopes: Envelope[] = [];
    for (const [conv, text] of [
      [ours, 'one'],
      [theirs, 'not ours'],
      [ours, 'two'],
      [ours, 'gone from IPFS'],
    ] as const) {
      envelopes.push(decodeEnvelope((await messageEnvelope(conv, text)).bytes));
    }
    const leaves = envelopes.map((envelope) => ({
      messageId: sha256(envelope.message),
      contentTopic: envelope.contentTopic,
    }));
    for (const envelope of envelopes.slice(0, 3))
      blocks.set(messageCid(sha256(envelope.message)).toString(), envelope.message);
    await anchorBatch(leaves);
    // A batch whose manifest does not rebuild the anchored root: skipped as a whole.
    await anchorBatch([leaves[0]!], new Uint8Array(32).fill(9));

    const delivered: Envelope[] = [];
    const progress: bigint[] = [];
    const rpc = { request: (method: string, params?: unknown[]) => chain.rpc(method, params ?? []) };
    const result = await rebuildInbox(
      {
        head: async () => chain.publicClient.getBlockNumber({ cacheTime: 0 }),
        anchoredEvents: anchoredEventsReader(rpc, contract),
        fetchBlock: async (cid) => {
          const bytes = blocks.get(cid.toString());
          if (!bytes) throw new Error('not found');
          return bytes;
        },
        deliver: async (envelope) => {
          const fresh = !delivered.some(
            (known) => bytesToHex(known.message) === bytesToHex(envelope.message),
          );
          if (fresh) delivered.push(envelope);
          return fresh;
        },
      },
      {
        topics: new Set([ours.invitation.topic]),
        fromBlock: 0n,
        step: 2n,
        onProgress: (p) => progress.push(p.scannedTo),
        signal: AbortSignal.timeout(10_000),
      },
    );
    expect(delivered.map((e) => [e.contentTopic, bytesToHex(e.message)])).toEqual(
      [envelopes[0]!, envelopes[2]!].map((e) => [e.contentTopic, bytesToHex(e.message)]),
    );
    expect(delivered[0]!.timestampNs).toBe(envelopes[0]!.timestampNs);
    expect(result).toMatchObject({ batches: 2, found: 3, restored: 2, skipped: 2 });
    expect(progress.at(-1)).toBe(result.head);
    expect(progress.length).toBeGreaterThan(1);
  });
});

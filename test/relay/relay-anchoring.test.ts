/**
 * The relay daemon anchoring for real: the bundled daemon as a child process, a Hardhat node with
 * the deployed contracts, client nodes over WebSockets. Messages published to the relay end up in
 * a batch anchored on chain; the receipt arrives on the receipts topic; the manifest and the
 * message blocks can be fetched by CID from the relay, and describe exactly the batch. A reorg
 * (evm_snapshot / evm_revert on the node) removing an anchored batch sends its proofs back to
 * pending, and the daemon anchors it again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import { MemoryDatastore } from 'datastore-core';
import { CID } from 'multiformats/cid';
import { bytesToHex, createPublicClient, http } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelay } from '../../scripts/build-relay.ts';
import {
  DEVNET_DEPLOYER_KEY,
  deployAnchoringContracts,
  devnetAggregatorKey,
} from '../../scripts/deploy-contracts.ts';
import { type HardhatNode, startHardhatNode } from '../../scripts/devnet.ts';
import { type RelayProcess, startRelayDaemon } from '../../scripts/relay-process.ts';
import { anchorLeaf } from '../../src/chain/anchor-leaf.ts';
import { decodeManifest, decodeManifestPage } from '../../src/chain/anchor-manifest.ts';
import { verifyMessageProof } from '../../src/chain/anchor-proof.ts';
import { type BatchReceipt, decodeBatchReceipt } from '../../src/chain/anchor-receipt.ts';
import type { AnchoringContracts } from '../../src/chain/anchoring-contracts.ts';
import { anchorAbi } from '../../src/chain/contract-artifacts.ts';
import { MerkleTree } from '../../src/chain/merkle-tree.ts';
import { messageCid } from '../../src/chain/message-cid.ts';
import { ANCHOR_RECEIPTS_TOPIC } from '../../src/p2p/anchor-topics.ts';
import { type CairnNode, createCairnNode } from '../../src/p2p/cairn-node';
import { StoreClient } from '../../src/p2p/store-client.ts';
import { decodeEnvelope } from '../../src/protocol/envelope.ts';
import { sha256 } from '../../src/protocol/keys.ts';
import { freePort } from '../support/free-port.ts';
import { jsonRpc } from '../support/json-rpc.ts';
import { conversation, messageEnvelope } from './helpers.ts';

let chain: HardhatNode;
let contracts: AnchoringContracts;
let relay: RelayProcess;
let dataDir: string;
const nodes: CairnNode[] = [];

/** A block's bytes, fetched over bitswap when the node does not have it. */
async function getBlock(node: CairnNode, cid: CID, signal: AbortSignal): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of node.blockstore.get(cid, { signal })) chunks.push(chunk);
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

async function client(): Promise<CairnNode> {
  const address = multiaddr(relay.addresses[0]!);
  const node = await createCairnNode({
    role: 'client',
    privateKey: await generateKeyPair('Ed25519'),
    developmentRelays: [address.toString()],
    datastore: new MemoryDatastore(),
    blockstore: new MemoryBlockstore(),
  });
  nodes.push(node);
  await node.libp2p.dial(address);
  return node;
}

beforeAll(async () => {
  const [node] = await Promise.all([startHardhatNode({ port: await freePort() }), buildRelay()]);
  chain = node;
  contracts = await deployAnchoringContracts({ rpcUrl: chain.url, privateKey: DEVNET_DEPLOYER_KEY });
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-relay-anchoring-'));
  const aggregatorKey = devnetAggregatorKey();
  relay = await startRelayDaemon({
    dataDir,
    listen: '/ip4/127.0.0.1/tcp/0/ws',
    extraArgs: [
      ...['--anchor-rpc', chain.url, '--anchor-contract', contracts.anchor],
      ...['--anchor-interval', '1', '--anchor-confirmations', '1', '--anchor-poll', '0.05'],
      ...['--anchor-reorg-poll', '0.2'],
    ],
    env: { CAIRN_RELAY_ANCHOR_KEY: aggregatorKey },
  });
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(nodes.map((node) => node.stop()));
  await relay?.stop();
  await chain?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Raw JSON-RPC to the Hardhat node (evm_snapshot, evm_revert, hardhat_mine, …). */
function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  return jsonRpc(chain.url, method, params);
}

/** Publishes `texts` to the relay as one conversation's messages; their message ids. */
async function publishMessages(texts: string[]): Promise<`0x${string}`[]> {
  const sender = await client();
  const store = new StoreClient(sender.libp2p);
  const conv = await conversation();
  const ids: `0x${string}`[] = [];
  for (const text of texts) {
    const { bytes, message } = await messageEnvelope(conv, text);
    expect((await store.publish(multiaddr(relay.addresses[0]!), bytes)).status).toBe('stored');
    ids.push(bytesToHex(sha256(message)));
  }
  store.close();
  return ids;
}

describe('relay anchoring', () => {
  it('anchors the messages it stores, publishes the receipt, and serves manifest and messages by CID', async () => {
    const watcher = await client();
    const receipts: BatchReceipt[] = [];
    const pubsub = watcher.libp2p.services.pubsub;
    pubsub.subscribe(ANCHOR_RECEIPTS_TOPIC);
    pubsub.addEventListener('message', (event) => {
      if (event.detail.topic === ANCHOR_RECEIPTS_TOPIC) receipts.push(decodeBatchReceipt(event.detail.data));
    });

    const sender = await client();
    const store = new StoreClient(sender.libp2p);
    const conv = await conversation();
    const sent = [];
    for (const text of ['one', 'two', 'three']) {
      const { bytes } = await messageEnvelope(conv, text);
      expect((await store.publish(multiaddr(relay.addresses[0]!), bytes)).status).toBe('stored');
      const envelope = decodeEnvelope(bytes);
      sent.push({ topic: envelope.contentTopic, message: envelope.message });
    }
    store.close();

    await expect.poll(() => receipts.length, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    const receipt = receipts[0]!;
    expect(receipt).toMatchObject({ chainId: 31337n, contract: contracts.anchor });
    const publicClient = createPublicClient({ transport: http(chain.url) });
    const [batchId, blockNumber] = await publicClient.readContract({
      address: contracts.anchor,
      abi: anchorAbi,
      functionName: 'anchoredAt',
      args: [receipt.root],
    });
    expect(batchId).toBe(receipt.batchId);
    expect(blockNumber).toBe(receipt.blockNumber);

    // Anyone can fetch the manifest and the messages from the relay by CID (bitswap).
    const reader = await client();
    const signal = AbortSignal.timeout(10_000);
    const manifest = decodeManifest(await getBlock(reader, CID.parse(receipt.manifestCid), signal));
    expect(bytesToHex(manifest.root)).toBe(receipt.root);
    const leaves = [];
    for (const page of manifest.pages)
      leaves.push(...decodeManifestPage(await getBlock(reader, CID.decode(page), signal)));
    expect(leaves.map((leaf) => bytesToHex(leaf.messageId)).sort()).toEqual(
      sent.map((item) => bytesToHex(sha256(item.message))).sort(),
    );
    const tree = MerkleTree.fromLeaves(
      leaves.map((leaf) => anchorLeaf(bytesToHex(leaf.messageId), leaf.contentTopic)),
    );
    expect(bytesToHex(tree.root)).toBe(receipt.root);
    const message = await getBlock(reader, messageCid(leaves[0]!.messageId), signal);
    expect(bytesToHex(sha256(message))).toBe(bytesToHex(leaves[0]!.messageId));

    // The relay hands out a proof per message; each one holds against the chain.
    const asker = new StoreClient(reader.libp2p);
    const ids = sent.map((item) => bytesToHex(sha256(item.message)));
    const unknown = bytesToHex(sha256(new Uint8Array([1, 2, 3])));
    const entries = await asker.proofs(multiaddr(relay.addresses[0]!), [...ids, unknown]);
    expect(entries.map((entry) => entry.state)).toEqual(['anchored', 'anchored', 'anchored', 'unknown']);
    for (const entry of entries.slice(0, 3)) {
      const verified = await verifyMessageProof(
        {
          messageId: entry.messageId,
          contentTopic: entry.contentTopic!,
          root: entry.anchored!.root,
          proof: entry.anchored!.proof,
        },
        {
          chainId: 31337,
          contract: contracts.anchor,
          readAnchoredAt: (root) =>
            publicClient.readContract({
              address: contracts.anchor,
              abi: anchorAbi,
              functionName: 'anchoredAt',
              args: [root],
            }),
        },
        signal,
      );
      expect(verified).toMatchObject({ root: receipt.root, batchId: receipt.batchId });
      expect(entry.anchored).toMatchObject({ txHash: receipt.txHash, manifestCid: receipt.manifestCid });
    }
  }, 60_000);

  it('a reorg removing an anchored batch: its proofs answer pending, then the relay anchors it again', async () => {
    const reader = await client();
    const asker = new StoreClient(reader.libp2p);
    const relayAddress = multiaddr(relay.addresses[0]!);
    const states = async (ids: `0x${string}`[]) =>
      (await asker.proofs(relayAddress, ids)).map((entry) => entry.state);
    const publicClient = createPublicClient({ transport: http(chain.url) });
    const anchoredEvents = (root: `0x${string}`) =>
      publicClient.getContractEvents({
        address: contracts.anchor,
        abi: anchorAbi,
        eventName: 'Anchored',
        args: { root },
        fromBlock: 0n,
      });

    const snapshot = await rpc('evm_snapshot');
    const ids = await publishMessages(['reorg one', 'reorg two']);
    await expect
      .poll(() => states(ids), { timeout: 30_000, interval: 200 })
      .toEqual(['anchored', 'anchored']);
    const [first] = await asker.proofs(relayAddress, ids);
    const { root, blockNumber } = first!.anchored!;

    // The anchoring block goes away and the chain grows past it at once (hardhat_mine), with
    // automine off so the relay's new transaction waits in the mempool: "pending" stays visible.
    await rpc('evm_setAutomine', [false]);
    try {
      await rpc('evm_revert', [snapshot]);
      await rpc('hardhat_mine', ['0x3']);
      expect(await anchoredEvents(root)).toEqual([]);
      await expect
        .poll(() => states(ids), { timeout: 10_000, interval: 100 })
        .toEqual(['pending', 'pending']);
    } finally {
      await rpc('evm_setAutomine', [true]);
    }
    await rpc('evm_mine');
    await expect
      .poll(() => states(ids), { timeout: 30_000, interval: 200 })
      .toEqual(['anchored', 'anchored']);
    const [again] = await asker.proofs(relayAddress, ids);
    expect(again!.anchored!.root).toBe(root);
    expect(again!.anchored!.blockNumber).toBeGreaterThan(blockNumber);
    const events = await anchoredEvents(root);
    expect(events.map((event) => event.blockNumber)).toEqual([again!.anchored!.blockNumber]);
    expect(relay.output()).toContain('a reorg removed an anchored batch');
    asker.close();
  }, 60_000);
});

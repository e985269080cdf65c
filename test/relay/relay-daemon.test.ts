/**
 * The real relay daemon (the esbuild bundle, in a child process) against Node client nodes
 * with StoreClient: publish and live gossip, paging by relay cursor, refusals, rate limits,
 * page-size clamping, blob pins, and a SIGTERM + restart on the same data directory.
 * The tests in this file run in order and share the daemon.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Message } from '@libp2p/gossipsub';
import { lpStream } from '@libp2p/utils';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import { MemoryDatastore } from 'datastore-core';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelay, RELAY_BUNDLE } from '../../scripts/build-relay.ts';
import { type CairnNode, createCairnNode } from '../../src/p2p/cairn-node';
import { allShardTopics, shardTopicFor } from '../../src/p2p/shards';
import { StoreClient, StoreRateLimitedError, StoreRejectedError } from '../../src/p2p/store-client.ts';
import { MAX_PUBLISH_REQUEST_BYTES, STORE_PUBLISH_PROTOCOL } from '../../src/p2p/store-protocol.ts';
import { bytesToHex, equalBytes } from '../../src/protocol/bytes.ts';
import { decodeEnvelope, encodeEnvelope } from '../../src/protocol/envelope.ts';
import { MAX_ENVELOPE_BYTES } from '../../src/protocol/limits.ts';
import { contactTopic, conversationTopic } from '../../src/protocol/topics.ts';
import {
  type CairnIdentity,
  type Conversation,
  cairnIdentity,
  contactEnvelope,
  conversation,
  flip,
  messageEnvelope,
  nowNs,
  rawEnvelope,
} from './helpers.ts';

interface Daemon {
  child: ChildProcess;
  address: Multiaddr;
  peerId: string;
  logs: string[];
  exited: Promise<number | null>;
}

let dataDir: string;
let daemon: Daemon;
const daemons: Daemon[] = [];
const nodes: CairnNode[] = [];

async function startDaemon(): Promise<Daemon> {
  const child = spawn(
    process.execPath,
    [
      RELAY_BUNDLE,
      '--listen',
      '/ip4/127.0.0.1/tcp/0/ws',
      '--data-dir',
      dataDir,
      '--log-level',
      'debug',
      // A slow refill keeps the flood test meaningful on a slow machine; bursts cover the rest.
      '--publish-limit',
      '5/120',
      '--max-blob-mib',
      '0.25',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr
    ?.setEncoding('utf8')
    .on('data', (chunk: string) => logs.push(...chunk.split('\n').filter(Boolean)));
  const address = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the relay did not start:\n${logs.join('\n')}`)), 15_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /cairn-relay listening (\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the relay exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  const started: Daemon = {
    child,
    address: multiaddr(address),
    peerId: address.split('/p2p/')[1] ?? '',
    logs,
    exited,
  };
  daemons.push(started);
  return started;
}

async function client(): Promise<CairnNode> {
  const node = await createCairnNode({
    role: 'client',
    privateKey: await generateKeyPair('Ed25519'),
    developmentRelays: [daemon.address.toString()],
    datastore: new MemoryDatastore(),
    blockstore: new MemoryBlockstore(),
  });
  nodes.push(node);
  // The relay accepts 5 new connections a second per host (libp2p's default): the tests open
  // clients faster than that, so a refused dial is tried again a moment later.
  for (let attempt = 1; ; attempt++) {
    try {
      await node.libp2p.dial(daemon.address);
      return node;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

async function stopNode(node: CairnNode): Promise<void> {
  nodes.splice(nodes.indexOf(node), 1);
  await node.stop();
}

/** Waits until `node` knows the relay subscribes to `shard` (so floodPublish reaches it). */
async function relayKnownOn(node: CairnNode, shard: string): Promise<void> {
  await expect
    .poll(() => node.libp2p.services.pubsub.getSubscribers(shard).map(String), {
      timeout: 5000,
      interval: 20,
    })
    .toContain(daemon.peerId);
}

/** The gossipsub implementation's mesh (not part of its exported interface type). */
function meshPeers(node: CairnNode, topic: string): string[] {
  const pubsub = node.libp2p.services.pubsub as unknown as { getMeshPeers(topic: string): string[] };
  return pubsub.getMeshPeers(topic);
}

async function allEnvelopes(store: StoreClient, topics: string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const page of store.queryAll(daemon.address, { contentTopics: topics }))
    out.push(...page.envelopes);
  return out;
}

const randomBytes = (length: number) => new Uint8Array(nodeRandomBytes(length));
const contains = (list: Uint8Array[], bytes: Uint8Array) => list.some((item) => equalBytes(item, bytes));

let alice: CairnIdentity;
let bob: CairnIdentity;
let conv: Conversation;
let aliceNode: CairnNode;
let bobNode: CairnNode;
let aliceStore: StoreClient;
const bobReceived: Uint8Array[] = [];
/** The five conversation envelopes of the paging test, in publish order. */
const published: Uint8Array[] = [];
let resumeAfterFive: Uint8Array | undefined;
let lateEnvelope: Uint8Array;
let blob: { cid: CID; bytes: Uint8Array };

beforeAll(async () => {
  const [, dir, identities] = await Promise.all([
    buildRelay(),
    mkdtemp(join(tmpdir(), 'cairn-relay-')),
    Promise.all([cairnIdentity(), cairnIdentity()]),
  ]);
  dataDir = dir;
  [alice, bob] = identities;
  conv = await conversation(alice, bob);
  daemon = await startDaemon();
  [aliceNode, bobNode] = await Promise.all([client(), client()]);
  aliceStore = new StoreClient(aliceNode.libp2p);
  const pubsub = bobNode.libp2p.services.pubsub;
  pubsub.addEventListener('message', (event: CustomEvent<Message>) => bobReceived.push(event.detail.data));
  for (const shard of allShardTopics()) pubsub.subscribe(shard);
}, 30_000);

afterAll(async () => {
  await Promise.allSettled(nodes.splice(0).map((node) => node.stop()));
  for (const { child, exited } of daemons) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('relay daemon', () => {
  it('acks a publish as stored, then a subscribed client receives it live', async () => {
    const shard = shardTopicFor(conv.invitation.topic);
    // Bob's mesh holds the relay once his GRAFT went out: the relay then knows his subscription.
    await expect
      .poll(() => meshPeers(bobNode, shard), { timeout: 5000, interval: 20 })
      .toContain(daemon.peerId);
    const { bytes } = await messageEnvelope(conv, 'hello');
    const ack = await aliceStore.publish(daemon.address, bytes);
    expect(ack.status).toBe('stored');
    expect(ack.cursor).toBeInstanceOf(Uint8Array);
    await expect.poll(() => contains(bobReceived, bytes), { timeout: 5000, interval: 10 }).toBe(true);
    expect(await aliceStore.publish(daemon.address, bytes)).toMatchObject({ status: 'duplicate' });
    published.push(bytes);
  });

  it('pages by relay cursor; late envelopes with old timestamps come after the cursor', async () => {
    for (let i = 1; i < 5; i++) {
      const { bytes } = await messageEnvelope(conv, `message ${i}`);
      expect((await aliceStore.publish(daemon.address, bytes)).status).toBe('stored');
      published.push(bytes);
    }
    const topics = [conv.invitation.topic];
    const first = await aliceStore.query(daemon.address, { contentTopics: topics, limit: 2 });
    expect(first.envelopes).toEqual(published.slice(0, 2));
    expect(first.cursor).toBeDefined();
    const second = await aliceStore.query(daemon.address, {
      contentTopics: topics,
      limit: 2,
      cursor: first.cursor,
    });
    expect(second.envelopes).toEqual(published.slice(2, 4));
    const third = await aliceStore.query(daemon.address, {
      contentTopics: topics,
      limit: 2,
      cursor: second.cursor,
    });
    expect(third.envelopes).toEqual(published.slice(4));
    expect(third.cursor).toBeUndefined();
    expect(third.resumeCursor).toBeDefined();
    resumeAfterFive = third.resumeCursor;

    const pages = [];
    for await (const page of aliceStore.queryAll(daemon.address, { contentTopics: topics, limit: 2 }))
      pages.push(page);
    expect(pages.map((page) => page.envelopes.length)).toEqual([2, 2, 1]);
    const down = await aliceStore.query(daemon.address, { contentTopics: topics, direction: 'descending' });
    expect(down.envelopes).toEqual([...published].reverse());

    // Caught up. An envelope an hour old arrives now: it is after the cursor all the same.
    lateEnvelope = (await messageEnvelope(conv, 'sent an hour ago', nowNs() - 3_600_000_000_000n)).bytes;
    expect((await aliceStore.publish(daemon.address, lateEnvelope)).status).toBe('stored');
    const since = await aliceStore.query(daemon.address, { contentTopics: topics, cursor: resumeAfterFive });
    expect(since.envelopes).toEqual([lateEnvelope]);

    const foreignCursor = crypto.getRandomValues(new Uint8Array(17));
    await expect(
      aliceStore.query(daemon.address, { contentTopics: topics, cursor: foreignCursor }),
    ).rejects.toBeInstanceOf(StoreRejectedError);
  });

  it('keeps the contact directory and invitations', async () => {
    expect((await aliceStore.publish(daemon.address, contactEnvelope(alice))).status).toBe('stored');
    for (const invite of conv.invites)
      expect((await aliceStore.publish(daemon.address, invite)).status).toBe('stored');
    const contacts = await allEnvelopes(aliceStore, [contactTopic(alice.address)]);
    expect(contacts).toHaveLength(1);
  });

  it('refuses oversize envelopes and frames', async () => {
    const big = rawEnvelope(conv.invitation.topic, nowNs(), new Uint8Array(MAX_ENVELOPE_BYTES + 1));
    const bigAck = await aliceStore.publish(daemon.address, big);
    expect(bigAck).toEqual({ status: 'rejected', reason: 'too-large' });
    // A frame over the publish limit: the relay resets the stream without answering.
    const stream = await aliceNode.libp2p.dialProtocol(daemon.address, STORE_PUBLISH_PROTOCOL);
    const lp = lpStream(stream, { maxDataLength: 1024 });
    const reply = (async () => {
      await lp.write(new Uint8Array(MAX_PUBLISH_REQUEST_BYTES + 1));
      await stream.close();
      return lp.read({ signal: AbortSignal.timeout(5000) });
    })();
    await expect(reply).rejects.toThrow();
    expect(await allEnvelopes(aliceStore, [conv.invitation.topic])).toHaveLength(6);
  });

  it('drops garbage and tampered envelopes from a rogue client, via publish and via gossip', async () => {
    const rogue = await client();
    const rogueStore = new StoreClient(rogue.libp2p);
    const carol = await cairnIdentity();
    const tamperedContact = decodeEnvelope(contactEnvelope(carol));
    const tampered = encodeEnvelope({ ...tamperedContact, message: flip(tamperedContact.message, 40) });
    const moved = encodeEnvelope({
      contentTopic: conversationTopic('not-the-header-topic'),
      timestampNs: nowNs(),
      message: (await messageEnvelope(conv, 'moved')).message,
    });
    const impersonation = encodeEnvelope({
      contentTopic: contactTopic(bob.address),
      timestampNs: nowNs(),
      message: decodeEnvelope(contactEnvelope(alice)).message,
    });
    const garbage = new Uint8Array([1, 2, 3, 4]);
    const expected: Array<[Uint8Array, string]> = [
      [garbage, 'malformed-envelope'],
      [tampered, 'bad-contact-bundle'],
      [moved, 'bad-message'],
      [impersonation, 'bad-contact-bundle'],
    ];
    for (const [bytes, reason] of expected) {
      expect(await rogueStore.publish(daemon.address, bytes)).toEqual({ status: 'rejected', reason });
    }

    // The same over gossip, then one valid envelope: once Bob has that, the relay has
    // judged everything before it (one stream, in order).
    const valid = (await messageEnvelope(await conversation(), 'valid, via gossip')).bytes;
    const gossiped: Array<[Uint8Array, string]> = [
      [garbage, allShardTopics()[0]!],
      [tampered, shardTopicFor(contactTopic(carol.address))],
      [moved, shardTopicFor(conversationTopic('not-the-header-topic'))],
      [impersonation, shardTopicFor(contactTopic(bob.address))],
      [valid, shardTopicFor(decodeEnvelope(valid).contentTopic)],
    ];
    for (const [, shard] of gossiped) await relayKnownOn(rogue, shard);
    for (const [bytes, shard] of gossiped) await rogue.libp2p.services.pubsub.publish(shard, bytes);
    await expect.poll(() => contains(bobReceived, valid), { timeout: 5000, interval: 10 }).toBe(true);
    for (const [bytes] of gossiped.slice(0, -1)) expect(contains(bobReceived, bytes)).toBe(false);

    const stored = await allEnvelopes(rogueStore, [
      contactTopic(carol.address),
      contactTopic(bob.address),
      conversationTopic('not-the-header-topic'),
      decodeEnvelope(valid).contentTopic,
    ]);
    expect(stored).toEqual([valid]);
    expect(daemon.logs.some((line) => line.includes('dropped envelope') && line.includes('via=gossip'))).toBe(
      true,
    );
  });

  it('rate-limits a flooding peer while another peer keeps working', async () => {
    const flooder = new StoreClient((await client()).libp2p);
    const outcomes = { rejected: 0, limited: 0 };
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          try {
            await flooder.publish(daemon.address, new Uint8Array([batch, i, 0xff]));
            outcomes.rejected++;
          } catch (error) {
            if (!(error instanceof StoreRateLimitedError)) throw error;
            outcomes.limited++;
          }
        }),
      );
    }
    expect(outcomes.rejected).toBeGreaterThanOrEqual(100);
    expect(outcomes.limited).toBeGreaterThan(0);
    const { bytes } = await messageEnvelope(conv, 'still working');
    expect((await aliceStore.publish(daemon.address, bytes)).status).toBe('stored');
    expect(
      (await aliceStore.query(daemon.address, { contentTopics: [conv.invitation.topic], limit: 1 }))
        .envelopes,
    ).toHaveLength(1);
  });

  it('clamps a huge requested page size to 100', async () => {
    const bulk = new StoreClient((await client()).libp2p);
    const busy = await conversation(alice, await cairnIdentity());
    const envelopes = [];
    for (let i = 0; i < 105; i++) envelopes.push((await messageEnvelope(busy, `bulk ${i}`)).bytes);
    for (let i = 0; i < envelopes.length; i += 15) {
      await Promise.all(envelopes.slice(i, i + 15).map((bytes) => bulk.publish(daemon.address, bytes)));
    }
    const topics = [busy.invitation.topic];
    const page = await bulk.query(daemon.address, { contentTopics: topics, limit: 1_000_000 });
    expect(page.envelopes).toHaveLength(100);
    expect(page.cursor).toBeDefined();
    const rest = await bulk.query(daemon.address, {
      contentTopics: topics,
      limit: 1_000_000,
      cursor: page.cursor,
    });
    expect(rest.envelopes).toHaveLength(5);
    expect(rest.cursor).toBeUndefined();
    expect((await bulk.query(daemon.address, { contentTopics: topics, limit: 0 })).envelopes).toHaveLength(
      100,
    );
  });

  it('pins a blob that a third client fetches after the uploader stopped', async () => {
    const carol = await client();
    const carolStore = new StoreClient(carol.libp2p);
    const bytes = randomBytes(100 * 1024);
    const cid = CID.createV1(raw.code, await sha256.digest(bytes));
    await carol.blockstore.put(cid, bytes);
    expect(await carolStore.pin(daemon.address, cid.toString())).toEqual({ status: 'stored' });
    expect(await carolStore.pin(daemon.address, cid.toString())).toEqual({ status: 'duplicate' });
    blob = { cid, bytes };

    const tooBig = randomBytes(300 * 1024);
    const tooBigCid = CID.createV1(raw.code, await sha256.digest(tooBig));
    await carol.blockstore.put(tooBigCid, tooBig);
    expect(await carolStore.pin(daemon.address, tooBigCid.toString())).toMatchObject({ status: 'rejected' });
    const dagCbor = CID.createV1(0x71, await sha256.digest(bytes));
    expect(await carolStore.pin(daemon.address, dagCbor.toString())).toEqual({
      status: 'rejected',
      reason: 'unsupported codec',
    });

    await stopNode(carol);
    const dave = await client();
    expect(await fetchBlob(dave, cid)).toEqual(bytes);
  });

  it('stops cleanly on SIGTERM and restarts with its data and peer id', async () => {
    const before = daemon;
    before.child.kill('SIGTERM');
    expect(await before.exited).toBe(0);
    expect(before.logs.some((line) => line.includes('relay stopped'))).toBe(true);
    await Promise.allSettled(nodes.splice(0).map((node) => node.stop()));

    daemon = await startDaemon();
    expect(daemon.peerId).toBe(before.peerId);
    const store = new StoreClient((await client()).libp2p);
    const history = await allEnvelopes(store, [conv.invitation.topic]);
    expect(history.slice(0, 6)).toEqual([...published, lateEnvelope]);
    const since = await store.query(daemon.address, {
      contentTopics: [conv.invitation.topic],
      cursor: resumeAfterFive,
    });
    expect(since.envelopes[0]).toEqual(lateEnvelope);
    expect(await allEnvelopes(store, [contactTopic(alice.address)])).toHaveLength(1);
    // Pinned blocks survived the restart and the garbage collection that runs at start.
    expect(await fetchBlob(await client(), blob.cid)).toEqual(blob.bytes);
  });

  it('logs metadata only: no topics, no payload bytes', () => {
    const logs = daemons.flatMap((d) => d.logs).join('\n');
    expect(logs).toContain('publish');
    expect(logs).not.toContain(conv.invitation.topic);
    expect(logs).not.toContain(bytesToHex(decodeEnvelope(published[0]!).message).slice(0, 32));
  });
});

async function fetchBlob(node: CairnNode, cid: CID): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of node.blockstore.get(cid, { signal: AbortSignal.timeout(5000) }))
    chunks.push(chunk);
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Kept-open publish streams against a real RelayService in this process (short idle time): a
 * client's publishes share one stream, the relay closes a stream left idle and the client
 * replaces it without a failed publish, and a stopping relay does not wait for idle streams.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import { MemoryDatastore } from 'datastore-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type CairnNode, createCairnNode } from '../../src/p2p/cairn-node';
import { StoreClient } from '../../src/p2p/store-client.ts';
import { STORE_PUBLISH_PROTOCOL } from '../../src/p2p/store-protocol.ts';
import { silentLogger } from '../../src/relay/logger.ts';
import { RelayService } from '../../src/relay/relay-service.ts';
import { conversation, messageEnvelope } from './helpers.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function startRelay(publishIdleMs: number) {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-publish-sessions-'));
  cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
  const relay = new RelayService(
    { logger: silentLogger },
    { listen: ['/ip4/127.0.0.1/tcp/0/ws'], dataDir, publishIdleMs },
  );
  await relay.start();
  let stopped = false;
  cleanup.push(async () => {
    if (!stopped) await relay.stop();
  });
  const address = multiaddr(relay.multiaddrs()[0]!);
  return {
    address,
    stop: async (graceMs?: number) => {
      stopped = true;
      await relay.stop(graceMs);
    },
  };
}

async function startClient(relay: ReturnType<typeof multiaddr>): Promise<CairnNode> {
  const node = await createCairnNode({
    role: 'client',
    privateKey: await generateKeyPair('Ed25519'),
    developmentRelays: [relay.toString()],
    datastore: new MemoryDatastore(),
    blockstore: new MemoryBlockstore(),
  });
  cleanup.push(async () => {
    await node.stop();
  });
  await node.libp2p.dial(relay);
  return node;
}

/** A StoreClient whose publish streams are counted. */
function countingStore(node: CairnNode, publishIdleMs = 30_000) {
  const opened = { publish: 0 };
  const libp2p: Pick<Libp2p, 'dialProtocol'> = {
    dialProtocol: (peer, protocols, options) => {
      if (protocols === STORE_PUBLISH_PROTOCOL) opened.publish++;
      return node.libp2p.dialProtocol(peer, protocols, options);
    },
  };
  return { store: new StoreClient(libp2p, { publishIdleMs }), opened };
}

describe('publish sessions', () => {
  it('carry many publishes on one stream; a stream the relay closed as idle is replaced', async () => {
    const relay = await startRelay(200);
    const { store, opened } = countingStore(await startClient(relay.address));
    const conv = await conversation();
    for (const text of ['one', 'two', 'three']) {
      const { bytes } = await messageEnvelope(conv, text);
      expect((await store.publish(relay.address, bytes)).status).toBe('stored');
    }
    expect(opened.publish).toBe(1);
    // Past the relay's idle time: it closed the stream; the next publish still succeeds.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { bytes } = await messageEnvelope(conv, 'four');
    expect((await store.publish(relay.address, bytes)).status).toBe('stored');
    expect((await store.publish(relay.address, bytes)).status).toBe('duplicate');
    expect(opened.publish).toBe(2);
    store.close();
  });

  it('a stopping relay ends idle publish streams at once instead of waiting out its grace time', async () => {
    const relay = await startRelay(60_000);
    const { store } = countingStore(await startClient(relay.address));
    const { bytes } = await messageEnvelope(await conversation(), 'hello');
    expect((await store.publish(relay.address, bytes)).status).toBe('stored');
    const started = performance.now();
    await relay.stop(20_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

import { generateKeyPair } from '@libp2p/crypto/keys';
import { MemoryBlockstore } from 'blockstore-core';
import { MemoryDatastore } from 'datastore-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type CairnNode, createCairnNode } from '../../src/p2p/cairn-node';
import { allShardTopics, shardTopicFor } from '../../src/p2p/shards';
import { startNodeClient } from '../support/node-client.ts';

const nodes: CairnNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.stop()));
});

async function relay(): Promise<CairnNode> {
  const node = await createCairnNode({
    role: 'relay',
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0/ws'],
    datastore: new MemoryDatastore(),
    blockstore: new MemoryBlockstore(),
  });
  nodes.push(node);
  for (const topic of allShardTopics()) node.libp2p.services.pubsub.subscribe(topic);
  return node;
}

async function client(relayAddress: string): Promise<CairnNode> {
  const { node } = await startNodeClient(relayAddress);
  nodes.push(node);
  return node;
}

describe('createCairnNode', () => {
  it('delivers a gossip message from one client to another through a relay', async () => {
    const server = await relay();
    const address = server.libp2p.getMultiaddrs()[0]?.toString() ?? '';
    expect(address).toMatch(/\/ws\/p2p\//);
    const alice = await client(address);
    const bob = await client(address);
    const topic = shardTopicFor('/xmtp/0/m-abc/proto');
    bob.libp2p.services.pubsub.subscribe(topic);
    const received = new Promise<Uint8Array>((resolve) => {
      bob.libp2p.services.pubsub.addEventListener('message', (event) => resolve(event.detail.data));
    });
    // Wait until the relay knows Bob's subscription.
    await expect
      .poll(() => server.libp2p.services.pubsub.getSubscribers(topic).length, { timeout: 5000 })
      .toBe(1);
    await alice.libp2p.services.pubsub.publish(topic, new Uint8Array([1, 2, 3]));
    expect(await received).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('refuses to dial ws:// relays that were not configured', async () => {
    const server = await relay();
    const address = server.libp2p.getMultiaddrs()[0]?.toString() ?? '';
    const other = await createCairnNode({
      role: 'client',
      privateKey: await generateKeyPair('Ed25519'),
      datastore: new MemoryDatastore(),
      blockstore: new MemoryBlockstore(),
    });
    nodes.push(other);
    await expect(
      other.libp2p.dial((await import('@multiformats/multiaddr')).multiaddr(address)),
    ).rejects.toThrow();
  });
});

/** A bare Cairn libp2p client in Node, dialled to a relay: a second peer, a store reader or a rogue peer. */
import { generateKeyPair } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import { MemoryDatastore } from 'datastore-core';
import { createCairnNode } from '../../src/p2p/cairn-node.ts';
import { StoreClient } from '../../src/p2p/store-client.ts';

export async function startNodeClient(relayAddress: string) {
  const node = await createCairnNode({
    role: 'client',
    privateKey: await generateKeyPair('Ed25519'),
    developmentRelays: [relayAddress],
    datastore: new MemoryDatastore(),
    blockstore: new MemoryBlockstore(),
  });
  const connection = await node.libp2p.dial(multiaddr(relayAddress));
  return {
    node,
    relay: connection.remotePeer,
    store: new StoreClient(node.libp2p),
    stop: () => node.stop(),
  };
}

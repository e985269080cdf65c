/**
 * The one factory for Cairn's Helia + libp2p node, in the extension background and in
 * the relay daemon. Light Helia (no TCP, WebRTC or DHT): WebSockets, noise, yamux,
 * identify, gossipsub and bitswap; relays add a listener and their own services (the
 * circuit-relay server and the ping responder), so the extension does not bundle them.
 * libp2p's connection monitor pings on its own: a client needs no ping service to
 * measure and keep its relay connection alive, and a relay's ping to a client that does
 * not answer the protocol still counts as alive. Storage and the
 * peer key are injected (IndexedDB in the browser, disk in Node).
 */
import { withBitswap } from '@helia/bitswap';
import type { HeliaWithLibp2p } from '@helia/libp2p';
import { withLibp2pLight } from '@helia/libp2p';
import { type GossipSub, gossipsub } from '@libp2p/gossipsub';
import { type Identify, identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { createHeliaLight } from 'helia';
import type { Blockstore } from 'interface-blockstore';
import type { Datastore } from 'interface-datastore';
import type { ServiceFactoryMap } from 'libp2p';
import { clientConnectionGater } from './connection-gater';
import { gossipsubOptions } from './gossip-config';

export interface CairnServices extends Record<string, unknown> {
  identify: Identify;
  pubsub: GossipSub;
}

export type CairnNode = HeliaWithLibp2p<CairnServices>;

interface CommonInit {
  datastore: Datastore;
  blockstore: Blockstore;
  /** Always given (see `loadOrCreatePeerKey`): libp2p's keychain is not bundled in the extension. */
  privateKey: PrivateKey;
}

export interface ClientNodeInit extends CommonInit {
  role: 'client';
  /** Relays reachable over `ws://` or private addresses (local development only). */
  developmentRelays?: readonly string[];
}

export interface RelayNodeInit extends CommonInit {
  role: 'relay';
  /** e.g. `/ip4/127.0.0.1/tcp/9090/ws` */
  listen: readonly string[];
  /** Addresses to advertise instead of the listen addresses (behind a proxy). */
  announce?: readonly string[];
  /** Relay-only services, e.g. `{ relay: circuitRelayServer(…) }`. */
  services?: ServiceFactoryMap;
}

export type CairnNodeInit = ClientNodeInit | RelayNodeInit;

export async function createCairnNode(init: CairnNodeInit): Promise<CairnNode> {
  const helia = createHeliaLight({
    datastore: init.datastore,
    blockstore: init.blockstore,
    // Blobs a client did not pin may go on gc(); relays pin what they keep.
    holdGcLock: true,
  });
  const services = {
    identify: identify(),
    pubsub: gossipsub(gossipsubOptions(init.role)),
    ...(init.role === 'relay' ? init.services : {}),
  };
  const node = withBitswap(
    withLibp2pLight(helia, {
      privateKey: init.privateKey,
      addresses:
        init.role === 'relay'
          ? { listen: [...init.listen], ...(init.announce ? { announce: [...init.announce] } : {}) }
          : { listen: [] },
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater:
        init.role === 'client'
          ? clientConnectionGater((init.developmentRelays ?? []).map((address) => multiaddr(address)))
          : // A relay dials nobody but accepts anyone; private addresses are fine on a LAN.
            { denyDialMultiaddr: () => false },
      connectionManager: { maxConnections: init.role === 'relay' ? 2048 : 32 },
      services,
    }),
  ) as unknown as CairnNode;
  await node.start();
  return node;
}

/**
 * The client node's libp2p key, kept in the node's own datastore so its peer id survives
 * worker restarts. Cairn manages it instead of libp2p's keychain (which would bring an
 * ASN.1 stack into the extension). It identifies the node only, never the wallet.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { type Datastore, Key } from 'interface-datastore';

const PEER_KEY = new Key('/cairn/peer-key');

export async function loadOrCreatePeerKey(datastore: Datastore): Promise<PrivateKey> {
  if (await datastore.has(PEER_KEY)) {
    try {
      return privateKeyFromProtobuf(await datastore.get(PEER_KEY));
    } catch {
      // Unreadable: a new peer id costs nothing but the relays' memory of the old one.
    }
  }
  const key = await generateKeyPair('Ed25519');
  await datastore.put(PEER_KEY, privateKeyToProtobuf(key));
  return key;
}

/**
 * Browser adapters of the messenger: IndexedDB for messages and the node's blocks and
 * keys, `action` badge and `notifications` for new messages.
 */
import { IDBBlockstore } from 'blockstore-idb';
import { MemoryDatastore } from 'datastore-core';
import { IDBDatastore } from 'datastore-idb';
import type { KeyValueStore } from '../../keyring/key-value-store';
import { createAesGcmSealer } from './aes-gcm-sealer';
import { MessageDb } from './message-db';
import type { MessagingNetwork, Notifier } from './messaging-service';
import { startP2pNetwork } from './p2p-network';
import { loadRelays } from './relay-settings';

export interface BadgeAndNotifications {
  setBadgeText(details: { text: string }): Promise<void>;
  setBadgeBackgroundColor?(details: { color: string }): Promise<void>;
  createNotification(
    id: string,
    options: { type: 'basic'; iconUrl: string; title: string; message: string },
  ): Promise<unknown>;
  iconUrl: string;
}

export function browserNotifier(api: BadgeAndNotifications): Notifier {
  return {
    setBadge: async (text) => {
      await api.setBadgeText({ text });
      if (text) await api.setBadgeBackgroundColor?.({ color: '#3a6df0' });
    },
    notify: async (id, title, body) => {
      await api.createNotification(id, { type: 'basic', iconUrl: api.iconUrl, title, message: body });
    },
  };
}

export function openBrowserMessageDb(factory: IDBFactory, sealKey: Uint8Array): Promise<MessageDb> {
  return MessageDb.open({ factory, name: 'cairn-messages', sealer: createAesGcmSealer(sealKey) });
}

export async function startBrowserNetwork(
  localStore: KeyValueStore,
  log: (message: string) => void,
  signal: AbortSignal,
): Promise<MessagingNetwork> {
  // The node's key lives in this datastore: the peer id survives worker restarts.
  const datastore = new IDBDatastore('cairn-p2p-data');
  const blockstore = new IDBBlockstore('cairn-p2p-blocks');
  await datastore.open();
  await blockstore.open();
  try {
    return await startP2pNetwork({
      relays: await loadRelays(localStore, log),
      // libp2p writes its peer store on every stream it opens (protocol lists): in IndexedDB
      // that cost each message publish several ms; only the peer key needs to persist.
      datastore: new MemoryDatastore(),
      keyStore: datastore,
      blockstore,
      log,
      signal,
      onStop: async () => {
        await datastore.close();
        await blockstore.close();
      },
    });
  } catch (error) {
    await datastore.close();
    await blockstore.close();
    throw error;
  }
}

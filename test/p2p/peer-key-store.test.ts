import { MemoryDatastore } from 'datastore-core';
import { Key } from 'interface-datastore';
import { describe, expect, it } from 'vitest';
import { loadOrCreatePeerKey } from '../../src/p2p/peer-key-store';

describe('loadOrCreatePeerKey', () => {
  it('creates an Ed25519 key once and returns the same one afterwards', async () => {
    const datastore = new MemoryDatastore();
    const first = await loadOrCreatePeerKey(datastore);
    expect(first.type).toBe('Ed25519');
    expect((await loadOrCreatePeerKey(datastore)).equals(first)).toBe(true);
  });

  it('replaces an unreadable stored key instead of failing to start', async () => {
    const datastore = new MemoryDatastore();
    await datastore.put(new Key('/cairn/peer-key'), new Uint8Array([1, 2, 3]));
    const key = await loadOrCreatePeerKey(datastore);
    expect((await loadOrCreatePeerKey(datastore)).equals(key)).toBe(true);
  });
});

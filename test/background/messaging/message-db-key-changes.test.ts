/**
 * Peers' key changes in the message DB (fake-indexeddb): recorded once per change, listed per
 * peer, checked on the way in and out, wiped with the rest; and a version 1 database (as it
 * shipped, before the store existed) upgrades with its data intact.
 */
import { IDBFactory } from 'fake-indexeddb';
import { type Address, type Hex, toHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { createAesGcmSealer } from '../../../src/background/messaging/aes-gcm-sealer';
import {
  DEFAULT_MESSAGE_DB_NAME,
  type KeyChangeRecord,
  MessageDb,
  MessageDbError,
} from '../../../src/background/messaging/message-db';

const ALICE: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const BOB: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const CAROL: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const T0 = 1_700_000_000_000;
const sealer = createAesGcmSealer(new Uint8Array(32).fill(7));

/** A well-formed (not necessarily on-curve) uncompressed public key. */
const key = (fill: number): Hex => toHex(new Uint8Array([4, ...new Uint8Array(64).fill(fill)]));

function change(fields: Partial<KeyChangeRecord> = {}): KeyChangeRecord {
  return {
    peer: BOB,
    identityKey: key(2),
    previousKey: key(1),
    keyCreatedAt: T0 - 1000,
    seenAt: T0,
    source: 'relay',
    ...fields,
  };
}

function settle<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

describe('MessageDb key changes', () => {
  it("records a peer's changes once each, lists them per peer (any letter case), first noticed first", async () => {
    const db = await MessageDb.open({ factory: new IDBFactory(), sealer });
    expect(await db.keyChanges(BOB)).toEqual([]);
    expect(await db.putKeyChange(change({ identityKey: key(3), previousKey: key(2), seenAt: T0 + 50 }))).toBe(
      true,
    );
    expect(await db.putKeyChange(change({ peer: BOB.toLowerCase() as Address }))).toBe(true);
    // Noticed again (the invitation after the relay): the first sighting stays.
    expect(await db.putKeyChange(change({ seenAt: T0 + 99, source: 'invitation' }))).toBe(false);
    expect(await db.putKeyChange(change({ peer: CAROL, identityKey: key(9) }))).toBe(true);

    const bob = await db.keyChanges(BOB.toLowerCase() as Address);
    expect(bob.map((c) => [c.identityKey, c.seenAt, c.source])).toEqual([
      [key(2), T0, 'relay'],
      [key(3), T0 + 50, 'relay'],
    ]);
    expect(bob[0]).toEqual(change());
    expect((await db.keyChanges(CAROL)).map((c) => c.identityKey)).toEqual([key(9)]);
    expect(await db.keyChanges(ALICE)).toEqual([]);

    // Back to an earlier key: a new change from another previous key, recorded again.
    expect(await db.putKeyChange(change({ identityKey: key(2), previousKey: key(3), seenAt: T0 + 80 }))).toBe(
      true,
    );
    expect((await db.keyChanges(BOB)).map((c) => [c.previousKey, c.seenAt])).toEqual([
      [key(2), T0 + 50],
      [key(3), T0 + 80],
    ]);

    await db.clear();
    expect(await db.keyChanges(BOB)).toEqual([]);
    db.close();
  });

  it('refuses malformed changes, naming the field, and skips corrupt stored rows', async () => {
    const factory = new IDBFactory();
    const db = await MessageDb.open({ factory, sealer });
    for (const [bad, field] of [
      [{ peer: 'bob' }, 'change.peer'],
      [{ identityKey: '0x1234' }, 'change.identityKey'],
      [{ previousKey: key(1).toUpperCase() }, 'change.previousKey'],
      [{ keyCreatedAt: Number.NaN }, 'change.keyCreatedAt'],
      [{ seenAt: -1 }, 'change.seenAt'],
      [{ source: 'gossip' }, 'change.source'],
    ] as const) {
      const attempt = db.putKeyChange(change(bad as Partial<KeyChangeRecord>));
      await expect(attempt).rejects.toBeInstanceOf(MessageDbError);
      await expect(attempt).rejects.toThrow(`"${field}"`);
    }
    await db.putKeyChange(change());
    db.close();
    // A row written by something else: skipped, the good one still listed.
    const raw = await settle(factory.open(DEFAULT_MESSAGE_DB_NAME));
    await settle(
      raw
        .transaction('keyChanges', 'readwrite')
        .objectStore('keyChanges')
        .put({ peer: BOB, identityKey: key(5), previousKey: 'nope', seenAt: T0 }),
    );
    raw.close();
    const reopened = await MessageDb.open({ factory, sealer });
    expect((await reopened.keyChanges(BOB)).map((c) => c.identityKey)).toEqual([key(2)]);
    reopened.close();
  });

  it('upgrades a version 1 database: its records stay, the key changes store starts empty', async () => {
    const factory = new IDBFactory();
    // The version 1 layout exactly as it shipped (message-db-schema.ts before key changes).
    const open = factory.open(DEFAULT_MESSAGE_DB_NAME, 1);
    open.onupgradeneeded = () => {
      const v1 = open.result;
      const conversations = v1.createObjectStore('conversations', { keyPath: ['account', 'topic'] });
      conversations.createIndex('byPeer', ['account', 'peer'], { unique: true });
      const messages = v1.createObjectStore('messages', { keyPath: ['account', 'id'] });
      messages.createIndex('byTopic', ['account', 'topic', 'sentAt']);
      const outbox = v1.createObjectStore('outbox', { keyPath: 'id' });
      outbox.createIndex('byNextAttempt', 'nextAttemptAt');
      v1.createObjectStore('cursors', { keyPath: 'topic' });
      v1.createObjectStore('bundles', { keyPath: 'address' });
    };
    const v1 = await settle(open);
    const tx = v1.transaction(['conversations', 'bundles'], 'readwrite');
    const conversation = {
      account: ALICE,
      topic: '/xmtp/0/m-old/proto',
      peer: BOB,
      peerBundle: new Uint8Array([1, 2, 3]),
      invitation: new Uint8Array([4, 5, 6]),
      invitationTimestampNs: BigInt(T0) * 1_000_000n,
      createdAt: T0,
      lastActivityAt: T0,
      unread: 2,
      lastMessageId: null,
    };
    await settle(tx.objectStore('conversations').put(conversation));
    await settle(
      tx
        .objectStore('bundles')
        .put({ address: BOB.toLowerCase(), bundle: new Uint8Array([9]), fetchedAt: T0 }),
    );
    v1.close();

    const db = await MessageDb.open({ factory, sealer });
    expect(await db.getConversationByPeer(ALICE, BOB)).toEqual(conversation);
    expect(await db.getBundle(BOB)).toEqual({
      address: BOB.toLowerCase(),
      bundle: new Uint8Array([9]),
      fetchedAt: T0,
    });
    expect(await db.keyChanges(BOB)).toEqual([]);
    expect(await db.putKeyChange(change())).toBe(true);
    expect(await db.keyChanges(BOB)).toHaveLength(1);
    db.close();
    const raw = await settle(factory.open(DEFAULT_MESSAGE_DB_NAME));
    expect(raw.version).toBe(2);
    raw.close();
  });
});

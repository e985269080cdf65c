/**
 * The messenger's IndexedDB store, on fake-indexeddb (a fresh `IDBFactory` per test, no
 * globals): dedupe, paging, unread counts, the outbox life cycle, persistence across
 * reopen, content sealed at rest, and corrupted records.
 */
import { IDBFactory } from 'fake-indexeddb';
import { type Address, getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { createAesGcmSealer, type Sealer } from '../../../src/background/messaging/aes-gcm-sealer';
import {
  type ConversationInput,
  ConversationNotFoundError,
  CorruptRecordError,
  DEFAULT_MESSAGE_DB_NAME,
  MessageDb,
  MessageDbError,
  type MessageInput,
} from '../../../src/background/messaging/message-db';
import type { DisplayContent } from '../../../src/background/messaging/message-views';

// Hardhat's first accounts (from the "test test … junk" mnemonic).
const ALICE: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const BOB: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const CAROL: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

const KEY = new Uint8Array(32).fill(42);
const T0 = 1_700_000_000_000;

function text(value: string): DisplayContent {
  return { kind: 'text', text: value };
}

/** A database with a controllable clock. */
async function openTestDb(factory: IDBFactory, options: { sealer?: Sealer; name?: string } = {}) {
  const clock = { now: T0 };
  const db = await MessageDb.open({
    factory,
    sealer: options.sealer ?? createAesGcmSealer(KEY),
    now: () => clock.now,
    ...(options.name === undefined ? {} : { name: options.name }),
  });
  return { db, clock };
}

function conversation(account: Address, peer: Address, topic: string, createdAt = T0): ConversationInput {
  return {
    account,
    topic,
    peer,
    peerBundle: new Uint8Array([1, 2, 3]),
    invitation: new Uint8Array([4, 5, 6]),
    invitationTimestampNs: BigInt(createdAt) * 1_000_000n,
    createdAt,
  };
}

function message(
  fields: Partial<MessageInput> & Pick<MessageInput, 'id' | 'topic' | 'sentAt'>,
): MessageInput {
  return { account: ALICE, sender: BOB, content: text(`message ${fields.id}`), ...fields };
}

// -- Raw access through the factory, bypassing MessageDb ------------------------------------------

function settle<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withRawDb<T>(factory: IDBFactory, body: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await settle(factory.open(DEFAULT_MESSAGE_DB_NAME));
  try {
    return await body(db);
  } finally {
    db.close();
  }
}

function rawAll(factory: IDBFactory, store: string): Promise<unknown[]> {
  return withRawDb(factory, (db) => settle(db.transaction(store).objectStore(store).getAll()));
}

function rawPut(factory: IDBFactory, store: string, value: unknown): Promise<unknown> {
  return withRawDb(factory, (db) => settle(db.transaction(store, 'readwrite').objectStore(store).put(value)));
}

/** Every string and byte array reachable from `value`. */
function leaves(value: unknown, out: (string | Uint8Array)[] = []): (string | Uint8Array)[] {
  if (typeof value === 'string' || value instanceof Uint8Array) out.push(value);
  else if (Array.isArray(value)) for (const item of value) leaves(item, out);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) leaves(item, out);
  return out;
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------

describe('MessageDb conversations', () => {
  it('stores conversations with checksummed addresses and finds them by peer in any case', async () => {
    const { db } = await openTestDb(new IDBFactory());
    const stored = await db.upsertConversation(
      conversation(ALICE.toLowerCase() as Address, BOB.toLowerCase() as Address, 'topic-ab'),
    );
    expect(stored).toMatchObject({
      account: ALICE,
      peer: BOB,
      unread: 0,
      lastMessageId: null,
      lastActivityAt: T0,
    });
    expect(await db.getConversation(ALICE, 'topic-ab')).toEqual(stored);
    expect(await db.getConversationByPeer(ALICE, BOB.toUpperCase().replace('0X', '0x') as Address)).toEqual(
      stored,
    );
    expect(await db.getConversationByPeer(BOB, ALICE)).toBeNull();
    expect(await db.getConversation(ALICE, 'topic-other')).toBeNull();
  });

  it('keeps counters on re-upsert and refuses a second topic for the same peer', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await db.addIncomingMessage(message({ id: 'm1', topic: 'topic-ab', sentAt: T0 + 5 }));
    const again = await db.upsertConversation({
      ...conversation(ALICE, BOB, 'topic-ab'),
      peerBundle: new Uint8Array([9]),
    });
    expect(again).toMatchObject({ unread: 1, lastMessageId: 'm1', lastActivityAt: T0 + 5 });
    expect(again.peerBundle).toEqual(new Uint8Array([9]));
    await expect(db.upsertConversation(conversation(ALICE, BOB, 'topic-ab-2'))).rejects.toThrow(
      /already has peer/,
    );
    await expect(db.upsertConversation(conversation(ALICE, CAROL, 'topic-ab'))).rejects.toThrow(
      /differs from the stored peer/,
    );
  });

  it('names the bad field of a refused argument', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await expect(
      db.upsertConversation({ ...conversation(ALICE, BOB, 't'), peer: '0x1234' as Address }),
    ).rejects.toThrow(new MessageDbError('"conversation.peer" must be an address'));
    await expect(db.getMessages(ALICE, 't', { limit: 0 })).rejects.toThrow('"limit" must be at least 1');
    await expect(db.addIncomingMessage(message({ id: '', topic: 't', sentAt: T0 }))).rejects.toThrow(
      '"message.id" must be a non-empty string',
    );
  });

  it('lists conversations newest activity first, with last message and unread count', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab', T0));
    await db.upsertConversation(conversation(ALICE, CAROL, 'topic-ac', T0 + 1));
    await db.upsertConversation(conversation(BOB, CAROL, 'topic-bc', T0 + 2));
    expect((await db.listConversations(ALICE)).map((c) => c.topic)).toEqual(['topic-ac', 'topic-ab']);

    await db.addIncomingMessage(
      message({ id: 'b1', topic: 'topic-ab', sentAt: T0 + 10, content: text('hi alice') }),
    );
    await db.addIncomingMessage(message({ id: 'c1', topic: 'topic-ac', sender: CAROL, sentAt: T0 + 5 }));
    // An older message arriving late: counts as unread, but is not the last message.
    await db.addIncomingMessage(message({ id: 'b0', topic: 'topic-ab', sentAt: T0 + 3 }));

    const list = await db.listConversations(ALICE);
    expect(list.map((c) => [c.topic, c.unread, c.lastMessage?.id])).toEqual([
      ['topic-ab', 2, 'b1'],
      ['topic-ac', 1, 'c1'],
    ]);
    expect(list[0]).toEqual({
      topic: 'topic-ab',
      account: ALICE,
      peer: BOB,
      createdAt: T0,
      unread: 2,
      lastMessage: {
        id: 'b1',
        topic: 'topic-ab',
        sender: BOB,
        direction: 'in',
        content: text('hi alice'),
        sentAt: T0 + 10,
        status: 'delivered',
      },
    });
    expect((await db.listConversations(BOB)).map((c) => c.topic)).toEqual(['topic-bc']);
    expect(await db.listConversations(CAROL)).toEqual([]);
  });

  it('marks read and sums unread per account and over all accounts', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await db.upsertConversation(conversation(ALICE, CAROL, 'topic-ac'));
    await db.upsertConversation(conversation(BOB, CAROL, 'topic-bc'));
    await db.addIncomingMessage(message({ id: '1', topic: 'topic-ab', sentAt: T0 + 1 }));
    await db.addIncomingMessage(message({ id: '2', topic: 'topic-ab', sentAt: T0 + 2 }));
    await db.addIncomingMessage(message({ id: '3', topic: 'topic-ac', sender: CAROL, sentAt: T0 + 3 }));
    await db.addIncomingMessage(
      message({ account: BOB, id: '4', topic: 'topic-bc', sender: CAROL, sentAt: T0 + 4 }),
    );
    expect(await db.totalUnread(ALICE)).toBe(3);
    expect(await db.totalUnread(BOB)).toBe(1);
    expect(await db.totalUnread()).toBe(4);

    expect(await db.markRead(ALICE, 'topic-ab')).toBe(true);
    expect(await db.totalUnread(ALICE)).toBe(1);
    expect(await db.totalUnread()).toBe(2);
    expect(await db.markRead(ALICE, 'topic-missing')).toBe(false);
  });
});

describe('MessageDb messages', () => {
  it('stores a message once: the same id again returns false and is not counted twice', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    const row = message({ id: 'dup', topic: 'topic-ab', sentAt: T0 + 1, content: text('first') });
    expect(await db.addIncomingMessage(row)).toBe(true);
    expect(await db.addIncomingMessage({ ...row, content: text('second') })).toBe(false);
    expect(await db.totalUnread(ALICE)).toBe(1);
    const messages = await db.getMessages(ALICE, 'topic-ab', { limit: 10 });
    expect(messages).toHaveLength(1);
    expect(messages[0]?.content).toEqual(text('first'));
  });

  it('refuses a message for an unknown conversation and stores nothing', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await expect(db.addIncomingMessage(message({ id: 'x', topic: 'nowhere', sentAt: T0 }))).rejects.toThrow(
      ConversationNotFoundError,
    );
    expect(await db.getMessage(ALICE, 'x')).toBeNull();
  });

  it("stores the account's own messages read back from a relay as outgoing and sent, not unread", async () => {
    const { db } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await db.addIncomingMessage(message({ id: 'mine', topic: 'topic-ab', sender: ALICE, sentAt: T0 + 1 }));
    expect(await db.getMessage(ALICE, 'mine')).toMatchObject({
      direction: 'out',
      status: 'sent',
      sender: ALICE,
    });
    expect(await db.totalUnread()).toBe(0);
  });

  it('pages messages: newest `limit` before a time, oldest first, only this account and topic', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await db.upsertConversation(conversation(ALICE, CAROL, 'topic-ac'));
    await db.upsertConversation(conversation(BOB, ALICE, 'topic-ab'));
    for (const sentAt of [T0 + 30, T0 + 10, T0 + 50, T0 + 20, T0 + 40]) {
      await db.addIncomingMessage(message({ id: `ab-${sentAt - T0}`, topic: 'topic-ab', sentAt }));
    }
    await db.addIncomingMessage(message({ id: 'ac-1', topic: 'topic-ac', sender: CAROL, sentAt: T0 + 35 }));
    await db.addIncomingMessage(
      message({ account: BOB, id: 'ba-1', topic: 'topic-ab', sender: ALICE, sentAt: T0 + 35 }),
    );

    const ids = async (before: number | undefined, limit: number) =>
      (await db.getMessages(ALICE, 'topic-ab', before === undefined ? { limit } : { before, limit })).map(
        (m) => m.id,
      );
    expect(await ids(undefined, 100)).toEqual(['ab-10', 'ab-20', 'ab-30', 'ab-40', 'ab-50']);
    expect(await ids(undefined, 2)).toEqual(['ab-40', 'ab-50']);
    expect(await ids(T0 + 40, 2)).toEqual(['ab-20', 'ab-30']);
    expect(await ids(T0 + 20, 2)).toEqual(['ab-10']);
    expect(await ids(T0 + 10, 2)).toEqual([]);
    expect(await ids(T0 + 1_000, 1)).toEqual(['ab-50']);
    expect(await db.getMessages(ALICE, 'topic-none', { limit: 5 })).toEqual([]);

    const page = await db.getMessages(ALICE, 'topic-ab', { limit: 1 });
    expect(page[0]).toEqual({
      id: 'ab-50',
      topic: 'topic-ab',
      sender: BOB,
      direction: 'in',
      content: text('message ab-50'),
      sentAt: T0 + 50,
      status: 'delivered',
    });
  });

  it('orders messages with the same time by id, and keeps lastMessage consistent with that order', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await db.addIncomingMessage(message({ id: 'b', topic: 'topic-ab', sentAt: T0 + 1 }));
    await db.addIncomingMessage(message({ id: 'a', topic: 'topic-ab', sentAt: T0 + 1 }));
    expect((await db.getMessages(ALICE, 'topic-ab', { limit: 5 })).map((m) => m.id)).toEqual(['a', 'b']);
    expect((await db.listConversations(ALICE))[0]?.lastMessage?.id).toBe('b');
  });

  it('marks sent messages up to a read receipt delivered', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    for (const [id, sentAt] of [
      ['o1', T0 + 1],
      ['o2', T0 + 2],
      ['o3', T0 + 3],
    ] as const) {
      await db.queueOutgoingMessage(message({ id, topic: 'topic-ab', sender: ALICE, sentAt }), {
        envelope: new Uint8Array([1]),
      });
    }
    await db.completeOutbox('o1');
    await db.completeOutbox('o3');
    await db.addIncomingMessage(message({ id: 'i1', topic: 'topic-ab', sentAt: T0 + 2 }));
    expect(await db.markDelivered(ALICE, 'topic-ab', T0 + 2)).toBe(1);
    const statuses = (await db.getMessages(ALICE, 'topic-ab', { limit: 10 })).map((m) => [m.id, m.status]);
    expect(statuses).toEqual([
      ['o1', 'delivered'],
      ['i1', 'delivered'],
      ['o2', 'queued'],
      ['o3', 'sent'],
    ]);
    expect(await db.markDelivered(ALICE, 'topic-ab', T0 + 2)).toBe(0);
  });
});

describe('MessageDb outbox', () => {
  it('queues a message with its outbox item, then completing it moves the message to sent', async () => {
    const { db, clock } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    const row = message({
      id: 'out-1',
      topic: 'topic-ab',
      sender: ALICE,
      sentAt: T0 + 100,
      content: text('hey'),
    });
    const envelope = new Uint8Array([0xe0, 0x01]);
    clock.now = T0 + 100;
    expect(await db.queueOutgoingMessage(row, { envelope })).toBe(true);
    expect(await db.queueOutgoingMessage(row, { envelope: new Uint8Array([0xff]) })).toBe(false);
    expect(await db.outboxSize()).toBe(1);
    expect(await db.getMessage(ALICE, 'out-1')).toMatchObject({ direction: 'out', status: 'queued' });
    const list = await db.listConversations(ALICE);
    expect(list[0]).toMatchObject({ unread: 0, lastMessage: { id: 'out-1', content: text('hey') } });

    const due = await db.dueOutbox(T0 + 100, 10);
    expect(due).toEqual([
      {
        id: 'out-1',
        account: ALICE,
        kind: 'message',
        topic: 'topic-ab',
        envelope,
        messageId: 'out-1',
        attempts: 0,
        nextAttemptAt: T0 + 100,
        createdAt: T0 + 100,
        lastError: null,
      },
    ]);
    const sent = await db.completeOutbox('out-1');
    expect(sent).toMatchObject({ id: 'out-1', status: 'sent' });
    expect(await db.outboxSize()).toBe(0);
    expect(await db.completeOutbox('out-1')).toBeNull();
  });

  it('uses the caller’s outbox id when given', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await db.queueOutgoingMessage(message({ id: 'm', topic: 'topic-ab', sender: ALICE, sentAt: T0 }), {
      envelope: new Uint8Array([1]),
      id: 'message:m',
    });
    expect((await db.dueOutbox(T0, 5)).map((item) => [item.id, item.messageId])).toEqual([
      ['message:m', 'm'],
    ]);
    expect(await db.completeOutbox('message:m')).toMatchObject({ id: 'm', status: 'sent' });
  });

  it('refuses an outgoing message from another sender, and rolls back when the conversation is missing', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await expect(
      db.queueOutgoingMessage(message({ id: 'm', topic: 'topic-ab', sentAt: T0 }), {
        envelope: new Uint8Array(1),
      }),
    ).rejects.toThrow('"message.sender" must be the account');
    await expect(
      db.queueOutgoingMessage(message({ id: 'm', topic: 'nowhere', sender: ALICE, sentAt: T0 }), {
        envelope: new Uint8Array(1),
      }),
    ).rejects.toThrow(ConversationNotFoundError);
    expect(await db.outboxSize()).toBe(0);
    expect(await db.getMessage(ALICE, 'm')).toBeNull();
  });

  it('moves status only forward; failed only from queued', async () => {
    const { db } = await openTestDb(new IDBFactory());
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    const queue = (id: string) =>
      db.queueOutgoingMessage(message({ id, topic: 'topic-ab', sender: ALICE, sentAt: T0 }), {
        envelope: new Uint8Array([1]),
      });
    await queue('a');
    expect(await db.setMessageStatus(ALICE, 'a', 'delivered')).toMatchObject({ status: 'delivered' });
    // The relay acknowledgement arrives after the peer's receipt: stays delivered.
    expect(await db.completeOutbox('a')).toBeNull();
    expect(await db.setMessageStatus(ALICE, 'a', 'sent')).toBeNull();
    expect(await db.setMessageStatus(ALICE, 'a', 'failed')).toBeNull();
    expect((await db.getMessage(ALICE, 'a'))?.status).toBe('delivered');

    await queue('b');
    expect(await db.failOutbox('b', 'envelope too large')).toMatchObject({ id: 'b', status: 'failed' });
    expect(await db.setMessageStatus(ALICE, 'b', 'sent')).toBeNull();
    expect(await db.outboxSize()).toBe(0);
    expect(await db.setMessageStatus(ALICE, 'nope', 'sent')).toBeNull();
  });

  it('returns due items oldest first, reschedules with attempts and error, and tells the next due time', async () => {
    const { db, clock } = await openTestDb(new IDBFactory());
    expect(await db.nextOutboxTime()).toBeNull();
    const item = (id: string, kind: 'invitation' | 'contact' | 'receipt') => ({
      id,
      account: ALICE,
      kind,
      topic: `/xmtp/0/${id}/proto`,
      envelope: new Uint8Array([id.length]),
    });
    clock.now = T0 + 1;
    expect(await db.enqueue(item('first', 'contact'))).toBe(true);
    clock.now = T0 + 2;
    await db.enqueue(item('second', 'invitation'));
    clock.now = T0 + 3;
    await db.enqueue(item('third', 'receipt'));
    expect(await db.enqueue(item('first', 'contact'))).toBe(false);
    expect(await db.outboxSize()).toBe(3);

    expect((await db.dueOutbox(T0 + 3, 10)).map((i) => i.id)).toEqual(['first', 'second', 'third']);
    expect((await db.dueOutbox(T0 + 2, 10)).map((i) => i.id)).toEqual(['first', 'second']);
    expect((await db.dueOutbox(T0 + 3, 2)).map((i) => i.id)).toEqual(['first', 'second']);

    expect(await db.rescheduleOutbox('first', T0 + 60_000, 'RelayUnavailable')).toBe(true);
    expect(await db.rescheduleOutbox('gone', T0 + 60_000, 'x')).toBe(false);
    expect((await db.dueOutbox(T0 + 3, 10)).map((i) => i.id)).toEqual(['second', 'third']);
    expect(await db.nextOutboxTime()).toBe(T0 + 2);
    await db.completeOutbox('second');
    await db.completeOutbox('third');
    expect(await db.nextOutboxTime()).toBe(T0 + 60_000);

    const [retried] = await db.dueOutbox(T0 + 60_000, 10);
    expect(retried).toMatchObject({
      id: 'first',
      attempts: 1,
      lastError: 'RelayUnavailable',
      createdAt: T0 + 1,
    });
    await db.rescheduleOutbox('first', T0 + 120_000, 'Timeout');
    expect((await db.dueOutbox(T0 + 120_000, 10))[0]).toMatchObject({ attempts: 2, lastError: 'Timeout' });
  });
});

describe('MessageDb persistence', () => {
  it('keeps everything across close and reopen with the same factory', async () => {
    const factory = new IDBFactory();
    const first = await openTestDb(factory);
    await first.db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await first.db.addIncomingMessage(
      message({ id: 'm1', topic: 'topic-ab', sentAt: T0 + 1, content: text('kept') }),
    );
    await first.db.enqueue({
      id: 'inv',
      account: ALICE,
      kind: 'invitation',
      topic: 'invite',
      envelope: new Uint8Array([7]),
    });
    await first.db.setCursor('topic-ab', new Uint8Array([1, 2]));
    await first.db.putBundle(BOB, new Uint8Array([3, 4]), T0 + 7);
    first.db.close();

    const { db } = await openTestDb(factory);
    expect((await db.getMessages(ALICE, 'topic-ab', { limit: 5 }))[0]?.content).toEqual(text('kept'));
    expect(await db.totalUnread()).toBe(1);
    expect(await db.outboxSize()).toBe(1);
    expect(await db.getCursor('topic-ab')).toEqual(new Uint8Array([1, 2]));
    expect(await db.getBundle(BOB)).toEqual({
      address: BOB.toLowerCase(),
      bundle: new Uint8Array([3, 4]),
      fetchedAt: T0 + 7,
    });

    const other = await openTestDb(new IDBFactory());
    expect(await other.db.totalUnread()).toBe(0);
    expect(await other.db.getCursor('topic-ab')).toBeNull();
  });

  it('stores cursors by topic and bundles by lower-cased address', async () => {
    const { db, clock } = await openTestDb(new IDBFactory());
    expect(await db.getCursor('t')).toBeNull();
    await db.setCursor('t', new Uint8Array([1]));
    clock.now = T0 + 5;
    await db.setCursor('t', new Uint8Array([2]));
    expect(await db.getCursor('t')).toEqual(new Uint8Array([2]));

    await db.putBundle(BOB.toLowerCase() as Address, new Uint8Array([5]), T0);
    expect((await db.getBundle(getAddress(BOB)))?.bundle).toEqual(new Uint8Array([5]));
    expect(await db.getBundle(CAROL)).toBeNull();
  });

  it('clear() deletes every record', async () => {
    const factory = new IDBFactory();
    const { db } = await openTestDb(factory);
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await db.queueOutgoingMessage(message({ id: 'm', topic: 'topic-ab', sender: ALICE, sentAt: T0 }), {
      envelope: new Uint8Array([1]),
    });
    await db.setCursor('topic-ab', new Uint8Array([1]));
    await db.putBundle(BOB, new Uint8Array([1]), T0);
    await db.clear();
    for (const store of ['conversations', 'messages', 'outbox', 'cursors', 'bundles']) {
      expect(await rawAll(factory, store)).toEqual([]);
    }
    expect(await db.listConversations(ALICE)).toEqual([]);
  });
});

describe('MessageDb at rest', () => {
  it('stores no message content in plaintext, only sealed bytes', async () => {
    const factory = new IDBFactory();
    const { db } = await openTestDb(factory);
    const secret = 'the eagle lands at midnight';
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await db.addIncomingMessage(
      message({ id: 'in', topic: 'topic-ab', sentAt: T0 + 1, content: text(secret) }),
    );
    await db.queueOutgoingMessage(
      message({
        id: 'out',
        topic: 'topic-ab',
        sender: ALICE,
        sentAt: T0 + 2,
        content: { kind: 'reply', text: secret, reference: 'in' },
      }),
      { envelope: new Uint8Array([9, 9, 9]) },
    );
    expect((await db.getMessages(ALICE, 'topic-ab', { limit: 5 })).map((m) => m.content)).toEqual([
      text(secret),
      { kind: 'reply', text: secret, reference: 'in' },
    ]);

    const needle = new TextEncoder().encode('eagle');
    let scanned = 0;
    for (const store of ['conversations', 'messages', 'outbox', 'cursors', 'bundles']) {
      for (const leaf of leaves(await rawAll(factory, store))) {
        scanned++;
        if (typeof leaf === 'string') expect(leaf).not.toContain('eagle');
        else expect(containsBytes(leaf, needle)).toBe(false);
      }
    }
    expect(scanned).toBeGreaterThan(10);
    const [stored] = await rawAll(factory, 'messages');
    expect(Object.keys(stored as object).sort()).toEqual([
      'account',
      'direction',
      'id',
      'sealedContent',
      'sender',
      'sentAt',
      'status',
      'topic',
    ]);
  });

  it('shows content it cannot open as unreadable instead of failing the list', async () => {
    const factory = new IDBFactory();
    const first = await openTestDb(factory);
    await first.db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await first.db.addIncomingMessage(message({ id: 'm1', topic: 'topic-ab', sentAt: T0 + 1 }));
    first.db.close();
    // Reopened with another key (e.g. a different wallet's data left behind).
    const { db } = await openTestDb(factory, { sealer: createAesGcmSealer(new Uint8Array(32).fill(1)) });
    const unreadable = { kind: 'unsupported', contentType: 'unreadable', fallback: null };
    expect((await db.getMessages(ALICE, 'topic-ab', { limit: 5 }))[0]?.content).toEqual(unreadable);
    expect((await db.listConversations(ALICE))[0]?.lastMessage?.content).toEqual(unreadable);
  });
});

describe('MessageDb corrupted records', () => {
  async function seeded() {
    const factory = new IDBFactory();
    const { db } = await openTestDb(factory);
    await db.upsertConversation(conversation(ALICE, BOB, 'topic-ab'));
    await db.upsertConversation(conversation(ALICE, CAROL, 'topic-ac'));
    await db.addIncomingMessage(message({ id: 'good', topic: 'topic-ab', sentAt: T0 + 1 }));
    await db.addIncomingMessage(message({ id: 'garbled', topic: 'topic-ab', sentAt: T0 + 2 }));
    await db.addIncomingMessage(message({ id: 'broken', topic: 'topic-ab', sentAt: T0 + 3 }));
    await db.addIncomingMessage(message({ id: 'c1', topic: 'topic-ac', sender: CAROL, sentAt: T0 + 4 }));
    const messages = (await rawAll(factory, 'messages')) as Record<string, unknown>[];
    const row = (id: string) => messages.find((m) => m.id === id)!;
    await rawPut(factory, 'messages', { ...row('garbled'), sealedContent: new Uint8Array(40).fill(3) });
    await rawPut(factory, 'messages', { ...row('broken'), status: 'exploded' });
    const conversations = (await rawAll(factory, 'conversations')) as Record<string, unknown>[];
    const ac = conversations.find((c) => c.topic === 'topic-ac')!;
    await rawPut(factory, 'conversations', { ...ac, unread: 'lots', peer: 'not an address' });
    return { db, factory };
  }

  it('skips corrupt rows in lists, shows garbled content as unreadable, and throws typed errors on lookups', async () => {
    const { db } = await seeded();
    const page = await db.getMessages(ALICE, 'topic-ab', { limit: 10 });
    expect(page.map((m) => [m.id, m.content.kind])).toEqual([
      ['good', 'text'],
      ['garbled', 'unsupported'],
    ]);
    expect(page[1]?.content).toEqual({ kind: 'unsupported', contentType: 'unreadable', fallback: null });
    await expect(db.getMessage(ALICE, 'broken')).rejects.toThrow(CorruptRecordError);
    await expect(db.getMessage(ALICE, 'broken')).rejects.toThrow('Corrupt record in "messages": "status"');

    const list = await db.listConversations(ALICE);
    expect(list.map((c) => c.topic)).toEqual(['topic-ab']);
    // The last message ('broken') is corrupt: the conversation is still listed, without it.
    expect(list[0]?.lastMessage).toBeNull();
    expect(await db.totalUnread(ALICE)).toBe(3);
    await expect(db.getConversation(ALICE, 'topic-ac')).rejects.toThrow(CorruptRecordError);
    await expect(
      db.addIncomingMessage(message({ id: 'c2', topic: 'topic-ac', sender: CAROL, sentAt: T0 + 9 })),
    ).rejects.toThrow(CorruptRecordError);
    expect(await db.getMessage(ALICE, 'c2')).toBeNull();
  });

  it('replaces a corrupt conversation on upsert', async () => {
    const { db } = await seeded();
    const repaired = await db.upsertConversation(conversation(ALICE, CAROL, 'topic-ac'));
    expect(repaired).toMatchObject({ unread: 0, peer: CAROL });
    expect((await db.listConversations(ALICE)).map((c) => c.topic)).toContain('topic-ac');
  });

  it('skips corrupt outbox items and treats corrupt cache entries as absent', async () => {
    const factory = new IDBFactory();
    const { db } = await openTestDb(factory);
    await db.enqueue({
      id: 'ok',
      account: ALICE,
      kind: 'contact',
      topic: 'contact-topic',
      envelope: new Uint8Array([1]),
    });
    await rawPut(factory, 'outbox', { id: 'bad', nextAttemptAt: T0 - 1, envelope: 'not bytes' });
    await rawPut(factory, 'cursors', { topic: 't', cursor: 'not bytes', updatedAt: T0 });
    await rawPut(factory, 'bundles', { address: BOB.toLowerCase(), bundle: [1, 2], fetchedAt: T0 });
    expect((await db.dueOutbox(T0, 10)).map((i) => i.id)).toEqual(['ok']);
    expect(await db.nextOutboxTime()).toBe(T0);
    expect(await db.getCursor('t')).toBeNull();
    expect(await db.getBundle(BOB)).toBeNull();
    await expect(db.completeOutbox('bad')).rejects.toThrow(CorruptRecordError);
  });
});

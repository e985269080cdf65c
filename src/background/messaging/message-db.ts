/**
 * The messenger's persistent store in IndexedDB: conversations, messages, the outbox of
 * envelopes waiting to be published, relay cursors and fetched contact bundles.
 *
 * Message content is sealed (`Sealer`) before it is written; everything else is metadata
 * kept in clear so the badge and unread counts work while content stays unreadable without
 * the key. Outbox envelopes are end-to-end encrypted already; conversations keep the peer's
 * public bundle and the sealed invitation (encrypted to the participants' identity keys), so
 * no key is stored in clear. Record layout and checks: `message-db-schema.ts`.
 */
import type { Address } from 'viem';
import type { Sealer } from './aes-gcm-sealer';
import { openDatabase, request, scan, withTransaction } from './message-db-idb';
import {
  addressArg,
  type BundleRecord,
  bytesArg,
  type ConversationInput,
  ConversationNotFoundError,
  type ConversationRecord,
  canAdvance,
  conversationInput,
  DB_VERSION,
  displayContentSchema,
  type EnqueueInput,
  enqueueInput,
  INDEX,
  limitArg,
  MessageDbError,
  type MessageInput,
  type MessageRecord,
  messageInput,
  type OutboxItem,
  parseArg,
  parseStored,
  STORE,
  statusArg,
  storedBundle,
  storedConversation,
  storedCursor,
  storedMessage,
  storedOutboxItem,
  textArg,
  timeArg,
  tryParseStored,
  upgradeSchema,
} from './message-db-schema';
import type { ConversationView, DisplayContent, MessageStatus, MessageView } from './message-views';

export {
  type BundleRecord,
  type ConversationInput,
  ConversationNotFoundError,
  type ConversationRecord,
  CorruptRecordError,
  type EnqueueInput,
  MessageDbError,
  type MessageInput,
  type OutboxItem,
  type OutboxKind,
} from './message-db-schema';

export const DEFAULT_MESSAGE_DB_NAME = 'cairn-messages';

/** Shown for a stored message whose content cannot be opened or decoded. */
export const UNREADABLE_CONTENT_TYPE = 'unreadable';

function unreadable(): DisplayContent {
  return { kind: 'unsupported', contentType: UNREADABLE_CONTENT_TYPE, fallback: null };
}

export interface MessageDbOptions {
  /** `indexedDB` in the extension; a fake-indexeddb `IDBFactory` in tests. */
  factory: IDBFactory;
  /** Database name; `DEFAULT_MESSAGE_DB_NAME` by default. */
  name?: string;
  /** Seals message content at rest. */
  sealer: Sealer;
  /** Clock for outbox and cursor times, ms since the epoch; `Date.now` by default. */
  now?: () => number;
}

/** The outbox part of a queued outgoing message. */
export interface QueueOutgoingOutbox {
  /** The encoded message-API `Envelope` to publish on the message's topic. */
  envelope: Uint8Array;
  /** The outbox item's id; the message id by default. */
  id?: string;
}

export interface GetMessagesOptions {
  /** Only messages with `sentAt` strictly below this; all when undefined. */
  before?: number;
  limit: number;
}

const ALL_STORES = Object.values(STORE);
const { conversations: CONVERSATIONS, messages: MESSAGES, outbox: OUTBOX } = STORE;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export class MessageDb {
  readonly #db: IDBDatabase;
  readonly #factory: IDBFactory;
  readonly #sealer: Sealer;
  readonly #now: () => number;

  private constructor(db: IDBDatabase, options: MessageDbOptions) {
    this.#db = db;
    this.#factory = options.factory;
    this.#sealer = options.sealer;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Opens (creating or upgrading) the database.
   *
   * @example
   * const db = await MessageDb.open({ factory: indexedDB, sealer: createAesGcmSealer(key) });
   */
  static async open(options: MessageDbOptions): Promise<MessageDb> {
    const db = await openDatabase(
      options.factory,
      options.name ?? DEFAULT_MESSAGE_DB_NAME,
      DB_VERSION,
      upgradeSchema,
    );
    return new MessageDb(db, options);
  }

  close(): void {
    this.#db.close();
  }

  // -- Conversations -------------------------------------------------------------------------

  /**
   * Writes a conversation. Fields left out (`lastActivityAt`, `unread`, `lastMessageId`) keep
   * their stored values, or start at `createdAt`, 0 and null. A corrupt stored record is replaced.
   * @throws MessageDbError when the peer differs from the stored one, or another topic already has this peer.
   */
  async upsertConversation(input: ConversationInput): Promise<ConversationRecord> {
    const fields = parseArg(conversationInput, input, 'conversation');
    return withTransaction(this.#db, [CONVERSATIONS], 'readwrite', async (tx) => {
      const store = tx.objectStore(CONVERSATIONS);
      const existing = tryParseStored(
        storedConversation,
        await request(store.get([fields.account, fields.topic])),
      );
      if (existing && existing.peer !== fields.peer) {
        throw new MessageDbError(
          `"conversation.peer" differs from the stored peer of topic "${fields.topic}"`,
        );
      }
      const record: ConversationRecord = {
        account: fields.account,
        topic: fields.topic,
        peer: fields.peer,
        peerBundle: fields.peerBundle,
        invitation: fields.invitation,
        invitationTimestampNs: fields.invitationTimestampNs,
        createdAt: fields.createdAt,
        lastActivityAt: fields.lastActivityAt ?? existing?.lastActivityAt ?? fields.createdAt,
        unread: fields.unread ?? existing?.unread ?? 0,
        lastMessageId:
          fields.lastMessageId !== undefined ? fields.lastMessageId : (existing?.lastMessageId ?? null),
      };
      try {
        await request(store.put(record));
      } catch (cause) {
        if (cause instanceof DOMException && cause.name === 'ConstraintError') {
          throw new MessageDbError(`Another conversation of this account already has peer ${fields.peer}`, {
            cause,
          });
        }
        throw cause;
      }
      return record;
    });
  }

  /**
   * The peer's keys changed and so did the deterministic topic: in one transaction, the
   * conversation record moves from `fromTopic` to `input.topic` (unread, last message and
   * activity carried over) and its messages follow, so the history stays one conversation.
   */
  async moveConversation(fromTopic: string, input: ConversationInput): Promise<ConversationRecord> {
    const fields = parseArg(conversationInput, input, 'conversation');
    const from = parseArg(textArg, fromTopic, 'fromTopic');
    return withTransaction(this.#db, [CONVERSATIONS, MESSAGES], 'readwrite', async (tx) => {
      const conversations = tx.objectStore(CONVERSATIONS);
      const old = tryParseStored(
        storedConversation,
        await request(conversations.get([fields.account, from])),
      );
      if (old && old.peer !== fields.peer) {
        throw new MessageDbError(`"conversation.peer" differs from the stored peer of topic "${from}"`);
      }
      const record: ConversationRecord = {
        account: fields.account,
        topic: fields.topic,
        peer: fields.peer,
        peerBundle: fields.peerBundle,
        invitation: fields.invitation,
        invitationTimestampNs: fields.invitationTimestampNs,
        createdAt: old?.createdAt ?? fields.createdAt,
        lastActivityAt: Math.max(old?.lastActivityAt ?? 0, fields.lastActivityAt ?? fields.createdAt),
        unread: (old?.unread ?? 0) + (fields.unread ?? 0),
        lastMessageId: old?.lastMessageId ?? fields.lastMessageId ?? null,
      };
      await request(conversations.delete([fields.account, from]));
      await request(conversations.put(record));
      const messages = tx.objectStore(MESSAGES);
      const moved: MessageRecord[] = [];
      await scan(
        this.#factory,
        messages.index(INDEX.byTopic),
        {
          lower: [fields.account, from],
          upper: [fields.account, from, Number.MAX_SAFE_INTEGER],
          upperInclusive: true,
        },
        'next',
        (value) => {
          const message = tryParseStored(storedMessage, value);
          if (message) moved.push(message);
          return true;
        },
      );
      await Promise.all(moved.map((message) => request(messages.put({ ...message, topic: fields.topic }))));
      return record;
    });
  }

  /** @throws CorruptRecordError */
  async getConversation(account: Address, topic: string): Promise<ConversationRecord | null> {
    const key = [parseArg(addressArg, account, 'account'), parseArg(textArg, topic, 'topic')];
    const raw = await withTransaction(this.#db, [CONVERSATIONS], 'readonly', (tx) =>
      request(tx.objectStore(CONVERSATIONS).get(key)),
    );
    return raw === undefined ? null : parseStored(storedConversation, raw, CONVERSATIONS);
  }

  /** The conversation of `account` with `peer` (any letter case). @throws CorruptRecordError */
  async getConversationByPeer(account: Address, peer: Address): Promise<ConversationRecord | null> {
    const key = [parseArg(addressArg, account, 'account'), parseArg(addressArg, peer, 'peer')];
    const raw = await withTransaction(this.#db, [CONVERSATIONS], 'readonly', (tx) =>
      request(tx.objectStore(CONVERSATIONS).index(INDEX.byPeer).get(key)),
    );
    return raw === undefined ? null : parseStored(storedConversation, raw, CONVERSATIONS);
  }

  /** The account's conversations, most recent activity first, each with its last message. Corrupt rows are skipped. */
  async listConversations(account: Address): Promise<ConversationView[]> {
    const owner = parseArg(addressArg, account, 'account');
    const rows = await withTransaction(this.#db, [CONVERSATIONS, MESSAGES], 'readonly', async (tx) => {
      const found = await this.#conversationsOf(tx, owner);
      const messages = tx.objectStore(MESSAGES);
      return Promise.all(
        found.map(async (conversation) => ({
          conversation,
          last:
            conversation.lastMessageId === null
              ? undefined
              : tryParseStored(
                  storedMessage,
                  await request(messages.get([owner, conversation.lastMessageId])),
                ),
        })),
      );
    });
    rows.sort(
      (a, b) =>
        b.conversation.lastActivityAt - a.conversation.lastActivityAt ||
        compareStrings(a.conversation.topic, b.conversation.topic),
    );
    return Promise.all(
      rows.map(async ({ conversation, last }) => ({
        topic: conversation.topic,
        account: conversation.account,
        peer: conversation.peer,
        createdAt: conversation.createdAt,
        lastMessage: last ? await this.#toView(last) : null,
        unread: conversation.unread,
      })),
    );
  }

  /** Sets the conversation's unread count to 0; false when there is no such conversation. */
  async markRead(account: Address, topic: string): Promise<boolean> {
    const key = [parseArg(addressArg, account, 'account'), parseArg(textArg, topic, 'topic')];
    return withTransaction(this.#db, [CONVERSATIONS], 'readwrite', async (tx) => {
      const store = tx.objectStore(CONVERSATIONS);
      const raw = await request(store.get(key));
      if (raw === undefined) return false;
      const conversation = parseStored(storedConversation, raw, CONVERSATIONS);
      if (conversation.unread !== 0) await request(store.put({ ...conversation, unread: 0 }));
      return true;
    });
  }

  /** Unread messages over the account's conversations, or over every account's when undefined (the badge). */
  async totalUnread(account?: Address): Promise<number> {
    const owner = account === undefined ? undefined : parseArg(addressArg, account, 'account');
    const found = await withTransaction(this.#db, [CONVERSATIONS], 'readonly', (tx) =>
      this.#conversationsOf(tx, owner),
    );
    return found.reduce((sum, conversation) => sum + conversation.unread, 0);
  }

  // -- Messages ------------------------------------------------------------------------------

  /**
   * Stores a message read from the network, once: `false` when `[account, id]` is already
   * stored (nothing changes). Bumps the conversation's activity, last message and, unless the
   * account sent it itself, its unread count. The account's own messages (read back from a
   * relay) are stored as outgoing and `sent`; others as incoming and `delivered`.
   * @throws ConversationNotFoundError
   */
  async addIncomingMessage(row: MessageInput): Promise<boolean> {
    const message = parseArg(messageInput, row, 'message');
    const own = message.sender === message.account;
    const record: MessageRecord = {
      account: message.account,
      id: message.id,
      topic: message.topic,
      sender: message.sender,
      direction: own ? 'out' : 'in',
      sentAt: message.sentAt,
      status: own ? 'sent' : 'delivered',
      sealedContent: await this.#seal(message.content),
    };
    return withTransaction(this.#db, [CONVERSATIONS, MESSAGES], 'readwrite', async (tx) => {
      if ((await request(tx.objectStore(MESSAGES).getKey([record.account, record.id]))) !== undefined)
        return false;
      await this.#addToConversation(tx, record, own ? 0 : 1);
      return true;
    });
  }

  /**
   * Stores an outgoing message as `queued` together with its outbox item (published on the
   * message's topic, due now), in one transaction. `false` when the message is already stored
   * (nothing changes).
   * @throws ConversationNotFoundError
   */
  async queueOutgoingMessage(row: MessageInput, outbox: QueueOutgoingOutbox): Promise<boolean> {
    const message = parseArg(messageInput, row, 'message');
    const envelope = parseArg(bytesArg, outbox?.envelope, 'outbox.envelope');
    const itemId = outbox.id === undefined ? message.id : parseArg(textArg, outbox.id, 'outbox.id');
    if (message.sender !== message.account) throw new MessageDbError('"message.sender" must be the account');
    const record: MessageRecord = {
      account: message.account,
      id: message.id,
      topic: message.topic,
      sender: message.sender,
      direction: 'out',
      sentAt: message.sentAt,
      status: 'queued',
      sealedContent: await this.#seal(message.content),
    };
    const now = this.#now();
    const item: OutboxItem = {
      id: itemId,
      account: message.account,
      kind: 'message',
      topic: message.topic,
      envelope,
      messageId: message.id,
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      lastError: null,
    };
    return withTransaction(this.#db, [CONVERSATIONS, MESSAGES, OUTBOX], 'readwrite', async (tx) => {
      if ((await request(tx.objectStore(MESSAGES).getKey([record.account, record.id]))) !== undefined)
        return false;
      await this.#addToConversation(tx, record, 0);
      await request(tx.objectStore(OUTBOX).put(item));
      return true;
    });
  }

  /** The message, or null. @throws CorruptRecordError */
  /** Whether the message is stored, without opening its content (a cheap dedupe check). */
  async hasMessage(account: Address, id: string): Promise<boolean> {
    const key = [parseArg(addressArg, account, 'account'), parseArg(textArg, id, 'id')];
    const found = await withTransaction(this.#db, [MESSAGES], 'readonly', (tx) =>
      request(tx.objectStore(MESSAGES).getKey(key)),
    );
    return found !== undefined;
  }

  async getMessage(account: Address, id: string): Promise<MessageView | null> {
    const key = [parseArg(addressArg, account, 'account'), parseArg(textArg, id, 'id')];
    const raw = await withTransaction(this.#db, [MESSAGES], 'readonly', (tx) =>
      request(tx.objectStore(MESSAGES).get(key)),
    );
    return raw === undefined ? null : this.#toView(parseStored(storedMessage, raw, MESSAGES));
  }

  /**
   * The newest `limit` messages of the conversation sent strictly before `before` (all when
   * undefined), oldest first. Page back with `before` = the first message's `sentAt`.
   * Corrupt rows are skipped.
   */
  async getMessages(account: Address, topic: string, options: GetMessagesOptions): Promise<MessageView[]> {
    const owner = parseArg(addressArg, account, 'account');
    const conversationTopic = parseArg(textArg, topic, 'topic');
    const limit = parseArg(limitArg, options?.limit, 'limit');
    const before = options?.before === undefined ? Infinity : parseArg(timeArg, options.before, 'before');
    const rows: MessageRecord[] = [];
    await withTransaction(this.#db, [MESSAGES], 'readonly', (tx) =>
      scan(
        this.#factory,
        tx.objectStore(MESSAGES).index(INDEX.byTopic),
        { lower: [owner, conversationTopic], upper: [owner, conversationTopic, before] },
        'prev',
        (value) => {
          const record = tryParseStored(storedMessage, value);
          if (record) rows.push(record);
          return rows.length < limit;
        },
      ),
    );
    rows.reverse();
    return Promise.all(rows.map((record) => this.#toView(record)));
  }

  /**
   * A read receipt from the peer: the account's `sent` messages of the conversation sent at or
   * before `untilMs` become `delivered`. Returns how many changed.
   */
  async markDelivered(account: Address, topic: string, untilMs: number): Promise<number> {
    const owner = parseArg(addressArg, account, 'account');
    const conversationTopic = parseArg(textArg, topic, 'topic');
    const until = parseArg(timeArg, untilMs, 'untilMs');
    return withTransaction(this.#db, [MESSAGES], 'readwrite', async (tx) => {
      const messages = tx.objectStore(MESSAGES);
      const reached: MessageRecord[] = [];
      await scan(
        this.#factory,
        messages.index(INDEX.byTopic),
        { lower: [owner, conversationTopic], upper: [owner, conversationTopic, until], upperInclusive: true },
        'next',
        (value) => {
          const record = tryParseStored(storedMessage, value);
          if (record?.direction === 'out' && record.status === 'sent') reached.push(record);
          return true;
        },
      );
      await Promise.all(reached.map((record) => request(messages.put({ ...record, status: 'delivered' }))));
      return reached.length;
    });
  }

  /** Moves the message's status forward (see `canAdvance`); the updated message, or null when unchanged or absent. */
  async setMessageStatus(account: Address, id: string, status: MessageStatus): Promise<MessageView | null> {
    const owner = parseArg(addressArg, account, 'account');
    const messageId = parseArg(textArg, id, 'id');
    const next = parseArg(statusArg, status, 'status');
    const updated = await withTransaction(this.#db, [MESSAGES], 'readwrite', (tx) =>
      this.#advance(tx, owner, messageId, next),
    );
    return updated ? this.#toView(updated) : null;
  }

  // -- Outbox --------------------------------------------------------------------------------

  /** Queues an `invitation`, `contact` or `receipt` envelope (no message row), due now; `false` when the id is already queued. */
  async enqueue(input: EnqueueInput): Promise<boolean> {
    const fields = parseArg(enqueueInput, input, 'item');
    const now = this.#now();
    const item: OutboxItem = {
      ...fields,
      messageId: null,
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      lastError: null,
    };
    return withTransaction(this.#db, [OUTBOX], 'readwrite', async (tx) => {
      const store = tx.objectStore(OUTBOX);
      if ((await request(store.getKey(item.id))) !== undefined) return false;
      await request(store.add(item));
      return true;
    });
  }

  /** Up to `limit` items due at `now`, oldest first. Corrupt items are skipped. */
  async dueOutbox(now: number, limit: number): Promise<OutboxItem[]> {
    const at = parseArg(timeArg, now, 'now');
    const max = parseArg(limitArg, limit, 'limit');
    const due: OutboxItem[] = [];
    await withTransaction(this.#db, [OUTBOX], 'readonly', (tx) =>
      scan(
        this.#factory,
        tx.objectStore(OUTBOX).index(INDEX.byNextAttempt),
        { upper: at, upperInclusive: true },
        'next',
        (value) => {
          const item = tryParseStored(storedOutboxItem, value);
          if (item) due.push(item);
          return true;
        },
      ),
    );
    due.sort((a, b) => a.createdAt - b.createdAt || compareStrings(a.id, b.id));
    return due.slice(0, max);
  }

  /** When the next item falls due (ms since the epoch), or null when the outbox is empty. */
  async nextOutboxTime(): Promise<number | null> {
    let next: number | null = null;
    await withTransaction(this.#db, [OUTBOX], 'readonly', (tx) =>
      scan(this.#factory, tx.objectStore(OUTBOX).index(INDEX.byNextAttempt), {}, 'next', (value) => {
        const item = tryParseStored(storedOutboxItem, value);
        if (item) next = item.nextAttemptAt;
        return item === undefined;
      }),
    );
    return next;
  }

  async outboxSize(): Promise<number> {
    return withTransaction(this.#db, [OUTBOX], 'readonly', (tx) => request(tx.objectStore(OUTBOX).count()));
  }

  /** Records a failed attempt: `attempts + 1`, the error, and when to try again. False when the item is gone. */
  async rescheduleOutbox(id: string, nextAttemptAt: number, error: string): Promise<boolean> {
    const itemId = parseArg(textArg, id, 'id');
    const at = parseArg(timeArg, nextAttemptAt, 'nextAttemptAt');
    if (typeof error !== 'string') throw new MessageDbError('"error" must be a string');
    return withTransaction(this.#db, [OUTBOX], 'readwrite', async (tx) => {
      const store = tx.objectStore(OUTBOX);
      const raw = await request(store.get(itemId));
      if (raw === undefined) return false;
      const item = parseStored(storedOutboxItem, raw, OUTBOX);
      await request(store.put({ ...item, attempts: item.attempts + 1, nextAttemptAt: at, lastError: error }));
      return true;
    });
  }

  /** The item was published: removes it and moves its message to `sent`. Returns the message when its status changed. */
  async completeOutbox(id: string): Promise<MessageView | null> {
    return this.#finishOutbox(id, 'sent');
  }

  /**
   * The item can never be published (a relay refused it): removes it and marks its queued
   * message `failed`, keeping `error` on the message row. Returns the message when its status changed.
   */
  async failOutbox(id: string, error: string): Promise<MessageView | null> {
    if (typeof error !== 'string') throw new MessageDbError('"error" must be a string');
    return this.#finishOutbox(id, 'failed', error);
  }

  // -- Relay cursors and contact bundles ------------------------------------------------------

  /** The relay cursor stored for a content topic; null when absent or corrupt (history is re-read, and deduplicated). */
  async getCursor(topic: string): Promise<Uint8Array | null> {
    const key = parseArg(textArg, topic, 'topic');
    const raw = await withTransaction(this.#db, [STORE.cursors], 'readonly', (tx) =>
      request(tx.objectStore(STORE.cursors).get(key)),
    );
    return tryParseStored(storedCursor, raw)?.cursor ?? null;
  }

  async setCursor(topic: string, cursor: Uint8Array): Promise<void> {
    const record = {
      topic: parseArg(textArg, topic, 'topic'),
      cursor: parseArg(bytesArg, cursor, 'cursor'),
      updatedAt: this.#now(),
    };
    await withTransaction(this.#db, [STORE.cursors], 'readwrite', (tx) =>
      request(tx.objectStore(STORE.cursors).put(record)),
    );
  }

  /** The cached contact bundle of `address` (any letter case); null when absent or corrupt (fetch it again). */
  async getBundle(address: Address): Promise<BundleRecord | null> {
    const key = lowerCase(parseArg(addressArg, address, 'address'));
    const raw = await withTransaction(this.#db, [STORE.bundles], 'readonly', (tx) =>
      request(tx.objectStore(STORE.bundles).get(key)),
    );
    return tryParseStored(storedBundle, raw) ?? null;
  }

  async putBundle(address: Address, bundle: Uint8Array, fetchedAt: number): Promise<void> {
    const record: BundleRecord = {
      address: lowerCase(parseArg(addressArg, address, 'address')),
      bundle: parseArg(bytesArg, bundle, 'bundle'),
      fetchedAt: parseArg(timeArg, fetchedAt, 'fetchedAt'),
    };
    await withTransaction(this.#db, [STORE.bundles], 'readwrite', (tx) =>
      request(tx.objectStore(STORE.bundles).put(record)),
    );
  }

  /** Deletes every record of every store (wallet reset). */
  async clear(): Promise<void> {
    await withTransaction(this.#db, ALL_STORES, 'readwrite', async (tx) => {
      await Promise.all(ALL_STORES.map((name) => request(tx.objectStore(name).clear())));
    });
  }

  // -- Internals -----------------------------------------------------------------------------

  /** Valid conversations of `account` (every account's when undefined), in key order. */
  async #conversationsOf(tx: IDBTransaction, account: Address | undefined): Promise<ConversationRecord[]> {
    const found: ConversationRecord[] = [];
    const range = account === undefined ? {} : { lower: [account], upper: [account, []] };
    await scan(this.#factory, tx.objectStore(CONVERSATIONS), range, 'next', (value) => {
      const conversation = tryParseStored(storedConversation, value);
      if (conversation) found.push(conversation);
      return true;
    });
    return found;
  }

  /** Adds `record` and updates its conversation; the caller checked it is new. */
  async #addToConversation(tx: IDBTransaction, record: MessageRecord, unreadDelta: number): Promise<void> {
    const conversations = tx.objectStore(CONVERSATIONS);
    const messages = tx.objectStore(MESSAGES);
    const raw = await request(conversations.get([record.account, record.topic]));
    if (raw === undefined) throw new ConversationNotFoundError(record.topic);
    const conversation = parseStored(storedConversation, raw, CONVERSATIONS);
    const last =
      conversation.lastMessageId === null
        ? undefined
        : tryParseStored(
            storedMessage,
            await request(messages.get([record.account, conversation.lastMessageId])),
          );
    // Same order as `getMessages`: by sentAt, then by id.
    const newest =
      !last ||
      record.sentAt > last.sentAt ||
      (record.sentAt === last.sentAt && compareStrings(record.id, last.id) > 0);
    await request(messages.add(record));
    await request(
      conversations.put({
        ...conversation,
        lastActivityAt: Math.max(conversation.lastActivityAt, record.sentAt),
        unread: conversation.unread + unreadDelta,
        lastMessageId: newest ? record.id : conversation.lastMessageId,
      } satisfies ConversationRecord),
    );
  }

  /** Moves a stored message's status forward; the updated record, or null when absent or not allowed. */
  async #advance(
    tx: IDBTransaction,
    account: Address,
    id: string,
    status: MessageStatus,
    error?: string,
  ): Promise<MessageRecord | null> {
    const messages = tx.objectStore(MESSAGES);
    const raw = await request(messages.get([account, id]));
    if (raw === undefined) return null;
    const record = parseStored(storedMessage, raw, MESSAGES);
    if (!canAdvance(record.status, status)) return null;
    const updated: MessageRecord = error === undefined ? { ...record, status } : { ...record, status, error };
    await request(messages.put(updated));
    return updated;
  }

  async #finishOutbox(id: string, status: 'sent' | 'failed', error?: string): Promise<MessageView | null> {
    const itemId = parseArg(textArg, id, 'id');
    const updated = await withTransaction(this.#db, [OUTBOX, MESSAGES], 'readwrite', async (tx) => {
      const outbox = tx.objectStore(OUTBOX);
      const raw = await request(outbox.get(itemId));
      if (raw === undefined) return null;
      const item = parseStored(storedOutboxItem, raw, OUTBOX);
      await request(outbox.delete(itemId));
      return item.messageId === null ? null : this.#advance(tx, item.account, item.messageId, status, error);
    });
    return updated ? this.#toView(updated) : null;
  }

  async #seal(content: DisplayContent): Promise<Uint8Array> {
    return this.#sealer.seal(new TextEncoder().encode(JSON.stringify(content)));
  }

  /** The record as the UI sees it; content that fails to open or decode shows as unsupported `UNREADABLE_CONTENT_TYPE`. */
  async #toView(record: MessageRecord): Promise<MessageView> {
    return {
      id: record.id,
      topic: record.topic,
      sender: record.sender,
      direction: record.direction,
      content: await this.#openContent(record.sealedContent),
      sentAt: record.sentAt,
      status: record.status,
    };
  }

  async #openContent(sealed: Uint8Array): Promise<DisplayContent> {
    let decoded: unknown;
    try {
      decoded = JSON.parse(utf8Decoder.decode(await this.#sealer.open(sealed)));
    } catch {
      return unreadable();
    }
    return tryParseStored(displayContentSchema, decoded) ?? unreadable();
  }
}

function lowerCase(address: Address): Address {
  return `0x${address.slice(2).toLowerCase()}`;
}

/** Code-unit order, as IndexedDB orders string keys. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

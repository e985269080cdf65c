/**
 * The messenger's persistent store in IndexedDB: conversations, messages, the outbox of
 * envelopes waiting to be published, relay cursors and fetched contact bundles.
 *
 * Message content is sealed (`Sealer`) before it is written; everything else is metadata
 * kept in clear so the badge and unread counts work while content stays unreadable without
 * the key. Outbox envelopes are end-to-end encrypted already; conversations keep the peer's
 * public bundle and the sealed invitation (encrypted to the participants' identity keys), so
 * no key is stored in clear. Layout and checks: `message-db-schema.ts`; operations: `message-db-*.ts`.
 */
import type { Address } from 'viem';
import type { Sealer } from './aes-gcm-sealer';
import { getBundle, getCursor, putBundle, setCursor } from './message-db-cache';
import { sealContent, toMessageView } from './message-db-content';
import {
  getConversation,
  getConversationByPeer,
  listConversations,
  markRead,
  moveConversation,
  totalUnread,
  upsertConversation,
} from './message-db-conversations';
import { openDatabase, request, withTransaction } from './message-db-idb';
import { keyChangesOf, putKeyChange } from './message-db-key-changes';
import { hasMessage, insertMessage, markDelivered, messagesBefore } from './message-db-messages';
import {
  dueOutbox,
  enqueue,
  finishOutbox,
  nextOutboxTime,
  outboxSize,
  rescheduleOutbox,
} from './message-db-outbox';
import {
  addressArg,
  type BundleRecord,
  bytesArg,
  type ConversationInput,
  type ConversationRecord,
  DB_VERSION,
  type EnqueueInput,
  type KeyChangeRecord,
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
  storedMessage,
  textArg,
  timeArg,
  upgradeSchema,
} from './message-db-schema';
import { advanceMessage, type MessageDbContext } from './message-db-shared';
import type { ConversationView, DisplayContent, MessageStatus, MessageView } from './message-views';

export { UNREADABLE_CONTENT_TYPE } from './message-db-content';
export {
  type BundleRecord,
  type ConversationInput,
  ConversationNotFoundError,
  type ConversationRecord,
  CorruptRecordError,
  type EnqueueInput,
  type KeyChangeRecord,
  type KeyChangeSource,
  MessageDbError,
  type MessageInput,
  type OutboxItem,
  type OutboxKind,
} from './message-db-schema';

export const DEFAULT_MESSAGE_DB_NAME = 'cairn-messages';

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
const { messages: MESSAGES } = STORE;

export class MessageDb {
  readonly #ctx: MessageDbContext;
  readonly #sealer: Sealer;

  private constructor(db: IDBDatabase, options: MessageDbOptions) {
    this.#ctx = { db, factory: options.factory, now: options.now ?? Date.now };
    this.#sealer = options.sealer;
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
    this.#ctx.db.close();
  }

  // -- Conversations -------------------------------------------------------------------------

  /**
   * Writes a conversation. Fields left out (`lastActivityAt`, `unread`, `lastMessageId`) keep
   * their stored values, or start at `createdAt`, 0 and null. A corrupt stored record is replaced.
   * @throws MessageDbError when the peer differs from the stored one, or another topic already has this peer.
   */
  async upsertConversation(input: ConversationInput): Promise<ConversationRecord> {
    return upsertConversation(this.#ctx, input);
  }

  /**
   * The peer's keys changed and so did the deterministic topic: in one transaction, the
   * conversation record moves from `fromTopic` to `input.topic` (unread, last message and
   * activity carried over) and its messages follow, so the history stays one conversation.
   */
  async moveConversation(fromTopic: string, input: ConversationInput): Promise<ConversationRecord> {
    return moveConversation(this.#ctx, fromTopic, input);
  }

  /** @throws CorruptRecordError */
  async getConversation(account: Address, topic: string): Promise<ConversationRecord | null> {
    return getConversation(this.#ctx, account, topic);
  }

  /** The conversation of `account` with `peer` (any letter case). @throws CorruptRecordError */
  async getConversationByPeer(account: Address, peer: Address): Promise<ConversationRecord | null> {
    return getConversationByPeer(this.#ctx, account, peer);
  }

  /** The account's conversations, most recent activity first, each with its last message. Corrupt rows are skipped. */
  async listConversations(account: Address): Promise<ConversationView[]> {
    return listConversations(this.#ctx, account, (record) => this.#toView(record));
  }

  /** Sets the conversation's unread count to 0; false when there is no such conversation. */
  async markRead(account: Address, topic: string): Promise<boolean> {
    return markRead(this.#ctx, account, topic);
  }

  /** Unread messages over the account's conversations, or over every account's when undefined (the badge). */
  async totalUnread(account?: Address): Promise<number> {
    return totalUnread(this.#ctx, account);
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
    return insertMessage(this.#ctx, record, own ? 0 : 1);
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
    const now = this.#ctx.now();
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
    return insertMessage(this.#ctx, record, 0, item);
  }

  /** Whether the message is stored, without opening its content (a cheap dedupe check). */
  async hasMessage(account: Address, id: string): Promise<boolean> {
    return hasMessage(this.#ctx, account, id);
  }

  /** The message, or null. @throws CorruptRecordError */
  async getMessage(account: Address, id: string): Promise<MessageView | null> {
    const key = [parseArg(addressArg, account, 'account'), parseArg(textArg, id, 'id')];
    const raw = await withTransaction(this.#ctx.db, [MESSAGES], 'readonly', (tx) =>
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
    const rows = await messagesBefore(this.#ctx, owner, conversationTopic, before, limit);
    rows.reverse();
    return Promise.all(rows.map((record) => this.#toView(record)));
  }

  /**
   * A read receipt from the peer: the account's `sent` messages of the conversation sent at or
   * before `untilMs` become `delivered`. Returns how many changed.
   */
  async markDelivered(account: Address, topic: string, untilMs: number): Promise<number> {
    return markDelivered(this.#ctx, account, topic, untilMs);
  }

  /** Moves the message's status forward (see `canAdvance`); the updated message, or null when unchanged or absent. */
  async setMessageStatus(account: Address, id: string, status: MessageStatus): Promise<MessageView | null> {
    const owner = parseArg(addressArg, account, 'account');
    const messageId = parseArg(textArg, id, 'id');
    const next = parseArg(statusArg, status, 'status');
    const updated = await withTransaction(this.#ctx.db, [MESSAGES], 'readwrite', (tx) =>
      advanceMessage(tx, owner, messageId, next),
    );
    return updated ? this.#toView(updated) : null;
  }

  // -- Outbox --------------------------------------------------------------------------------

  /** Queues an `invitation`, `contact` or `receipt` envelope (no message row), due now; `false` when the id is already queued. */
  async enqueue(input: EnqueueInput): Promise<boolean> {
    return enqueue(this.#ctx, input);
  }

  /** Up to `limit` items due at `now`, oldest first. Corrupt items are skipped. */
  async dueOutbox(now: number, limit: number): Promise<OutboxItem[]> {
    return dueOutbox(this.#ctx, now, limit);
  }

  /** When the next item falls due (ms since the epoch), or null when the outbox is empty. */
  async nextOutboxTime(): Promise<number | null> {
    return nextOutboxTime(this.#ctx);
  }

  async outboxSize(): Promise<number> {
    return outboxSize(this.#ctx);
  }

  /** Records a failed attempt: `attempts + 1`, the error, and when to try again. False when the item is gone. */
  async rescheduleOutbox(id: string, nextAttemptAt: number, error: string): Promise<boolean> {
    return rescheduleOutbox(this.#ctx, id, nextAttemptAt, error);
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
    return getCursor(this.#ctx, topic);
  }

  async setCursor(topic: string, cursor: Uint8Array): Promise<void> {
    return setCursor(this.#ctx, topic, cursor);
  }

  /** The cached contact bundle of `address` (any letter case); null when absent or corrupt (fetch it again). */
  async getBundle(address: Address): Promise<BundleRecord | null> {
    return getBundle(this.#ctx, address);
  }

  async putBundle(address: Address, bundle: Uint8Array, fetchedAt: number): Promise<void> {
    return putBundle(this.#ctx, address, bundle, fetchedAt);
  }

  /** Records that `change.peer` moved to a new identity key; false when already recorded. */
  async putKeyChange(change: KeyChangeRecord): Promise<boolean> {
    return putKeyChange(this.#ctx, change);
  }

  /** The peer's key changes, first noticed first. */
  async keyChanges(peer: Address): Promise<KeyChangeRecord[]> {
    return keyChangesOf(this.#ctx, peer);
  }

  /** Deletes every record of every store (wallet reset). */
  async clear(): Promise<void> {
    await withTransaction(this.#ctx.db, ALL_STORES, 'readwrite', async (tx) => {
      await Promise.all(ALL_STORES.map((name) => request(tx.objectStore(name).clear())));
    });
  }

  // -- Internals -----------------------------------------------------------------------------

  async #finishOutbox(id: string, status: 'sent' | 'failed', error?: string): Promise<MessageView | null> {
    const updated = await finishOutbox(this.#ctx, id, status, error);
    return updated ? this.#toView(updated) : null;
  }

  async #seal(content: DisplayContent): Promise<Uint8Array> {
    return sealContent(this.#sealer, content);
  }

  async #toView(record: MessageRecord): Promise<MessageView> {
    return toMessageView(this.#sealer, record);
  }
}

/**
 * Message rows: adding one (with its conversation's activity, last message and unread count,
 * and for an outgoing message its outbox item), paging through a conversation, and receipts.
 */
import type { Address } from 'viem';
import { request, scan, withTransaction } from './message-db-idb';
import {
  addressArg,
  ConversationNotFoundError,
  type ConversationRecord,
  INDEX,
  type MessageRecord,
  type OutboxItem,
  parseArg,
  parseStored,
  STORE,
  storedConversation,
  storedMessage,
  textArg,
  timeArg,
  tryParseStored,
} from './message-db-schema';
import { compareStrings, type MessageDbContext } from './message-db-shared';

const { conversations: CONVERSATIONS, messages: MESSAGES, outbox: OUTBOX } = STORE;

/**
 * Adds `record` to its conversation (adding `unreadDelta` to its unread count) and, when
 * given, `item` to the outbox, in one transaction. `false` when the message is already stored
 * (nothing changes).
 * @throws ConversationNotFoundError
 */
export async function insertMessage(
  ctx: MessageDbContext,
  record: MessageRecord,
  unreadDelta: number,
  item?: OutboxItem,
): Promise<boolean> {
  const stores = item === undefined ? [CONVERSATIONS, MESSAGES] : [CONVERSATIONS, MESSAGES, OUTBOX];
  return withTransaction(ctx.db, stores, 'readwrite', async (tx) => {
    if ((await request(tx.objectStore(MESSAGES).getKey([record.account, record.id]))) !== undefined)
      return false;
    await addToConversation(tx, record, unreadDelta);
    if (item !== undefined) await request(tx.objectStore(OUTBOX).put(item));
    return true;
  });
}

/** Whether the message is stored, without opening its content (a cheap dedupe check). */
export async function hasMessage(ctx: MessageDbContext, account: Address, id: string): Promise<boolean> {
  const key = [parseArg(addressArg, account, 'account'), parseArg(textArg, id, 'id')];
  const found = await withTransaction(ctx.db, [MESSAGES], 'readonly', (tx) =>
    request(tx.objectStore(MESSAGES).getKey(key)),
  );
  return found !== undefined;
}

/** The newest `limit` valid messages of the conversation sent strictly before `before`, newest first. */
export async function messagesBefore(
  ctx: MessageDbContext,
  account: Address,
  topic: string,
  before: number,
  limit: number,
): Promise<MessageRecord[]> {
  const rows: MessageRecord[] = [];
  await withTransaction(ctx.db, [MESSAGES], 'readonly', (tx) =>
    scan(
      ctx.factory,
      tx.objectStore(MESSAGES).index(INDEX.byTopic),
      { lower: [account, topic], upper: [account, topic, before] },
      'prev',
      (value) => {
        const record = tryParseStored(storedMessage, value);
        if (record) rows.push(record);
        return rows.length < limit;
      },
    ),
  );
  return rows;
}

/**
 * A read receipt from the peer: the account's `sent` messages of the conversation sent at or
 * before `untilMs` become `delivered`. Returns how many changed.
 */
export async function markDelivered(
  ctx: MessageDbContext,
  account: Address,
  topic: string,
  untilMs: number,
): Promise<number> {
  const owner = parseArg(addressArg, account, 'account');
  const conversationTopic = parseArg(textArg, topic, 'topic');
  const until = parseArg(timeArg, untilMs, 'untilMs');
  return withTransaction(ctx.db, [MESSAGES], 'readwrite', async (tx) => {
    const messages = tx.objectStore(MESSAGES);
    const reached: MessageRecord[] = [];
    await scan(
      ctx.factory,
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

/** Adds `record` and updates its conversation; the caller checked it is new. */
async function addToConversation(
  tx: IDBTransaction,
  record: MessageRecord,
  unreadDelta: number,
): Promise<void> {
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

/**
 * Conversation records: one per account and topic (and per account and peer), keeping the
 * peer's public bundle, the sealed invitation, activity and the unread count.
 */
import type { Address } from 'viem';
import { request, scan, withTransaction } from './message-db-idb';
import {
  addressArg,
  type ConversationInput,
  type ConversationRecord,
  conversationInput,
  INDEX,
  MessageDbError,
  type MessageRecord,
  parseArg,
  parseStored,
  STORE,
  storedConversation,
  storedMessage,
  textArg,
  tryParseStored,
} from './message-db-schema';
import { compareStrings, type MessageDbContext } from './message-db-shared';
import type { ConversationView, MessageView } from './message-views';

const { conversations: CONVERSATIONS, messages: MESSAGES } = STORE;

/**
 * Writes a conversation. Fields left out (`lastActivityAt`, `unread`, `lastMessageId`) keep
 * their stored values, or start at `createdAt`, 0 and null. A corrupt stored record is replaced.
 * @throws MessageDbError when the peer differs from the stored one, or another topic already has this peer.
 */
export async function upsertConversation(
  ctx: MessageDbContext,
  input: ConversationInput,
): Promise<ConversationRecord> {
  const fields = parseArg(conversationInput, input, 'conversation');
  return withTransaction(ctx.db, [CONVERSATIONS], 'readwrite', async (tx) => {
    const store = tx.objectStore(CONVERSATIONS);
    const existing = await storedWithPeer(store, fields.account, fields.topic, fields.peer);
    const record = withFields(fields, {
      createdAt: fields.createdAt,
      lastActivityAt: fields.lastActivityAt ?? existing?.lastActivityAt ?? fields.createdAt,
      unread: fields.unread ?? existing?.unread ?? 0,
      lastMessageId:
        fields.lastMessageId !== undefined ? fields.lastMessageId : (existing?.lastMessageId ?? null),
    });
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
export async function moveConversation(
  ctx: MessageDbContext,
  fromTopic: string,
  input: ConversationInput,
): Promise<ConversationRecord> {
  const fields = parseArg(conversationInput, input, 'conversation');
  const from = parseArg(textArg, fromTopic, 'fromTopic');
  return withTransaction(ctx.db, [CONVERSATIONS, MESSAGES], 'readwrite', async (tx) => {
    const conversations = tx.objectStore(CONVERSATIONS);
    const old = await storedWithPeer(conversations, fields.account, from, fields.peer);
    const record = withFields(fields, {
      createdAt: old?.createdAt ?? fields.createdAt,
      lastActivityAt: Math.max(old?.lastActivityAt ?? 0, fields.lastActivityAt ?? fields.createdAt),
      unread: (old?.unread ?? 0) + (fields.unread ?? 0),
      lastMessageId: old?.lastMessageId ?? fields.lastMessageId ?? null,
    });
    await request(conversations.delete([fields.account, from]));
    await request(conversations.put(record));
    const messages = tx.objectStore(MESSAGES);
    const moved: MessageRecord[] = [];
    await scan(
      ctx.factory,
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
export async function getConversation(
  ctx: MessageDbContext,
  account: Address,
  topic: string,
): Promise<ConversationRecord | null> {
  const key = [parseArg(addressArg, account, 'account'), parseArg(textArg, topic, 'topic')];
  const raw = await withTransaction(ctx.db, [CONVERSATIONS], 'readonly', (tx) =>
    request(tx.objectStore(CONVERSATIONS).get(key)),
  );
  return raw === undefined ? null : parseStored(storedConversation, raw, CONVERSATIONS);
}

/** The conversation of `account` with `peer` (any letter case). @throws CorruptRecordError */
export async function getConversationByPeer(
  ctx: MessageDbContext,
  account: Address,
  peer: Address,
): Promise<ConversationRecord | null> {
  const key = [parseArg(addressArg, account, 'account'), parseArg(addressArg, peer, 'peer')];
  const raw = await withTransaction(ctx.db, [CONVERSATIONS], 'readonly', (tx) =>
    request(tx.objectStore(CONVERSATIONS).index(INDEX.byPeer).get(key)),
  );
  return raw === undefined ? null : parseStored(storedConversation, raw, CONVERSATIONS);
}

/** Sets the conversation's unread count to 0; false when there is no such conversation. */
export async function markRead(ctx: MessageDbContext, account: Address, topic: string): Promise<boolean> {
  const key = [parseArg(addressArg, account, 'account'), parseArg(textArg, topic, 'topic')];
  return withTransaction(ctx.db, [CONVERSATIONS], 'readwrite', async (tx) => {
    const store = tx.objectStore(CONVERSATIONS);
    const raw = await request(store.get(key));
    if (raw === undefined) return false;
    const conversation = parseStored(storedConversation, raw, CONVERSATIONS);
    if (conversation.unread !== 0) await request(store.put({ ...conversation, unread: 0 }));
    return true;
  });
}

/** Unread messages over the account's conversations, or over every account's when undefined (the badge). */
export async function totalUnread(ctx: MessageDbContext, account?: Address): Promise<number> {
  const owner = account === undefined ? undefined : parseArg(addressArg, account, 'account');
  const found = await withTransaction(ctx.db, [CONVERSATIONS], 'readonly', (tx) =>
    conversationsOf(ctx, tx, owner),
  );
  return found.reduce((sum, conversation) => sum + conversation.unread, 0);
}

/** Valid conversations of `account` (every account's when undefined), in key order. */
export async function conversationsOf(
  ctx: MessageDbContext,
  tx: IDBTransaction,
  account: Address | undefined,
): Promise<ConversationRecord[]> {
  const found: ConversationRecord[] = [];
  const range = account === undefined ? {} : { lower: [account], upper: [account, []] };
  await scan(ctx.factory, tx.objectStore(CONVERSATIONS), range, 'next', (value) => {
    const conversation = tryParseStored(storedConversation, value);
    if (conversation) found.push(conversation);
    return true;
  });
  return found;
}

/**
 * The stored conversation of `account` on `topic` (undefined when absent or corrupt).
 * @throws MessageDbError when it has a peer other than `peer`.
 */
async function storedWithPeer(
  store: IDBObjectStore,
  account: Address,
  topic: string,
  peer: Address,
): Promise<ConversationRecord | undefined> {
  const existing = tryParseStored(storedConversation, await request(store.get([account, topic])));
  if (existing && existing.peer !== peer) {
    throw new MessageDbError(`"conversation.peer" differs from the stored peer of topic "${topic}"`);
  }
  return existing;
}

type ConversationFields = Pick<
  ConversationRecord,
  'account' | 'topic' | 'peer' | 'peerBundle' | 'invitation' | 'invitationTimestampNs'
>;
type ConversationState = Pick<
  ConversationRecord,
  'createdAt' | 'lastActivityAt' | 'unread' | 'lastMessageId'
>;

/** The record of `fields` (the conversation input) with the given activity state. */
function withFields(fields: ConversationFields, state: ConversationState): ConversationRecord {
  return {
    account: fields.account,
    topic: fields.topic,
    peer: fields.peer,
    peerBundle: fields.peerBundle,
    invitation: fields.invitation,
    invitationTimestampNs: fields.invitationTimestampNs,
    ...state,
  };
}

/**
 * The account's conversations, most recent activity first, each with its last message (opened by
 * `toView`). Corrupt rows are skipped.
 */
export async function listConversations(
  ctx: MessageDbContext,
  account: Address,
  toView: (record: MessageRecord) => Promise<MessageView>,
): Promise<ConversationView[]> {
  const owner = parseArg(addressArg, account, 'account');
  const rows = await withTransaction(ctx.db, [CONVERSATIONS, MESSAGES], 'readonly', async (tx) => {
    const found = await conversationsOf(ctx, tx, owner);
    const messages = tx.objectStore(MESSAGES);
    return Promise.all(
      found.map(async (conversation) => ({
        conversation,
        last:
          conversation.lastMessageId === null
            ? undefined
            : tryParseStored(storedMessage, await request(messages.get([owner, conversation.lastMessageId]))),
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
      lastMessage: last ? await toView(last) : null,
      unread: conversation.unread,
    })),
  );
}

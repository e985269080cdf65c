/**
 * What the message DB stores, and the checks every record passes on its way in (inputs)
 * and out (stored data is untrusted: a corrupted profile must not feed garbage to the UI).
 *
 * Object stores (schema version 1):
 * - `conversations` key [account, topic], unique index `byPeer` [account, peer]; the peer's public
 *   bundle and the sealed invitation (encrypted to the participants' identity keys, so no key in clear)
 * - `messages` key [account, id], index `byTopic` [account, topic, sentAt]; content sealed
 * - `outbox` key id, index `byNextAttempt` nextAttemptAt; envelopes already end-to-end encrypted
 * - `cursors` key topic (content topic) → opaque relay cursor bytes
 * - `bundles` key lower-cased address → the peer's public contact bundle bytes
 * - `keyChanges` (version 2) key [peer, identityKey]: identity keys a peer moved to, as noticed
 *   (the chat shows them); version 1 databases gain the empty store on upgrade
 */
import * as v from 'valibot';
import { type Address, getAddress, type Hex, isAddress } from 'viem';
import type { DisplayContent, MessageStatus } from './message-views';

export const DB_VERSION = 2;
export const STORE = {
  conversations: 'conversations',
  messages: 'messages',
  outbox: 'outbox',
  cursors: 'cursors',
  bundles: 'bundles',
  keyChanges: 'keyChanges',
} as const;
export const INDEX = { byPeer: 'byPeer', byTopic: 'byTopic', byNextAttempt: 'byNextAttempt' } as const;

/** Creates the object stores of `DB_VERSION` (called from `upgradeneeded`). */
export function upgradeSchema(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    const conversations = db.createObjectStore(STORE.conversations, { keyPath: ['account', 'topic'] });
    conversations.createIndex(INDEX.byPeer, ['account', 'peer'], { unique: true });
    const messages = db.createObjectStore(STORE.messages, { keyPath: ['account', 'id'] });
    messages.createIndex(INDEX.byTopic, ['account', 'topic', 'sentAt']);
    const outbox = db.createObjectStore(STORE.outbox, { keyPath: 'id' });
    outbox.createIndex(INDEX.byNextAttempt, 'nextAttemptAt');
    db.createObjectStore(STORE.cursors, { keyPath: 'topic' });
    db.createObjectStore(STORE.bundles, { keyPath: 'address' });
  }
  if (oldVersion < 2) {
    db.createObjectStore(STORE.keyChanges, { keyPath: ['peer', 'identityKey'] });
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

/** Base class of the message DB's errors: a refused argument or a refused write. */
export class MessageDbError extends Error {
  override name = 'MessageDbError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A message was added to a conversation that was never stored. */
export class ConversationNotFoundError extends MessageDbError {
  override name = 'ConversationNotFoundError';
  constructor(topic: string) {
    super(`No conversation with topic "${topic}" for this account`);
  }
}

/** A stored record that does not have the shape it was written with. The record is left as it is. */
export class CorruptRecordError extends MessageDbError {
  override name = 'CorruptRecordError';
  constructor(store: string, detail: string) {
    super(`Corrupt record in "${store}": ${detail}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Records

export type OutboxKind = 'message' | 'invitation' | 'contact' | 'receipt';

export interface ConversationRecord {
  account: Address;
  topic: string;
  peer: Address;
  /** The peer's PUBLIC contact bundle; conversation keys are re-derived from it, never stored. */
  peerBundle: Uint8Array;
  /** The `SealedInvitation` that started the conversation, as published (end-to-end encrypted). */
  invitation: Uint8Array;
  /** Timestamp of the envelope that carried `invitation` (needed to open it again). */
  invitationTimestampNs: bigint;
  createdAt: number;
  lastActivityAt: number;
  unread: number;
  lastMessageId: string | null;
}

export interface MessageRecord {
  account: Address;
  id: string;
  topic: string;
  sender: Address;
  direction: 'in' | 'out';
  sentAt: number;
  status: MessageStatus;
  /** `seal(utf8(JSON(DisplayContent)))`. */
  sealedContent: Uint8Array;
  /** Why a `failed` message was refused (diagnostics; not shown in `MessageView`). */
  error?: string;
}

export interface OutboxItem {
  id: string;
  account: Address;
  kind: OutboxKind;
  /** The content topic to publish on. */
  topic: string;
  /** The encoded message-API `Envelope`, already end-to-end encrypted. */
  envelope: Uint8Array;
  /** The message row this item delivers (`message` kind), else null. */
  messageId: string | null;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  lastError: string | null;
}

export interface CursorRecord {
  topic: string;
  cursor: Uint8Array;
  updatedAt: number;
}

export interface BundleRecord {
  /** Lower-cased. */
  address: Address;
  bundle: Uint8Array;
  fetchedAt: number;
}

export type KeyChangeSource = 'relay' | 'chain' | 'invitation';

/** A peer's identity key changed: the new key, the one it replaced, and when. */
export interface KeyChangeRecord {
  peer: Address;
  /** The new identity key: its 65-byte public key, 0x-hex. */
  identityKey: Hex;
  previousKey: Hex;
  /** When the peer created the new key (its signed `created_ns`), ms; null when not a usable time. */
  keyCreatedAt: number | null;
  /** When this wallet noticed the change, ms. */
  seenAt: number;
  /** Where the new key was found: a relay's directory, the KeyRegistry, or a new invitation. */
  source: KeyChangeSource;
}

// ---------------------------------------------------------------------------------------------
// Field schemas

const text = v.pipe(v.string(), v.minLength(1, 'must be a non-empty string'));
const time = v.pipe(v.number(), v.finite('must be a finite number'), v.minValue(0, 'must not be negative'));
const count = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0, 'must not be negative'));
const bytes = v.custom<Uint8Array>((value) => value instanceof Uint8Array, 'must be a Uint8Array');
const nullableText = v.nullable(text);
const direction = v.picklist(['in', 'out']);
const status = v.picklist(['queued', 'sent', 'delivered', 'failed']);
const outboxKind = v.picklist(['message', 'invitation', 'contact', 'receipt']);
const timestampNs = v.pipe(v.bigint(), v.minValue(0n, 'must not be negative'));

/** Stored addresses are exactly checksummed. */
const storedAddress = v.custom<Address>(
  (value) => typeof value === 'string' && isAddress(value, { strict: false }) && getAddress(value) === value,
  'must be a checksummed address',
);
const storedLowerAddress = v.custom<Address>(
  (value) =>
    typeof value === 'string' && isAddress(value, { strict: false }) && value === value.toLowerCase(),
  'must be a lower-case address',
);
/** Input addresses in any case, normalised to their checksummed form. */
const inputAddress = v.pipe(
  v.string(),
  v.check((value) => isAddress(value, { strict: false }), 'must be an address'),
  v.transform((value) => getAddress(value)),
);

export const displayContentSchema = v.variant('kind', [
  v.object({ kind: v.literal('text'), text: v.string() }),
  v.object({ kind: v.literal('reply'), text: v.string(), reference: v.string() }),
  v.object({
    kind: v.literal('reaction'),
    emoji: v.string(),
    reference: v.string(),
    action: v.picklist(['added', 'removed']),
  }),
  v.object({
    kind: v.literal('attachment'),
    filename: v.string(),
    mimeType: v.string(),
    size: count,
    url: v.string(),
  }),
  v.object({ kind: v.literal('unsupported'), contentType: v.string(), fallback: v.nullable(v.string()) }),
]) satisfies v.GenericSchema<unknown, DisplayContent>;

// ---------------------------------------------------------------------------------------------
// Stored record schemas

export const storedConversation = v.object({
  account: storedAddress,
  topic: text,
  peer: storedAddress,
  peerBundle: bytes,
  invitation: bytes,
  invitationTimestampNs: timestampNs,
  createdAt: time,
  lastActivityAt: time,
  unread: count,
  lastMessageId: nullableText,
}) satisfies v.GenericSchema<unknown, ConversationRecord>;

export const storedMessage = v.object({
  account: storedAddress,
  id: text,
  topic: text,
  sender: storedAddress,
  direction,
  sentAt: time,
  status,
  sealedContent: bytes,
  error: v.optional(v.string()),
}) satisfies v.GenericSchema<unknown, MessageRecord>;

export const storedOutboxItem = v.object({
  id: text,
  account: storedAddress,
  kind: outboxKind,
  topic: text,
  envelope: bytes,
  messageId: nullableText,
  attempts: count,
  nextAttemptAt: time,
  createdAt: time,
  lastError: v.nullable(v.string()),
}) satisfies v.GenericSchema<unknown, OutboxItem>;

export const storedCursor = v.object({
  topic: text,
  cursor: bytes,
  updatedAt: time,
}) satisfies v.GenericSchema<unknown, CursorRecord>;

const publicKeyHex = v.custom<Hex>(
  (value) => typeof value === 'string' && /^0x04[0-9a-f]{128}$/.test(value),
  'must be an uncompressed public key in lower-case hex',
);
export const keyChangeSchema = v.object({
  peer: storedAddress,
  identityKey: publicKeyHex,
  previousKey: publicKeyHex,
  keyCreatedAt: v.nullable(time),
  seenAt: time,
  source: v.picklist(['relay', 'chain', 'invitation']),
}) satisfies v.GenericSchema<unknown, KeyChangeRecord>;

export const storedBundle = v.object({
  address: storedLowerAddress,
  bundle: bytes,
  fetchedAt: time,
}) satisfies v.GenericSchema<unknown, BundleRecord>;

// ---------------------------------------------------------------------------------------------
// Input schemas

export const conversationInput = v.object({
  account: inputAddress,
  topic: text,
  peer: inputAddress,
  peerBundle: bytes,
  invitation: bytes,
  invitationTimestampNs: timestampNs,
  createdAt: time,
  lastActivityAt: v.optional(time),
  unread: v.optional(count),
  lastMessageId: v.optional(nullableText),
});
/** A conversation to store; fields left out keep their stored values (see `upsertConversation`). */
export type ConversationInput = Omit<ConversationRecord, 'lastActivityAt' | 'unread' | 'lastMessageId'> &
  Partial<Pick<ConversationRecord, 'lastActivityAt' | 'unread' | 'lastMessageId'>>;

export const messageInput = v.object({
  account: inputAddress,
  id: text,
  topic: text,
  sender: inputAddress,
  sentAt: time,
  content: displayContentSchema,
});
export interface MessageInput {
  account: Address;
  /** hex(sha256(message bytes)). */
  id: string;
  topic: string;
  sender: Address;
  sentAt: number;
  content: DisplayContent;
}

export const enqueueInput = v.object({
  id: text,
  account: inputAddress,
  kind: v.picklist(['invitation', 'contact', 'receipt']),
  topic: text,
  envelope: bytes,
});
/** An outbox item with no message row: an invitation, the account's contact bundle, a read receipt. */
export interface EnqueueInput {
  id: string;
  account: Address;
  kind: Exclude<OutboxKind, 'message'>;
  /** The content topic to publish on. */
  topic: string;
  envelope: Uint8Array;
}

export const addressArg = inputAddress;
export const textArg = text;
export const timeArg = time;
export const bytesArg = bytes;
export const statusArg = status;
export const limitArg = v.pipe(
  v.number(),
  v.integer('must be an integer'),
  v.minValue(1, 'must be at least 1'),
);

// ---------------------------------------------------------------------------------------------
// Parsing

function issuePath(issue: v.BaseIssue<unknown> | undefined): string {
  return issue?.path?.map((item) => String(item.key)).join('.') ?? '';
}

/** Validates argument `name`; throws `MessageDbError` naming it and the offending field. */
export function parseArg<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  name: string,
): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const field = issuePath(issue);
  throw new MessageDbError(`"${field ? `${name}.${field}` : name}" ${issue?.message ?? 'is invalid'}`);
}

/** A stored record of `store`, validated; throws `CorruptRecordError`. */
export function parseStored<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
  store: string,
): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const field = issuePath(issue);
  throw new CorruptRecordError(store, `${field ? `"${field}" ` : ''}${issue?.message ?? 'is invalid'}`);
}

/** A stored record of `store`, validated, or `undefined` when it is corrupt (lists skip such rows). */
export function tryParseStored<S extends v.GenericSchema>(
  schema: S,
  value: unknown,
): v.InferOutput<S> | undefined {
  const result = v.safeParse(schema, value);
  return result.success ? result.output : undefined;
}

// ---------------------------------------------------------------------------------------------
// Status

const STATUS_RANK: Record<Exclude<MessageStatus, 'failed'>, number> = { queued: 0, sent: 1, delivered: 2 };

/** Statuses only move forward: queued → sent → delivered; `failed` only from queued. */
export function canAdvance(from: MessageStatus, to: MessageStatus): boolean {
  if (to === 'failed') return from === 'queued';
  if (from === 'failed') return false;
  return STATUS_RANK[to] > STATUS_RANK[from];
}

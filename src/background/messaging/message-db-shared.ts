/**
 * What the `MessageDb` operation modules share: the open database context, the message
 * status step used by both the messages and the outbox, and IndexedDB's string order.
 */
import type { Address } from 'viem';
import { request } from './message-db-idb';
import { canAdvance, type MessageRecord, parseStored, STORE, storedMessage } from './message-db-schema';
import type { MessageStatus } from './message-views';

/** The open database the operation functions run against. */
export interface MessageDbContext {
  readonly db: IDBDatabase;
  /** Builds key ranges for cursor scans. */
  readonly factory: IDBFactory;
  /** Clock for outbox and cursor times, ms since the epoch. */
  readonly now: () => number;
}

/** Moves a stored message's status forward; the updated record, or null when absent or not allowed. */
export async function advanceMessage(
  tx: IDBTransaction,
  account: Address,
  id: string,
  status: MessageStatus,
  error?: string,
): Promise<MessageRecord | null> {
  const messages = tx.objectStore(STORE.messages);
  const raw = await request(messages.get([account, id]));
  if (raw === undefined) return null;
  const record = parseStored(storedMessage, raw, STORE.messages);
  if (!canAdvance(record.status, status)) return null;
  const updated: MessageRecord = error === undefined ? { ...record, status } : { ...record, status, error };
  await request(messages.put(updated));
  return updated;
}

/** Code-unit order, as IndexedDB orders string keys. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

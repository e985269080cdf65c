/**
 * The outbox: end-to-end encrypted envelopes waiting to be published, with their retry
 * schedule. Finishing an item moves its message (if any) to `sent` or `failed`.
 */
import { request, scan, withTransaction } from './message-db-idb';
import {
  type EnqueueInput,
  enqueueInput,
  INDEX,
  limitArg,
  MessageDbError,
  type MessageRecord,
  type OutboxItem,
  parseArg,
  parseStored,
  STORE,
  storedOutboxItem,
  textArg,
  timeArg,
  tryParseStored,
} from './message-db-schema';
import { advanceMessage, compareStrings, type MessageDbContext } from './message-db-shared';

const { messages: MESSAGES, outbox: OUTBOX } = STORE;

/** Queues an `invitation`, `contact` or `receipt` envelope (no message row), due now; `false` when the id is already queued. */
export async function enqueue(ctx: MessageDbContext, input: EnqueueInput): Promise<boolean> {
  const fields = parseArg(enqueueInput, input, 'item');
  const now = ctx.now();
  const item: OutboxItem = {
    ...fields,
    messageId: null,
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    lastError: null,
  };
  return withTransaction(ctx.db, [OUTBOX], 'readwrite', async (tx) => {
    const store = tx.objectStore(OUTBOX);
    if ((await request(store.getKey(item.id))) !== undefined) return false;
    await request(store.add(item));
    return true;
  });
}

/** Up to `limit` items due at `now`, oldest first. Corrupt items are skipped. */
export async function dueOutbox(ctx: MessageDbContext, now: number, limit: number): Promise<OutboxItem[]> {
  const at = parseArg(timeArg, now, 'now');
  const max = parseArg(limitArg, limit, 'limit');
  const due: OutboxItem[] = [];
  await withTransaction(ctx.db, [OUTBOX], 'readonly', (tx) =>
    scan(
      ctx.factory,
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
export async function nextOutboxTime(ctx: MessageDbContext): Promise<number | null> {
  let next: number | null = null;
  await withTransaction(ctx.db, [OUTBOX], 'readonly', (tx) =>
    scan(ctx.factory, tx.objectStore(OUTBOX).index(INDEX.byNextAttempt), {}, 'next', (value) => {
      const item = tryParseStored(storedOutboxItem, value);
      if (item) next = item.nextAttemptAt;
      return item === undefined;
    }),
  );
  return next;
}

export async function outboxSize(ctx: MessageDbContext): Promise<number> {
  return withTransaction(ctx.db, [OUTBOX], 'readonly', (tx) => request(tx.objectStore(OUTBOX).count()));
}

/** Records a failed attempt: `attempts + 1`, the error, and when to try again. False when the item is gone. */
export async function rescheduleOutbox(
  ctx: MessageDbContext,
  id: string,
  nextAttemptAt: number,
  error: string,
): Promise<boolean> {
  const itemId = parseArg(textArg, id, 'id');
  const at = parseArg(timeArg, nextAttemptAt, 'nextAttemptAt');
  if (typeof error !== 'string') throw new MessageDbError('"error" must be a string');
  return withTransaction(ctx.db, [OUTBOX], 'readwrite', async (tx) => {
    const store = tx.objectStore(OUTBOX);
    const raw = await request(store.get(itemId));
    if (raw === undefined) return false;
    const item = parseStored(storedOutboxItem, raw, OUTBOX);
    await request(store.put({ ...item, attempts: item.attempts + 1, nextAttemptAt: at, lastError: error }));
    return true;
  });
}

/**
 * Removes the item and moves its message (if any) to `status`, keeping `error` on the
 * message row. Returns the message record when its status changed.
 */
export async function finishOutbox(
  ctx: MessageDbContext,
  id: string,
  status: 'sent' | 'failed',
  error?: string,
): Promise<MessageRecord | null> {
  const itemId = parseArg(textArg, id, 'id');
  return withTransaction(ctx.db, [OUTBOX, MESSAGES], 'readwrite', async (tx) => {
    const outbox = tx.objectStore(OUTBOX);
    const raw = await request(outbox.get(itemId));
    if (raw === undefined) return null;
    const item = parseStored(storedOutboxItem, raw, OUTBOX);
    await request(outbox.delete(itemId));
    return item.messageId === null ? null : advanceMessage(tx, item.account, item.messageId, status, error);
  });
}

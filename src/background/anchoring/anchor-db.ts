/**
 * Where each message stands in anchoring, per account (IndexedDB `cairn-anchors`, apart from the
 * message store so either can change on its own):
 *   pending  → no proof yet (the batch is not cut or not confirmed, or no relay answered);
 *   anchored → a relay gave a proof, not checked against the chain yet (e.g. the RPC failed);
 *   verified → the proof leads to a root the Anchor contract holds (checked here).
 * Records read back are checked: stored data is untrusted.
 */
import * as v from 'valibot';
import { type Address, getAddress, isAddress } from 'viem';
import { openDatabase, request, withTransaction } from '../messaging/message-db-idb';

/** Most messages a user anchors in one transaction of their own. */
export const MAX_OWN_BATCH = 2048;

export type AnchorState = 'pending' | 'anchored' | 'verified';

export interface AnchorDetails {
  root: `0x${string}`;
  proof: `0x${string}`[];
  batchId: string;
  txHash: `0x${string}`;
  blockNumber: string;
  chainId: number;
  contract: Address;
  manifestCid: string;
  /** When the proof was checked against the chain, ms. */
  verifiedAt?: number;
}

export interface AnchorRecord {
  account: Address;
  /** hex(sha256(message bytes)), 64 digits, no 0x. */
  messageId: string;
  contentTopic: string;
  state: AnchorState;
  trackedAt: number;
  /** Not asked again before this time, ms. */
  nextCheckAt: number;
  attempts: number;
  anchor?: AnchorDetails;
}

/**
 * A batch the user anchors themselves (forced inclusion), kept from before the transaction is
 * sent until its messages carry the proof: a worker stopped in between finishes it later.
 */
export interface OwnBatch {
  account: Address;
  root: `0x${string}`;
  chainId: number;
  contract: Address;
  manifestCid: string;
  /** In tree order does not matter: the tree sorts its leaves. */
  leaves: { messageId: string; contentTopic: string }[];
  /** Null until sent. */
  txHash: `0x${string}` | null;
  createdAt: number;
}

const DB_NAME = 'cairn-anchors';
const DB_VERSION = 2;
const STORE = 'anchors';
const OWN_BATCHES = 'ownBatches';
const BY_DUE = 'byStateDue';

const hex = (length?: number) =>
  v.pipe(v.string(), v.regex(length ? new RegExp(`^0x[0-9a-f]{${length}}$`, 'i') : /^0x[0-9a-f]+$/i));
const detailsSchema = v.strictObject({
  root: hex(64),
  proof: v.pipe(v.array(hex(64)), v.maxLength(64)),
  batchId: v.pipe(v.string(), v.regex(/^\d+$/)),
  txHash: hex(64),
  blockNumber: v.pipe(v.string(), v.regex(/^\d+$/)),
  chainId: v.pipe(v.number(), v.integer(), v.minValue(1)),
  contract: v.pipe(v.string(), v.check(isAddress), v.transform(getAddress)),
  manifestCid: v.pipe(v.string(), v.regex(/^[A-Za-z0-9]{1,128}$/)),
  verifiedAt: v.optional(v.number()),
});
const recordSchema = v.strictObject({
  account: v.pipe(v.string(), v.check(isAddress), v.transform(getAddress)),
  messageId: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  contentTopic: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  state: v.picklist(['pending', 'anchored', 'verified']),
  trackedAt: v.number(),
  nextCheckAt: v.number(),
  attempts: v.pipe(v.number(), v.integer(), v.minValue(0)),
  anchor: v.optional(detailsSchema),
});

const ownBatchSchema = v.strictObject({
  account: recordSchema.entries.account,
  root: hex(64),
  chainId: detailsSchema.entries.chainId,
  contract: detailsSchema.entries.contract,
  manifestCid: detailsSchema.entries.manifestCid,
  leaves: v.pipe(
    v.array(
      v.strictObject({
        messageId: recordSchema.entries.messageId,
        contentTopic: recordSchema.entries.contentTopic,
      }),
    ),
    v.minLength(1),
    v.maxLength(MAX_OWN_BATCH),
  ),
  txHash: v.nullable(hex(64)),
  createdAt: v.number(),
});

function parse(value: unknown): AnchorRecord | undefined {
  const result = v.safeParse(recordSchema, value);
  return result.success ? (result.output as AnchorRecord) : undefined;
}

export class AnchorDb {
  readonly #db: IDBDatabase;

  private constructor(db: IDBDatabase) {
    this.#db = db;
  }

  static async open(factory: IDBFactory): Promise<AnchorDb> {
    const db = await openDatabase(factory, DB_NAME, DB_VERSION, (database, oldVersion) => {
      if (oldVersion < 1) {
        const store = database.createObjectStore(STORE, { keyPath: ['account', 'messageId'] });
        store.createIndex(BY_DUE, ['state', 'nextCheckAt']);
      }
      if (oldVersion < 2) database.createObjectStore(OWN_BATCHES, { keyPath: ['account', 'root'] });
    });
    return new AnchorDb(db);
  }

  close(): void {
    this.#db.close();
  }

  /** Starts tracking a message (pending, due at once); a message already tracked is left as it is. */
  async track(account: Address, messageId: string, contentTopic: string, now: number): Promise<boolean> {
    const record = parse({
      account,
      messageId,
      contentTopic,
      state: 'pending',
      trackedAt: now,
      nextCheckAt: now,
      attempts: 0,
    });
    if (!record) throw new TypeError('invalid message to track');
    return withTransaction(this.#db, [STORE], 'readwrite', async (tx) => {
      const store = tx.objectStore(STORE);
      if ((await request(store.count([record.account, record.messageId]))) > 0) return false;
      await request(store.add(record));
      return true;
    });
  }

  async get(account: Address, messageId: string): Promise<AnchorRecord | undefined> {
    return withTransaction(this.#db, [STORE], 'readonly', async (tx) =>
      parse(await request(tx.objectStore(STORE).get([getAddress(account), messageId]))),
    );
  }

  /** The records of these messages, in one transaction (undefined: not followed). */
  async getMany(account: Address, messageIds: readonly string[]): Promise<(AnchorRecord | undefined)[]> {
    const owner = getAddress(account);
    return withTransaction(this.#db, [STORE], 'readonly', async (tx) => {
      const store = tx.objectStore(STORE);
      const values = await Promise.all(messageIds.map((id) => request(store.get([owner, id]))));
      return values.map(parse);
    });
  }

  /** Records in `state` due by `now`, soonest first, at most `limit`. */
  async due(state: AnchorState, now: number, limit: number): Promise<AnchorRecord[]> {
    return this.#scan(state, now, limit, () => true);
  }

  /** `account`'s pending messages followed since `before` or earlier (overdue), at most `limit`. */
  async pendingSince(account: Address, before: number, limit: number): Promise<AnchorRecord[]> {
    const owner = getAddress(account);
    return this.#scan('pending', Number.POSITIVE_INFINITY, limit, (record) => {
      return record.account === owner && record.trackedAt <= before;
    });
  }

  async #scan(
    state: AnchorState,
    dueBy: number,
    limit: number,
    keep: (record: AnchorRecord) => boolean,
  ): Promise<AnchorRecord[]> {
    return withTransaction(this.#db, [STORE], 'readonly', async (tx) => {
      const index = tx.objectStore(STORE).index(BY_DUE);
      const out: AnchorRecord[] = [];
      await new Promise<void>((resolve, reject) => {
        const req = index.openCursor();
        req.onerror = () => reject(req.error);
        // A range scan without the IDBKeyRange global (see message-db-idb.ts): jump to the
        // state's first key, stop past `dueBy` or at the next state.
        req.onsuccess = () => {
          const cursor = req.result;
          if (!cursor || out.length >= limit) return resolve();
          const [keyState, at] = cursor.key as [string, number];
          if (keyState < state) return cursor.continue([state, Number.NEGATIVE_INFINITY]);
          if (keyState > state || at > dueBy) return resolve();
          const record = parse(cursor.value);
          if (record && keep(record)) out.push(record);
          cursor.continue();
        };
      });
      return out;
    });
  }

  /** Keeps (or replaces) a batch of the user's own. */
  async putOwnBatch(batch: OwnBatch): Promise<void> {
    const parsed = v.safeParse(ownBatchSchema, batch);
    if (!parsed.success) throw new TypeError('invalid own batch');
    await withTransaction(this.#db, [OWN_BATCHES], 'readwrite', async (tx) => {
      await request(tx.objectStore(OWN_BATCHES).put(parsed.output));
    });
  }

  /** The user's own batches not finished yet (unreadable ones are left out). */
  async ownBatches(): Promise<OwnBatch[]> {
    return withTransaction(this.#db, [OWN_BATCHES], 'readonly', async (tx) => {
      const all = (await request(tx.objectStore(OWN_BATCHES).getAll())) as unknown[];
      return all.flatMap((value) => {
        const parsed = v.safeParse(ownBatchSchema, value);
        return parsed.success ? [parsed.output as OwnBatch] : [];
      });
    });
  }

  async deleteOwnBatch(account: Address, root: `0x${string}`): Promise<void> {
    await withTransaction(this.#db, [OWN_BATCHES], 'readwrite', async (tx) => {
      await request(tx.objectStore(OWN_BATCHES).delete([getAddress(account), root]));
    });
  }

  /** Replaces records (after a check). */
  async put(records: readonly AnchorRecord[]): Promise<void> {
    const parsed = records.map((record) => {
      const ok = parse(record);
      if (!ok) throw new TypeError('invalid anchor record');
      return ok;
    });
    await withTransaction(this.#db, [STORE], 'readwrite', async (tx) => {
      const store = tx.objectStore(STORE);
      for (const record of parsed) await request(store.put(record));
    });
  }
}

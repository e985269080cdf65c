/**
 * The relay's envelope store on SQLite (`node:sqlite`, WAL mode, prepared statements).
 *
 * Every stored envelope gets `seq`, a number that only grows (AUTOINCREMENT: never reused,
 * even after deletion): the relay's insertion order, which is what cursors point at. A client
 * catching up "after cursor" therefore also gets envelopes that arrived late with old sender
 * timestamps. Envelopes are deduplicated by sha256 of their bytes.
 *
 * Retention: conversation and invite envelopes are pruned `retentionMs` after they were
 * received, and a topic keeps at most `maxPerTopic` of them (the oldest received go first).
 * Contact topics are the contact directory: one row per address, the bundle with the highest
 * signed creation time (`rank`), kept regardless of age.
 */

import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes } from '../protocol/bytes.ts';
import type { EnvelopeKind } from './envelope-validator.ts';

export interface EnvelopeStoreInit {
  /** SQLite file path (`:memory:` for a throw-away store). */
  path: string;
  /** Conversation and invite envelopes are dropped this long after they arrived. @default 30 days */
  retentionMs?: number;
  /** Most conversation or invite envelopes kept per topic. @default 10_000 */
  maxPerTopic?: number;
  /** `FULL` syncs every commit (an ack survives power loss); `NORMAL` survives process crashes. @default 'FULL' */
  synchronous?: 'FULL' | 'NORMAL';
  /** Milliseconds clock. @default Date.now */
  clock?: () => number;
}

export interface StoreInput {
  topic: string;
  timestampNs: bigint;
  /** The encoded envelope, as received. */
  envelope: Uint8Array;
  kind: EnvelopeKind;
  /** Contact bundles: the signed creation time the directory orders by. */
  rank?: bigint;
}

export type InsertResult =
  | { status: 'stored'; seq: number }
  | { status: 'duplicate'; seq: number }
  /** A contact bundle not newer than the one in the directory (`seq` is the kept one). */
  | { status: 'superseded'; seq: number };

export interface StoreQuery {
  topics: readonly string[];
  /** Exclusive bound from a cursor; absent = from the start (ascending) or the end. */
  afterSeq?: number;
  /** 1..1000 */
  limit: number;
  direction: 'ascending' | 'descending';
  /** Stop before the page's envelopes exceed this many bytes (at least one is returned). */
  maxBytes?: number;
}

export interface StoredPage {
  envelopes: Uint8Array[];
  /** seq of the last envelope returned. */
  lastSeq?: number;
  /** True when rows after `lastSeq` match too. */
  more: boolean;
}

/** A cursor that is malformed or was issued by another store. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CURSOR_VERSION = 1;
const CURSOR_BYTES = 17; // version ‖ store id (8) ‖ seq (8, big-endian)
const INT64_MAX = (1n << 63n) - 1n;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS envelopes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  timestamp_ns INTEGER NOT NULL,
  envelope BLOB NOT NULL,
  digest BLOB NOT NULL UNIQUE,
  received_at INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('contact', 'invite', 'conversation')),
  rank INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS envelopes_topic_seq ON envelopes (topic, seq);
CREATE INDEX IF NOT EXISTS envelopes_expiry ON envelopes (received_at) WHERE kind <> 'contact';
`;

/**
 * @example
 * const store = EnvelopeStore.open({ path: 'relay/envelopes.sqlite' })
 * const { status, seq } = store.insert({ topic, timestampNs, envelope: bytes, kind: 'conversation' })
 */
export class EnvelopeStore {
  private readonly db: DatabaseSync;
  private readonly storeId: Uint8Array;
  private readonly retentionMs: number;
  private readonly maxPerTopic: number;
  private readonly clock: () => number;
  private readonly statements: ReturnType<typeof prepare>;
  private closed = false;

  private constructor(db: DatabaseSync, init: EnvelopeStoreInit) {
    this.db = db;
    this.retentionMs = init.retentionMs ?? 30 * DAY_MS;
    this.maxPerTopic = init.maxPerTopic ?? 10_000;
    if (!(this.retentionMs > 0)) throw new RangeError('"retentionMs" expected a positive number');
    if (!Number.isInteger(this.maxPerTopic) || this.maxPerTopic < 1) {
      throw new RangeError('"maxPerTopic" expected a positive integer');
    }
    this.clock = init.clock ?? Date.now;
    this.statements = prepare(db);
    this.storeId = this.loadStoreId();
  }

  /** Opens (or creates) the store at `init.path`. */
  static open(init: EnvelopeStoreInit): EnvelopeStore {
    const db = new DatabaseSync(init.path);
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec(`PRAGMA synchronous = ${init.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
      db.exec('PRAGMA busy_timeout = 5000');
      db.exec(SCHEMA);
      return new EnvelopeStore(db, init);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private loadStoreId(): Uint8Array {
    const row = this.statements.getMeta.get('store_id');
    if (row && row.value instanceof Uint8Array && row.value.length === 8) return row.value;
    const id = crypto.getRandomValues(new Uint8Array(8));
    this.statements.putMeta.run('store_id', id);
    return id;
  }

  /** Stores an envelope unless it is a duplicate (or, for contacts, not newer than the directory's). */
  insert(input: StoreInput): InsertResult {
    this.assertOpen();
    if (input.timestampNs < 0n || input.timestampNs > INT64_MAX)
      throw new RangeError('"timestampNs" out of range');
    const digest = sha256(input.envelope);
    const s = this.statements;
    return this.transaction(() => {
      const existing = s.seqByDigest.get(digest);
      if (existing) return { status: 'duplicate', seq: Number(existing.seq) };
      if (input.kind === 'contact') {
        const rank = input.rank ?? input.timestampNs;
        if (rank < 0n || rank > INT64_MAX) throw new RangeError('"rank" out of range');
        const current = s.currentContact.get(input.topic);
        if (current && typeof current.rank === 'bigint' && current.rank >= rank) {
          return { status: 'superseded', seq: Number(current.seq) };
        }
        const seq = this.insertRow(input, digest, rank);
        s.deleteOtherContacts.run(input.topic, seq);
        return { status: 'stored', seq };
      }
      const seq = this.insertRow(input, digest, null);
      s.enforceTopicCap.run(input.topic, input.topic, this.maxPerTopic);
      return { status: 'stored', seq };
    });
  }

  private insertRow(input: StoreInput, digest: Uint8Array, rank: bigint | null): number {
    const row = this.statements.insert.get(
      input.topic,
      input.timestampNs,
      input.envelope,
      digest,
      this.clock(),
      input.kind,
      rank,
    );
    if (!row) throw new Error('insert returned no seq');
    return Number(row.seq);
  }

  /** One page of envelopes of `query.topics` after `query.afterSeq`, in seq order. */
  /** Whether these exact envelope bytes are stored (a read, no commit). */
  has(envelope: Uint8Array): boolean {
    return this.statements.seqByDigest.get(sha256(envelope)) !== undefined;
  }

  query(query: StoreQuery): StoredPage {
    this.assertOpen();
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 1000) {
      throw new RangeError('"limit" expected 1..1000');
    }
    const topics = [...new Set(query.topics)];
    if (topics.length === 0) return { envelopes: [], more: false };
    const ascending = query.direction === 'ascending';
    const bound = query.afterSeq ?? (ascending ? 0 : Number.MAX_SAFE_INTEGER);
    const s = this.statements;
    const statement =
      topics.length === 1
        ? ascending
          ? s.queryOneAsc
          : s.queryOneDesc
        : ascending
          ? s.queryManyAsc
          : s.queryManyDesc;
    const topicParam = topics.length === 1 ? topics[0]! : JSON.stringify(topics);
    const maxBytes = query.maxBytes ?? Number.POSITIVE_INFINITY;
    const envelopes: Uint8Array[] = [];
    let bytes = 0;
    let lastSeq: number | undefined;
    let more = false;
    for (const row of statement.iterate(topicParam, bound, query.limit + 1)) {
      const envelope = row.envelope;
      if (!(envelope instanceof Uint8Array)) throw new Error('corrupt row: envelope is not a blob');
      const full = envelopes.length >= query.limit;
      const overBudget = envelopes.length > 0 && bytes + envelope.length > maxBytes;
      if (full || overBudget) {
        more = true;
        break;
      }
      envelopes.push(envelope);
      bytes += envelope.length;
      lastSeq = Number(row.seq);
    }
    return lastSeq === undefined ? { envelopes, more: false } : { envelopes, lastSeq, more };
  }

  /** Deletes conversation and invite envelopes older than the retention; returns how many. */
  prune(): number {
    this.assertOpen();
    return Number(this.statements.prune.run(this.clock() - this.retentionMs).changes);
  }

  /** Number of stored envelopes. */
  count(): number {
    this.assertOpen();
    return Number(this.statements.count.get()?.n ?? 0);
  }

  /** The opaque cursor of `seq`, valid for this store only. */
  encodeCursor(seq: number): Uint8Array {
    if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError('"seq" expected a positive integer');
    const out = new Uint8Array(CURSOR_BYTES);
    out[0] = CURSOR_VERSION;
    out.set(this.storeId, 1);
    new DataView(out.buffer).setBigUint64(9, BigInt(seq));
    return out;
  }

  /** The seq of a cursor from `encodeCursor`. @throws InvalidCursorError */
  decodeCursor(cursor: Uint8Array): number {
    if (cursor.length !== CURSOR_BYTES || cursor[0] !== CURSOR_VERSION) {
      throw new InvalidCursorError('malformed cursor');
    }
    if (!equalBytes(cursor.subarray(1, 9), this.storeId)) {
      throw new InvalidCursorError('cursor of another relay');
    }
    const seq = new DataView(cursor.buffer, cursor.byteOffset, cursor.byteLength).getBigUint64(9);
    if (seq < 1n || seq > BigInt(Number.MAX_SAFE_INTEGER))
      throw new InvalidCursorError('cursor out of range');
    return Number(seq);
  }

  /** Checkpoints the WAL and closes the database; later calls throw. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the envelope store is closed');
  }

  private transaction<T>(body: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = body();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }
}

function prepare(db: DatabaseSync) {
  const page = (where: string, order: 'ASC' | 'DESC'): StatementSync =>
    // The inner select reads only the (topic, seq) index; blobs are read for the page only.
    db.prepare(
      `SELECT seq, envelope FROM envelopes WHERE seq IN (
         SELECT seq FROM envelopes WHERE ${where} AND seq ${order === 'ASC' ? '>' : '<'} ? ORDER BY seq ${order} LIMIT ?
       ) ORDER BY seq ${order}`,
    );
  const rankStatement = db.prepare(
    "SELECT seq, rank FROM envelopes WHERE topic = ? AND kind = 'contact' ORDER BY rank DESC LIMIT 1",
  );
  rankStatement.setReadBigInts(true);
  return {
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    putMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)'),
    seqByDigest: db.prepare('SELECT seq FROM envelopes WHERE digest = ?'),
    currentContact: rankStatement,
    insert: db.prepare(
      `INSERT INTO envelopes (topic, timestamp_ns, envelope, digest, received_at, kind, rank)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
    ),
    deleteOtherContacts: db.prepare(
      "DELETE FROM envelopes WHERE topic = ? AND kind = 'contact' AND seq <> ?",
    ),
    enforceTopicCap: db.prepare(
      `DELETE FROM envelopes WHERE topic = ? AND seq <= (
         SELECT seq FROM envelopes WHERE topic = ? ORDER BY seq DESC LIMIT 1 OFFSET ?
       )`,
    ),
    queryOneAsc: page('topic = ?', 'ASC'),
    queryOneDesc: page('topic = ?', 'DESC'),
    queryManyAsc: page('topic IN (SELECT value FROM json_each(?))', 'ASC'),
    queryManyDesc: page('topic IN (SELECT value FROM json_each(?))', 'DESC'),
    prune: db.prepare("DELETE FROM envelopes WHERE kind <> 'contact' AND received_at < ?"),
    count: db.prepare('SELECT COUNT(*) AS n FROM envelopes'),
  };
}

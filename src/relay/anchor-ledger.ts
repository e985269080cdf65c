/**
 * The aggregator's durable state (SQLite, `synchronous=FULL`): leaves waiting for a batch, and
 * batches from "submitting" to "anchored". A relay that stops or crashes anywhere resumes: leaves
 * not yet in a batch stay pending, a batch written but not confirmed is submitted again (the
 * submitter is idempotent), and a leaf is in at most one batch of this relay. An anchored batch
 * goes back to "submitting" when a reorg removed it from the chain (src/relay/anchor-watch.ts).
 */
import { DatabaseSync } from 'node:sqlite';
import type { ManifestLeaf } from '../chain/anchor-manifest.ts';

export interface LedgerBatch {
  root: Uint8Array;
  count: number;
  manifestCid: string;
  createdAt: number;
}

export interface LedgerReceipt {
  batchId: bigint;
  txHash: string;
  blockNumber: bigint;
  blockHash: string;
}

export interface AnchoredBatch extends LedgerBatch, LedgerReceipt {
  /** When this relay recorded it anchored (its clock), ms. */
  anchoredAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS anchor_leaves (
  message_id BLOB PRIMARY KEY CHECK (length(message_id) = 32),
  topic TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  batch_root BLOB
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS anchor_leaves_pending ON anchor_leaves (added_at) WHERE batch_root IS NULL;
CREATE INDEX IF NOT EXISTS anchor_leaves_batch ON anchor_leaves (batch_root) WHERE batch_root IS NOT NULL;
CREATE TABLE IF NOT EXISTS anchor_batches (
  root BLOB PRIMARY KEY CHECK (length(root) = 32),
  count INTEGER NOT NULL,
  manifest_cid TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('submitting', 'anchored')),
  batch_id TEXT,
  tx_hash TEXT,
  block_number TEXT,
  block_hash TEXT,
  anchored_at INTEGER
) WITHOUT ROWID;
`;

/** After the migrations: the watch reads recently anchored batches by time. */
const INDEXES = `
CREATE INDEX IF NOT EXISTS anchor_batches_anchored ON anchor_batches (anchored_at) WHERE status = 'anchored';
`;

export class AnchorLedger {
  private readonly db: DatabaseSync;
  private readonly clock: () => number;
  private readonly s: ReturnType<typeof prepare>;

  private constructor(db: DatabaseSync, clock: () => number) {
    this.db = db;
    this.clock = clock;
    this.s = prepare(db);
  }

  static open(path: string, clock: () => number = Date.now): AnchorLedger {
    const db = new DatabaseSync(path);
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      db.exec('PRAGMA busy_timeout = 5000');
      db.exec(SCHEMA);
      migrate(db);
      db.exec(INDEXES);
      return new AnchorLedger(db, clock);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  /** Adds leaves not seen before; returns how many were new. */
  add(leaves: readonly ManifestLeaf[]): number {
    if (leaves.length === 0) return 0;
    const now = this.clock();
    let added = 0;
    this.transaction(() => {
      for (const leaf of leaves) {
        added += Number(this.s.addLeaf.run(leaf.messageId, leaf.contentTopic, now).changes);
      }
    });
    return added;
  }

  pendingCount(): number {
    return Number(this.s.pendingCount.get()?.n ?? 0);
  }

  /** When the oldest pending leaf arrived, if any. */
  oldestPendingAt(): number | undefined {
    const row = this.s.oldestPending.get();
    return row?.added_at === null || row?.added_at === undefined ? undefined : Number(row.added_at);
  }

  /** Up to `max` pending leaves, oldest first. */
  pending(max: number): ManifestLeaf[] {
    return this.s.pending.all(max).map((row) => ({
      messageId: new Uint8Array(row.message_id as Uint8Array),
      contentTopic: String(row.topic),
    }));
  }

  /** Records a batch of `leaves` (all pending) as "submitting", in one transaction. */
  createBatch(batch: Omit<LedgerBatch, 'createdAt'>, leaves: readonly ManifestLeaf[]): void {
    this.transaction(() => {
      this.s.insertBatch.run(batch.root, batch.count, batch.manifestCid, this.clock());
      for (const leaf of leaves) this.s.assignLeaf.run(batch.root, leaf.messageId);
    });
  }

  /** Batches written but not confirmed anchored, oldest first. */
  unfinished(): LedgerBatch[] {
    return this.s.unfinished.all().map((row) => ({
      root: new Uint8Array(row.root as Uint8Array),
      count: Number(row.count),
      manifestCid: String(row.manifest_cid),
      createdAt: Number(row.created_at),
    }));
  }

  markAnchored(root: Uint8Array, receipt: LedgerReceipt): void {
    this.s.markAnchored.run(
      receipt.batchId.toString(),
      receipt.txHash,
      receipt.blockNumber.toString(),
      receipt.blockHash,
      this.clock(),
      root,
    );
  }

  /** Batches recorded anchored at or after `since` (this relay's clock), oldest first. */
  anchoredSince(since: number): AnchoredBatch[] {
    return this.s.anchoredSince.all(since).map((row) => ({
      root: new Uint8Array(row.root as Uint8Array),
      count: Number(row.count),
      manifestCid: String(row.manifest_cid),
      createdAt: Number(row.created_at),
      batchId: BigInt(String(row.batch_id)),
      txHash: String(row.tx_hash),
      blockNumber: BigInt(String(row.block_number)),
      blockHash: String(row.block_hash),
      anchoredAt: Number(row.anchored_at),
    }));
  }

  /**
   * Sends the batch `root` back to "submitting" (its receipt dropped) if it is still recorded
   * anchored in `blockHash`; whether it was. Its messages' proofs answer "pending" again.
   */
  markUnconfirmed(root: Uint8Array, blockHash: string): boolean {
    return Number(this.s.markUnconfirmed.run(root, blockHash).changes) > 0;
  }

  /** The leaves of the batch `root`, oldest first. */
  leavesOf(root: Uint8Array): ManifestLeaf[] {
    return this.s.leavesOf.all(root).map((row) => ({
      messageId: new Uint8Array(row.message_id as Uint8Array),
      contentTopic: String(row.topic),
    }));
  }

  /** The topic of a leaf this relay holds (batched or not). */
  topicOf(messageId: Uint8Array): string | undefined {
    const row = this.s.topicOf.get(messageId);
    return row ? String(row.topic) : undefined;
  }

  /** The batch holding `messageId`, with its receipt once anchored. */
  batchOf(messageId: Uint8Array): (LedgerBatch & { receipt?: LedgerReceipt }) | undefined {
    const row = this.s.batchOf.get(messageId);
    if (!row) return undefined;
    const batch: LedgerBatch & { receipt?: LedgerReceipt } = {
      root: new Uint8Array(row.root as Uint8Array),
      count: Number(row.count),
      manifestCid: String(row.manifest_cid),
      createdAt: Number(row.created_at),
    };
    if (row.status === 'anchored') {
      batch.receipt = {
        batchId: BigInt(String(row.batch_id)),
        txHash: String(row.tx_hash),
        blockNumber: BigInt(String(row.block_number)),
        blockHash: String(row.block_hash),
      };
    }
    return batch;
  }

  private transaction(work: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }
}

/** Ledgers written before the reorg watch: `anchored_at`, taken as the batch's creation for old rows. */
function migrate(db: DatabaseSync): void {
  const columns = db.prepare('PRAGMA table_info(anchor_batches)').all();
  if (columns.some((column) => column.name === 'anchored_at')) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('ALTER TABLE anchor_batches ADD COLUMN anchored_at INTEGER');
    db.exec("UPDATE anchor_batches SET anchored_at = created_at WHERE status = 'anchored'");
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

function prepare(db: DatabaseSync) {
  return {
    addLeaf: db.prepare('INSERT OR IGNORE INTO anchor_leaves (message_id, topic, added_at) VALUES (?, ?, ?)'),
    pendingCount: db.prepare('SELECT count(*) AS n FROM anchor_leaves WHERE batch_root IS NULL'),
    oldestPending: db.prepare('SELECT min(added_at) AS added_at FROM anchor_leaves WHERE batch_root IS NULL'),
    pending: db.prepare(
      'SELECT message_id, topic FROM anchor_leaves WHERE batch_root IS NULL ORDER BY added_at, message_id LIMIT ?',
    ),
    insertBatch: db.prepare(
      "INSERT INTO anchor_batches (root, count, manifest_cid, created_at, status) VALUES (?, ?, ?, ?, 'submitting')",
    ),
    assignLeaf: db.prepare(
      'UPDATE anchor_leaves SET batch_root = ? WHERE message_id = ? AND batch_root IS NULL',
    ),
    unfinished: db.prepare(
      "SELECT root, count, manifest_cid, created_at FROM anchor_batches WHERE status = 'submitting' ORDER BY created_at",
    ),
    markAnchored: db.prepare(
      "UPDATE anchor_batches SET status = 'anchored', batch_id = ?, tx_hash = ?, block_number = ?, block_hash = ?, anchored_at = ? WHERE root = ?",
    ),
    anchoredSince: db.prepare(
      `SELECT root, count, manifest_cid, created_at, batch_id, tx_hash, block_number, block_hash, anchored_at
       FROM anchor_batches WHERE status = 'anchored' AND anchored_at >= ? ORDER BY anchored_at, root`,
    ),
    markUnconfirmed: db.prepare(
      `UPDATE anchor_batches SET status = 'submitting', batch_id = NULL, tx_hash = NULL, block_number = NULL,
       block_hash = NULL, anchored_at = NULL WHERE root = ? AND status = 'anchored' AND block_hash = ?`,
    ),
    leavesOf: db.prepare(
      'SELECT message_id, topic FROM anchor_leaves WHERE batch_root = ? ORDER BY added_at, message_id',
    ),
    topicOf: db.prepare('SELECT topic FROM anchor_leaves WHERE message_id = ?'),
    batchOf: db.prepare(
      `SELECT b.root, b.count, b.manifest_cid, b.created_at, b.status, b.batch_id, b.tx_hash, b.block_number, b.block_hash
       FROM anchor_leaves l JOIN anchor_batches b ON b.root = l.batch_root WHERE l.message_id = ?`,
    ),
  };
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { AnchorLedger } from '../../src/relay/anchor-ledger.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function path(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-ledger-'));
  dirs.push(dir);
  return join(dir, 'anchoring.sqlite');
}

const leaf = (n: number, topic = 't') => ({ messageId: new Uint8Array(32).fill(n), contentTopic: topic });
const root = (n: number) => new Uint8Array(32).fill(200 + n);

describe('AnchorLedger', () => {
  it('keeps each leaf once, oldest first, and assigns it to one batch', async () => {
    let now = 1000;
    const ledger = AnchorLedger.open(await path(), () => now);
    expect(ledger.add([leaf(1), leaf(2)])).toBe(2);
    now = 2000;
    expect(ledger.add([leaf(2), leaf(3)])).toBe(1);
    expect(ledger.pendingCount()).toBe(3);
    expect(ledger.oldestPendingAt()).toBe(1000);
    expect(ledger.pending(2)).toEqual([leaf(1), leaf(2)]);
    ledger.createBatch({ root: root(1), count: 2, manifestCid: 'bafyone' }, [leaf(1), leaf(2)]);
    expect(ledger.pending(10)).toEqual([leaf(3)]);
    expect(ledger.batchOf(leaf(1).messageId)).toMatchObject({
      root: root(1),
      count: 2,
      manifestCid: 'bafyone',
    });
    expect(ledger.batchOf(leaf(3).messageId)).toBeUndefined();
    expect(ledger.unfinished().map((batch) => batch.root)).toEqual([root(1)]);
    ledger.close();
  });

  it('survives a reopen; an anchored batch is no longer unfinished and carries its receipt', async () => {
    const file = await path();
    const first = AnchorLedger.open(file);
    first.add([leaf(1)]);
    first.createBatch({ root: root(1), count: 1, manifestCid: 'bafyone' }, [leaf(1)]);
    first.add([leaf(5)]);
    first.close();
    const again = AnchorLedger.open(file);
    expect(again.unfinished()).toHaveLength(1);
    expect(again.pending(10)).toEqual([leaf(5)]);
    const receipt = { batchId: 3n, txHash: '0xaa', blockNumber: 9n, blockHash: '0xbb' };
    again.markAnchored(root(1), receipt);
    expect(again.unfinished()).toEqual([]);
    expect(again.batchOf(leaf(1).messageId)?.receipt).toEqual(receipt);
    again.close();
  });

  it('lists batches anchored since a time; a reorged one goes back to submitting, only from the receipt it had', async () => {
    let now = 10_000;
    const file = await path();
    const ledger = AnchorLedger.open(file, () => now);
    ledger.add([leaf(1), leaf(2)]);
    ledger.createBatch({ root: root(1), count: 1, manifestCid: 'bafyone' }, [leaf(1)]);
    ledger.createBatch({ root: root(2), count: 1, manifestCid: 'bafytwo' }, [leaf(2)]);
    const receipt = { batchId: 4n, txHash: '0xaa', blockNumber: 9n, blockHash: '0xbb' };
    now = 20_000;
    ledger.markAnchored(root(1), receipt);
    now = 30_000;
    ledger.markAnchored(root(2), { ...receipt, batchId: 5n, blockHash: '0xcc' });
    expect(ledger.anchoredSince(20_000).map((batch) => batch.root)).toEqual([root(1), root(2)]);
    expect(ledger.anchoredSince(25_000)).toEqual([
      {
        root: root(2),
        count: 1,
        manifestCid: 'bafytwo',
        createdAt: 10_000,
        ...receipt,
        batchId: 5n,
        blockHash: '0xcc',
        anchoredAt: 30_000,
      },
    ]);

    expect(ledger.markUnconfirmed(root(1), '0xother')).toBe(false);
    expect(ledger.batchOf(leaf(1).messageId)?.receipt).toEqual(receipt);
    expect(ledger.markUnconfirmed(root(1), '0xbb')).toBe(true);
    expect(ledger.markUnconfirmed(root(1), '0xbb')).toBe(false);
    expect(ledger.batchOf(leaf(1).messageId)?.receipt).toBeUndefined();
    expect(ledger.anchoredSince(0).map((batch) => batch.root)).toEqual([root(2)]);
    ledger.close();

    // Durable: a restart submits it again.
    const again = AnchorLedger.open(file, () => now);
    expect(again.unfinished().map((batch) => batch.root)).toEqual([root(1)]);
    again.close();
  });

  it('opens a ledger written before anchored_at existed: its anchored batches count from their creation', async () => {
    const file = await path();
    const old = new DatabaseSync(file);
    old.exec(`
      CREATE TABLE anchor_leaves (message_id BLOB PRIMARY KEY, topic TEXT NOT NULL, added_at INTEGER NOT NULL, batch_root BLOB) WITHOUT ROWID;
      CREATE TABLE anchor_batches (root BLOB PRIMARY KEY CHECK (length(root) = 32), count INTEGER NOT NULL,
        manifest_cid TEXT NOT NULL, created_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('submitting', 'anchored')),
        batch_id TEXT, tx_hash TEXT, block_number TEXT, block_hash TEXT) WITHOUT ROWID;
    `);
    old
      .prepare(
        "INSERT INTO anchor_batches VALUES (?, 1, 'bafyold', 5000, 'anchored', '1', '0xaa', '7', '0xbb')",
      )
      .run(root(3));
    old
      .prepare(
        "INSERT INTO anchor_batches VALUES (?, 1, 'bafynew', 6000, 'submitting', NULL, NULL, NULL, NULL)",
      )
      .run(root(4));
    old.close();
    const ledger = AnchorLedger.open(file);
    expect(ledger.anchoredSince(0)).toEqual([
      {
        root: root(3),
        count: 1,
        manifestCid: 'bafyold',
        createdAt: 5000,
        batchId: 1n,
        txHash: '0xaa',
        blockNumber: 7n,
        blockHash: '0xbb',
        anchoredAt: 5000,
      },
    ]);
    expect(ledger.unfinished().map((batch) => batch.root)).toEqual([root(4)]);
    ledger.close();
    AnchorLedger.open(file).close(); // migrating twice is a no-op
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});

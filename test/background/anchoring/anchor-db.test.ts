import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { AnchorDb } from '../../../src/background/anchoring/anchor-db.ts';

const ACCOUNT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

describe('AnchorDb', () => {
  it('tracks a message once, lists what is due in order, and skips corrupt records', async () => {
    const factory = new IDBFactory();
    const db = await AnchorDb.open(factory);
    expect(await db.track(ACCOUNT, 'aa'.repeat(32), '/t/1', 100)).toBe(true);
    expect(await db.track(ACCOUNT, 'aa'.repeat(32), '/t/2', 200)).toBe(false);
    await db.track(ACCOUNT, 'bb'.repeat(32), '/t/1', 50);
    await db.track(ACCOUNT, 'cc'.repeat(32), '/t/1', 500);
    expect((await db.due('pending', 300, 10)).map((r) => r.messageId)).toEqual([
      'bb'.repeat(32),
      'aa'.repeat(32),
    ]);
    expect(await db.due('anchored', 1000, 10)).toEqual([]);
    await expect(db.track(ACCOUNT, 'not hex', '/t/1', 1)).rejects.toThrow(TypeError);

    // A record written by something else, with a bad shape, is never handed out.
    await new Promise<void>((resolve, reject) => {
      const open = factory.open('cairn-anchors');
      open.onsuccess = () => {
        const tx = open.result.transaction('anchors', 'readwrite');
        tx.objectStore('anchors').put({
          account: ACCOUNT,
          messageId: 'dd',
          state: 'pending',
          nextCheckAt: 0,
        });
        tx.oncomplete = () => {
          open.result.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error);
      };
    });
    expect((await db.due('pending', 1000, 10)).map((r) => r.messageId)).toHaveLength(3);
    db.close();
  });

  it('reads many records in one go, in the order asked, undefined where not followed', async () => {
    const db = await AnchorDb.open(new IDBFactory());
    await db.track(ACCOUNT, 'aa'.repeat(32), '/t/1', 100);
    await db.track(ACCOUNT, 'bb'.repeat(32), '/t/2', 100);
    const records = await db.getMany(ACCOUNT.toLowerCase() as `0x${string}`, [
      'bb'.repeat(32),
      'cc'.repeat(32),
      'aa'.repeat(32),
    ]);
    expect(records.map((record) => record?.contentTopic)).toEqual(['/t/2', undefined, '/t/1']);
    db.close();
  });
});

/** One send at a time per account; other accounts go on; a failed send does not block the next. */
import { describe, expect, it } from 'vitest';
import { AccountSendLock } from '../../src/background/account-send-lock.ts';

const A = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const B = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

describe('AccountSendLock', () => {
  it('runs one account’s sends one after the other, whatever the address case, and others beside', async () => {
    const lock = new AccountSendLock();
    const log: string[] = [];
    let release: () => void = () => {};
    const first = lock.run(A, async () => {
      log.push('a1 start');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      log.push('a1 end');
      return 1;
    });
    const second = lock.run(A.toLowerCase() as `0x${string}`, async () => {
      log.push('a2');
      return 2;
    });
    const other = lock.run(B, async () => {
      log.push('b');
      return 3;
    });
    expect(await other).toBe(3);
    expect(log).toEqual(['a1 start', 'b']);
    release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
  });

  it('a failed send neither blocks the next nor hides its own error', async () => {
    const lock = new AccountSendLock();
    const failed = lock.run(A, async () => {
      throw new Error('node refused');
    });
    const next = lock.run(A, async () => 'sent');
    await expect(failed).rejects.toThrow('node refused');
    expect(await next).toBe('sent');
  });
});

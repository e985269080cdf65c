import { describe, expect, it } from 'vitest';
import { OneRunPerAccount } from '../../src/background/one-run-per-account';

const ALICE = '0x0000000000000000000000000000000000000001';
const BOB = '0x0000000000000000000000000000000000000002';

describe('OneRunPerAccount', () => {
  it('refuses a second run for the same account while the first is under way, not for another', async () => {
    const runs = new OneRunPerAccount('Busy');
    let finish: (value: string) => void = () => {};
    const first = runs.run(ALICE, () => new Promise<string>((resolve) => (finish = resolve)));
    expect(runs.isRunning(ALICE)).toBe(true);
    await expect(runs.run(ALICE, async () => 'again')).rejects.toMatchObject({
      message: 'Busy',
      code: -32002,
    });
    expect(await runs.run(BOB, async () => 'bob')).toBe('bob');
    finish('done');
    expect(await first).toBe('done');
    expect(runs.isRunning(ALICE)).toBe(false);
  });

  it('frees the account when the run fails', async () => {
    const runs = new OneRunPerAccount('Busy');
    await expect(runs.run(ALICE, async () => Promise.reject(new RangeError('no')))).rejects.toThrow(
      RangeError,
    );
    expect(await runs.run(ALICE, async () => 1)).toBe(1);
  });
});

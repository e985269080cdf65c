import { describe, expect, it } from 'vitest';
import { Mutex } from '../../src/keyring/mutex.ts';

describe('Mutex', () => {
  it('runs functions one at a time, in call order', async () => {
    const mutex = new Mutex();
    const events: string[] = [];
    let running = 0;
    const task = (name: string, ms: number) =>
      mutex.runExclusive(async () => {
        running++;
        expect(running).toBe(1);
        events.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        events.push(`end ${name}`);
        running--;
        return name;
      });
    const results = await Promise.all([task('a', 20), task('b', 1), task('c', 5)]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('keeps going after a rejection, which reaches only its caller', async () => {
    const mutex = new Mutex();
    const failed = mutex.runExclusive(async () => {
      throw new Error('boom');
    });
    const next = mutex.runExclusive(() => 'next');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});

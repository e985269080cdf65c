import { describe, expect, it } from 'vitest';
import { BackgroundClient, type ClientPort } from '../../src/ui/background-client';

/** A port whose background either answers each request or dies on it. */
function fakePort(behaviour: 'answer' | 'die', sent: unknown[]): ClientPort {
  const onMessage: Array<(message: unknown) => void> = [];
  const onDisconnect: Array<() => void> = [];
  return {
    postMessage(message) {
      sent.push(message);
      const { id, method } = message as { id: number; method: string };
      queueMicrotask(() => {
        if (behaviour === 'die') for (const listener of onDisconnect) listener();
        else for (const listener of onMessage) listener({ type: 'response', id, result: `${method} ok` });
      });
    },
    onMessage: { addListener: (listener) => void onMessage.push(listener) },
    onDisconnect: { addListener: (listener) => void onDisconnect.push(listener) },
  };
}

describe('BackgroundClient', () => {
  it('resends a safe request once on a new port when the worker died with it', async () => {
    const sent: unknown[] = [];
    const behaviours: Array<'answer' | 'die'> = ['die', 'answer'];
    const client = new BackgroundClient(() => fakePort(behaviours.shift() ?? 'answer', sent));
    await expect(client.call('getState')).resolves.toBe('getState ok');
    expect(sent).toHaveLength(2);
  });

  it('does not repeat requests that change the wallet', async () => {
    const sent: unknown[] = [];
    const client = new BackgroundClient(() => fakePort('die', sent));
    await expect(client.call('addAccount', {})).rejects.toMatchObject({ code: 4900 });
    expect(sent).toHaveLength(1);
  });

  it('gives up after one retry', async () => {
    const sent: unknown[] = [];
    const client = new BackgroundClient(() => fakePort('die', sent));
    await expect(client.call('getState')).rejects.toMatchObject({ code: 4900 });
    expect(sent).toHaveLength(2);
  });
});

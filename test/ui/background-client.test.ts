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

/** A client on a fake port, with `push` delivering a message from the background. */
function clientWithPush() {
  let deliver: (message: unknown) => void = () => {};
  const client = new BackgroundClient(() => {
    const port = fakePort('answer', []);
    return {
      ...port,
      onMessage: {
        addListener(listener) {
          deliver = listener;
          port.onMessage.addListener(listener);
        },
      },
    };
  });
  return { client, push: (message: unknown) => deliver(message) };
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

  it('does not send a message twice, but re-reads messages', async () => {
    const sent: unknown[] = [];
    const client = new BackgroundClient(() => fakePort('die', sent));
    const account = '0x0000000000000000000000000000000000000001';
    await expect(client.call('sendMessage', { account, to: account, text: 'hi' })).rejects.toMatchObject({
      code: 4900,
    });
    expect(sent).toHaveLength(1);
    await expect(client.call('getMessages', { account, peer: account })).rejects.toMatchObject({
      code: 4900,
    });
    expect(sent).toHaveLength(3);
  });

  it('hands each pushed event to the listeners of its kind only', async () => {
    const { client, push } = clientWithPush();
    const seen: Array<[string, unknown]> = [];
    client.onState((state) => seen.push(['state', state]));
    client.onMessages((change) => seen.push(['messages', change]));
    const stopRelay = client.onRelay((status) => seen.push(['relay', status]));
    await client.call('getState');

    const change = { account: '0x0000000000000000000000000000000000000001', topics: ['/xmtp/0/m-a/proto'] };
    const status = { node: 'running', relays: [{ address: '/dns4/relay/tcp/443/wss', state: 'connected' }] };
    const state = { status: 'locked', accounts: [], autoLockMinutes: 15 };
    push({ type: 'event', event: 'messages', data: change });
    push({ type: 'event', event: 'relay', data: status });
    push({ type: 'event', event: 'state', data: state });
    push({ type: 'event', event: 'unknown', data: {} });
    push({ type: 'event', event: 'relay', data: null });
    stopRelay();
    push({ type: 'event', event: 'relay', data: status });

    expect(seen).toEqual([
      ['messages', change],
      ['relay', status],
      ['state', state],
    ]);
  });

  it('hands anchoring changes to their own listeners, not to the chat’s message listeners', async () => {
    const { client, push } = clientWithPush();
    const seen: Array<[string, unknown]> = [];
    client.onMessages((change) => seen.push(['messages', change]));
    client.onAnchors((change) => seen.push(['anchors', change]));
    await client.call('getState');
    const change = { account: '0x0000000000000000000000000000000000000001', topics: ['/xmtp/0/m-a/proto'] };
    push({ type: 'event', event: 'anchors', data: change });
    expect(seen).toEqual([['anchors', change]]);
  });

  it('gives up after one retry', async () => {
    const sent: unknown[] = [];
    const client = new BackgroundClient(() => fakePort('die', sent));
    await expect(client.call('getState')).rejects.toMatchObject({ code: 4900 });
    expect(sent).toHaveLength(2);
  });
});

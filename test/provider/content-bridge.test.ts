/** The isolated-world bridge between the page's window channel and the background port. */
import { describe, expect, it } from 'vitest';
import {
  CONTENT_CHANNEL,
  DAPP_PORT_NAME,
  INPAGE_CHANNEL,
  MAX_REQUEST_BYTES,
} from '../../src/provider/channel';
import { startContentBridge } from '../../src/provider/content-bridge';
import { connectedPorts } from '../background/fake-port';
import { FakeWindow } from '../support/fake-window';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function request(id: string, method: string, params?: unknown) {
  return {
    channel: INPAGE_CHANNEL,
    type: 'request',
    id,
    method,
    ...(params === undefined ? {} : { params }),
  };
}

/** A bridge on a fake window whose `connect` hands out fake port pairs; the test plays the background. */
function setup(origin = 'https://dapp.example') {
  const win = new FakeWindow(origin);
  const state = { alive: true };
  const connects: string[] = [];
  const servers: ReturnType<typeof connectedPorts>['server'][] = [];
  const received: unknown[][] = [];
  const backgroundListeners: Array<(message: unknown) => void> = [];
  /** What the background sends to this tab with tabs.sendMessage. */
  const fromBackground = (message: unknown) => {
    for (const listener of backgroundListeners) listener(message);
  };
  startContentBridge({
    win: win.asWindow,
    onBackgroundMessage: (listener) => void backgroundListeners.push(listener),
    connect: (name) => {
      connects.push(name);
      const { client, server } = connectedPorts(name, { url: `${origin}/` });
      const log: unknown[] = [];
      server.onMessage.addListener((message) => log.push(message));
      servers.push(server);
      received.push(log);
      return client;
    },
    extensionAlive: () => state.alive,
  });
  /** Everything the background received, over all ports. */
  const allReceived = () => received.flat();
  const server = (index = servers.length - 1) => {
    const found = servers[index];
    if (!found) throw new Error('no port was opened');
    return found;
  };
  return { win, state, connects, received, allReceived, server, fromBackground };
}

describe('content bridge: what it accepts from the page', () => {
  it('forwards an allowlisted request with a numeric port id, and maps the answer back to the page id', async () => {
    const { win, connects, allReceived, server } = setup();
    win.send(request('page-a', 'eth_getBalance', ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', 'latest']));
    win.send(request('page-b', 'eth_chainId'));
    await tick();
    expect(connects).toEqual([DAPP_PORT_NAME]);
    expect(allReceived()).toEqual([
      {
        type: 'request',
        id: 1,
        method: 'eth_getBalance',
        params: ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', 'latest'],
      },
      { type: 'request', id: 2, method: 'eth_chainId' },
    ]);

    server().postMessage({ type: 'response', id: 2, result: '0x7a69' });
    server().postMessage({ type: 'response', id: 1, error: { code: -32603, message: 'Internal error' } });
    await tick();
    expect(win.posted).toEqual([
      {
        message: { channel: CONTENT_CHANNEL, type: 'response', id: 'page-b', result: '0x7a69' },
        targetOrigin: 'https://dapp.example',
      },
      {
        message: {
          channel: CONTENT_CHANNEL,
          type: 'response',
          id: 'page-a',
          error: { code: -32603, message: 'Internal error' },
        },
        targetOrigin: 'https://dapp.example',
      },
    ]);
  });

  it("posts to the page's own origin, never '*', for http origins too", async () => {
    const { win, server, fromBackground } = setup('http://127.0.0.1:5173');
    win.send(request('x', 'eth_accounts'));
    await tick();
    server().postMessage({ type: 'response', id: 1, result: [] });
    fromBackground({
      type: 'cairn-event',
      origin: 'http://127.0.0.1:5173',
      event: 'chainChanged',
      data: '0x1',
    });
    await tick();
    expect(win.posted.map((p) => p.targetOrigin)).toEqual(['http://127.0.0.1:5173', 'http://127.0.0.1:5173']);
  });

  it('ignores messages from another source (an iframe, an opener) or without a source', async () => {
    const { win, connects, allReceived } = setup();
    const iframe = new FakeWindow('https://dapp.example');
    win.send(request('a', 'eth_requestAccounts'), iframe);
    win.send(request('b', 'eth_requestAccounts'), null);
    await tick();
    expect(connects).toEqual([]);
    expect(allReceived()).toEqual([]);
    expect(win.posted).toEqual([]);
  });

  it('ignores messages on another channel or of another type', async () => {
    const { win, connects } = setup();
    win.send({ ...request('a', 'eth_accounts'), channel: CONTENT_CHANNEL });
    win.send({ ...request('a', 'eth_accounts'), channel: 'metamask-provider' });
    win.send({ ...request('a', 'eth_accounts'), type: 'response' });
    win.send('eth_accounts');
    win.send(null);
    await tick();
    expect(connects).toEqual([]);
    expect(win.posted).toEqual([]);
  });

  it('drops non-allowlisted methods with no reply and nothing sent on the port', async () => {
    const { win, connects, allReceived } = setup();
    for (const method of ['unlock', 'getApproval', 'resolveApproval', 'revokeSite', 'eth_sign', '', 42]) {
      win.send({ channel: INPAGE_CHANNEL, type: 'request', id: 'x', method });
    }
    await tick();
    expect(connects).toEqual([]);
    expect(allReceived()).toEqual([]);
    expect(win.posted).toEqual([]);
  });

  it('drops ids that are not strings of 1 to 100 characters', async () => {
    const { win, allReceived } = setup();
    win.send(request('x'.repeat(101), 'eth_chainId'));
    win.send(request('', 'eth_chainId'));
    win.send({ channel: INPAGE_CHANNEL, type: 'request', id: 7, method: 'eth_chainId' });
    await tick();
    expect(allReceived()).toEqual([]);
    win.send(request('x'.repeat(100), 'eth_chainId'));
    await tick();
    expect(allReceived()).toEqual([{ type: 'request', id: 1, method: 'eth_chainId' }]);
    expect(win.posted).toEqual([]);
  });

  it('drops oversized or unserializable params', async () => {
    const { win, allReceived } = setup();
    win.send(request('big', 'eth_call', ['x'.repeat(MAX_REQUEST_BYTES)]));
    const circular: unknown[] = [];
    circular.push(circular);
    win.send(request('loop', 'eth_call', circular));
    await tick();
    expect(allReceived()).toEqual([]);
    expect(win.posted).toEqual([]);
  });

  it('does not take an origin from the message: it forwards only type, id, method and params', async () => {
    const { win, allReceived } = setup();
    win.send({ ...request('a', 'eth_accounts', []), origin: 'https://bank.example', sender: { id: 'x' } });
    await tick();
    expect(allReceived()).toEqual([{ type: 'request', id: 1, method: 'eth_accounts', params: [] }]);
  });
});

describe('content bridge: what it relays from the background', () => {
  it('forwards events the background sends to this tab, for this origin only, even with no port open', async () => {
    const { win, connects, fromBackground } = setup();
    fromBackground({
      type: 'cairn-event',
      origin: 'https://dapp.example',
      event: 'accountsChanged',
      data: ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'],
    });
    // A tab that navigated to another site since, unknown events and junk are dropped.
    fromBackground({
      type: 'cairn-event',
      origin: 'https://other.example',
      event: 'accountsChanged',
      data: [],
    });
    fromBackground({ type: 'cairn-event', origin: 'https://dapp.example', event: 'unlock', data: null });
    fromBackground({
      type: 'cairn-event',
      origin: 'https://other.example',
      event: 'message',
      data: { type: 'cairn_message', data: { id: 'x' } },
    });
    fromBackground({
      type: 'cairn-event',
      origin: 'https://dapp.example',
      event: 'message',
      data: { type: 'cairn_message', data: { id: 'x' } },
    });
    fromBackground('junk');
    // Events on the request port are not an event path.
    await tick();
    expect(connects).toEqual([]);
    expect(win.posted).toEqual([
      {
        message: {
          channel: CONTENT_CHANNEL,
          type: 'event',
          event: 'accountsChanged',
          data: ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'],
        },
        targetOrigin: 'https://dapp.example',
      },
      {
        message: {
          channel: CONTENT_CHANNEL,
          type: 'event',
          event: 'message',
          data: { type: 'cairn_message', data: { id: 'x' } },
        },
        targetOrigin: 'https://dapp.example',
      },
    ]);
  });

  it('ignores answers for unknown port ids, duplicate answers and malformed port messages', async () => {
    const { win, server } = setup();
    win.send(request('a', 'eth_chainId'));
    await tick();
    server().postMessage({ type: 'response', id: 99, result: '0x1' });
    server().postMessage({ type: 'nonsense', id: 1 });
    server().postMessage('response');
    server().postMessage({ type: 'response', id: 1, result: '0x7a69' });
    server().postMessage({ type: 'response', id: 1, result: '0x1' });
    await tick();
    expect(win.posted.map((p) => p.message)).toEqual([
      { channel: CONTENT_CHANNEL, type: 'response', id: 'a', result: '0x7a69' },
    ]);
  });

  it('answers pending requests with 4900 when the port drops, and reconnects for the next request', async () => {
    const { win, connects, received, server } = setup();
    win.send(request('a', 'eth_requestAccounts'));
    win.send(request('b', 'personal_sign', ['0x68656c6c6f', '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266']));
    await tick();
    server().disconnect(); // the service worker stopped
    expect(win.posted.map((p) => p.message)).toEqual([
      {
        channel: CONTENT_CHANNEL,
        type: 'response',
        id: 'a',
        error: { code: 4900, message: 'Cairn restarted; please retry' },
      },
      {
        channel: CONTENT_CHANNEL,
        type: 'response',
        id: 'b',
        error: { code: 4900, message: 'Cairn restarted; please retry' },
      },
    ]);

    win.send(request('c', 'eth_chainId'));
    await tick();
    expect(connects).toEqual([DAPP_PORT_NAME, DAPP_PORT_NAME]);
    expect(received[1]).toEqual([{ type: 'request', id: 3, method: 'eth_chainId' }]);
    server(1).postMessage({ type: 'response', id: 3, result: '0x7a69' });
    await tick();
    expect(win.posted.at(-1)?.message).toEqual({
      channel: CONTENT_CHANNEL,
      type: 'response',
      id: 'c',
      result: '0x7a69',
    });
    expect(win.posted).toHaveLength(3);
  });

  it('posts a disconnect event when the extension went away, after failing what was pending', async () => {
    const { win, state, server } = setup();
    win.send(request('a', 'eth_requestAccounts'));
    await tick();
    state.alive = false;
    server().disconnect();
    expect(win.posted.map((p) => p.message)).toEqual([
      {
        channel: CONTENT_CHANNEL,
        type: 'response',
        id: 'a',
        error: { code: 4900, message: 'Cairn is no longer available' },
      },
      {
        channel: CONTENT_CHANNEL,
        type: 'event',
        event: 'disconnect',
        data: { code: 4900, message: 'Cairn is no longer available' },
      },
    ]);
    expect(win.posted.every((p) => p.targetOrigin === 'https://dapp.example')).toBe(true);
  });

  it('answers 4900 at once when the extension is gone, instead of leaving the request hanging', async () => {
    const { win, state, connects } = setup();
    state.alive = false;
    win.send(request('a', 'eth_chainId'));
    await tick();
    expect(connects).toEqual([]);
    expect(win.posted.map((p) => p.message)).toEqual([
      {
        channel: CONTENT_CHANNEL,
        type: 'response',
        id: 'a',
        error: { code: 4900, message: 'Cairn is no longer available' },
      },
    ]);
  });

  it('answers 4900 when the port cannot be opened or used, and tries again next time', async () => {
    const win = new FakeWindow();
    let attempts = 0;
    startContentBridge({
      win: win.asWindow,
      onBackgroundMessage: () => {},
      connect: () => {
        attempts++;
        throw new Error('Extension context invalidated.');
      },
      extensionAlive: () => true,
    });
    win.send(request('a', 'eth_chainId'));
    win.send(request('b', 'eth_chainId'));
    await tick();
    expect(attempts).toBe(2);
    expect(win.posted.map((p) => p.message)).toEqual([
      {
        channel: CONTENT_CHANNEL,
        type: 'response',
        id: 'a',
        error: { code: 4900, message: 'Cairn is not reachable; please retry' },
      },
      {
        channel: CONTENT_CHANNEL,
        type: 'response',
        id: 'b',
        error: { code: 4900, message: 'Cairn is not reachable; please retry' },
      },
    ]);
  });
});

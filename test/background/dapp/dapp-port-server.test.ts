/** The background end of the bridge ports: who is served, what is answered, and how errors cross. */
import { BaseError } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  type DappPortSender,
  DappPortServer,
  dappOrigin,
} from '../../../src/background/dapp/dapp-port-server';
import { JsonRpcError } from '../../../src/chain/json-rpc-client';
import { CairnError, InvalidParamsError } from '../../../src/keyring/errors';
import { DAPP_PORT_NAME } from '../../../src/provider/channel';
import { connectedPorts } from '../fake-port';

const EXT = 'abcdefghijklmnopabcdefghijklmnop';
const DAPP = 'https://dapp.example';
const OTHER = 'http://127.0.0.1:5173';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function tabSender(url: string, extra: Partial<DappPortSender> = {}): DappPortSender {
  return { id: EXT, url, frameId: 0, tab: { id: 7 }, ...extra };
}

describe('dappOrigin', () => {
  it('serves the top frame of a tab, taking the origin from sender.origin, else sender.url', () => {
    expect(dappOrigin(tabSender('https://dapp.example/swap?x=1#y'), EXT)).toBe(DAPP);
    expect(dappOrigin(tabSender('https://b.example/', { origin: 'https://a.example' }), EXT)).toBe(
      'https://a.example',
    );
    expect(dappOrigin(tabSender('http://127.0.0.1:5173/index.html'), EXT)).toBe(OTHER);
    expect(dappOrigin(tabSender('https://dapp.example:443/'), EXT)).toBe(DAPP);
  });

  it('normalizes internationalized hosts to punycode, so look-alikes stay visible', () => {
    expect(dappOrigin(tabSender('https://аррӏе.com/'), EXT)).toBe('https://xn--80ak6aa92e.com');
  });

  it('refuses frames other than the top one, senders without a tab, and other extensions', () => {
    expect(dappOrigin(tabSender(`${DAPP}/`, { frameId: 3 }), EXT)).toBeUndefined();
    expect(dappOrigin({ id: EXT, url: `${DAPP}/`, frameId: 0 }, EXT)).toBeUndefined();
    expect(dappOrigin({ id: EXT, url: `${DAPP}/`, tab: { id: 1 } }, EXT)).toBeUndefined();
    expect(
      dappOrigin(tabSender(`${DAPP}/`, { id: 'ponmlkjihgfedcbaponmlkjihgfedcba' }), EXT),
    ).toBeUndefined();
    expect(dappOrigin({ ...tabSender(`${DAPP}/`), id: undefined }, EXT)).toBeUndefined();
    expect(dappOrigin(undefined, EXT)).toBeUndefined();
  });

  it('refuses non-http(s) pages, opaque origins and unparsable senders', () => {
    for (const url of [
      `chrome-extension://${EXT}/popup.html`,
      'file:///home/user/wallet.html',
      'data:text/html,<script>1</script>',
      'about:blank',
      'ftp://files.example/',
      'not a url',
    ]) {
      expect(dappOrigin(tabSender(url), EXT), url).toBeUndefined();
    }
    // A sandboxed page has an opaque origin: its URL's origin is not its own.
    expect(dappOrigin(tabSender(`${DAPP}/`, { origin: 'null' }), EXT)).toBeUndefined();
    expect(dappOrigin({ id: EXT, frameId: 0, tab: { id: 1 } }, EXT)).toBeUndefined();
  });
});

interface Setup {
  handle?: (origin: string, method: string, params: unknown) => Promise<unknown>;
  rate?: { capacity: number; refillPerSecond: number };
  ready?: Promise<unknown>;
}

function setup(options: Setup = {}) {
  let now = 1_000_000;
  const calls: Array<[string, string, unknown]> = [];
  const errors: Array<[string, unknown]> = [];
  const accepted: Array<[number, string]> = [];
  const server = new DappPortServer({
    onAccept: (tabId, origin) => void accepted.push([tabId, origin]),
    extensionId: EXT,
    ready: options.ready ?? Promise.resolve(),
    now: () => now,
    ...(options.rate ? { rate: options.rate } : {}),
    handle: async (origin, method, params) => {
      calls.push([origin, method, params]);
      return options.handle ? options.handle(origin, method, params) : `${method} ok`;
    },
    onError: (method, error) => void errors.push([method, error]),
  });
  /** Connects a bridge port from `url` (top frame of a tab); returns its client end and what it received. */
  const connect = (url = `${DAPP}/`, sender: DappPortSender = tabSender(url), name = DAPP_PORT_NAME) => {
    const { client, server: end } = connectedPorts(name, sender);
    const received: unknown[] = [];
    client.onMessage.addListener((message) => received.push(message));
    const accepted = server.accept(end);
    return { client, end, received, accepted };
  };
  return {
    server,
    accepted,
    calls,
    errors,
    connect,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('DappPortServer accepting ports', () => {
  it('accepts bridge ports from a tab and serves them with the origin from the sender', async () => {
    const { connect, calls, accepted } = setup();
    const port = connect('https://dapp.example/app');
    expect(port.accepted).toBe(true);
    expect(accepted).toEqual([[tabSender(`${DAPP}/`).tab?.id, DAPP]]);
    // An origin field in the message is ignored: only the sender counts.
    port.client.postMessage({
      type: 'request',
      id: 1,
      method: 'eth_accounts',
      origin: 'https://bank.example',
    });
    await tick();
    expect(calls).toEqual([[DAPP, 'eth_accounts', undefined]]);
    expect(port.received).toEqual([{ type: 'response', id: 1, result: 'eth_accounts ok' }]);
  });

  it('leaves ports of another name to other servers, and disconnects refused senders', () => {
    const { connect, accepted } = setup();
    const other = connect(`${DAPP}/`, tabSender(`${DAPP}/`), 'cairn-ui');
    expect(other.accepted).toBe(false);
    expect(other.end.connected).toBe(true);
    const iframe = connect(`${DAPP}/`, tabSender(`${DAPP}/`, { frameId: 2 }));
    expect(iframe.accepted).toBe(false);
    expect(iframe.end.connected).toBe(false);
    expect(accepted).toEqual([]);
  });

  it('waits until the background is ready before handling', async () => {
    let ready = () => {};
    const { connect, calls } = setup({ ready: new Promise<void>((resolve) => (ready = resolve)) });
    const port = connect();
    port.client.postMessage({ type: 'request', id: 1, method: 'eth_chainId' });
    await tick();
    expect(calls).toEqual([]);
    ready();
    await tick();
    expect(port.received).toEqual([{ type: 'response', id: 1, result: 'eth_chainId ok' }]);
  });

  it('answers null for a handler that returns nothing', async () => {
    const { connect } = setup({ handle: async () => undefined });
    const port = connect();
    port.client.postMessage({
      type: 'request',
      id: 0,
      method: 'wallet_switchEthereumChain',
      params: [{ chainId: '0x1' }],
    });
    await tick();
    expect(port.received).toEqual([{ type: 'response', id: 0, result: null }]);
  });
});

describe('DappPortServer refusing requests', () => {
  it('ignores malformed messages without answering or calling the handler', async () => {
    const { connect, calls } = setup();
    const port = connect();
    for (const message of [
      null,
      'eth_accounts',
      [],
      { type: 'request', method: 'eth_accounts' },
      { type: 'request', id: '1', method: 'eth_accounts' },
      { type: 'request', id: -1, method: 'eth_accounts' },
      { type: 'request', id: 1.5, method: 'eth_accounts' },
      { type: 'request', id: 1, method: 42 },
      { type: 'request', id: 1, method: 'x'.repeat(65) },
      { type: 'response', id: 1, result: 'forged' },
      { id: 1, method: 'eth_accounts' },
    ]) {
      port.client.postMessage(message);
    }
    await tick();
    expect(calls).toEqual([]);
    expect(port.received).toEqual([]);
    port.client.postMessage({ type: 'request', id: 2, method: 'eth_chainId' });
    await tick();
    expect(port.received).toEqual([{ type: 'response', id: 2, result: 'eth_chainId ok' }]);
  });

  it('answers non-allowlisted methods with 4200 without calling the handler', async () => {
    const { connect, calls } = setup();
    const port = connect();
    const methods = [
      'unlock',
      'getApproval',
      'resolveApproval',
      'revokeSite',
      'eth_sign',
      'eth_signTransaction',
    ];
    methods.forEach((method, id) => {
      port.client.postMessage({ type: 'request', id, method });
    });
    await tick();
    expect(calls).toEqual([]);
    expect(port.received).toEqual(
      methods.map((method, id) => ({
        type: 'response',
        id,
        error: { code: 4200, message: `The method "${method}" is not supported` },
      })),
    );
  });

  it('limits each origin to its request budget with -32005, refilling over time', async () => {
    const { connect, calls, advance } = setup({ rate: { capacity: 3, refillPerSecond: 2 } });
    const spammer = connect();
    const other = connect(`${OTHER}/`);
    for (let id = 1; id <= 5; id++)
      spammer.client.postMessage({ type: 'request', id, method: 'eth_blockNumber' });
    other.client.postMessage({ type: 'request', id: 1, method: 'eth_blockNumber' });
    await tick();
    const byId = (messages: unknown[]) =>
      [...messages].sort((a, b) => (a as { id: number }).id - (b as { id: number }).id);
    expect(byId(spammer.received).slice(3)).toEqual([
      {
        type: 'response',
        id: 4,
        error: { code: -32005, message: 'Too many requests from this site; slow down' },
      },
      {
        type: 'response',
        id: 5,
        error: { code: -32005, message: 'Too many requests from this site; slow down' },
      },
    ]);
    expect(other.received).toEqual([{ type: 'response', id: 1, result: 'eth_blockNumber ok' }]);
    expect(calls.filter(([origin]) => origin === DAPP)).toHaveLength(3);

    advance(500);
    spammer.client.postMessage({ type: 'request', id: 6, method: 'eth_blockNumber' });
    await tick();
    expect(spammer.received.at(-1)).toEqual({ type: 'response', id: 6, result: 'eth_blockNumber ok' });
  });

  it('shares one budget across the tabs of an origin', async () => {
    const { connect } = setup({ rate: { capacity: 2, refillPerSecond: 1 } });
    const tabA = connect();
    const tabB = connect(`${DAPP}/other`, tabSender(`${DAPP}/other`, { tab: { id: 8 } }));
    tabA.client.postMessage({ type: 'request', id: 1, method: 'eth_chainId' });
    tabA.client.postMessage({ type: 'request', id: 2, method: 'eth_chainId' });
    tabB.client.postMessage({ type: 'request', id: 1, method: 'eth_chainId' });
    await tick();
    expect(tabB.received).toEqual([
      {
        type: 'response',
        id: 1,
        error: { code: -32005, message: 'Too many requests from this site; slow down' },
      },
    ]);
  });
});

describe('DappPortServer errors on the wire', () => {
  async function answerFor(error: unknown) {
    const { connect, errors } = setup({
      handle: async () => {
        throw error;
      },
    });
    const port = connect();
    port.client.postMessage({ type: 'request', id: 9, method: 'eth_call', params: [] });
    await tick();
    return { reply: port.received[0], errors };
  }

  it('sends a generic Error as -32603 "Internal error", never its message or stack', async () => {
    const secret = new Error('ENOENT /home/alice/.config/cairn/vault.json');
    const { reply, errors } = await answerFor(secret);
    expect(reply).toStrictEqual({
      type: 'response',
      id: 9,
      error: { code: -32603, message: 'Internal error' },
    });
    expect(JSON.stringify(reply)).not.toContain('alice');
    expect(errors).toEqual([['eth_call', secret]]);
  });

  it('sends non-Error throws as -32603 "Internal error"', async () => {
    const { reply } = await answerFor('a string with a secret');
    expect(reply).toStrictEqual({
      type: 'response',
      id: 9,
      error: { code: -32603, message: 'Internal error' },
    });
  });

  it('sends a CairnError as its code and message only', async () => {
    const { reply, errors } = await answerFor(new InvalidParamsError('Invalid params for eth_call: nope'));
    expect(reply).toStrictEqual({
      type: 'response',
      id: 9,
      error: { code: -32602, message: 'Invalid params for eth_call: nope' },
    });
    expect(errors).toEqual([]);
    const wrapped = await answerFor(
      new CairnError('Could not open the approval window', { cause: new Error('secret detail') }),
    );
    expect(wrapped.reply).toStrictEqual({
      type: 'response',
      id: 9,
      error: { code: -32603, message: 'Could not open the approval window' },
    });
  });

  it("keeps a JsonRpcError's code, message and data", async () => {
    const revert = new JsonRpcError(3, 'execution reverted: nope', '0x08c379a0');
    expect((await answerFor(revert)).reply).toStrictEqual({
      type: 'response',
      id: 9,
      error: { code: 3, message: 'execution reverted: nope', data: '0x08c379a0' },
    });
    expect((await answerFor(new JsonRpcError(-32000, 'nonce too low'))).reply).toStrictEqual({
      type: 'response',
      id: 9,
      error: { code: -32000, message: 'nonce too low' },
    });
  });

  it("reports the node's JsonRpcError found in the cause chain of a viem error", async () => {
    const node = new JsonRpcError(3, 'execution reverted', '0xdeadbeef');
    const viemError = new BaseError('Execution reverted for an unknown reason.', {
      cause: new BaseError('RPC Request failed.', { cause: node }),
    });
    const { reply, errors } = await answerFor(viemError);
    expect(reply).toStrictEqual({
      type: 'response',
      id: 9,
      error: { code: 3, message: 'execution reverted', data: '0xdeadbeef' },
    });
    expect(errors).toEqual([]);
  });
});

describe('DappPortServer answers', () => {
  it('drops the answer quietly when the tab went away mid-request', async () => {
    let finish = (_: unknown) => {};
    const { connect, calls } = setup({ handle: () => new Promise((resolve) => (finish = resolve)) });
    const port = connect();
    port.client.postMessage({ type: 'request', id: 1, method: 'eth_requestAccounts' });
    await tick();
    expect(calls).toHaveLength(1);
    port.client.disconnect();
    finish(['0x']);
    await tick();
    expect(port.received).toEqual([]);
  });
});

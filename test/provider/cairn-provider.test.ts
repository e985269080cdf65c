/** The inpage EIP-1193 provider over a fake transport that structured-clones like `window.postMessage`. */
import { describe, expect, it } from 'vitest';
import { CairnProvider, type InpageTransport } from '../../src/provider/cairn-provider';
import {
  CONTENT_CHANNEL,
  type ContentMessage,
  INPAGE_CHANNEL,
  type InpageRequest,
  MAX_REQUEST_BYTES,
} from '../../src/provider/channel';
import { ProviderRpcError } from '../../src/provider/provider-rpc-error';
import { collectUncaught } from '../support/uncaught';

const A0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const A1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

/** Records what the provider posts (cloned as `postMessage` would) and lets the test answer. */
class FakeTransport implements InpageTransport {
  readonly posted: InpageRequest[] = [];
  #handler: ((message: ContentMessage) => void) | undefined;

  post(message: InpageRequest): void {
    this.posted.push(structuredClone(message));
  }

  listen(handler: (message: ContentMessage) => void): void {
    this.#handler = handler;
  }

  deliver(message: ContentMessage): void {
    if (!this.#handler) throw new Error('provider is not listening');
    this.#handler(message);
  }

  /** The last posted request for `method`. */
  last(method: string): InpageRequest {
    const found = this.posted.findLast((message) => message.method === method);
    if (!found) throw new Error(`nothing posted for ${method}`);
    return found;
  }

  answer(method: string, result: unknown): void {
    this.deliver({ channel: CONTENT_CHANNEL, type: 'response', id: this.last(method).id, result });
  }

  fail(method: string, error: { code: number; message: string; data?: unknown }): void {
    this.deliver({ channel: CONTENT_CHANNEL, type: 'response', id: this.last(method).id, error });
  }

  event(
    event: 'accountsChanged' | 'chainChanged' | 'disconnect' | 'connect' | 'message',
    data: unknown,
  ): void {
    this.deliver({ channel: CONTENT_CHANNEL, type: 'event', event, data });
  }
}

function setup() {
  const transport = new FakeTransport();
  let n = 0;
  const provider = new CairnProvider(transport, () => `id-${++n}`);
  const events: Array<[string, unknown]> = [];
  for (const name of ['connect', 'disconnect', 'accountsChanged', 'chainChanged', 'message']) {
    provider.on(name, (data) => events.push([name, data]));
  }
  return { transport, provider, events };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function rpcError(promise: Promise<unknown>): Promise<ProviderRpcError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderRpcError);
  return error as ProviderRpcError;
}

describe('CairnProvider request validation', () => {
  const invalid: Array<[string, unknown, RegExp]> = [
    ['undefined', undefined, /expects an object/],
    ['a string', 'eth_accounts', /expects an object/],
    ['null', null, /expects an object/],
    ['an array', ['eth_accounts'], /expects an object/],
    ['a missing method', {}, /"method" must be a non-empty string/],
    ['an empty method', { method: '' }, /"method" must be a non-empty string/],
    ['a numeric method', { method: 1 }, /"method" must be a non-empty string/],
    ['string params', { method: 'eth_call', params: 'x' }, /"params" must be an array or an object/],
    ['null params', { method: 'eth_call', params: null }, /"params" must be an array or an object/],
    ['numeric params', { method: 'eth_call', params: 1 }, /"params" must be an array or an object/],
    ['bigint params', { method: 'eth_call', params: [1n] }, /"params" must be JSON-serializable/],
  ];
  it.each(invalid)('refuses %s with -32602 and posts nothing', async (_name, args, message) => {
    const { transport, provider } = setup();
    // @ts-expect-error deliberately malformed arguments
    const error = await rpcError(provider.request(args));
    expect(error.code).toBe(-32602);
    expect(error.message).toMatch(message);
    expect(transport.posted).toEqual([]);
  });

  it('refuses circular params with -32602', async () => {
    const { transport, provider } = setup();
    const params: unknown[] = [];
    params.push(params);
    const error = await rpcError(provider.request({ method: 'eth_call', params }));
    expect(error.code).toBe(-32602);
    expect(transport.posted).toEqual([]);
  });

  it('refuses params that postMessage cannot clone with -32602, not a DataCloneError', async () => {
    const { provider } = setup();
    // JSON.stringify drops a function silently, but window.postMessage throws DataCloneError on it.
    const error = await rpcError(provider.request({ method: 'eth_call', params: [{ to: A1, f: () => 1 }] }));
    expect(error.code).toBe(-32602);
  });

  it('accepts params of exactly MAX_REQUEST_BYTES serialized and refuses one more', async () => {
    const { transport, provider } = setup();
    // JSON of ["x…x"] is the string plus 4 characters.
    void provider.request({ method: 'eth_call', params: ['x'.repeat(MAX_REQUEST_BYTES - 4)] });
    expect(transport.posted).toHaveLength(1);
    const error = await rpcError(
      provider.request({ method: 'eth_call', params: ['x'.repeat(MAX_REQUEST_BYTES - 3)] }),
    );
    expect(error.code).toBe(-32602);
    expect(error.message).toBe(`"params" is larger than ${MAX_REQUEST_BYTES} bytes`);
    expect(transport.posted).toHaveLength(1);
  });

  it('answers unknown and internal methods with 4200 without posting anything', async () => {
    const { transport, provider } = setup();
    for (const method of ['eth_sign', 'unlock', 'getApproval', 'resolveApproval', 'eth_signTransaction']) {
      const error = await rpcError(provider.request({ method }));
      expect(error.code).toBe(4200);
      expect(error.message).toBe(`The method "${method}" is not supported by Cairn`);
    }
    expect(transport.posted).toEqual([]);
  });
});

describe('CairnProvider responses', () => {
  it('posts one request per call on its channel with a fresh id and the params as given', async () => {
    const { transport, provider } = setup();
    void provider.request({ method: 'eth_getBalance', params: [A0, 'latest'] });
    void provider.request({ method: 'eth_blockNumber' });
    expect(transport.posted).toEqual([
      {
        channel: INPAGE_CHANNEL,
        type: 'request',
        id: 'id-1',
        method: 'eth_getBalance',
        params: [A0, 'latest'],
      },
      { channel: INPAGE_CHANNEL, type: 'request', id: 'id-2', method: 'eth_blockNumber' },
    ]);
  });

  it('resolves with the result of the matching response', async () => {
    const { transport, provider } = setup();
    const balance = provider.request({ method: 'eth_getBalance', params: [A0, 'latest'] });
    transport.answer('eth_getBalance', '0x21e19e0c9bab2400000');
    await expect(balance).resolves.toBe('0x21e19e0c9bab2400000');
  });

  it('rejects with a ProviderRpcError carrying code, message and data', async () => {
    const { transport, provider } = setup();
    const call = provider.request({ method: 'eth_call', params: [{ to: A1, data: '0x' }] });
    transport.fail('eth_call', { code: 3, message: 'execution reverted', data: '0x08c379a0' });
    const error = await rpcError(call);
    expect(error).toMatchObject({ name: 'ProviderRpcError', code: 3, message: 'execution reverted' });
    expect(error.data).toBe('0x08c379a0');
  });

  it('ignores responses whose id matches no pending request', async () => {
    const { transport, provider } = setup();
    let settled = false;
    const call = provider.request({ method: 'eth_blockNumber' }).finally(() => {
      settled = true;
    });
    transport.deliver({ channel: CONTENT_CHANNEL, type: 'response', id: 'id-999', result: '0x1' });
    await tick();
    expect(settled).toBe(false);
    transport.answer('eth_blockNumber', '0x2');
    await expect(call).resolves.toBe('0x2');
    // A second answer to the same id is ignored too.
    transport.answer('eth_blockNumber', '0x3');
  });
});

describe('CairnProvider events', () => {
  it('emits connect once, with the chain id, after the first successful answer to eth_chainId', async () => {
    const { transport, provider, events } = setup();
    expect(provider.isConnected()).toBe(false);
    const chain = provider.request({ method: 'eth_chainId' });
    transport.answer('eth_chainId', '0x7a69');
    await expect(chain).resolves.toBe('0x7a69');
    expect(events).toEqual([['connect', { chainId: '0x7a69' }]]);
    expect(provider.isConnected()).toBe(true);

    const again = provider.request({ method: 'eth_chainId' });
    transport.answer('eth_chainId', '0x7a69');
    await again;
    const block = provider.request({ method: 'eth_blockNumber' });
    transport.answer('eth_blockNumber', '0x1');
    await block;
    expect(events).toEqual([['connect', { chainId: '0x7a69' }]]);
  });

  it('fetches the chain id itself when the first answer is not eth_chainId, then emits connect', async () => {
    const { transport, provider, events } = setup();
    const accounts = provider.request({ method: 'eth_accounts' });
    transport.answer('eth_accounts', []);
    await expect(accounts).resolves.toEqual([]);
    expect(events).toEqual([]);
    expect(transport.posted.map((m) => m.method)).toEqual(['eth_accounts', 'eth_chainId']);
    transport.answer('eth_chainId', '0x14a34');
    await tick();
    expect(events).toEqual([['connect', { chainId: '0x14a34' }]]);
    expect(provider.isConnected()).toBe(true);
  });

  it('does not connect on an error answer', async () => {
    const { transport, provider, events } = setup();
    const call = provider.request({ method: 'eth_chainId' });
    transport.fail('eth_chainId', { code: 4900, message: 'Cairn restarted; please retry' });
    await expect(call).rejects.toMatchObject({ code: 4900 });
    expect(events).toEqual([]);
    expect(provider.isConnected()).toBe(false);
    expect(transport.posted).toHaveLength(1);
  });

  it('emits accountsChanged only when the accounts change, from answers and from events', async () => {
    const { transport, provider, events } = setup();
    const chain = provider.request({ method: 'eth_chainId' });
    transport.answer('eth_chainId', '0x7a69');
    await chain;
    events.length = 0;

    const none = provider.request({ method: 'eth_accounts' });
    transport.answer('eth_accounts', []);
    await none;
    expect(events).toEqual([]);

    const connect = provider.request({ method: 'eth_requestAccounts' });
    transport.answer('eth_requestAccounts', [A0]);
    await connect;
    expect(events).toEqual([['accountsChanged', [A0]]]);

    transport.event('accountsChanged', [A0]);
    expect(events).toHaveLength(1);
    transport.event('accountsChanged', [A1, A0]);
    transport.event('accountsChanged', [A1, A0]);
    transport.event('accountsChanged', []);
    expect(events).toEqual([
      ['accountsChanged', [A0]],
      ['accountsChanged', [A1, A0]],
      ['accountsChanged', []],
    ]);
  });

  it('emits chainChanged only when the chain changes', async () => {
    const { transport, provider, events } = setup();
    const chain = provider.request({ method: 'eth_chainId' });
    transport.answer('eth_chainId', '0x7a69');
    await chain;
    events.length = 0;

    transport.event('chainChanged', '0x7a69');
    expect(events).toEqual([]);
    transport.event('chainChanged', '0x14a34');
    transport.event('chainChanged', '0x14a34');
    expect(events).toEqual([['chainChanged', '0x14a34']]);
    // An answer that reveals a different chain counts as a change as well.
    const again = provider.request({ method: 'eth_chainId' });
    transport.answer('eth_chainId', '0xaa37dc');
    await again;
    expect(events).toEqual([
      ['chainChanged', '0x14a34'],
      ['chainChanged', '0xaa37dc'],
    ]);
  });

  it('emits disconnect with a ProviderRpcError and counts as not connected', async () => {
    const { transport, provider, events } = setup();
    const chain = provider.request({ method: 'eth_chainId' });
    transport.answer('eth_chainId', '0x7a69');
    await chain;
    events.length = 0;

    transport.event('disconnect', { code: 4900, message: 'Cairn is no longer available' });
    expect(provider.isConnected()).toBe(false);
    expect(events).toHaveLength(1);
    const [name, error] = events[0] ?? [];
    expect(name).toBe('disconnect');
    expect(error).toBeInstanceOf(ProviderRpcError);
    expect(error).toMatchObject({ code: 4900, message: 'Cairn is no longer available' });
  });

  it('emits message events as EIP-1193 ProviderMessage { type, data }', () => {
    const { transport, events } = setup();
    const data = { id: 'ab'.repeat(32), peer: A1, sender: A1, content: { kind: 'text', text: 'hi' } };
    transport.event('message', { type: 'cairn_message', data, extra: 'dropped' });
    expect(events).toEqual([['message', { type: 'cairn_message', data }]]);
  });

  it('ignores malformed events', () => {
    const { transport, events } = setup();
    transport.event('accountsChanged', 'not an array');
    transport.event('chainChanged', 31337);
    transport.event('disconnect', null);
    transport.event('message', null);
    transport.event('message', ['cairn_message']);
    transport.event('message', { type: 42, data: {} });
    expect(events).toEqual([]);
  });

  it('keeps calling other listeners when one throws, and still reports the error', async () => {
    const { transport, provider } = setup();
    const calls: string[] = [];
    const boom = new Error('dapp listener bug');
    provider.on('accountsChanged', () => {
      calls.push('first');
      throw boom;
    });
    provider.on('accountsChanged', () => calls.push('second'));
    const uncaught = await collectUncaught(() => {
      expect(() => transport.event('accountsChanged', [A0])).not.toThrow();
    });
    expect(calls).toEqual(['first', 'second']);
    expect(uncaught).toEqual([boom]);
  });

  it('supports once, removeListener and off', async () => {
    const { transport, provider } = setup();
    const chain = provider.request({ method: 'eth_chainId' });
    transport.answer('eth_chainId', '0x7a69');
    await chain;
    const seen: unknown[] = [];
    const listener = (data: unknown) => seen.push(data);
    provider.once('chainChanged', listener);
    transport.event('chainChanged', '0x1');
    transport.event('chainChanged', '0x2');
    expect(seen).toEqual(['0x1']);

    provider.on('accountsChanged', listener);
    expect(provider.listenerCount('accountsChanged')).toBe(2);
    provider.removeListener('accountsChanged', listener);
    provider.on('chainChanged', listener).off('chainChanged', listener);
    transport.event('accountsChanged', [A0]);
    transport.event('chainChanged', '0x3');
    expect(seen).toEqual(['0x1']);
    expect(provider.listenerCount('accountsChanged')).toBe(1);
  });
});

describe('CairnProvider frozen, as the entrypoint installs it', () => {
  it('still requests, answers, caches and emits', async () => {
    const transport = new FakeTransport();
    let n = 0;
    const provider = Object.freeze(new CairnProvider(transport, () => `f-${++n}`));
    expect(Object.isFrozen(provider)).toBe(true);
    expect(provider.isCairn).toBe(true);
    const events: Array<[string, unknown]> = [];
    provider.on('connect', (info) => events.push(['connect', info]));
    provider.on('accountsChanged', (accounts) => events.push(['accountsChanged', accounts]));

    const accounts = provider.request({ method: 'eth_requestAccounts' });
    transport.answer('eth_requestAccounts', [A0]);
    await expect(accounts).resolves.toEqual([A0]);
    transport.answer('eth_chainId', '0x7a69');
    await tick();
    expect(events).toEqual([
      ['accountsChanged', [A0]],
      ['connect', { chainId: '0x7a69' }],
    ]);
    expect(provider.isConnected()).toBe(true);
    // A page cannot swap the methods of the frozen object.
    expect(() => {
      (provider as { request: unknown }).request = () => 'hijacked';
    }).toThrow(TypeError);
  });
});

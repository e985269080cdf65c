/** The JSON-RPC 2.0 HTTP client over a fake fetch. https://www.jsonrpc.org/specification */
import { describe, expect, it } from 'vitest';
import { JsonRpcClient, JsonRpcError, MAX_RPC_RESPONSE_BYTES } from '../../src/chain/json-rpc-client';

const URL_ = 'http://127.0.0.1:8545';
const MiB = 1024 * 1024;

interface Seen {
  url: string;
  init: RequestInit | undefined;
  body: { jsonrpc: string; id: number; method: string; params: unknown };
}

/** A fetch that records each request and answers with `reply(body)` (a Response, or JSON to wrap in one). */
function fakeFetch(reply: (body: Seen['body']) => Response | unknown) {
  const seen: Seen[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const body = JSON.parse(String(init?.body)) as Seen['body'];
    seen.push({ url: String(input), init, body });
    const answer = reply(body);
    return answer instanceof Response ? answer : Response.json(answer);
  };
  return { fetch, seen };
}

/** A fetch that never answers until its signal aborts, then rejects with the abort reason (as fetch does). */
function hangingFetch() {
  const signals: AbortSignal[] = [];
  const fetch: typeof globalThis.fetch = (_input, init) =>
    new Promise((_resolve, reject) => {
      const signal = init?.signal;
      if (!signal) return;
      signals.push(signal);
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  return { fetch, signals };
}

async function rpcError(promise: Promise<unknown>): Promise<JsonRpcError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JsonRpcError);
  return error as JsonRpcError;
}

describe('JsonRpcClient requests', () => {
  it('POSTs a JSON-RPC 2.0 request without credentials and returns the result', async () => {
    const { fetch, seen } = fakeFetch(({ id }) => ({ jsonrpc: '2.0', id, result: '0x7a69' }));
    const client = new JsonRpcClient({ url: URL_, fetch });
    await expect(client.request('eth_chainId')).resolves.toBe('0x7a69');
    await expect(
      client.request('eth_getBalance', ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', 'latest']),
    ).resolves.toBe('0x7a69');
    expect(seen.map((s) => s.body)).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'eth_getBalance',
        params: ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', 'latest'],
      },
    ]);
    const init = seen[0]?.init;
    expect(seen[0]?.url).toBe(URL_);
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('omit');
    expect(init?.headers).toEqual({ 'content-type': 'application/json' });
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('returns null and other falsy results as they are', async () => {
    for (const result of [null, false, 0, '']) {
      const { fetch } = fakeFetch(({ id }) => ({ jsonrpc: '2.0', id, result }));
      await expect(
        new JsonRpcClient({ url: URL_, fetch }).request('eth_getTransactionReceipt', ['0x']),
      ).resolves.toBe(result);
    }
  });
});

describe('JsonRpcClient node errors', () => {
  it("keeps the node's code, message and data", async () => {
    const { fetch } = fakeFetch(({ id }) => ({
      jsonrpc: '2.0',
      id,
      error: { code: 3, message: 'execution reverted: Not owner', data: '0x08c379a0' },
    }));
    const error = await rpcError(new JsonRpcClient({ url: URL_, fetch }).request('eth_call', [{}]));
    expect(error).toMatchObject({ name: 'JsonRpcError', code: 3, message: 'execution reverted: Not owner' });
    expect(error.data).toBe('0x08c379a0');
  });

  it('accepts an error reply with a null id (the node could not read the request) and an HTTP error status', async () => {
    const { fetch } = fakeFetch(() =>
      Response.json(
        { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
        { status: 400 },
      ),
    );
    const error = await rpcError(new JsonRpcClient({ url: URL_, fetch }).request('eth_chainId'));
    expect(error).toMatchObject({ code: -32700, message: 'Parse error' });
    expect(error.data).toBeUndefined();
  });

  it('cuts a node error message to 500 characters', async () => {
    const { fetch } = fakeFetch(({ id }) => ({
      jsonrpc: '2.0',
      id,
      error: { code: -32000, message: 'x'.repeat(5000) },
    }));
    const error = await rpcError(new JsonRpcClient({ url: URL_, fetch }).request('eth_chainId'));
    expect(error.message).toHaveLength(500);
  });
});

describe('JsonRpcClient malformed replies', () => {
  const MALFORMED = "The network's RPC endpoint sent a malformed reply";

  it.each([
    ['no jsonrpc version', (id: number) => ({ id, result: '0x1' })],
    ['version 1.0', (id: number) => ({ jsonrpc: '1.0', id, result: '0x1' })],
    ['no result or error', (id: number) => ({ jsonrpc: '2.0', id })],
    ['a result with a null id', () => ({ jsonrpc: '2.0', id: null, result: '0x1' })],
    ['a string id', (id: number) => ({ jsonrpc: '2.0', id: String(id), result: '0x1' })],
    ['a wrong id', (id: number) => ({ jsonrpc: '2.0', id: id + 1, result: '0x1' })],
    [
      'a wrong id on an error',
      (id: number) => ({ jsonrpc: '2.0', id: id + 1, error: { code: 1, message: 'x' } }),
    ],
    [
      'a non-integer error code',
      (id: number) => ({ jsonrpc: '2.0', id, error: { code: 1.5, message: 'x' } }),
    ],
    ['an error without message', (id: number) => ({ jsonrpc: '2.0', id, error: { code: -32000 } })],
    ['a batch array', (id: number) => [{ jsonrpc: '2.0', id, result: '0x1' }]],
    ['JSON null', () => null],
    ['a JSON string', () => 'ok'],
  ])('refuses %s with -32603', async (_name, reply) => {
    const { fetch } = fakeFetch(({ id }) => reply(id));
    const error = await rpcError(new JsonRpcClient({ url: URL_, fetch }).request('eth_chainId'));
    expect(error).toMatchObject({ code: -32603, message: MALFORMED });
  });

  it('refuses a body that is not JSON, naming the HTTP status', async () => {
    const { fetch } = fakeFetch(() => new Response('<html>502 Bad Gateway</html>', { status: 502 }));
    const error = await rpcError(new JsonRpcClient({ url: URL_, fetch }).request('eth_chainId'));
    expect(error).toMatchObject({
      code: -32603,
      message: "The network's RPC endpoint answered HTTP 502 without JSON",
    });
    const empty = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(
      new JsonRpcClient({ url: URL_, fetch: empty.fetch }).request('eth_chainId'),
    ).rejects.toMatchObject({
      code: -32603,
      message: "The network's RPC endpoint answered HTTP 204 without JSON",
    });
  });
});

describe('JsonRpcClient size cap', () => {
  it('refuses a reply whose declared content-length is over the cap, without reading it', async () => {
    let pulled = 0;
    const { fetch } = fakeFetch(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              if (pulled >= 16 * MiB) return controller.close();
              pulled += MiB;
              controller.enqueue(new Uint8Array(MiB));
            },
          }),
          { headers: { 'content-length': String(16 * MiB) } },
        ),
    );
    const error = await rpcError(new JsonRpcClient({ url: URL_, fetch }).request('eth_chainId'));
    expect(error).toMatchObject({ code: -32603, message: 'RPC reply too large' });
    expect(pulled).toBeLessThanOrEqual(MiB); // at most what the stream buffers on its own
  });

  it('accepts a reply of exactly the cap and refuses one byte more when no length is declared', async () => {
    const padded = (id: number, total: number) => {
      const head = `{"jsonrpc":"2.0","id":${id},"result":"`;
      const tail = '"}';
      return head + 'a'.repeat(total - head.length - tail.length) + tail;
    };
    const exact = fakeFetch(({ id }) => new Response(padded(id, MAX_RPC_RESPONSE_BYTES)));
    const result = await new JsonRpcClient({ url: URL_, fetch: exact.fetch }).request('eth_getCode', []);
    expect(result).toBe('a'.repeat(MAX_RPC_RESPONSE_BYTES - '{"jsonrpc":"2.0","id":1,"result":""}'.length));
    const over = fakeFetch(({ id }) => new Response(padded(id, MAX_RPC_RESPONSE_BYTES + 1)));
    const error = await rpcError(
      new JsonRpcClient({ url: URL_, fetch: over.fetch }).request('eth_getCode', []),
    );
    expect(error).toMatchObject({ code: -32603, message: 'RPC reply too large' });
  });

  it('stops reading an endless reply once it passes the cap, instead of buffering all of it', async () => {
    let pulled = 0;
    let cancelled = false;
    const chunk = new Uint8Array(MiB).fill(0x20);
    const { fetch } = fakeFetch(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              // A hostile or broken node: 64 MiB of whitespace, no content-length.
              if (pulled >= 64 * MiB) return controller.close();
              pulled += chunk.length;
              controller.enqueue(chunk);
            },
            cancel() {
              cancelled = true;
            },
          }),
        ),
    );
    const error = await rpcError(new JsonRpcClient({ url: URL_, fetch }).request('eth_getLogs', [{}]));
    expect(error).toMatchObject({ code: -32603, message: 'RPC reply too large' });
    expect(pulled).toBeLessThanOrEqual(MAX_RPC_RESPONSE_BYTES + 2 * MiB);
    expect(cancelled).toBe(true);
  });
});

describe('JsonRpcClient transport failures, timeouts and aborts', () => {
  it('maps a failed fetch to -32603 "unreachable"', async () => {
    const fetch: typeof globalThis.fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const error = await rpcError(new JsonRpcClient({ url: URL_, fetch }).request('eth_chainId'));
    expect(error).toMatchObject({ code: -32603, message: "The network's RPC endpoint is unreachable" });
  });

  it('times out after timeoutMs with -32603 "timed out"', async () => {
    const { fetch, signals } = hangingFetch();
    const started = performance.now();
    const error = await rpcError(
      new JsonRpcClient({ url: URL_, fetch, timeoutMs: 20 }).request('eth_chainId'),
    );
    expect(error).toMatchObject({ code: -32603, message: "The network's RPC endpoint timed out" });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(signals[0]?.aborted).toBe(true);
  });

  it("stops when the caller's signal aborts, passing the abort to fetch", async () => {
    const { fetch, signals } = hangingFetch();
    const controller = new AbortController();
    const call = new JsonRpcClient({ url: URL_, fetch, timeoutMs: 60_000 }).request('eth_chainId', [], {
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(signals[0]?.aborted).toBe(false);
    const reason = new Error('user navigated away');
    controller.abort(reason);
    const error = await rpcError(call);
    expect(error.code).toBe(-32603);
    expect(error.message).not.toMatch(/timed out/);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBe(reason);
  });

  it('does not start a request whose signal is already aborted', async () => {
    const { fetch, signals } = hangingFetch();
    const error = await rpcError(
      new JsonRpcClient({ url: URL_, fetch }).request('eth_chainId', [], { signal: AbortSignal.abort() }),
    );
    expect(error.code).toBe(-32603);
    expect(signals[0]?.aborted).toBe(true);
  });
});

/**
 * A minimal JSON-RPC 2.0 client over HTTP (https://www.jsonrpc.org/specification)
 * for the selected network. Replies are size-capped and shape-checked before use;
 * node errors keep their code and data so dapps see what the node said.
 */
import * as v from 'valibot';

export const MAX_RPC_RESPONSE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_RPC_TIMEOUT_MS = 20_000;

/** An error answered by the node, or a transport failure mapped to a JSON-RPC code. */
export class JsonRpcError extends Error {
  override name = 'JsonRpcError';
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

const replySchema = v.union([
  v.object({ jsonrpc: v.literal('2.0'), id: v.number(), result: v.unknown() }),
  v.object({
    jsonrpc: v.literal('2.0'),
    id: v.nullable(v.number()),
    error: v.object({
      code: v.pipe(v.number(), v.integer()),
      message: v.string(),
      data: v.optional(v.unknown()),
    }),
  }),
]);

export interface JsonRpcClientOptions {
  url: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class JsonRpcClient {
  readonly url: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  #nextId = 1;

  constructor(options: JsonRpcClientOptions) {
    this.url = options.url;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  }

  async request(
    method: string,
    params: unknown[] = [],
    options: { signal?: AbortSignal } = {},
  ): Promise<unknown> {
    const id = this.#nextId++;
    const signals = [AbortSignal.timeout(this.#timeoutMs), ...(options.signal ? [options.signal] : [])];
    let response: Response;
    try {
      response = await this.#fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
        signal: AbortSignal.any(signals),
        credentials: 'omit',
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'is unreachable';
      throw new JsonRpcError(-32603, `The network's RPC endpoint ${reason}`);
    }
    const text = await readCapped(response);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new JsonRpcError(
        -32603,
        `The network's RPC endpoint answered HTTP ${response.status} without JSON`,
      );
    }
    const reply = v.safeParse(replySchema, json);
    if (!reply.success || (reply.output.id !== null && reply.output.id !== id)) {
      throw new JsonRpcError(-32603, "The network's RPC endpoint sent a malformed reply");
    }
    if ('error' in reply.output) {
      const { code, message, data } = reply.output.error;
      throw new JsonRpcError(code, message.slice(0, 500), data);
    }
    return reply.output.result;
  }
}

async function readCapped(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_RPC_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw new JsonRpcError(-32603, 'RPC reply too large');
  }
  if (!response.body) return '';
  // Read chunk by chunk and stop at the cap: a reply without content-length must not fill memory.
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      total += value.byteLength;
      if (total > MAX_RPC_RESPONSE_BYTES) {
        await reader.cancel().catch(() => {});
        throw new JsonRpcError(-32603, 'RPC reply too large');
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    if (error instanceof JsonRpcError) throw error;
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'is unreachable';
    throw new JsonRpcError(-32603, `The network's RPC endpoint ${reason}`);
  } finally {
    reader.releaseLock();
  }
}

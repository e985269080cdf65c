/**
 * A fake Ethereum JSON-RPC node behind a fake `fetch`: each method is answered by a
 * handler (throw `NodeError` to answer a JSON-RPC error); unknown methods get
 * -32601 as a real node answers them. Every call is recorded with its URL.
 */
import { JsonRpcClient } from '../../src/chain/json-rpc-client';

export class NodeError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export type NodeHandler = (params: unknown[]) => unknown;

export interface NodeCall {
  url: string;
  method: string;
  params: unknown[];
}

export function fakeRpcNode(handlers: Record<string, NodeHandler>) {
  const calls: NodeCall[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const body: unknown = JSON.parse(String(init?.body));
    if (typeof body !== 'object' || body === null) throw new Error('fake node: expected a JSON object');
    const { id, method, params } = body as { id: number; method: string; params: unknown[] };
    calls.push({ url: String(input), method, params });
    const handler = handlers[method];
    let reply: unknown;
    if (!handler) {
      reply = { jsonrpc: '2.0', id, error: { code: -32601, message: `Method ${method} not found` } };
    } else {
      try {
        reply = { jsonrpc: '2.0', id, result: await handler(params) };
      } catch (error) {
        if (!(error instanceof NodeError)) throw error;
        reply = {
          jsonrpc: '2.0',
          id,
          error: {
            code: error.code,
            message: error.message,
            ...(error.data === undefined ? {} : { data: error.data }),
          },
        };
      }
    }
    return new Response(JSON.stringify(reply), { headers: { 'content-type': 'application/json' } });
  };
  return {
    fetch,
    calls,
    client: (url: string) => new JsonRpcClient({ url, fetch }),
    methods: () => calls.map((call) => call.method),
  };
}

/**
 * An HTTP proxy in front of a JSON-RPC node, for RPC outage tests. Up, it forwards every request
 * as is (method, path, headers, body — so CORS preflights from extension pages work) and streams
 * the node's reply back. Down, it refuses everything, the two ways a real endpoint fails: in turn
 * an HTTP 503 without JSON (a load balancer with no backend) and a connection dropped without any
 * reply. It counts what it refused and forwarded, by client (browser or Node), so a test can show
 * that the outage was really hit.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';

export type ProxyClient = 'browser' | 'node';

export interface RpcProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Down: refuse every request until set up again. */
  setDown(down: boolean): void;
  /** Requests refused while down, by client. */
  refused: Record<ProxyClient, number>;
  /** Requests forwarded to the node, by client. */
  forwarded: Record<ProxyClient, number>;
  close(): Promise<void>;
}

export class RpcProxyError extends Error {
  override name = 'RpcProxyError';
}

/** Chromium says "Mozilla/5.0 … Chrome/…"; Node's fetch (viem, the relay) says "node". */
function clientOf(request: IncomingMessage): ProxyClient {
  return /Mozilla/.test(request.headers['user-agent'] ?? '') ? 'browser' : 'node';
}

/**
 * Listens on 127.0.0.1:`port` and forwards to `upstream` (an http:// URL).
 * @example
 * const proxy = await startRpcProxy({ port: 8545, upstream: hardhat.url });
 * proxy.setDown(true); … proxy.setDown(false); await proxy.close();
 */
export async function startRpcProxy(params: { port: number; upstream: string }): Promise<RpcProxy> {
  const target = new URL(params.upstream);
  if (target.protocol !== 'http:')
    throw new RpcProxyError(`"upstream" expected an http:// URL, got ${params.upstream}`);
  let down = false;
  let refusals = 0;
  const refused: Record<ProxyClient, number> = { browser: 0, node: 0 };
  const forwarded: Record<ProxyClient, number> = { browser: 0, node: 0 };

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
      },
      (reply) => {
        outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(outgoing);
      },
    );
    upstream.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'access-control-allow-origin': '*' });
      outgoing.end();
    });
    incoming.pipe(upstream);
  };

  const server: Server = createServer((incoming, outgoing) => {
    const client = clientOf(incoming);
    if (!down) {
      forwarded[client]++;
      forward(incoming, outgoing);
      return;
    }
    refused[client]++;
    if (refusals++ % 2 === 0) {
      outgoing.writeHead(503, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' });
      outgoing.end('Service Unavailable');
    } else {
      incoming.socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new RpcProxyError(
          error.code === 'EADDRINUSE'
            ? `Port ${params.port} on 127.0.0.1 is already in use (a devnet still running?)`
            : `The RPC proxy cannot listen on ${params.port}: ${error.message}`,
        ),
      ),
    );
    server.listen({ host: '127.0.0.1', port: params.port, exclusive: true }, () => resolve());
  });

  return {
    url: `http://127.0.0.1:${params.port}`,
    setDown(value) {
      down = value;
    },
    refused,
    forwarded,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

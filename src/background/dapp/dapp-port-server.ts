/**
 * Serves EIP-1193 requests from content-script bridges over `cairn-dapp` ports.
 * The site's origin is taken from the browser's `sender` of the port, never from a
 * message. Only top-level http(s) frames of real tabs are served. Each origin has
 * a request budget. Answers go back on the port; events go through `SiteTabs`.
 */
import * as v from 'valibot';
import { JsonRpcError } from '../../chain/json-rpc-client';
import { CairnError, RpcErrorCode } from '../../keyring/errors';
import { DAPP_PORT_NAME, type DappPortMessage } from '../../provider/channel';
import { isDappMethod } from '../../provider/dapp-methods';
import type { UiPort } from '../ui-port-server';
import { TokenBuckets } from './token-bucket';

export interface DappPortSender {
  id?: string;
  url?: string;
  origin?: string;
  frameId?: number;
  tab?: { id?: number };
}

export interface DappPort extends Omit<UiPort, 'sender'> {
  sender?: DappPortSender;
}

/** The site origin of a bridge port, or undefined when the port must not be served. */
export function dappOrigin(sender: DappPortSender | undefined, extensionId: string): string | undefined {
  if (!sender || sender.id !== extensionId || sender.tab === undefined || sender.frameId !== 0)
    return undefined;
  const raw = sender.origin ?? sender.url;
  if (typeof raw !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return url.origin;
}

const requestSchema = v.object({
  type: v.literal('request'),
  id: v.pipe(v.number(), v.integer(), v.minValue(0)),
  method: v.pipe(v.string(), v.maxLength(64)),
  params: v.optional(v.unknown()),
});

export interface DappPortServerOptions {
  extensionId: string;
  handle: (origin: string, method: string, params: unknown) => Promise<unknown>;
  ready: Promise<unknown>;
  /** Requests per origin, burst and sustained: a flood guard, roomy enough for dapps that batch hundreds of reads. */
  rate?: { capacity: number; refillPerSecond: number };
  now?: () => number;
  /** A bridge of `origin` connected from `tabId` (events later go to that tab). */
  onAccept?: (tabId: number, origin: string) => void;
  onError?: (method: string, error: unknown) => void;
}

export class DappPortServer {
  readonly #options: DappPortServerOptions;
  readonly #budget: TokenBuckets;

  constructor(options: DappPortServerOptions) {
    this.#options = options;
    this.#budget = new TokenBuckets({
      capacity: 2000,
      refillPerSecond: 1000,
      ...options.rate,
      now: options.now,
    });
  }

  accept(port: DappPort): boolean {
    if (port.name !== DAPP_PORT_NAME) return false;
    const origin = dappOrigin(port.sender, this.#options.extensionId);
    const tabId = port.sender?.tab?.id;
    if (!origin || tabId === undefined) {
      port.disconnect();
      return false;
    }
    this.#options.onAccept?.(tabId, origin);
    port.onMessage.addListener((message) => {
      void this.#serve(origin, port, message);
    });
    return true;
  }

  async #serve(origin: string, port: DappPort, message: unknown): Promise<void> {
    const request = v.safeParse(requestSchema, message);
    if (!request.success) return;
    const { id, method, params } = request.output;
    let reply: DappPortMessage;
    try {
      if (!isDappMethod(method)) {
        throw new CairnError(`The method "${method}" is not supported`, {
          code: RpcErrorCode.unsupportedMethod,
        });
      }
      if (!this.#budget.tryTake(origin)) {
        throw new CairnError('Too many requests from this site; slow down', {
          code: RpcErrorCode.limitExceeded,
        });
      }
      await this.#options.ready;
      reply = { type: 'response', id, result: (await this.#options.handle(origin, method, params)) ?? null };
    } catch (error) {
      reply = { type: 'response', id, error: this.#toWireError(method, error) };
    }
    try {
      port.postMessage(reply);
    } catch {
      // the tab went away while we worked
    }
  }

  #toWireError(method: string, error: unknown): { code: number; message: string; data?: unknown } {
    // viem wraps node errors (e.g. a revert during gas estimation): report the node's own answer.
    const known = findCause(error);
    if (known instanceof CairnError) return { code: known.code, message: known.message };
    if (known instanceof JsonRpcError) {
      return known.data === undefined
        ? { code: known.code, message: known.message }
        : { code: known.code, message: known.message, data: known.data };
    }
    this.#options.onError?.(method, error);
    return { code: RpcErrorCode.internal, message: 'Internal error' };
  }
}

function findCause(error: unknown): CairnError | JsonRpcError | undefined {
  for (
    let current = error, depth = 0;
    current instanceof Error && depth < 8;
    current = current.cause, depth++
  ) {
    if (current instanceof CairnError || current instanceof JsonRpcError) return current;
  }
  return undefined;
}

/**
 * The EIP-1193 provider injected into web pages (MAIN world). It holds no secret
 * and decides nothing: it validates the call's shape, refuses methods outside the
 * allowlist with 4200, and relays the rest over the window channel to the bridge.
 * https://eips.ethereum.org/EIPS/eip-1193
 */
import {
  CONTENT_CHANNEL,
  type ContentMessage,
  INPAGE_CHANNEL,
  type InpageRequest,
  MAX_REQUEST_BYTES,
} from './channel';
import { isDappMethod } from './dapp-methods';
import { EventEmitter } from './event-emitter';
import { isRecord } from './is-record';
import { ProviderRpcError } from './provider-rpc-error';

/** How the provider reaches the content-script bridge: `window.postMessage` in a page. */
export interface InpageTransport {
  post(message: InpageRequest): void;
  listen(handler: (message: ContentMessage) => void): void;
}

function isContentMessage(value: unknown): value is ContentMessage {
  return (
    isRecord(value) &&
    value.channel === CONTENT_CHANNEL &&
    (value.type === 'response' || value.type === 'event')
  );
}

export function windowTransport(win: Window): InpageTransport {
  return {
    post: (message) => win.postMessage(message, win.location.origin === 'null' ? '*' : win.location.origin),
    listen: (handler) =>
      win.addEventListener('message', (event: MessageEvent) => {
        if (event.source === win && isContentMessage(event.data)) handler(event.data);
      }),
  };
}

export interface RequestArguments {
  readonly method: string;
  readonly params?: readonly unknown[] | object;
}

export class CairnProvider extends EventEmitter {
  readonly isCairn = true;
  readonly #transport: InpageTransport;
  readonly #newId: () => string;
  readonly #pending = new Map<
    string,
    { resolve: (value: unknown) => void; reject: (error: Error) => void; method: string }
  >();
  #chainId: string | null = null;
  #accounts: string[] = [];
  #connected = false;

  constructor(transport: InpageTransport, newId: () => string = () => crypto.randomUUID()) {
    super();
    this.#transport = transport;
    this.#newId = newId;
    transport.listen((message) => this.#receive(message));
  }

  /** EIP-1193 `request`. Rejects with a ProviderRpcError carrying an EIP-1193/1474 code. */
  async request(args: RequestArguments): Promise<unknown> {
    if (!isRecord(args) || Array.isArray(args)) {
      throw new ProviderRpcError(-32602, 'request() expects an object { method, params }');
    }
    const { method, params } = args;
    if (typeof method !== 'string' || method === '') {
      throw new ProviderRpcError(-32602, '"method" must be a non-empty string');
    }
    if (params !== undefined && !isRecord(params)) {
      throw new ProviderRpcError(-32602, '"params" must be an array or an object');
    }
    if (!isDappMethod(method))
      throw new ProviderRpcError(4200, `The method "${method}" is not supported by Cairn`);
    let json: string;
    try {
      json = JSON.stringify(params ?? null);
    } catch {
      throw new ProviderRpcError(-32602, '"params" must be JSON-serializable');
    }
    if (json.length > MAX_REQUEST_BYTES)
      throw new ProviderRpcError(-32602, `"params" is larger than ${MAX_REQUEST_BYTES} bytes`);

    const id = this.#newId();
    const result = await new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      try {
        this.#transport.post({ channel: INPAGE_CHANNEL, type: 'request', id, method, params });
      } catch {
        this.#pending.delete(id);
        reject(new ProviderRpcError(-32602, '"params" must be JSON-serializable'));
      }
    });
    this.#observe(method, result);
    return result;
  }

  /** Whether the provider has answered at least one request (EIP-1193 "connected"). */
  isConnected(): boolean {
    return this.#connected;
  }

  #receive(message: ContentMessage): void {
    if (message.type === 'event') {
      this.#event(message.event, message.data);
      return;
    }
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if ('error' in message) {
      const { code, message: text, data } = message.error;
      pending.reject(new ProviderRpcError(code, text, data));
    } else {
      pending.resolve(message.result);
    }
  }

  #event(event: string, data: unknown): void {
    if (event === 'accountsChanged' && Array.isArray(data))
      this.#setAccounts(data.filter((a) => typeof a === 'string'));
    else if (event === 'chainChanged' && typeof data === 'string') this.#setChain(data);
    else if (event === 'message' && isRecord(data) && !Array.isArray(data) && typeof data.type === 'string')
      // EIP-1193 ProviderMessage: a fresh object, so listeners cannot share (or mutate) one.
      this.emit('message', { type: data.type, data: data.data });
    else if (event === 'disconnect' && isRecord(data)) {
      this.#connected = false;
      this.emit(
        'disconnect',
        new ProviderRpcError(Number(data.code) || 4900, String(data.message ?? 'Disconnected')),
      );
    }
  }

  /** Keeps the cached chain and accounts in step with answers, and announces the first connection. */
  #observe(method: string, result: unknown): void {
    if ((method === 'eth_accounts' || method === 'eth_requestAccounts') && Array.isArray(result)) {
      this.#setAccounts(result.filter((a): a is string => typeof a === 'string'));
    }
    if (method === 'eth_chainId' && typeof result === 'string') this.#setChain(result);
    if (this.#connected) return;
    if (this.#chainId) {
      this.#connected = true;
      this.emit('connect', { chainId: this.#chainId });
    } else if (method !== 'eth_chainId') {
      void this.request({ method: 'eth_chainId' }).catch(() => {});
    }
  }

  #setAccounts(accounts: string[]): void {
    const same =
      accounts.length === this.#accounts.length && accounts.every((a, i) => a === this.#accounts[i]);
    this.#accounts = accounts;
    if (!same) this.emit('accountsChanged', accounts);
  }

  #setChain(chainId: string): void {
    const previous = this.#chainId;
    this.#chainId = chainId;
    if (previous !== null && previous !== chainId) this.emit('chainChanged', chainId);
  }
}

/**
 * Typed client of the background's privileged UI API over a runtime port. The
 * port is reopened on demand: the service worker may be stopped at any time, and
 * the next message wakes it.
 */
import type {
  UiEventMessage,
  UiMethod,
  UiParams,
  UiResponseMessage,
  UiResult,
  WalletState,
} from '../background/ui-api-contract';
import { UI_PORT_NAME } from '../background/ui-api-contract';

/** The part of `runtime.Port` the client uses. */
export interface ClientPort {
  postMessage(message: unknown): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

export class BackgroundError extends Error {
  override name = 'BackgroundError';
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

const DISCONNECTED = 4900;

/** Methods whose repetition changes nothing a user would notice. */
const RETRY_SAFE: ReadonlySet<UiMethod> = new Set<UiMethod>([
  'getState',
  'getApproval',
  'getNetworks',
  'listConnectedSites',
  'lock',
  'unlock',
]);

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

function isResponse(message: unknown): message is UiResponseMessage {
  return (
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'response'
  );
}

function isStateEvent(message: unknown): message is UiEventMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'event';
}

export class BackgroundClient {
  readonly #connect: (name: string) => ClientPort;
  readonly #pending = new Map<number, Pending>();
  readonly #stateListeners = new Set<(state: WalletState) => void>();
  #port: ClientPort | undefined;
  #nextId = 1;

  constructor(connect: (name: string) => ClientPort) {
    this.#connect = connect;
  }

  /**
   * Calls a background method. Requests that are safe to repeat are sent once more
   * on a fresh port when the worker went away before answering (a stopped MV3
   * worker or a suspended Firefox event page drops the port with the request).
   */
  async call<M extends UiMethod>(
    method: M,
    ...params: UiParams<M> extends undefined ? [] : [UiParams<M>]
  ): Promise<UiResult<M>> {
    try {
      return await this.#send(method, params[0]);
    } catch (error) {
      if (!(error instanceof BackgroundError && error.code === DISCONNECTED && RETRY_SAFE.has(method)))
        throw error;
      return this.#send(method, params[0]);
    }
  }

  #send<M extends UiMethod>(method: M, params: UiParams<M> | undefined): Promise<UiResult<M>> {
    const id = this.#nextId++;
    return new Promise<UiResult<M>>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        this.#ensurePort().postMessage({ type: 'request', id, method, params });
      } catch {
        // The port closed under us (worker gone, or the background refused us).
        this.#pending.delete(id);
        this.#port = undefined;
        reject(new BackgroundError(DISCONNECTED, 'Could not reach the wallet background'));
      }
    });
  }

  /** State pushed by the background (auto-lock, changes made in another window). */
  onState(listener: (state: WalletState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  #ensurePort(): ClientPort {
    if (this.#port) return this.#port;
    const port = this.#connect(UI_PORT_NAME);
    port.onMessage.addListener((message) => this.#receive(message));
    port.onDisconnect.addListener(() => {
      if (this.#port === port) this.#port = undefined;
      // Requests in flight died with the worker; callers decide whether to retry.
      for (const [id, pending] of this.#pending) {
        pending.reject(
          new BackgroundError(DISCONNECTED, 'The wallet background restarted; please try again'),
        );
        this.#pending.delete(id);
      }
    });
    this.#port = port;
    return port;
  }

  #receive(message: unknown): void {
    if (isStateEvent(message)) {
      for (const listener of this.#stateListeners) listener(message.data);
      return;
    }
    if (!isResponse(message)) return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if ('error' in message) pending.reject(new BackgroundError(message.error.code, message.error.message));
    else pending.resolve(message.result);
  }
}

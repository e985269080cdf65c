/**
 * Typed client of the background's privileged UI API over a runtime port. The
 * port is reopened on demand: the service worker may be stopped at any time, and
 * the next message wakes it. Events pushed by the background (`state`, `messages`,
 * `relay`) reach the listeners of their kind; they arrive only while a port is open,
 * i.e. after a first call.
 */

import type { RelayStatus } from '../background/messaging/message-views';
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
  'listConversations',
  'getMessages',
  'canMessage',
  'markConversationRead',
  'getRelayStatus',
  'getMessagingSettings',
  'setMessagingSettings',
]);

/** A popup that follows events reconnects this long after the worker went away. */
const RECONNECT_DELAY_MS = 500;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** Each pushed event's payload by name, e.g. `UiEvents['relay']` is a `RelayStatus`. */
export type UiEvents = { [E in UiEventMessage as E['event']]: E['data'] };
export type UiEventName = keyof UiEvents;
const EVENT_NAMES: ReadonlySet<string> = new Set<UiEventName>(['state', 'messages', 'relay', 'anchors']);

/** What screens need from the client; tests hand them a fake with canned answers. */
export type UiClient = Pick<BackgroundClient, 'call' | 'onState' | 'onMessages' | 'onRelay' | 'onAnchors'>;

function isResponse(message: unknown): message is UiResponseMessage {
  return (
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'response'
  );
}

function isEvent(message: unknown): message is UiEventMessage {
  if (typeof message !== 'object' || message === null) return false;
  const { type, event, data } = message as { type?: unknown; event?: unknown; data?: unknown };
  return (
    type === 'event' &&
    typeof event === 'string' &&
    EVENT_NAMES.has(event) &&
    typeof data === 'object' &&
    data !== null
  );
}

export class BackgroundClient {
  readonly #connect: (name: string) => ClientPort;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners: { [E in UiEventName]: Set<(data: UiEvents[E]) => void> } = {
    state: new Set(),
    messages: new Set(),
    relay: new Set(),
    anchors: new Set(),
  };
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
    return this.#listen('state', listener);
  }

  /** Conversations of `account` whose messages, statuses or unread counts changed: re-read them. */
  onMessages(listener: (change: UiEvents['messages']) => void): () => void {
    return this.#listen('messages', listener);
  }

  /** The messaging node and its relay connections, whenever one of them changes state. */
  onRelay(listener: (status: RelayStatus) => void): () => void {
    return this.#listen('relay', listener);
  }

  /** Anchoring states of `account`'s messages in these conversations changed. */
  onAnchors(listener: (change: UiEvents['anchors']) => void): () => void {
    return this.#listen('anchors', listener);
  }

  #listen<E extends UiEventName>(event: E, listener: (data: UiEvents[E]) => void): () => void {
    const listeners = this.#listeners[event];
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  #emit<E extends UiEventName>(event: E, data: UiEvents[E]): void {
    for (const listener of this.#listeners[event]) listener(data);
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
      // Screens that follow events need a port to hear them: reopen it (this wakes the worker).
      if (this.#hasListeners()) setTimeout(() => this.#reopen(), RECONNECT_DELAY_MS);
    });
    this.#port = port;
    return port;
  }

  #hasListeners(): boolean {
    return Object.values(this.#listeners).some((listeners) => listeners.size > 0);
  }

  #reopen(): void {
    if (this.#port || !this.#hasListeners()) return;
    try {
      this.#ensurePort();
    } catch {
      // The extension is gone (updated or disabled): nothing to listen to.
    }
  }

  #receive(message: unknown): void {
    if (isEvent(message)) {
      this.#emit(message.event, message.data);
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

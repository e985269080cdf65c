/**
 * Serves the privileged UI API over runtime ports. Only the extension's own pages
 * are accepted; each request is shape-checked, its params validated against the
 * method's schema, and errors leave as `{ code, message }` only (no stacks).
 */
import * as v from 'valibot';
import { CairnError, RpcErrorCode } from '../keyring/errors';
import { isOwnExtensionPage, type PortSender } from './sender-checks';
import type { UiEventMessage, UiHandlers, UiMethod, UiResponseMessage, WalletState } from './ui-api-contract';
import { UI_PORT_NAME } from './ui-api-contract';
import { uiParamSchemas } from './ui-api-schemas';

/** The part of `runtime.Port` the server uses. */
export interface UiPort {
  name: string;
  sender?: PortSender;
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

export interface UiPortServerOptions {
  extensionId: string;
  /** `runtime.getURL('/')` */
  extensionBaseUrl: string;
  handlers: UiHandlers;
  /** Resolves once the background restored its state (e.g. the unlocked session). */
  ready: Promise<unknown>;
  /** Called before every accepted request with its method: user activity for auto-lock. */
  onActivity?: (method: UiMethod) => Promise<void>;
  onError?: (method: string, error: unknown) => void;
}

const requestSchema = v.object({
  type: v.literal('request'),
  id: v.pipe(v.number(), v.integer(), v.minValue(0)),
  method: v.pipe(v.string(), v.maxLength(64)),
  params: v.optional(v.unknown()),
});

function isUiMethod(method: string): method is UiMethod {
  return Object.hasOwn(uiParamSchemas, method);
}

export class UiPortServer {
  readonly #options: UiPortServerOptions;
  readonly #ports = new Set<UiPort>();

  constructor(options: UiPortServerOptions) {
    this.#options = options;
  }

  /** Returns false (and disconnects) for ports that are not ours to serve. */
  accept(port: UiPort): boolean {
    if (port.name !== UI_PORT_NAME) return false;
    const { extensionId, extensionBaseUrl } = this.#options;
    if (!isOwnExtensionPage(port.sender, extensionId, extensionBaseUrl)) {
      port.disconnect();
      return false;
    }
    this.#ports.add(port);
    port.onDisconnect.addListener(() => this.#ports.delete(port));
    port.onMessage.addListener((message) => {
      void this.#serve(port, message);
    });
    return true;
  }

  broadcast(state: WalletState): void {
    this.broadcastEvent({ type: 'event', event: 'state', data: state });
  }

  broadcastEvent(event: UiEventMessage): void {
    for (const port of this.#ports) {
      try {
        port.postMessage(event);
      } catch {
        this.#ports.delete(port); // closed between the disconnect event and now
      }
    }
  }

  async #serve(port: UiPort, message: unknown): Promise<void> {
    const request = v.safeParse(requestSchema, message);
    if (!request.success) return; // not a request: nothing to answer to
    const { id, method } = request.output;
    let response: UiResponseMessage;
    try {
      response = { type: 'response', id, result: await this.#call(method, request.output.params) };
    } catch (error) {
      response = { type: 'response', id, error: this.#toWireError(method, error) };
    }
    if (this.#ports.has(port)) port.postMessage(response);
  }

  async #call(method: string, rawParams: unknown): Promise<unknown> {
    if (!isUiMethod(method)) {
      throw new CairnError(`Unsupported method "${method}"`, { code: RpcErrorCode.unsupportedMethod });
    }
    const parsed = v.safeParse(uiParamSchemas[method], rawParams);
    if (!parsed.success) {
      throw new CairnError(parsed.issues[0]?.message ?? 'Invalid params', {
        code: RpcErrorCode.invalidParams,
      });
    }
    await this.#options.ready;
    await this.#options.onActivity?.(method);
    const handler = this.#options.handlers[method] as (params: unknown) => Promise<unknown>;
    return handler(parsed.output);
  }

  #toWireError(method: string, error: unknown): { code: number; message: string } {
    if (error instanceof CairnError) return { code: error.code, message: error.message };
    if (error instanceof v.ValiError) return { code: RpcErrorCode.invalidParams, message: error.message };
    this.#options.onError?.(method, error);
    return { code: RpcErrorCode.internal, message: 'Internal error' };
  }
}

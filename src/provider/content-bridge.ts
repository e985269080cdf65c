/**
 * The content-script bridge (isolated world) between the page's provider and the
 * background. It accepts only messages from its own window on Cairn's channel,
 * forwards only allowlisted methods (anything else is dropped unanswered), and
 * posts answers back to its own window only. The page never sees a runtime port.
 */
import {
  CONTENT_CHANNEL,
  type ContentMessage,
  DAPP_PORT_NAME,
  type DappPortMessage,
  INPAGE_CHANNEL,
  MAX_REQUEST_BYTES,
  type ProviderEventName,
} from './channel';
import { isDappMethod } from './dapp-methods';
import { isRecord } from './is-record';

/** The part of `runtime.Port` the bridge uses. */
export interface BridgePort {
  postMessage(message: unknown): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

export interface BridgeOptions {
  win: Window;
  connect: (name: string) => BridgePort;
  /**
   * Subscribes to messages the background sends to this tab (`runtime.onMessage`,
   * already limited to this extension): events arrive that way even while no port is open.
   */
  onBackgroundMessage: (listener: (message: unknown) => void) => void;
  /** False once the extension was disabled or updated and this script is orphaned. */
  extensionAlive: () => boolean;
}

const MAX_ID_LENGTH = 100;

const PROVIDER_EVENTS: ReadonlySet<string> = new Set<ProviderEventName>([
  'accountsChanged',
  'chainChanged',
  'connect',
  'disconnect',
  'message',
]);

function isProviderEvent(value: unknown): value is ProviderEventName {
  return typeof value === 'string' && PROVIDER_EVENTS.has(value);
}

function isPortMessage(value: unknown): value is DappPortMessage {
  return isRecord(value) && (value.type === 'response' || value.type === 'event');
}

export function startContentBridge({
  win,
  connect,
  onBackgroundMessage,
  extensionAlive,
}: BridgeOptions): void {
  let port: BridgePort | undefined;
  let nextId = 1;
  const pageIds = new Map<number, string>();
  const targetOrigin = win.location.origin === 'null' ? '*' : win.location.origin;
  const toPage = (message: ContentMessage) => win.postMessage(message, targetOrigin);

  const ensurePort = (): BridgePort => {
    if (port) return port;
    const opened = connect(DAPP_PORT_NAME);
    opened.onMessage.addListener((message) => {
      if (!isPortMessage(message) || message.type !== 'response') return;
      const pageId = pageIds.get(message.id);
      if (pageId === undefined) return;
      pageIds.delete(message.id);
      toPage(
        'error' in message
          ? { channel: CONTENT_CHANNEL, type: 'response', id: pageId, error: message.error }
          : { channel: CONTENT_CHANNEL, type: 'response', id: pageId, result: message.result },
      );
    });
    opened.onDisconnect.addListener(() => {
      if (port === opened) port = undefined;
      const alive = extensionAlive();
      // The worker stopped (or the extension went away) with requests in flight.
      for (const pageId of pageIds.values()) {
        toPage({
          channel: CONTENT_CHANNEL,
          type: 'response',
          id: pageId,
          error: {
            code: 4900,
            message: alive ? 'Cairn restarted; please retry' : 'Cairn is no longer available',
          },
        });
      }
      pageIds.clear();
      if (!alive) {
        toPage({
          channel: CONTENT_CHANNEL,
          type: 'event',
          event: 'disconnect',
          data: { code: 4900, message: 'Cairn is no longer available' },
        });
      }
    });
    port = opened;
    return opened;
  };

  onBackgroundMessage((message) => {
    // Only events for the site this tab shows now (the tab may have navigated since).
    if (!isRecord(message) || message.type !== 'cairn-event' || message.origin !== win.location.origin)
      return;
    if (!isProviderEvent(message.event)) return;
    toPage({ channel: CONTENT_CHANNEL, type: 'event', event: message.event, data: message.data });
  });

  win.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== win) return; // other windows and frames
    const data: unknown = event.data;
    if (!isRecord(data) || data.channel !== INPAGE_CHANNEL || data.type !== 'request') return;
    const { id, method, params } = data;
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) return;
    if (!isDappMethod(method)) return; // internal or unknown names never leave the page
    let size: number;
    try {
      size = JSON.stringify(params ?? null).length;
    } catch {
      return;
    }
    if (size > MAX_REQUEST_BYTES) return;
    if (!extensionAlive()) {
      toPage({
        channel: CONTENT_CHANNEL,
        type: 'response',
        id,
        error: { code: 4900, message: 'Cairn is no longer available' },
      });
      return;
    }
    const portId = nextId++;
    pageIds.set(portId, id);
    try {
      ensurePort().postMessage({ type: 'request', id: portId, method, params });
    } catch {
      pageIds.delete(portId);
      port = undefined;
      toPage({
        channel: CONTENT_CHANNEL,
        type: 'response',
        id,
        error: { code: 4900, message: 'Cairn is not reachable; please retry' },
      });
    }
  });
}

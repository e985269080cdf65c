/**
 * The window.postMessage channel between the inpage provider (MAIN world) and the
 * content-script bridge (isolated world). Both sides only accept messages whose
 * `event.source` is their own window and that carry the expected channel name.
 */

/** Page → bridge. */
export const INPAGE_CHANNEL = 'cairn:inpage';
/** Bridge → page. */
export const CONTENT_CHANNEL = 'cairn:content';

/** Requests whose JSON is longer than this (UTF-16 code units, so up to 3× in UTF-8 bytes) are refused before they leave the page. */
export const MAX_REQUEST_BYTES = 256 * 1024;

export interface RpcErrorShape {
  code: number;
  message: string;
  data?: unknown;
}

export type InpageRequest = {
  channel: typeof INPAGE_CHANNEL;
  type: 'request';
  id: string;
  method: string;
  params?: unknown;
};

/** EIP-1193 events; `message` carries `{ type, data }` (Cairn's: `cairn_message`). */
export type ProviderEventName = 'accountsChanged' | 'chainChanged' | 'connect' | 'disconnect' | 'message';

export type ContentMessage =
  | { channel: typeof CONTENT_CHANNEL; type: 'response'; id: string; result: unknown }
  | { channel: typeof CONTENT_CHANNEL; type: 'response'; id: string; error: RpcErrorShape }
  | { channel: typeof CONTENT_CHANNEL; type: 'event'; event: ProviderEventName; data: unknown };

/** Bridge ↔ background, over the `cairn-dapp` runtime port. */
export const DAPP_PORT_NAME = 'cairn-dapp';
export type DappPortRequest = { type: 'request'; id: number; method: string; params?: unknown };
export type DappPortMessage =
  | { type: 'response'; id: number; result: unknown }
  | { type: 'response'; id: number; error: RpcErrorShape }
  | { type: 'event'; event: ProviderEventName; data: unknown };

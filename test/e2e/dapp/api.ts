/**
 * What the test dapp page exposes on `window.cairnDapp` for `page.evaluate`.
 * Everything crosses the Playwright boundary, so results are plain JSON:
 * failures come back as `{ ok: false, error }` with viem's error name and the EIP-1193 code.
 */

export interface ErrorReport {
  /** The thrown error's `name` (e.g. viem's `UserRejectedRequestError`). */
  name: string;
  /** The first EIP-1193 / JSON-RPC `code` found on the error or its causes. */
  code: number | undefined;
  message: string;
  data?: unknown;
  /** Names along the `cause` chain, outermost first. */
  causes: string[];
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorReport };

export interface DiscoveryReport {
  /** Every detail mipd collected. */
  providers: { uuid: string; name: string; icon: string; rdns: string }[];
  /** The announced `detail` objects seen on the raw event, and whether they were frozen. */
  detailFrozen: boolean[];
  infoFrozen: boolean[];
  /** `window.ethereum` is the provider Cairn announced. */
  ethereumIsCairn: boolean;
}

export interface ProviderEvent {
  event: 'accountsChanged' | 'chainChanged' | 'connect' | 'disconnect' | 'message';
  data: unknown;
}

export interface CairnDappApi {
  /** EIP-6963 discovery through mipd; also picks Cairn (rdns `dev.cairn.wallet`) for the calls below. */
  discover(): Promise<DiscoveryReport>;
  requestAddresses(): Promise<Outcome<string[]>>;
  getChainId(): Promise<Outcome<number>>;
  signMessage(address: string, message: string): Promise<Outcome<string>>;
  /** Signs the EIP-712 Mail example from `fixtures.ts`. */
  signTypedData(address: string): Promise<Outcome<string>>;
  sendTransaction(from: string, to: string, valueWei: string): Promise<Outcome<string>>;
  /** A raw EIP-1193 `request` on Cairn's provider (no viem). */
  request(method: string, params?: unknown): Promise<Outcome<unknown>>;
  /** Starts `count` identical raw requests at once; see `burstResults`. */
  burst(method: string, params: unknown, count: number): void;
  /** Outcomes of the last burst that have settled so far, in settling order. */
  burstResults(): Outcome<unknown>[];
  /** Events the provider emitted since `discover()`. */
  events(): ProviderEvent[];
  /** Posts `message` on this window as the page itself (event.source === window). */
  post(message: unknown): void;
  /** Every `cairn:content` message this window received (bridge → page), in order. */
  contentMessages(): unknown[];
}

declare global {
  interface Window {
    cairnDapp: CairnDappApi;
  }
}

/**
 * A stand-in for a page's `window`: an EventTarget with `location.origin`, a
 * `postMessage` that records (cloned) what was posted and to which target origin,
 * and `send` to dispatch a `MessageEvent` from a chosen `source`.
 */
export class FakeWindow extends EventTarget {
  readonly location: { origin: string };
  readonly posted: Array<{ message: unknown; targetOrigin: string }> = [];

  constructor(origin = 'https://dapp.example') {
    super();
    this.location = { origin };
  }

  postMessage(message: unknown, targetOrigin: string): void {
    this.posted.push({ message: structuredClone(message), targetOrigin });
  }

  /** Dispatches a `message` event carrying `data`, as if posted by `source` (default: this window). */
  send(data: unknown, source: unknown = this): void {
    const event = new MessageEvent('message', { data });
    // Node's MessageEvent only takes a MessagePort as `source`; a page's is a WindowProxy.
    Object.defineProperty(event, 'source', { value: source });
    this.dispatchEvent(event);
  }

  /** The window as the code under test types it. */
  get asWindow(): Window {
    return this as unknown as Window;
  }
}

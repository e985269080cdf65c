/** A pair of connected in-memory ports, shaped like `runtime.Port` on both ends. */
import type { PortSender } from '../../src/background/sender-checks';

type Listener<T> = (value: T) => void;

class FakePortEnd {
  readonly messageListeners: Listener<unknown>[] = [];
  readonly disconnectListeners: Array<() => void> = [];
  peer!: FakePortEnd;
  connected = true;
  readonly onMessage = { addListener: (l: Listener<unknown>) => void this.messageListeners.push(l) };
  readonly onDisconnect = { addListener: (l: () => void) => void this.disconnectListeners.push(l) };
  constructor(
    readonly name: string,
    readonly sender?: PortSender,
  ) {}

  postMessage(message: unknown): void {
    if (!this.connected) throw new Error('Attempting to use a disconnected port object');
    const copy = structuredClone(message);
    queueMicrotask(() => {
      for (const listener of this.peer.messageListeners) listener(copy);
    });
  }

  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.peer.connected = false;
    for (const listener of this.peer.disconnectListeners) listener();
  }
}

export function connectedPorts(name: string, sender: PortSender) {
  const client = new FakePortEnd(name);
  const server = new FakePortEnd(name, sender);
  client.peer = server;
  server.peer = client;
  return { client, server };
}

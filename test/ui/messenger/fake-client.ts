/**
 * A stand-in for the background client: canned handlers per method, a log of the
 * calls, and pushed events on demand. The real client needs a runtime port.
 */
import type { Address } from 'viem';
import type { MessageView, RelayStatus } from '../../../src/background/messaging/message-views';
import type {
  UiHandlers,
  UiMethod,
  UiParams,
  UiResult,
  WalletState,
} from '../../../src/background/ui-api-contract';
import type { UiClient, UiEvents } from '../../../src/ui/background-client';

export interface FakeClient {
  client: UiClient;
  calls: Array<{ method: UiMethod; params: unknown }>;
  /** Calls of one method, in order. */
  callsOf<M extends UiMethod>(method: M): Array<UiParams<M>>;
  pushMessages(change: UiEvents['messages']): void;
  pushRelay(status: RelayStatus): void;
  pushAnchors(change: UiEvents['anchors']): void;
  pushState(state: WalletState): void;
  /** Listeners still subscribed, all kinds together. */
  listenerCount(): number;
}

export function fakeClient(handlers: Partial<UiHandlers>): FakeClient {
  const calls: FakeClient['calls'] = [];
  const listeners = {
    state: new Set<(data: UiEvents['state']) => void>(),
    messages: new Set<(data: UiEvents['messages']) => void>(),
    relay: new Set<(data: UiEvents['relay']) => void>(),
    anchors: new Set<(data: UiEvents['anchors']) => void>(),
  };
  function subscribe<T>(set: Set<(data: T) => void>, listener: (data: T) => void): () => void {
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  async function call<M extends UiMethod>(
    method: M,
    ...params: UiParams<M> extends undefined ? [] : [UiParams<M>]
  ): Promise<UiResult<M>> {
    calls.push({ method, params: params[0] });
    const handler = handlers[method] as ((params: UiParams<M>) => Promise<UiResult<M>>) | undefined;
    if (!handler) throw new Error(`The fake background has no "${method}"`);
    return handler(params[0] as UiParams<M>);
  }

  return {
    client: {
      call,
      onState: (listener) => subscribe(listeners.state, listener),
      onMessages: (listener) => subscribe(listeners.messages, listener),
      onRelay: (listener) => subscribe(listeners.relay, listener),
      onAnchors: (listener) => subscribe(listeners.anchors, listener),
    },
    calls,
    callsOf: <M extends UiMethod>(method: M) =>
      calls.filter((entry) => entry.method === method).map((entry) => entry.params as UiParams<M>),
    pushMessages: (change) => {
      for (const listener of listeners.messages) listener(change);
    },
    pushRelay: (status) => {
      for (const listener of listeners.relay) listener(status);
    },
    pushAnchors: (change) => {
      for (const listener of listeners.anchors) listener(change);
    },
    pushState: (state) => {
      for (const listener of listeners.state) listener(state);
    },
    listenerCount: () =>
      listeners.state.size + listeners.messages.size + listeners.relay.size + listeners.anchors.size,
  };
}

/** Accounts #0–#2 of the "test test … junk" mnemonic. */
export const ALICE: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
export const BOB: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
export const CAROL: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

export const TOPIC_BOB = '/xmtp/0/m-bob/proto';

let nextId = 0;

/** A text message between ALICE and BOB on TOPIC_BOB. */
export function textMessage(
  text: string,
  sentAt: number,
  direction: 'in' | 'out' = 'in',
  status: MessageView['status'] = 'delivered',
): MessageView {
  nextId += 1;
  return {
    id: `m${nextId}`,
    topic: TOPIC_BOB,
    sender: direction === 'in' ? BOB : ALICE,
    direction,
    content: { kind: 'text', text },
    sentAt,
    status,
  };
}

/**
 * Code the messaging benchmarks run inside extension pages (popup.html) with `page.evaluate`.
 * Playwright serializes each function, so every one is self-contained: no imports, no module
 * values, only types. They talk to the background on the privileged "cairn-ui" port (wire
 * format: src/background/ui-api-contract.ts) and time with `performance.timeOrigin +
 * performance.now()`, an epoch time comparable across the two browsers on one machine.
 */
import type { MessageView } from '../src/background/messaging/message-views.ts';
import type {
  MessagesChange,
  UiEventMessage,
  UiRequestMessage,
  UiResponseMessage,
} from '../src/background/ui-api-contract.ts';

/** One bench message as Bob saw it; times are epoch ms. */
export interface Arrival {
  /** Which measurement it belongs to (texts are `bench <run> <seq> <sentAt>`). */
  run: string;
  seq: number;
  sentAt: number;
  /** When Bob's page got the `messages` event that carried it, or led to the read which found it. */
  eventAt: number;
  /** When Bob's page had it: that event (`added`, as the chat view shows it) or the read's answer. */
  receivedAt: number;
}

export interface ReceiverState {
  arrivals: Arrival[];
  /** Per run: bench messages seen again under another message id (a duplicate in the conversation). */
  duplicates: Record<string, number>;
  errors: string[];
}

export interface SendReport {
  /** Round trip of each `sendMessage` call (encrypt + queue in IndexedDB, worker side), ms. */
  callMs: number[];
  errors: string[];
}

interface BenchPort {
  call(method: string, params?: unknown): Promise<unknown>;
  onMessages(listener: (data: MessagesChange) => void): void;
}

interface PagePort {
  postMessage(message: UiRequestMessage): void;
  onMessage: { addListener(listener: (message: UiResponseMessage | UiEventMessage) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

interface PageGlobals {
  chrome: { runtime: { connect(info: { name: string }): PagePort } };
  cairnBench?: BenchPort;
  cairnReceiver?: ReceiverState;
  /** Called after each read that recorded arrivals. */
  cairnArrivalWaiters?: Set<() => void>;
}

/** Opens the page's bench port (once; again after a disconnect) and keeps it on `globalThis`. */
export function installPort(portName: string): void {
  const g = globalThis as unknown as PageGlobals;
  if (g.cairnBench) return;
  const port = g.chrome.runtime.connect({ name: portName });
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Set<(data: MessagesChange) => void>();
  let nextId = 1;
  port.onMessage.addListener((message) => {
    if (message?.type === 'response') {
      const pending = waiting.get(message.id);
      if (!pending) return;
      waiting.delete(message.id);
      if ('error' in message) pending.reject(new Error(`${message.error.code} ${message.error.message}`));
      else pending.resolve(message.result);
    } else if (message?.type === 'event' && message.event === 'messages') {
      for (const listener of listeners) listener(message.data);
    }
  });
  port.onDisconnect.addListener(() => {
    for (const pending of waiting.values()) pending.reject(new Error('port disconnected'));
    waiting.clear();
    g.cairnBench = undefined;
  });
  g.cairnBench = {
    call(method, params) {
      const id = nextId++;
      const answer = new Promise<unknown>((resolve, reject) => waiting.set(id, { resolve, reject }));
      port.postMessage({ type: 'request', id, method, ...(params === undefined ? {} : { params }) });
      return answer;
    },
    onMessages(listener) {
      listeners.add(listener);
    },
  };
}

/**
 * Bob's side, as the chat view does: on every `messages` event for `account`, takes the new
 * messages it carries (`added`) from `peer`, and when the event says more than that, reads the
 * latest 5 messages of the conversation (100 when all 5 were new; one read at a time, re-run if
 * events came meanwhile). Records each new `bench <run> <seq> <sentAt>` text. Resolves once the
 * messages already there are known.
 */
export async function startReceiver({ account, peer }: { account: string; peer: string }): Promise<void> {
  const g = globalThis as unknown as PageGlobals;
  const bench = g.cairnBench;
  if (!bench) throw new Error('installPort first');
  const state: ReceiverState = { arrivals: [], duplicates: {}, errors: [] };
  const waiters = new Set<() => void>();
  g.cairnReceiver = state;
  g.cairnArrivalWaiters = waiters;
  const now = () => performance.timeOrigin + performance.now();
  const seenIds = new Set<string>();
  const seenSeqs = new Set<string>();
  let reading = false;
  let again = false;
  let lastEventAt = now();
  const record = (page: readonly MessageView[], eventAt: number, receivedAt: number) => {
    for (const message of page) {
      if (seenIds.has(message.id)) continue;
      seenIds.add(message.id);
      if (message.direction !== 'in' || message.content.kind !== 'text') continue;
      const match = /^bench (\w+) (\d+) (\d+(?:\.\d+)?)$/.exec(message.content.text);
      if (!match) continue;
      const [, run = '', seq, sentAt] = match;
      if (seenSeqs.has(`${run} ${seq}`)) {
        state.duplicates[run] = (state.duplicates[run] ?? 0) + 1;
        continue;
      }
      seenSeqs.add(`${run} ${seq}`);
      state.arrivals.push({ run, seq: Number(seq), sentAt: Number(sentAt), eventAt, receivedAt });
    }
  };
  const read = async () => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const eventAt = lastEventAt;
        // A short page, as the event usually means one new message; a long one if it was all new.
        let page = (await bench.call('getMessages', { account, peer, limit: 5 })) as MessageView[];
        if (page.every((message) => !seenIds.has(message.id))) {
          page = (await bench.call('getMessages', { account, peer, limit: 100 })) as MessageView[];
        }
        record(page, eventAt, now());
      } while (again);
    } catch (error) {
      state.errors.push(String(error));
    } finally {
      reading = false;
    }
    for (const waiter of waiters) waiter();
  };
  bench.onMessages((data) => {
    if (data.account.toLowerCase() !== account.toLowerCase()) return;
    const eventAt = now();
    const added = (data.added ?? []).filter((message) => message.sender.toLowerCase() === peer.toLowerCase());
    if (added.length > 0) {
      record(added, eventAt, eventAt);
      for (const waiter of waiters) waiter();
      if (data.topics.every((topic) => added.some((message) => message.topic === topic))) return;
    }
    lastEventAt = eventAt;
    void read();
  });
  await read();
}

/**
 * Resolves with true once Bob's page has message `seq` of `run` (or, without `seq`, `count`
 * messages of `run`), false after `timeoutMs`.
 */
export function waitForArrivals({
  run,
  seq,
  count = 1,
  timeoutMs,
}: {
  run: string;
  seq?: number;
  count?: number;
  timeoutMs: number;
}): Promise<boolean> {
  const g = globalThis as unknown as PageGlobals;
  const state = g.cairnReceiver;
  const waiters = g.cairnArrivalWaiters;
  if (!state || !waiters) throw new Error('startReceiver first');
  const enough = () =>
    seq === undefined
      ? state.arrivals.filter((arrival) => arrival.run === run).length >= count
      : state.arrivals.some((arrival) => arrival.run === run && arrival.seq === seq);
  if (enough()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (result: boolean) => {
      waiters.delete(check);
      clearTimeout(timer);
      resolve(result);
    };
    const check = () => {
      if (enough()) done(true);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    waiters.add(check);
  });
}

export function receiverState(): ReceiverState {
  const state = (globalThis as unknown as PageGlobals).cairnReceiver;
  if (!state) throw new Error('startReceiver first');
  return state;
}

/** Alice's side: sends `bench <run> <seq> <epoch ms>` to `to`; returns the call's round trip, ms. */
export async function sendOne({
  account,
  to,
  run,
  seq,
}: {
  account: string;
  to: string;
  run: string;
  seq: number;
}): Promise<number> {
  const bench = (globalThis as unknown as PageGlobals).cairnBench;
  if (!bench) throw new Error('installPort first');
  const calledAt = performance.now();
  const text = `bench ${run} ${seq} ${(performance.timeOrigin + calledAt).toFixed(3)}`;
  await bench.call('sendMessage', { account, to, text });
  return performance.now() - calledAt;
}

/**
 * Alice's side: sends `count` texts `bench <run> <seq> <epoch ms>` to `to` on a fixed schedule,
 * `intervalMs` apart (not waiting for delivery), each stamped just before its `sendMessage`.
 */
export async function sendPaced({
  account,
  to,
  run,
  count,
  intervalMs,
}: {
  account: string;
  to: string;
  run: string;
  count: number;
  intervalMs: number;
}): Promise<SendReport> {
  const bench = (globalThis as unknown as PageGlobals).cairnBench;
  if (!bench) throw new Error('installPort first');
  const report: SendReport = { callMs: [], errors: [] };
  const pending: Promise<void>[] = [];
  const start = performance.now() + 20;
  for (let seq = 0; seq < count; seq++) {
    const wait = start + seq * intervalMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const calledAt = performance.now();
    const text = `bench ${run} ${seq} ${(performance.timeOrigin + calledAt).toFixed(3)}`;
    pending.push(
      bench.call('sendMessage', { account, to, text }).then(
        () => {
          report.callMs.push(performance.now() - calledAt);
        },
        (error: unknown) => {
          report.errors.push(String(error));
        },
      ),
    );
  }
  await Promise.all(pending);
  return report;
}

/** Sends one text and waits until the relay stored it (status `sent` or `delivered`). */
export async function sendAndWaitStored({
  account,
  to,
  text,
}: {
  account: string;
  to: string;
  text: string;
}): Promise<void> {
  const bench = (globalThis as unknown as PageGlobals).cairnBench;
  if (!bench) throw new Error('installPort first');
  const sent = (await bench.call('sendMessage', { account, to, text })) as MessageView;
  const deadline = performance.now() + 15_000;
  for (;;) {
    const page = (await bench.call('getMessages', { account, peer: to, limit: 5 })) as MessageView[];
    const status = page.find((message) => message.id === sent.id)?.status;
    if (status === 'sent' || status === 'delivered') return;
    if (status === 'failed' || performance.now() > deadline) throw new Error(`"${text}" ended ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Alice's side after a wake: polls `getMessages` (every 10 ms, and on each `messages` event)
 * until `text` from `peer` is there. Returns the epoch times of the first answer (the worker
 * restarted, restored the session and started the messenger) and of the read that found it.
 */
export async function waitForText({
  portName,
  account,
  peer,
  text,
}: {
  portName: string;
  account: string;
  peer: string;
  text: string;
}): Promise<{ readyAt: number; foundAt: number }> {
  const g = globalThis as unknown as PageGlobals;
  const { runtime } = g.chrome;
  const now = () => performance.timeOrigin + performance.now();
  const deadline = performance.now() + 30_000;
  let readyAt: number | undefined;
  let nudge: (() => void) | undefined;
  let port: PagePort | undefined;
  let nextId = 1;
  const waiting = new Map<number, (message: UiResponseMessage) => void>();
  const connect = () => {
    const opened = runtime.connect({ name: portName });
    opened.onMessage.addListener((message) => {
      if (message?.type === 'response') {
        waiting.get(message.id)?.(message);
        waiting.delete(message.id);
      } else if (message?.type === 'event' && message.event === 'messages') {
        nudge?.();
      }
    });
    opened.onDisconnect.addListener(() => {
      port = undefined;
    });
    return opened;
  };
  while (performance.now() < deadline) {
    port ??= connect();
    const id = nextId++;
    const answer = new Promise<UiResponseMessage>((resolve) => waiting.set(id, resolve));
    port.postMessage({ type: 'request', id, method: 'getMessages', params: { account, peer, limit: 10 } });
    const response = await Promise.race([
      answer,
      new Promise<undefined>((resolve) => setTimeout(resolve, 2_000)),
    ]);
    if (response && 'result' in response) {
      const at = now();
      readyAt ??= at;
      const page = response.result as MessageView[];
      const found = page.some(
        (message) =>
          message.direction === 'in' && message.content.kind === 'text' && message.content.text === text,
      );
      if (found) return { readyAt, foundAt: at };
    }
    await new Promise<void>((resolve) => {
      nudge = resolve;
      setTimeout(resolve, 10);
    });
  }
  throw new Error(`"${text}" did not arrive within 30 s`);
}

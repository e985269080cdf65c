/**
 * Messaging between two real extension instances (two Chromium profiles with the built
 * extension, one relay): Alice (the test phrase) and Bob (another phrase) onboard through the
 * popup, Alice starts the conversation and sends a first message through the UI, then both
 * popups go back to their Wallet tab (an open chat marks every message read, sending read
 * receipts) and the benchmark drives the "cairn-ui" port from inside the popup pages
 * (`messaging-pages.ts`):
 *   - latency, one message at a time: Alice's page sends, Bob's page records when it has the
 *     message (the `messages` event carrying it, or the read an event leads to); the next send
 *     waits for that and for `intervalMs`;
 *   - latency under a sustained rate: sends on a fixed schedule `intervalMs` apart;
 *   - service-worker wake: Alice's popup closed and her worker stopped, Bob sends (until the relay
 *     stored it), then Alice opens her popup — what a user does — which wakes the worker; timed
 *     until the message is in her database. (The other real wake, the once-a-minute
 *     `cairn.messaging.wake` alarm, cannot be fired on demand: Chrome's minimum delay is 30 s.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import type { Address } from 'viem';
import { UI_PORT_NAME } from '../src/background/ui-api-contract.ts';
import { type ExtensionBrowser, newProfileDir } from '../test/e2e/support/extension-browser.ts';
import { onboardToMessages, sendMessage, startConversation } from '../test/e2e/support/messenger-flows.ts';
import {
  installPort,
  receiverState,
  sendAndWaitStored,
  sendOne,
  sendPaced,
  startReceiver,
  waitForArrivals,
  waitForText,
} from './messaging-pages.ts';
import { cpuOf } from './proc-cpu.ts';

const PASSWORD = 'correct horse battery';

export interface Person {
  browser: ExtensionBrowser;
  /** The popup page the benchmark drives (`installPort` done). */
  page: Page;
  address: Address;
}

export interface ExtensionRun {
  /** `sequential`: one message at a time; `sustained`: a fixed schedule. */
  mode: 'sequential' | 'sustained';
  /** Least time between two sends (sequential), or the schedule's period (sustained), ms. */
  intervalMs: number;
  /** Timed messages sent (after the warm-up). */
  sent: number;
  /** Timed messages Bob's page saw. */
  received: number;
  duplicates: number;
  errors: string[];
  /** Alice's sendMessage call → Bob's page had the message, ms. */
  samples: number[];
  /** Alice's sendMessage call → Bob's page got the `messages` event, ms. */
  toEventMs: number[];
  /** Alice's sendMessage call → a Node subscriber got it from the relay (stored, then gossiped), ms. */
  toRelayMs: number[];
  /** Alice's `sendMessage` call round trips (encrypt + queue in IndexedDB), ms. */
  sendCallMs: number[];
  /** CPU time per message over the run (user + system ÷ messages), ms; undefined off Linux. */
  cpuPerMessageMs: { alice: number; bob: number; relay: number } | undefined;
  seconds: number;
}

export interface WakeRun {
  /** Popup opened → first `getMessages` answer (worker up, session restored, messenger started), ms. */
  readyMs: number;
  /** Popup opened → the message is in Alice's database, ms. */
  messageMs: number;
}

export interface WakeResult {
  /** The first wake after the latency runs (reported apart: see the table note). */
  first: WakeRun;
  runs: WakeRun[];
}

/** Launches a profile, imports `mnemonic` through the popup, and opens the Messages tab. */
export async function onboard(mnemonic: string): Promise<Person> {
  const { browser, popup, address } = await onboardToMessages(await newProfileDir(), mnemonic, PASSWORD);
  return { browser, page: popup, address: address as Address };
}

/** Reloads the popup onto its Wallet tab and opens the page's bench port. */
async function toWalletTab(person: Person): Promise<void> {
  await person.page.reload();
  await person.page.getByRole('list', { name: 'Accounts' }).waitFor();
  await person.page.evaluate(installPort, UI_PORT_NAME);
}

/**
 * Alice starts the conversation in the UI and sends a first message; once Bob has it, both
 * popups are on their Wallet tab and Bob's page records bench messages.
 */
export async function startBenchConversation(alice: Person, bob: Person): Promise<void> {
  await startConversation(alice.page, bob.address, { timeout: 30_000 });
  await sendMessage(alice.page, 'Hi Bob, the benchmark starts');
  await toWalletTab(bob);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const page = await bob.page.evaluate(
      async ({ account, peer }) => {
        const { cairnBench } = globalThis as unknown as {
          cairnBench?: { call(method: string, params: unknown): Promise<unknown> };
        };
        return (await cairnBench?.call('getMessages', { account, peer, limit: 5 })) as unknown[];
      },
      { account: bob.address, peer: alice.address },
    );
    if (page.length > 0) break;
    if (Date.now() > deadline) throw new Error("Bob never received Alice's first message");
    await sleep(200);
  }
  await toWalletTab(alice);
  await bob.page.evaluate(startReceiver, { account: bob.address, peer: alice.address });
}

interface RunOptions {
  warmup: number;
  messages: number;
  intervalMs: number;
  /** Data directory of the relay, to find its process for the CPU column. */
  relayDir: string;
  /** Notes when conversation envelopes leave the relay (only Alice's messages flow meanwhile). */
  observer: { times(): number[]; reset(): void };
}

/** Alice → Bob latency; `sequential` waits for each message, `sustained` keeps a fixed schedule. */
export async function extensionRun(
  alice: Person,
  bob: Person,
  mode: ExtensionRun['mode'],
  { warmup, messages, intervalMs, relayDir, observer }: RunOptions,
): Promise<ExtensionRun> {
  const total = warmup + messages;
  const to = bob.address;
  const account = alice.address;
  const needles = { alice: alice.browser.profileDir, bob: bob.browser.profileDir, relay: relayDir };
  const errors: string[] = [];
  let callMs: number[] = [];
  const cpuBefore = cpuOf(needles);
  observer.reset();
  const started = performance.now();
  if (mode === 'sequential') {
    let lastSend = Number.NEGATIVE_INFINITY;
    for (let seq = 0; seq < total && errors.length < 3; seq++) {
      const wait = lastSend + intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      lastSend = performance.now();
      callMs.push(await alice.page.evaluate(sendOne, { account, to, run: mode, seq }));
      const arrived = await bob.page.evaluate(waitForArrivals, { run: mode, seq, timeoutMs: 10_000 });
      if (!arrived) errors.push(`message ${seq} did not arrive within 10 s`);
    }
  } else {
    const report = await alice.page.evaluate(sendPaced, { account, to, run: mode, count: total, intervalMs });
    errors.push(...report.errors);
    callMs = report.callMs;
    await bob.page.evaluate(waitForArrivals, { run: mode, count: total, timeoutMs: 20_000 });
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuOf(needles);
  await sleep(500); // a duplicate would come late
  const state = await bob.page.evaluate(receiverState);
  const ours = state.arrivals.filter((arrival) => arrival.run === mode).sort((a, b) => a.seq - b.seq);
  const timed = ours.filter((arrival) => arrival.seq >= warmup);
  // One outbox, flushed in order: the observer's n-th envelope is message n (when none is missing).
  const relayTimes = observer.times();
  const toRelayMs =
    relayTimes.length === total && ours.length === total
      ? timed.map((arrival) => (relayTimes[arrival.seq] ?? Number.NaN) - arrival.sentAt)
      : [];
  const perMessage = (name: string) =>
    (((cpuAfter?.[name] ?? Number.NaN) - (cpuBefore?.[name] ?? Number.NaN)) * 1000) / total;
  return {
    mode,
    intervalMs,
    sent: messages,
    received: timed.length,
    duplicates: state.duplicates[mode] ?? 0,
    errors: [...errors, ...state.errors],
    samples: timed.map((arrival) => arrival.receivedAt - arrival.sentAt),
    toEventMs: timed.map((arrival) => arrival.eventAt - arrival.sentAt),
    toRelayMs,
    sendCallMs: callMs.slice(warmup),
    cpuPerMessageMs:
      cpuBefore && cpuAfter
        ? { alice: perMessage('alice'), bob: perMessage('bob'), relay: perMessage('relay') }
        : undefined,
    seconds,
  };
}

async function wakeOnce(alice: Person, bob: Person, run: number): Promise<WakeRun> {
  const { context, extensionId } = alice.browser;
  for (const page of context.pages()) {
    if (page.url().startsWith(`chrome-extension://${extensionId}/`)) await page.close();
  }
  await alice.browser.stopServiceWorker();
  const text = `wake ${run} ${Date.now()}`;
  await bob.page.evaluate(sendAndWaitStored, { account: bob.address, to: alice.address, text });
  const openedAt = performance.timeOrigin + performance.now();
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/popup.html`);
  const { readyAt, foundAt } = await page.evaluate(waitForText, {
    portName: UI_PORT_NAME,
    account: alice.address,
    peer: bob.address,
    text,
  });
  alice.page = page;
  return { readyMs: readyAt - openedAt, messageMs: foundAt - openedAt };
}

/** One untimed first wake, then `runs` timed ones. */
export async function wakeRuns(alice: Person, bob: Person, runs: number): Promise<WakeResult> {
  const first = await wakeOnce(alice, bob, 0);
  const timed: WakeRun[] = [];
  for (let run = 1; run <= runs; run++) timed.push(await wakeOnce(alice, bob, run));
  return { first, runs: timed };
}

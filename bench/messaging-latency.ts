/**
 * Message delivery through a real relay daemon on 127.0.0.1:9090 (the extension's default relay,
 * default limits), measured in one run:
 *   - references: two Node client nodes (src/p2p/cairn-node.ts) in this process, Alice → relay →
 *     Bob on one shard topic, over gossip and over the store protocol (the extension's path);
 *   - Alice → Bob with two real extension instances (`messaging-extension.ts`), one message at a
 *     time and on a sustained schedule;
 *   - service-worker wake → message handled.
 * The relay keeps its per-peer publish limit (20/s, burst 100): no path sends faster than one
 * message per `intervalMs` (50 ms), so it never refuses one.
 */
import { rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { TEST_MNEMONIC } from '../test/e2e/support/popup-flows.ts';
import { DEFAULT_RELAY_PORT, newRelayDataDir, startRelay } from '../test/e2e/support/relay-daemon.ts';
import {
  type ExtensionRun,
  extensionRun,
  onboard,
  type Person,
  startBenchConversation,
  type WakeResult,
  wakeRuns,
} from './messaging-extension.ts';
import { importP2pBench } from './p2p-loader.ts';
import type { GossipObserver, LatencyRun } from './p2p-node.ts';
import { percentile } from './stats.ts';
import type { Table } from './table.ts';

/** Bob's phrase: the second BIP-39 test vector phrase, as in the messaging e2e test. */
const BOB_MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

/** Alice → Bob between two extensions, one message at a time: p50 and p99 targets, ms. */
export const DELIVERY_P50_TARGET_MS = 20;
export const DELIVERY_P99_TARGET_MS = 100;

export interface MessagingLatencyResult {
  nodeGossip: LatencyRun;
  nodeStore: LatencyRun;
  /** Undefined without Chromium. */
  sequential: ExtensionRun | undefined;
  sustained: ExtensionRun | undefined;
  wake: WakeResult | undefined;
}

export interface MessagingLatencyOptions {
  /** Without it, only the Node references run. */
  chromiumPath: string | undefined;
  /** Timed messages per latency row (after `warmup` untimed ones). */
  messages?: number;
  /** Timed messages of the sustained-rate row. */
  sustainedMessages?: number;
  warmup?: number;
  intervalMs?: number;
  wakeRuns?: number;
  log?: (line: string) => void;
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function benchMessagingLatency(
  options: MessagingLatencyOptions,
): Promise<MessagingLatencyResult> {
  const {
    chromiumPath,
    messages = 500,
    sustainedMessages = 200,
    warmup = 20,
    intervalMs = 50,
    log = () => {},
  } = options;
  if (await portInUse(DEFAULT_RELAY_PORT)) {
    throw new Error(
      `127.0.0.1:${DEFAULT_RELAY_PORT} is in use (npm start, or the e2e tests?): the benchmark runs its relay there, the extension's default`,
    );
  }
  const relayDir = await newRelayDataDir();
  const people: Person[] = [];
  let observer: GossipObserver | undefined;
  const relay = await startRelay(relayDir);
  try {
    const address = relay.addresses[0];
    if (!address) throw new Error('the relay printed no address');
    const p2p = await importP2pBench();
    const reference = { relay: address, messages, warmup, intervalMs };
    log(`messaging (Node reference): ${warmup + messages} messages over gossip, one every ${intervalMs} ms…`);
    const nodeGossip = await p2p.nodeLatency({ ...reference, path: 'gossip' });
    log(`messaging (Node reference): ${warmup + messages} messages over the store protocol…`);
    const nodeStore = await p2p.nodeLatency({ ...reference, path: 'store' });
    if (!chromiumPath) {
      return { nodeGossip, nodeStore, sequential: undefined, sustained: undefined, wake: undefined };
    }

    process.env.CHROMIUM_PATH = chromiumPath;
    const watching = await p2p.gossipObserver(address);
    observer = watching;
    log('messaging (extension): onboarding Alice and Bob in two Chromium profiles…');
    const alice = await onboard(TEST_MNEMONIC);
    people.push(alice);
    const bob = await onboard(BOB_MNEMONIC);
    people.push(bob);
    await startBenchConversation(alice, bob);
    log(`messaging (extension): ${warmup + messages} messages, one at a time, ≥ ${intervalMs} ms apart…`);
    const sequential = await extensionRun(alice, bob, 'sequential', {
      warmup,
      messages,
      intervalMs,
      relayDir,
      observer: watching,
    });
    log(`messaging (extension): ${warmup + sustainedMessages} messages, one every ${intervalMs} ms…`);
    const sustained = await extensionRun(alice, bob, 'sustained', {
      warmup,
      messages: sustainedMessages,
      intervalMs,
      relayDir,
      observer: watching,
    });
    const runs = options.wakeRuns ?? 10;
    log(`worker wake: 1 first + ${runs} timed (Alice's worker stopped, Bob sends, Alice opens her popup)…`);
    const wake = await wakeRuns(alice, bob, runs);
    return { nodeGossip, nodeStore, sequential, sustained, wake };
  } finally {
    await observer?.stop().catch(() => undefined);
    await Promise.allSettled(people.map((person) => person.browser.close()));
    await relay.stop();
    await Promise.allSettled(
      [relayDir, ...people.map((person) => person.browser.profileDir)].map((dir) =>
        rm(dir, { recursive: true, force: true }),
      ),
    );
  }
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '—');

function percentiles(samples: readonly number[]): string[] {
  return samples.length === 0 ? ['—', '—', '—'] : [50, 90, 99].map((p) => ms(percentile(samples, p)));
}

export function latencyTable(result: MessagingLatencyResult, chromiumVersion: string): Table {
  const { nodeGossip, nodeStore, sequential, sustained } = result;
  const rows: string[][] = [];
  const delivered = (run: { received: number; sent: number; duplicates: number }) => [
    `${run.received}/${run.sent}`,
    String(run.duplicates),
  ];
  for (const run of [sequential, sustained]) {
    if (!run) continue;
    const pacing =
      run.mode === 'sequential'
        ? `one at a time, ≥ ${run.intervalMs} ms apart`
        : `${Math.round(1000 / run.intervalMs)} msg/s schedule`;
    rows.push(
      [
        `extension → extension: sendMessage → Bob's page has it`,
        pacing,
        ...delivered(run),
        ...percentiles(run.samples),
      ],
      [`  … of which Alice's sendMessage call (encrypt + queue)`, '', '', '', ...percentiles(run.sendCallMs)],
      [`  … until the relay had stored and gossiped it`, '', '', '', ...percentiles(run.toRelayMs)],
      [`  … until Bob's page got the "messages" event`, '', '', '', ...percentiles(run.toEventMs)],
    );
  }
  for (const run of [nodeGossip, nodeStore]) {
    rows.push([
      `reference: Node → relay → Node, ${run.path === 'gossip' ? 'gossip publish' : 'store publish (ack) + relay gossip'}`,
      `one every ${run.intervalMs} ms`,
      ...delivered(run),
      ...percentiles(run.samples),
    ]);
  }
  const cpu = [sequential, sustained]
    .filter((run): run is ExtensionRun => run?.cpuPerMessageMs !== undefined)
    .map(({ mode, cpuPerMessageMs: c }) =>
      c
        ? `${mode === 'sequential' ? 'one at a time' : 'sustained'}: Alice's Chromium ${ms(c.alice)} ms, Bob's ${ms(c.bob)} ms, relay ${ms(c.relay)} ms`
        : '',
    );
  const errors = [sequential, sustained].flatMap((run) => run?.errors ?? []);
  return {
    title: sequential
      ? `Message delivery latency, Alice → relay → Bob (${chromiumVersion}, built extension, headless)`
      : 'Message delivery latency, Alice → relay → Bob (Node references only: --skip-chromium)',
    columns: [
      { header: 'path' },
      { header: 'pacing' },
      { header: 'delivered', align: 'right' },
      { header: 'dup', align: 'right' },
      { header: 'p50 ms', align: 'right' },
      { header: 'p90 ms', align: 'right' },
      { header: 'p99 ms', align: 'right' },
    ],
    rows,
    notes: [
      'The real relay daemon on 127.0.0.1:9090 (default limits: 20 publishes/s per peer, hence ≥ 50 ms between sends), SQLite in the OS temp directory.',
      ...(sequential
        ? [
            'Extension rows: two Chromium profiles on this machine; Alice\'s popup page calls sendMessage on the "cairn-ui" port',
            "(text stamped with performance.timeOrigin + now()), Bob's popup page, on its Wallet tab, stamps the message",
            'when it has it, as the chat view does: from the "messages" event that carries it (`added`), else from the',
            'read (getMessages, 5 latest) that event leads to; 20 untimed warm-up messages first. "Relay had stored and',
            'gossiped it": a Node client subscribed to every shard got it.',
          ]
        : []),
      "Node rows: two client nodes in the bench process on one shard topic, timed to the subscriber's gossipsub message event.",
      ...(cpu.length > 0 ? [`CPU per message (user + system, all processes): ${cpu.join('; ')}.`] : []),
      ...(errors.length > 0 ? [`Errors: ${errors.slice(0, 3).join('; ')}.`] : []),
    ],
  };
}

export function wakeTable(wake: WakeResult): Table {
  const ready = wake.runs.map((run) => run.readyMs);
  const message = wake.runs.map((run) => run.messageMs);
  const stats = (samples: number[]) =>
    samples.length === 0
      ? ['—', '—', '—']
      : [ms(percentile(samples, 50)), ms(percentile(samples, 90)), ms(Math.max(...samples))];
  return {
    title: "Service-worker wake → message handled (Alice's worker stopped, her popup opened)",
    columns: [
      { header: 'popup opened →' },
      { header: 'runs', align: 'right' },
      { header: 'p50 ms', align: 'right' },
      { header: 'p90 ms', align: 'right' },
      { header: 'max ms', align: 'right' },
    ],
    rows: [
      [
        'first getMessages answer (worker restart, session restore, messenger start)',
        String(ready.length),
        ...stats(ready),
      ],
      [
        "Bob's message in Alice's database (catch-up from the relay store)",
        String(message.length),
        ...stats(message),
      ],
      [
        'same, first wake right after the latency rows (not in the runs above)',
        '1',
        ms(wake.first.messageMs),
        '—',
        '—',
      ],
    ],
    notes: [
      "Each run: Alice's popup closed, her worker stopped (CDP ServiceWorker.stopAllWorkers), Bob sends until the relay",
      "stored it; then a new tab opens Alice's popup.html (a user opening the popup: its port wakes the worker) and polls",
      'getMessages every 10 ms and on each "messages" event. Times from Node (before the tab opens) to the page\'s answer,',
      'both epoch clocks. The first wake also re-reads what arrived live since the last catch-up (live gossip does not',
      'move the catch-up cursor), so it is shown apart.',
    ],
  };
}

/** Target lines for the summary. */
export function messagingTargetLines(result: MessagingLatencyResult | undefined, reason: string): string[] {
  const label = `Delivery between two extensions p50 ≤ ${DELIVERY_P50_TARGET_MS} ms, p99 ≤ ${DELIVERY_P99_TARGET_MS} ms`;
  const run = result?.sequential;
  if (!run || run.samples.length === 0) return [`${label}: not measured (${reason})`];
  const p50 = percentile(run.samples, 50);
  const p99 = percentile(run.samples, 99);
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const complete = run.received === run.sent && run.duplicates === 0;
  return [
    `${label}: p50 ${ms(p50)} ms — ${met(p50 <= DELIVERY_P50_TARGET_MS)}, p99 ${ms(p99)} ms — ${met(p99 <= DELIVERY_P99_TARGET_MS)}`,
    `Every message delivered once: ${run.received}/${run.sent}, ${run.duplicates} duplicates — ${met(complete)}`,
  ];
}

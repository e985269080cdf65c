/**
 * Relay throughput on one core: the relay process pinned to one CPU with `taskset`, the load
 * (`relay-load-child.ts`: Node client nodes publishing, one subscribed to every shard) in a
 * child pinned to another, counting the envelopes per second the subscriber receives through
 * the relay. Rows, all in the same run:
 *   - reference: a bare gossipsub relay (`bare-relay-child.ts`, createCairnNode role 'relay',
 *     subscribed to every shard, no validation, no store), publishers on gossip;
 *   - the real daemon (`.output/relay/cairn-relay.mjs`), publishers on gossip: validate, store
 *     (SQLite), forward;
 *   - the real daemon, publishers on the store protocol (`StoreClient.publish`, the extension's
 *     path): one stream per envelope, validate, store, ack, then gossip.
 * The daemon runs with a high `--publish-limit` (the default 20/s per peer would be the limit
 * measured) and its default log level (info: one line per store-protocol publish).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRelay, RELAY_BUNDLE } from '../scripts/build-relay.ts';
import type { PublishPath } from './p2p-node.ts';
import type { RelayLoadResult } from './relay-load.ts';
import type { Table } from './table.ts';

/** `--publish-limit` of the measured daemon: far above what one core can do. */
export const THROUGHPUT_PUBLISH_LIMIT = '1000000/1000000';

interface Variant {
  label: string;
  relay: 'bare' | 'cairn';
  path: PublishPath;
  publishers: number;
  window: number;
}

const VARIANTS: readonly Variant[] = [
  {
    label: 'reference: bare gossipsub relay (forward only)',
    relay: 'bare',
    path: 'gossip',
    publishers: 2,
    window: 128,
  },
  {
    label: 'cairn-relay, gossip in (validate + store + forward)',
    relay: 'cairn',
    path: 'gossip',
    publishers: 2,
    window: 128,
  },
  {
    label: 'cairn-relay, store publish (validate + store + ack + gossip)',
    relay: 'cairn',
    path: 'store',
    publishers: 4,
    // Under the relay's 32 concurrent publish streams per connection.
    window: 24,
  },
];

export interface ThroughputRow extends Variant {
  result: RelayLoadResult;
}

export interface ThroughputResult {
  rows: ThroughputRow[];
  /** CPU the relays were pinned to, and the load's; undefined: not pinned. */
  relayCpu: string | undefined;
  loadCpu: string | undefined;
  warmupMs: number;
  durationMs: number;
}

/** The CPUs this process may run on (`taskset -pc`), empty when taskset is unavailable. */
export function allowedCpus(): string[] {
  const probe = spawnSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8' });
  const list = probe.status === 0 ? /:\s*([\d,-]+)\s*$/.exec(probe.stdout.trim())?.[1] : undefined;
  if (!list) return [];
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    if (from === undefined || to === undefined || !Number.isInteger(from) || !Number.isInteger(to)) return [];
    return Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
  });
}

function spawnNode(cpu: string | undefined, args: string[], stdio: ['ignore', 'pipe', 'pipe' | number]) {
  return cpu === undefined
    ? spawn(process.execPath, args, { stdio })
    : spawn('taskset', ['-c', cpu, process.execPath, ...args], { stdio });
}

interface RelayProcess {
  child: ChildProcess;
  address: string;
  stop(): Promise<void>;
}

/** Starts a relay and waits for its `listening <multiaddr>` line. */
async function startRelay(variant: Variant, cpu: string | undefined, dataDir: string): Promise<RelayProcess> {
  const listen = '/ip4/127.0.0.1/tcp/0/ws';
  const logFile = join(dataDir, 'relay.log');
  const args =
    variant.relay === 'cairn'
      ? [RELAY_BUNDLE, '--listen', listen, '--data-dir', dataDir, '--publish-limit', THROUGHPUT_PUBLISH_LIMIT]
      : [fileURLToPath(new URL('./bare-relay-child.ts', import.meta.url)), '--listen', listen];
  // The daemon logs a line per publish: to a file, so a full pipe never stalls it.
  const child = spawnNode(cpu, args, ['ignore', 'pipe', openSync(logFile, 'a')]);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let stdout = '';
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the relay did not start within 30 s')), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /listening (\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(async (code) => {
      clearTimeout(timer);
      const log = await readFile(logFile, 'utf8').catch(() => '');
      reject(new Error(`the ${variant.relay} relay exited with ${code}:\n${log.slice(-2000)}`));
    });
  });
  return {
    child,
    address,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `relay-load-child.ts` (pinned to `cpu`) and parses its JSON line. */
async function runLoad(
  variant: Variant,
  cpu: string | undefined,
  relay: RelayProcess,
  warmupMs: number,
  durationMs: number,
): Promise<RelayLoadResult> {
  const args = [
    fileURLToPath(new URL('./relay-load-child.ts', import.meta.url)),
    '--relay',
    relay.address,
    '--path',
    variant.path,
    '--publishers',
    String(variant.publishers),
    '--window',
    String(variant.window),
    '--warmup-ms',
    String(warmupMs),
    '--duration-ms',
    String(durationMs),
    ...(relay.child.pid === undefined ? [] : ['--relay-pid', String(relay.child.pid)]),
  ];
  const child = spawnNode(cpu, args, ['ignore', 'pipe', 2]);
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), warmupMs + durationMs + 60_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearTimeout(timer));
  if (code !== 0) throw new Error(`the relay load exited with code ${code}`);
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(lastLine) as RelayLoadResult;
}

export async function benchRelayThroughput({
  warmupMs = 1_000,
  durationMs = 4_000,
  log = () => {},
}: {
  warmupMs?: number;
  durationMs?: number;
  log?: (line: string) => void;
} = {}): Promise<ThroughputResult> {
  if (!existsSync(RELAY_BUNDLE)) {
    log('relay throughput: building the relay bundle…');
    await buildRelay();
  }
  const cpus = allowedCpus();
  const relayCpu = cpus[0];
  const loadCpu = cpus[1];
  log(
    relayCpu === undefined
      ? 'relay throughput: taskset unavailable, not pinned'
      : `relay throughput: relay pinned to CPU ${relayCpu}, load ${loadCpu === undefined ? 'not pinned (one CPU)' : `on CPU ${loadCpu}`}`,
  );
  const rows: ThroughputRow[] = [];
  for (const variant of VARIANTS) {
    log(`relay throughput: ${variant.label}…`);
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-bench-relay-'));
    try {
      const relay = await startRelay(variant, relayCpu, dataDir);
      try {
        rows.push({ ...variant, result: await runLoad(variant, loadCpu, relay, warmupMs, durationMs) });
      } finally {
        await relay.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return { rows, relayCpu, loadCpu, warmupMs, durationMs };
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function throughputTable(result: ThroughputResult): Table {
  const { relayCpu, loadCpu } = result;
  const pinning =
    relayCpu === undefined
      ? 'Not pinned (taskset unavailable).'
      : `Relay pinned to CPU ${relayCpu} (\`taskset -c ${relayCpu}\`), the load generator to ${loadCpu === undefined ? 'the same machine, unpinned' : `CPU ${loadCpu}`}.`;
  return {
    title: 'Relay throughput on one core (envelopes/s received by a subscriber through the relay)',
    columns: [
      { header: 'relay, ingress' },
      { header: 'publishers × window', align: 'right' },
      { header: 'envelopes/s', align: 'right' },
      { header: 'relay CPU', align: 'right' },
      { header: 'per relay CPU-s', align: 'right' },
      { header: 'refused/lost', align: 'right' },
    ],
    rows: result.rows.map(({ label, publishers, window, result: load }) => [
      label,
      `${publishers} × ${window}`,
      count(load.perSecond),
      load.relayCpu === undefined ? '—' : `${Math.round(load.relayCpu * 100)}%`,
      load.relayCpu === undefined || load.relayCpu === 0 ? '—' : count(load.perSecond / load.relayCpu),
      `${load.refused}/${load.lost}`,
    ]),
    notes: [
      `${pinning} Each row: a fresh relay, Node client nodes (src/p2p/cairn-node.ts), one subscriber on all 8 shards;`,
      'each publisher keeps at most "window" envelopes in flight (sent, not yet received), then',
      `${result.warmupMs / 1000} s warm-up and ${result.durationMs / 1000} s counted. Envelopes are valid XMTP v2 conversation envelopes`,
      '(256 real MessageV2 over 8 conversations, each send re-wrapped with a unique envelope timestamp).',
      `cairn-relay runs with --publish-limit ${THROUGHPUT_PUBLISH_LIMIT} (default 20/s burst 100 per peer) and its default`,
      'log level (info), SQLite in the OS temp directory (WAL, synchronous=FULL).',
      '"relay CPU" is its user+system time over the window (100% = one core); "per relay CPU-s" divides the rate by it,',
      'an estimate of one saturated core when the load generator, not the relay, is the limit.',
    ],
  };
}

/**
 * `npm run bench`: unlock time in Node (Cairn vs browser-passworder vs pure-JS
 * PBKDF2), unlock time in Debian's Chromium with the built extension, and the
 * dapp round trip through the injected provider, and the popup bundle size. Prints plain-text tables, the targets and whether they are
 * met, then the same as Markdown after a `--- markdown ---` line for the README.
 * Also XMTP v2 message throughput, Cairn's src/protocol vs @xmtp/xmtp-js 13, in a child process
 * pinned to one CPU (`protocol-loader.ts`); messaging through a real relay (delivery latency
 * between two extensions vs bare libp2p, service-worker wake, `messaging-latency.ts`), relay
 * throughput on one core vs a bare gossipsub relay (`relay-throughput.ts`), and the background
 * bundle vs Helia light + libp2p alone; anchoring gas per message, Merkle tree building against
 * @openzeppelin/merkle-tree and proof verification (`anchoring.ts`), and checking a proof inside
 * the extension (`anchoring-extension.ts`).
 * Progress goes to stderr. Measurements only: nothing here fails on a slow number.
 *
 * Flags: --skip-chromium (no browser), --skip-protocol (no XMTP benchmark), --skip-p2p (no relay,
 * latency or throughput benchmark), --skip-anchoring (no gas, tree or proof benchmark), --runs N
 * (timed runs per row, default 7).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ChromiumNotFoundError, chromiumVersion, findChromium } from '../scripts/chromium.ts';
import { EXTENSION_DIR } from '../test/e2e/support/paths.ts';
import { anchoringTables, anchoringTargetLines, benchAnchoring } from './anchoring.ts';
import { benchBridgeRoundTrip, bridgeTable } from './bridge-roundtrip.ts';
import {
  BACKGROUND_GZIP_TARGET_BYTES,
  type BundleSizes,
  backgroundTable,
  bundleTable,
  measureBundle,
  measureHeliaReference,
  POPUP_GZIP_TARGET_BYTES,
} from './bundle-size.ts';
import { benchMessagingLatency, latencyTable, messagingTargetLines, wakeTable } from './messaging-latency.ts';
import { importAnchoringExtensionBench } from './p2p-loader.ts';
import { runProtocolBench } from './protocol-loader.ts';
import { protocolTable, protocolTargetLines } from './protocol-table.ts';
import { benchRelayThroughput, throughputTable } from './relay-throughput.ts';
import { formatMs } from './stats.ts';
import { renderMarkdown, renderText, type Table } from './table.ts';
import {
  benchUnlockChromium,
  CHROMIUM_UNLOCK_TARGET_MS,
  type UnlockChromiumResult,
  unlockChromiumTable,
} from './unlock-chromium.ts';
import { benchUnlockNode, unlockNodeTable } from './unlock-node.ts';

const DEFAULT_RUNS = 7;

const log = (line: string) => console.error(`[bench] ${line}`);

const USAGE =
  'usage: npm run bench [-- --skip-chromium] [--skip-protocol] [--skip-p2p] [--skip-anchoring] [--runs N]';

class UsageError extends Error {
  override name = 'UsageError';
}

interface Flags {
  skipChromium: boolean;
  skipProtocol: boolean;
  skipP2p: boolean;
  skipAnchoring: boolean;
  runs: number;
}

function parseFlags(): Flags {
  let values: {
    'skip-chromium': boolean;
    'skip-protocol': boolean;
    'skip-p2p': boolean;
    'skip-anchoring': boolean;
    runs: string;
  };
  try {
    ({ values } = parseArgs({
      options: {
        'skip-chromium': { type: 'boolean', default: false },
        'skip-protocol': { type: 'boolean', default: false },
        'skip-p2p': { type: 'boolean', default: false },
        'skip-anchoring': { type: 'boolean', default: false },
        runs: { type: 'string', default: String(DEFAULT_RUNS) },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const runs = Number(values.runs);
  if (!Number.isSafeInteger(runs) || runs < 1) {
    throw new UsageError(`"--runs" must be a positive integer, got ${values.runs}`);
  }
  return {
    skipChromium: values['skip-chromium'],
    skipProtocol: values['skip-protocol'],
    skipP2p: values['skip-p2p'],
    skipAnchoring: values['skip-anchoring'],
    runs,
  };
}

/** Builds `.output/chrome-mv3` if it is missing; build output goes to stderr. */
function ensureBuilt(): void {
  if (existsSync(join(EXTENSION_DIR, 'manifest.json'))) return;
  log('.output/chrome-mv3 is missing: npm run -s build…');
  const build = spawnSync('npm', ['run', '-s', 'build'], { stdio: ['ignore', 2, 2] });
  if (build.status !== 0) throw new Error('npm run build failed');
}

/** The Chromium binary and its version line; when skipped, the version only if one is installed. */
function locateChromium(skip: boolean): { path: string | undefined; version: string } {
  if (skip) {
    try {
      const path = findChromium({ install: false, log });
      return { path: undefined, version: `${chromiumVersion(path)} (not run: --skip-chromium)` };
    } catch {
      return { path: undefined, version: 'not found (not run: --skip-chromium)' };
    }
  }
  try {
    const path = findChromium({ log });
    return { path, version: chromiumVersion(path) };
  } catch (error) {
    log('no Chromium; `npm run bench -- --skip-chromium` measures the rest');
    throw error;
  }
}

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}

function targetLines(chromium: UnlockChromiumResult | undefined, bundle: BundleSizes): string[] {
  const unlockTarget = `Unlock in Chromium ≤ ${CHROMIUM_UNLOCK_TARGET_MS / 1000} s (p90 of warm unlocks)`;
  const unlock = chromium
    ? `${unlockTarget}: ${formatMs(chromium.unlock.p90Ms)} ms — ${chromium.unlock.p90Ms <= CHROMIUM_UNLOCK_TARGET_MS ? 'met' : 'NOT met'}`
    : `${unlockTarget}: not measured (--skip-chromium)`;
  const popupMet = bundle.popupGzip <= POPUP_GZIP_TARGET_BYTES ? 'met' : 'NOT met';
  const popup = `Popup JS + CSS ≤ ${kb(POPUP_GZIP_TARGET_BYTES)} gzip: ${kb(bundle.popupGzip)} — ${popupMet}`;
  const backgroundMet = bundle.backgroundGzip <= BACKGROUND_GZIP_TARGET_BYTES ? 'met' : 'NOT met';
  const background = `Background JS ≤ ${kb(BACKGROUND_GZIP_TARGET_BYTES)} gzip: ${kb(bundle.backgroundGzip)} — ${backgroundMet}`;
  return [unlock, popup, background];
}

async function main(): Promise<void> {
  const { skipChromium, skipProtocol, skipP2p, skipAnchoring, runs } = parseFlags();
  ensureBuilt();
  const chromium = locateChromium(skipChromium);
  const cpu = cpus();
  const environment = [
    `node ${process.version}`,
    `CPU ${cpu[0]?.model.trim() ?? 'unknown'} (${cpu.length} logical cores)`,
    `Chromium ${chromium.version.replace(/^Chromium\s+/, '')}`,
    `extension build ${statSync(join(EXTENSION_DIR, 'manifest.json')).mtime.toISOString()}`,
    `date ${new Date().toISOString()}`,
  ];
  console.log(`Cairn benchmarks\n${environment.map((line) => `  ${line}`).join('\n')}\n`);

  const tables: Table[] = [];
  const show = (table: Table) => {
    tables.push(table);
    console.log(`${renderText(table)}\n`);
  };

  show(unlockNodeTable(await benchUnlockNode({ runs, log })));

  const targets: string[] = [];
  if (skipProtocol) {
    targets.push('XMTP v2 protocol targets: not measured (--skip-protocol)');
  } else {
    const { result, pinnedCpu } = await runProtocolBench({ runs, log });
    show(protocolTable(result, pinnedCpu));
    targets.push(...protocolTargetLines(result));
  }

  let chromiumResult: UnlockChromiumResult | undefined;
  if (chromium.path) {
    try {
      chromiumResult = await benchUnlockChromium({ runs, chromiumPath: chromium.path, log });
    } catch (error) {
      log('the Chromium benchmark failed; `npm run bench -- --skip-chromium` measures the rest');
      throw error;
    }
    show(unlockChromiumTable(chromiumResult, chromium.version));
    show(bridgeTable(await benchBridgeRoundTrip({ chromiumPath: chromium.path, log }), chromium.version));
  }

  if (skipP2p) {
    targets.push(...messagingTargetLines(undefined, '--skip-p2p'));
  } else {
    const messaging = await benchMessagingLatency({ chromiumPath: chromium.path, log });
    show(latencyTable(messaging, chromium.version));
    if (messaging.wake) show(wakeTable(messaging.wake));
    targets.push(...messagingTargetLines(messaging, '--skip-chromium'));
    show(throughputTable(await benchRelayThroughput({ log })));
  }

  if (skipAnchoring) {
    targets.push(...anchoringTargetLines(undefined, '--skip-anchoring'));
  } else {
    const anchoring = await benchAnchoring({ runs, log });
    for (const table of anchoringTables(anchoring)) show(table);
    if (chromium.path) {
      const { benchAnchoringExtension, extensionProofTable } = await importAnchoringExtensionBench();
      show(
        extensionProofTable(
          await benchAnchoringExtension({ chromiumPath: chromium.path, log }),
          chromium.version,
        ),
      );
    }
    targets.push(...anchoringTargetLines(anchoring, ''));
  }

  const bundle = await measureBundle(EXTENSION_DIR);
  show(bundleTable(bundle));
  log('background bundle: building the Helia light + libp2p reference with esbuild…');
  show(backgroundTable(bundle, await measureHeliaReference()));

  targets.unshift(...targetLines(chromiumResult, bundle));
  console.log(`Targets\n${targets.map((line) => `  ${line}`).join('\n')}\n`);

  console.log('--- markdown ---');
  console.log(
    [
      `Measured with \`npm run bench\` on ${environment.join(', ')}.`,
      ...tables.map(renderMarkdown),
      `Targets:\n\n${targets.map((line) => `- ${line}`).join('\n')}`,
    ].join('\n\n'),
  );
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n${USAGE}`);
  } else if (error instanceof ChromiumNotFoundError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  }
  process.exitCode = 1;
});

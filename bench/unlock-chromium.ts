/**
 * Unlock time in the real target: Debian's Chromium with the built extension. The
 * e2e launcher imports the test phrase through the popup; then the popup page
 * itself times the privileged-API round trips on the "cairn-ui" port (wire format:
 * src/background/ui-api-contract.ts), so the numbers exclude Playwright's overhead.
 *
 * Warm: `lock` (untimed), then `unlock` with the right password, timed from
 * postMessage to the matching response. Cold: the service worker is stopped, then
 * one `getState` is timed from `runtime.connect` (which wakes the worker, which
 * restores the unlocked session from storage.session) to its response.
 */

import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import type {
  UiEventMessage,
  UiRequestMessage,
  UiResponseMessage,
} from '../src/background/ui-api-contract.ts';
import { UI_PORT_NAME } from '../src/background/ui-api-contract.ts';
import { launchExtension, newProfileDir } from '../test/e2e/support/extension-browser.ts';
import { importPhrase, TEST_MNEMONIC } from '../test/e2e/support/popup-flows.ts';
import { formatMs, p90Note, type Summary, sample } from './stats.ts';
import type { Table } from './table.ts';
import { BENCH_PASSWORD } from './unlock-node.ts';

/** Unlock in Chromium must take at most this long (p90 of warm unlocks). */
export const CHROMIUM_UNLOCK_TARGET_MS = 1500;

export interface UnlockChromiumResult {
  iterations: number;
  unlock: Summary;
  cold: { ms: number; status: string };
}

export interface UnlockChromiumOptions {
  runs: number;
  chromiumPath: string;
  log?: (line: string) => void;
}

interface RoundTripArgs {
  portName: string;
  /** Requests sent in order; only the last one is timed. */
  requests: UiRequestMessage[];
  /** Start the clock before `runtime.connect` (the cold path) instead of before the last request. */
  timeConnect: boolean;
}

/** The slice of the `chrome` global the page-side function uses. */
interface PagePort {
  postMessage(message: UiRequestMessage): void;
  disconnect(): void;
  /** Responses, and state events the page-side function ignores. */
  onMessage: { addListener(listener: (message: UiResponseMessage | UiEventMessage) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}
interface PageChrome {
  runtime: { connect(info: { name: string }): PagePort };
  storage: { local: { get(key: string): Promise<Record<string, unknown>> } };
}

/**
 * Runs inside the popup page (serialized by Playwright: self-contained, no imports).
 * Returns the timed round trip in ms and the last result.
 */
async function pageRoundTrip({ portName, requests, timeConnect }: RoundTripArgs) {
  const { runtime } = (globalThis as unknown as { chrome: PageChrome }).chrome;
  let start = performance.now();
  const port = runtime.connect({ name: portName });
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  port.onMessage.addListener((message) => {
    if (message?.type !== 'response') return;
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if ('error' in message) pending.reject(new Error(`${message.error.code} ${message.error.message}`));
    else pending.resolve(message.result);
  });
  port.onDisconnect.addListener(() => {
    for (const pending of waiting.values()) pending.reject(new Error('port disconnected'));
    waiting.clear();
  });
  try {
    let result: unknown;
    for (const [i, request] of requests.entries()) {
      const response = new Promise((resolve, reject) => waiting.set(request.id, { resolve, reject }));
      if (i === requests.length - 1 && !timeConnect) start = performance.now();
      port.postMessage(request);
      result = await response;
    }
    const ms = performance.now() - start;
    const status =
      typeof result === 'object' && result !== null && 'status' in result && typeof result.status === 'string'
        ? result.status
        : 'unknown';
    return { ms, status };
  } finally {
    port.disconnect();
  }
}

/** PBKDF2 iterations of the vault the extension stored, read from storage.local by the page. */
function storedIterations(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const { storage } = (globalThis as unknown as { chrome: PageChrome }).chrome;
    const { vault } = await storage.local.get('vault');
    const iterations: unknown = typeof vault === 'string' ? JSON.parse(vault)?.kdf?.iterations : undefined;
    return typeof iterations === 'number' ? iterations : Number.NaN;
  });
}

/** Launches Chromium with `.output/chrome-mv3` in a temporary profile, measures, closes and deletes it. */
export async function benchUnlockChromium({
  runs,
  chromiumPath,
  log = () => {},
}: UnlockChromiumOptions): Promise<UnlockChromiumResult> {
  process.env.CHROMIUM_PATH = chromiumPath;

  const profileDir = await newProfileDir();
  try {
    log(`unlock (Chromium): launching ${chromiumPath} with a temporary profile…`);
    const browser = await launchExtension(profileDir);
    try {
      const page = await browser.openPopup();
      await importPhrase(page, TEST_MNEMONIC, BENCH_PASSWORD);
      const iterations = await storedIterations(page);

      log(`unlock (Chromium): lock + unlock round trips, 1 warm-up + ${runs} runs…`);
      let nextId = 1;
      const timedUnlock = async (): Promise<number> => {
        const lock: UiRequestMessage = { type: 'request', id: nextId++, method: 'lock' };
        const unlockRequest: UiRequestMessage = {
          type: 'request',
          id: nextId++,
          method: 'unlock',
          params: { password: BENCH_PASSWORD },
        };
        const args: RoundTripArgs = {
          portName: UI_PORT_NAME,
          requests: [lock, unlockRequest],
          timeConnect: false,
        };
        const { ms, status } = await page.evaluate(pageRoundTrip, args);
        // Always the right password: a wrong one would add the throttle's growing delay.
        if (status !== 'unlocked') throw new Error(`unlock ended in state "${status}"`);
        return ms;
      };
      const unlock = await sample({ run: timedUnlock }, runs);

      log('unlock (Chromium): stopping the service worker, then one cold getState…');
      await browser.stopServiceWorker();
      const getState: UiRequestMessage = { type: 'request', id: nextId++, method: 'getState' };
      const cold = await page.evaluate(pageRoundTrip, {
        portName: UI_PORT_NAME,
        requests: [getState],
        timeConnect: true,
      });
      return { iterations, unlock, cold };
    } finally {
      await browser.close();
    }
  } finally {
    await rm(profileDir, { recursive: true, force: true });
  }
}

export function unlockChromiumTable(result: UnlockChromiumResult, chromiumVersion: string): Table {
  const { iterations, unlock, cold } = result;
  const restored = cold.status === 'unlocked' ? '' : ` — came back "${cold.status}", session NOT restored`;
  return {
    title: `Unlock in ${chromiumVersion} (built extension, headless)`,
    columns: [
      { header: 'measurement' },
      { header: 'iterations', align: 'right' },
      { header: 'runs', align: 'right' },
      { header: 'median ms', align: 'right' },
      { header: 'p90 ms', align: 'right' },
    ],
    rows: [
      [
        'unlock round trip from the popup (warm worker)',
        iterations.toLocaleString('en-US'),
        String(unlock.runs),
        formatMs(unlock.medianMs),
        formatMs(unlock.p90Ms),
      ],
      [
        `getState after worker stop (restart + session restore)${restored}`,
        iterations.toLocaleString('en-US'),
        '1',
        formatMs(cold.ms),
        '—',
      ],
    ],
    notes: [
      'Timed inside the popup page with performance.now() on the "cairn-ui" port; unlock runs follow 1 warm-up.',
      p90Note(unlock.runs),
    ],
  };
}

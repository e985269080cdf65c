/**
 * Dapp round trip: a page on http://127.0.0.1 calls `eth_chainId` on Cairn's injected
 * provider (page → content-script bridge → service worker → back), 500 times in a
 * row, timed inside the page. Reference rows from the same browser and run: a bare
 * same-window postMessage echo (the floor of the page ↔ bridge hop) and an extension
 * page's own port round trip to the worker (the floor of the bridge ↔ worker hop).
 */
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchExtension, newProfileDir } from '../test/e2e/support/extension-browser.ts';
import { percentile } from './stats.ts';
import type { Table } from './table.ts';

export const BRIDGE_CALLS = 500;

export interface RoundTripRow {
  label: string;
  samples: number[];
}

const PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>bench</title></head><body>bench</body></html>';

export async function benchBridgeRoundTrip({
  chromiumPath,
  calls = BRIDGE_CALLS,
  log = () => {},
}: {
  chromiumPath: string;
  calls?: number;
  log?: (line: string) => void;
}): Promise<RoundTripRow[]> {
  process.env.CHROMIUM_PATH = chromiumPath;
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const profileDir = await newProfileDir();
  try {
    log(`bridge round trip: ${calls} calls per row…`);
    const browser = await launchExtension(profileDir);
    try {
      const page = await browser.context.newPage();
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => 'ethereum' in window);
      const viaProvider = await page.evaluate(async (n) => {
        const provider = (
          window as unknown as { ethereum: { request(a: { method: string }): Promise<unknown> } }
        ).ethereum;
        for (let i = 0; i < 20; i++) await provider.request({ method: 'eth_chainId' }); // warm-up
        const times: number[] = [];
        for (let i = 0; i < n; i++) {
          const start = performance.now();
          await provider.request({ method: 'eth_chainId' });
          times.push(performance.now() - start);
        }
        return times;
      }, calls);
      const echo = await page.evaluate(async (n) => {
        const times: number[] = [];
        for (let i = 0; i < n; i++) {
          const start = performance.now();
          await new Promise<void>((resolve) => {
            const onMessage = (event: MessageEvent) => {
              if (event.data === `echo-${i}`) {
                window.removeEventListener('message', onMessage);
                resolve();
              }
            };
            window.addEventListener('message', onMessage);
            window.postMessage(`echo-${i}`, window.location.origin);
          });
          times.push(performance.now() - start);
        }
        return times;
      }, calls);
      const extensionPage = await browser.openPopup();
      const viaUiPort = await extensionPage.evaluate(async (n) => {
        const port = chrome.runtime.connect({ name: 'cairn-ui' });
        let id = 0;
        const call = () =>
          new Promise<void>((resolve) => {
            const requestId = ++id;
            const onMessage = (message: { type?: string; id?: number }) => {
              if (message.type === 'response' && message.id === requestId) {
                port.onMessage.removeListener(onMessage);
                resolve();
              }
            };
            port.onMessage.addListener(onMessage);
            port.postMessage({ type: 'request', id: requestId, method: 'getState' });
          });
        for (let i = 0; i < 20; i++) await call();
        const times: number[] = [];
        for (let i = 0; i < n; i++) {
          const start = performance.now();
          await call();
          times.push(performance.now() - start);
        }
        port.disconnect();
        return times;
      }, calls);
      return [
        { label: 'dapp eth_chainId: page → bridge → worker → page', samples: viaProvider },
        { label: 'reference: same-window postMessage echo', samples: echo },
        { label: 'reference: extension page → worker port (getState)', samples: viaUiPort },
      ];
    } finally {
      await browser.close();
    }
  } finally {
    server.close();
    await rm(profileDir, { recursive: true, force: true });
  }
}

declare const chrome: {
  runtime: {
    connect(info: { name: string }): {
      postMessage(message: unknown): void;
      disconnect(): void;
      onMessage: {
        addListener(listener: (message: { type?: string; id?: number }) => void): void;
        removeListener(listener: (message: { type?: string; id?: number }) => void): void;
      };
    };
  };
};

export function bridgeTable(rows: RoundTripRow[], chromiumVersion: string): Table {
  const ms = (value: number) => value.toFixed(2);
  return {
    title: `Dapp round trip in ${chromiumVersion} (built extension, headless)`,
    columns: [
      { header: 'path' },
      { header: 'calls', align: 'right' },
      { header: 'p50 ms', align: 'right' },
      { header: 'p90 ms', align: 'right' },
      { header: 'p99 ms', align: 'right' },
    ],
    rows: rows.map(({ label, samples }) => [
      label,
      String(samples.length),
      ms(percentile(samples, 50)),
      ms(percentile(samples, 90)),
      ms(percentile(samples, 99)),
    ]),
    notes: [
      'Sequential calls after 20 warm-up calls, timed in the page with performance.now(); nearest-rank percentiles.',
    ],
  };
}

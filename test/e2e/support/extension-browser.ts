/**
 * Launches Debian's Chromium with the built extension in a given profile, the way
 * a user runs it, and gives tests the handles they need (popup page, worker stop).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { EXTENSION_DIR } from './paths.ts';

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  profileDir: string;
  worker: Worker;
  /** Opens the popup page in a tab (same document the toolbar popup shows). */
  openPopup(): Promise<Page>;
  /** Stops the MV3 service worker, as Chrome does when it is idle. */
  stopServiceWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function newProfileDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cairn-profile-'));
}

export async function launchExtension(profileDir: string): Promise<ExtensionBrowser> {
  const executablePath = process.env.CHROMIUM_PATH;
  if (!executablePath) throw new Error('CHROMIUM_PATH is not set (the e2e global setup sets it)');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    viewport: { width: 400, height: 640 },
    args: [
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;
  if (process.env.CAIRN_E2E_DEBUG) {
    const tag = profileDir.slice(-6);
    const follow = (w: Worker) =>
      w.on('console', (message) => console.log(`[worker ${tag}] ${message.text()}`));
    follow(worker);
    context.on('serviceworker', follow);
    context.on('page', (page) =>
      page.on('console', (message) => console.log(`[page ${tag}] ${message.text()}`)),
    );
  }

  return {
    context,
    extensionId,
    profileDir,
    worker,
    async openPopup() {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/popup.html`);
      return page;
    },
    async stopServiceWorker() {
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(page);
      const stopped = new Promise<void>((resolve) => {
        cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
          const ours = versions.filter((version) =>
            version.scriptURL.startsWith(`chrome-extension://${extensionId}/`),
          );
          if (ours.length > 0 && ours.every((version) => version.runningStatus === 'stopped')) resolve();
        });
      });
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await stopped; // proof that the worker really stopped, not just that we asked
      await cdp.detach();
    },
    close: () => context.close(),
  };
}

/**
 * The wallet as a Firefox user meets it: the Firefox build installed in Debian's
 * Firefox ESR, driven through the popup by accessible names.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'puppeteer-core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { newRelayDataDir, startRelay } from '../e2e/support/relay-daemon';
import {
  EXTENSION_BASE_URL,
  extensionBaseUrl,
  type FirefoxExtensionBrowser,
  isBackgroundRunning,
  type LaunchFirefoxOptions,
  launchFirefoxWithExtension,
  waitForBackgroundSuspended,
} from './support/firefox-browser';
import {
  accountAddresses,
  addAccount,
  importPhrase,
  lock,
  TEST_ADDRESS_0,
  TEST_ADDRESS_1,
  TEST_MNEMONIC,
  unlock,
  waitForAddresses,
  waitForUnlockScreen,
} from './support/popup-flows';

const PASSWORD = 'correct horse battery';
const firefoxPath = inject('firefoxPath');

/** Wall-clock time of each step of the current test, printed after it. */
const timings: Array<[step: string, ms: number]> = [];
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  timings.push([name, Math.round(performance.now() - started)]);
  return result;
}

// Runs only under vitest.firefox.config.ts, whose global setup finds Firefox.
describe.skipIf(!firefoxPath)('wallet in Firefox', () => {
  const open: FirefoxExtensionBrowser[] = [];
  const popups: Page[] = [];

  async function launch(options?: LaunchFirefoxOptions) {
    const firefox = await step('launch Firefox, install extension', () =>
      launchFirefoxWithExtension(firefoxPath, options),
    );
    open.push(firefox);
    return firefox;
  }

  async function openPopup(firefox: FirefoxExtensionBrowser) {
    const page = await step('open popup.html', () => firefox.openPopup());
    popups.push(page);
    return page;
  }

  afterEach(async ({ task }) => {
    // On failure, show what the user would have seen (e.g. an error alert).
    for (const page of popups.splice(0)) {
      if (task.result?.state !== 'fail') continue;
      const text = await page
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, line breaks included, is what the user saw
        .evaluate(() => document.body.innerText)
        .catch(() => '(page gone)');
      console.error(`popup showed:\n${text}`);
    }
    for (const firefox of open.splice(0)) await firefox.close();
    const steps = timings.splice(0);
    const total = steps.reduce((sum, [, ms]) => sum + ms, 0);
    const line = (name: string, ms: number) => `  ${name.padEnd(44)} ${String(ms).padStart(6)} ms`;
    console.log(
      [`${task.name}:`, ...steps.map(([name, ms]) => line(name, ms)), line('total', total)].join('\n'),
    );
  });

  it('imports the test phrase, adds an account, locks, unlocks and stays unlocked across a reload', async () => {
    const firefox = await launch();
    const page = await openPopup(firefox);
    expect(await extensionBaseUrl(page)).toBe(EXTENSION_BASE_URL);

    await step('import phrase', () => importPhrase(page, TEST_MNEMONIC, PASSWORD));
    expect(await accountAddresses(page)).toEqual([TEST_ADDRESS_0]);

    await step('add account', async () => {
      await addAccount(page);
      await waitForAddresses(page, [TEST_ADDRESS_0, TEST_ADDRESS_1]);
    });

    await step('lock', () => lock(page));
    expect(await accountAddresses(page)).toEqual([]);

    await step('unlock', () => unlock(page, PASSWORD));
    expect(await accountAddresses(page)).toEqual([TEST_ADDRESS_0, TEST_ADDRESS_1]);

    await step('reload, still unlocked', async () => {
      await firefox.reload(page);
      await waitForAddresses(page, [TEST_ADDRESS_0, TEST_ADDRESS_1]);
    });
  });

  it('comes back unlocked from storage.session after Firefox suspends the idle event page', async () => {
    // Firefox suspends an idle event page after 30 s (2 s here), open ports or not.
    // Each action below starts while it is suspended, as after a user's pause: an
    // action that lands just as Firefox tears the page down fails with "please try again".
    const firefox = await launch({ backgroundIdleTimeoutMs: 2_000 });
    const page = await openPopup(firefox);
    await step('event page suspended', () => waitForBackgroundSuspended(page));
    await step('import phrase wakes it', () => importPhrase(page, TEST_MNEMONIC, PASSWORD));

    await step('event page suspended', () => waitForBackgroundSuspended(page));
    await step('reload wakes it, still unlocked', async () => {
      await firefox.reload(page);
      await waitForAddresses(page, [TEST_ADDRESS_0]);
    });
    expect(await isBackgroundRunning(page)).toBe(true);

    // The popup's port died with the event page; the click reconnects.
    await step('event page suspended', () => waitForBackgroundSuspended(page));
    await step('add account wakes it', async () => {
      await addAccount(page);
      await waitForAddresses(page, [TEST_ADDRESS_0, TEST_ADDRESS_1]);
    });

    // Lock removes the key from storage.session: waking again does not unlock.
    await step('event page suspended', () => waitForBackgroundSuspended(page));
    await step('lock wakes it', () => lock(page));
    await step('event page suspended', () => waitForBackgroundSuspended(page));
    await step('reload wakes it, still locked', async () => {
      await firefox.reload(page);
      await waitForUnlockScreen(page);
    });
  });

  it('runs the messaging node in the event page: Settings shows the local relay connected', async () => {
    const relay = await step('start the relay daemon', async () => startRelay(await newRelayDataDir()));
    try {
      const firefox = await launch();
      const page = await openPopup(firefox);
      await step('import phrase', () => importPhrase(page, TEST_MNEMONIC, PASSWORD));
      await step('relay connected', async () => {
        await page.locator('::-p-text(Settings)').click();
        await page.waitForFunction(
          () => document.querySelector('.relays .relay-state')?.textContent === 'Connected',
          { timeout: 20_000 },
        );
      });
    } finally {
      await relay.stop();
    }
  });

  it('injects the provider into web pages: EIP-6963 announcement and eth_chainId through the bridge', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>dapp</title><p>dapp</p>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const firefox = await launch();
      const page = await firefox.browser.newPage();
      await step('open a web page', () => page.goto(`http://127.0.0.1:${port}/`));
      const seen = await step('discover and call the provider', () =>
        page.evaluate(async () => {
          const announced: { name: string; rdns: string }[] = [];
          window.addEventListener('eip6963:announceProvider', (event) => {
            const { info } = (event as CustomEvent<{ info: { name: string; rdns: string } }>).detail;
            announced.push({ name: info.name, rdns: info.rdns });
          });
          window.dispatchEvent(new Event('eip6963:requestProvider'));
          const ethereum = (
            window as unknown as { ethereum?: { request(a: { method: string }): Promise<unknown> } }
          ).ethereum;
          return { announced, chainId: await ethereum?.request({ method: 'eth_chainId' }) };
        }),
      );
      expect(seen).toEqual({ announced: [{ name: 'Cairn', rdns: 'dev.cairn.wallet' }], chainId: '0x7a69' });
    } finally {
      server.close();
    }
  });
});

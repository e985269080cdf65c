/**
 * Everything a dapp test file runs against: a Hardhat devnet on 127.0.0.1:8545
 * (the devnet preset's URL), the test dapp served from one or more origins, and
 * Chromium with Cairn holding the test phrase. One `beforeAll` starts it all and
 * returns the teardown, which stops every part even when another part fails.
 */
import { rm } from 'node:fs/promises';
import { DEVNET_PORT, startHardhatNode } from '../../../scripts/devnet.ts';
import { type ApprovalWindows, watchApprovalWindows } from './dapp-flows';
import { buildTestDapp, type DappServer, serveDirectory } from './dapp-server';
import { type ExtensionBrowser, launchExtension, newProfileDir } from './extension-browser';
import { importPhrase, TEST_MNEMONIC } from './popup-flows';

export const DAPP_TEST_PASSWORD = 'correct horse battery';
export const DEVNET_URL = `http://127.0.0.1:${DEVNET_PORT}`;

export interface DappSuite {
  browser: ExtensionBrowser;
  approvals: ApprovalWindows;
  /** The test dapp, each on its own origin (`http://127.0.0.1:<port>`). */
  sites: DappServer[];
  /** Milliseconds from spawning Hardhat to its first `eth_chainId` answer. */
  devnetStartupMs: number;
}

/**
 * Starts the devnet, `siteCount` dapp servers and the browser, and imports the test phrase.
 * @example
 * let suite: DappSuite;
 * beforeAll(async () => {
 *   const started = await startDappSuite({ siteCount: 1 });
 *   suite = started.suite;
 *   return started.stop;
 * });
 */
export async function startDappSuite({
  siteCount = 1,
}: {
  siteCount?: number;
} = {}): Promise<{ suite: DappSuite; stop: () => Promise<void> }> {
  const teardown: (() => Promise<void>)[] = [];
  const stop = async () => {
    const errors: unknown[] = [];
    for (const step of teardown.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'Stopping the dapp test suite failed');
  };
  try {
    const node = await startHardhatNode({ port: DEVNET_PORT });
    teardown.push(() => node.stop());
    console.info(`[devnet] Hardhat node answered eth_chainId ${node.startupMs} ms after spawn`);

    const dappDir = await buildTestDapp();
    const sites: DappServer[] = [];
    for (let i = 0; i < siteCount; i++) {
      const site = await serveDirectory(dappDir);
      teardown.push(() => site.close());
      sites.push(site);
    }

    const profileDir = await newProfileDir();
    teardown.push(() => rm(profileDir, { recursive: true, force: true }));
    const browser = await launchExtension(profileDir);
    teardown.push(() => browser.close());
    const popup = await browser.openPopup();
    await importPhrase(popup, TEST_MNEMONIC, DAPP_TEST_PASSWORD);
    await popup.close();

    const suite = {
      browser,
      approvals: watchApprovalWindows(browser),
      sites,
      devnetStartupMs: node.startupMs,
    };
    return { suite, stop };
  } catch (error) {
    await stop().catch(() => {}); // the setup error is the one to report
    throw error;
  }
}

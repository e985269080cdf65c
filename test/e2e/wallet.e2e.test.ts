/**
 * The wallet as a user meets it: the built extension in Debian's Chromium,
 * driven through the popup by accessible names.
 */
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExtensionBrowser, launchExtension, newProfileDir } from './support/extension-browser';
import {
  accountAddresses,
  createWallet,
  importPhrase,
  TEST_ADDRESS_0,
  TEST_ADDRESS_1,
  TEST_MNEMONIC,
  unlock,
} from './support/popup-flows';

const PASSWORD = 'correct horse battery';

describe('wallet in Chromium', () => {
  const open: ExtensionBrowser[] = [];
  const profiles: string[] = [];

  async function launch(profileDir?: string) {
    const dir = profileDir ?? (await newProfileDir());
    if (!profileDir) profiles.push(dir);
    const browser = await launchExtension(dir);
    open.push(browser);
    return browser;
  }

  afterEach(async () => {
    for (const browser of open.splice(0)) await browser.close().catch(() => {});
    for (const dir of profiles.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('creates a wallet through the popup, locks, refuses a wrong password and unlocks', async () => {
    const browser = await launch();
    const page = await browser.openPopup();
    const words = await createWallet(page, PASSWORD);
    expect(words).toHaveLength(12);
    const [first] = await accountAddresses(page);
    expect(first).toMatch(/^0x[0-9a-fA-F]{40}$/);

    await page.getByRole('button', { name: 'Lock' }).click();
    await unlock(page, 'not the password');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Incorrect password');
    await unlock(page, PASSWORD);
    await page.getByRole('list', { name: 'Accounts' }).waitFor();
    expect(await accountAddresses(page)).toEqual([first]);

    await page.getByRole('button', { name: 'Add account' }).click();
    await expect.poll(() => accountAddresses(page)).toHaveLength(2);
  });

  it('imports the test phrase, stays unlocked across a worker stop, and starts locked after a browser restart', async () => {
    const browser = await launch();
    const page = await browser.openPopup();
    await importPhrase(page, TEST_MNEMONIC, PASSWORD);
    expect(await accountAddresses(page)).toEqual([TEST_ADDRESS_0]);
    await page.getByRole('button', { name: 'Add account' }).click();
    await expect.poll(() => accountAddresses(page)).toEqual([TEST_ADDRESS_0, TEST_ADDRESS_1]);

    await browser.stopServiceWorker();
    await page.reload();
    await page.getByRole('list', { name: 'Accounts' }).waitFor();
    expect(await accountAddresses(page)).toEqual([TEST_ADDRESS_0, TEST_ADDRESS_1]);

    const profileDir = browser.profileDir;
    await browser.close();
    open.splice(open.indexOf(browser), 1);
    const relaunched = await launch(profileDir);
    const again = await relaunched.openPopup();
    await again.getByRole('button', { name: 'Unlock' }).waitFor();
    await unlock(again, PASSWORD);
    await again.getByRole('list', { name: 'Accounts' }).waitFor();
    expect(await accountAddresses(again)).toEqual([TEST_ADDRESS_0, TEST_ADDRESS_1]);
  });
});

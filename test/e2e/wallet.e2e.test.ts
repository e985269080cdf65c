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

/** The extension page's `chrome`, as far as these tests read it (page.evaluate runs in the page). */
declare const chrome: {
  alarms: { get(name: string): Promise<{ scheduledTime: number } | undefined> };
};

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

    // Auto-lock is a browser alarm, 15 minutes out by default, moved by Settings.
    const minutesUntilAutoLock = () =>
      page.evaluate(async () => {
        const alarm = await chrome.alarms.get('cairn.autoLock');
        return alarm ? (alarm.scheduledTime - Date.now()) / 60_000 : null;
      });
    expect(await minutesUntilAutoLock()).toBeGreaterThan(14);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Auto-lock after (minutes)').fill('2');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const rescheduled = await minutesUntilAutoLock();
    expect(rescheduled).toBeGreaterThan(1.5);
    expect(rescheduled).toBeLessThanOrEqual(2);
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: 'Lock' }).click();
    await page.getByRole('button', { name: 'Unlock' }).waitFor();
    expect(await minutesUntilAutoLock()).toBeNull();
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

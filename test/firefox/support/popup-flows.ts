/**
 * What a user does in the popup, step by step, by the accessible names the README
 * documents (Firefox's accessibility tree, through BiDi `locateNodes`).
 */
import type { Page } from 'puppeteer-core';

export const TEST_MNEMONIC = 'test test test test test test test test test test test junk';
export const TEST_ADDRESS_0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
export const TEST_ADDRESS_1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

const ACCOUNTS_LIST = '::-p-aria([name="Accounts"][role="list"])';

function button(page: Page, name: string) {
  return page.locator(`::-p-aria([name="${name}"][role="button"])`);
}

/**
 * The input whose accessible name is `label`. Not by role: Firefox follows HTML-AAM,
 * where `<input type=password>` has no ARIA role (Chromium calls it "textbox"), and
 * the wrapping `<label>` has the same name.
 */
function field(page: Page, label: string) {
  return page.locator(`input::-p-aria(${label})`);
}

export async function setPassword(page: Page, password: string) {
  await field(page, 'Password').fill(password);
  await field(page, 'Confirm password').fill(password);
}

/** Import a phrase from the welcome screen; ends on the accounts screen. */
export async function importPhrase(page: Page, mnemonic: string, password: string) {
  await button(page, 'Import a wallet').click();
  await field(page, 'Secret recovery phrase').fill(mnemonic);
  await setPassword(page, password);
  await button(page, 'Import').click();
  await page.locator(ACCOUNTS_LIST).wait();
}

export async function waitForUnlockScreen(page: Page) {
  await button(page, 'Unlock').wait();
}

export async function lock(page: Page) {
  await button(page, 'Lock').click();
  await waitForUnlockScreen(page);
}

/** From the unlock screen; ends on the accounts screen. */
export async function unlock(page: Page, password: string) {
  await field(page, 'Password').fill(password);
  await button(page, 'Unlock').click();
  await page.locator(ACCOUNTS_LIST).wait();
}

export async function addAccount(page: Page) {
  await button(page, 'Add account').click();
}

export function accountAddresses(page: Page): Promise<string[]> {
  return page.$$eval('[aria-label="Accounts"] [data-address]', (items) =>
    items.map((item) => item.getAttribute('data-address') ?? ''),
  );
}

/** Waits until the accounts list shows exactly `expected`, in order. */
export async function waitForAddresses(page: Page, expected: string[]): Promise<void> {
  await page.waitForFunction(
    (want: string[]) => {
      const rows = document.querySelectorAll('[aria-label="Accounts"] [data-address]');
      const have = Array.from(rows, (row) => row.getAttribute('data-address'));
      return have.length === want.length && have.every((address, i) => address === want[i]);
    },
    {},
    expected,
  );
}

/** What a user does in the popup, step by step, by the accessible names the README documents. */
import type { Page } from 'playwright-core';

export const TEST_MNEMONIC = 'test test test test test test test test test test test junk';
/** A second phrase for a second person (its accounts hold no devnet ETH). */
export const SECOND_MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
/** The password the messaging e2e tests set. */
export const MESSENGER_PASSWORD = 'correct horse battery';
export const TEST_ADDRESS_0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
export const TEST_ADDRESS_1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

export async function setPassword(page: Page, password: string) {
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
}

/** Import a phrase from the welcome screen; ends on the accounts screen. */
export async function importPhrase(page: Page, mnemonic: string, password: string) {
  await page.getByRole('button', { name: 'Import a wallet' }).click();
  await page.getByLabel('Secret recovery phrase').fill(mnemonic);
  await setPassword(page, password);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByRole('list', { name: 'Accounts' }).waitFor();
}

/** Create a wallet from the welcome screen; returns the phrase the popup showed. */
export async function createWallet(page: Page, password: string): Promise<string[]> {
  await page.getByRole('button', { name: 'Create a new wallet' }).click();
  await setPassword(page, password);
  await page.getByRole('button', { name: 'Continue' }).click();
  const phrase = page.getByRole('list', { name: 'Secret recovery phrase' });
  await phrase.waitFor();
  const words = (await phrase.getByRole('listitem').allTextContents()).map((w) => w.trim());
  await page.getByLabel('I wrote down my recovery phrase').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  const questions = page.getByRole('group', { name: /^Word #\d+$/ });
  await questions.first().waitFor();
  for (const question of await questions.all()) {
    const label = await question.getAttribute('aria-label');
    const position = Number(label?.replace('Word #', '')) - 1;
    await question.getByRole('button', { name: words[position], exact: true }).click();
  }
  await page.getByRole('button', { name: 'Create wallet' }).click();
  await page.getByRole('list', { name: 'Accounts' }).waitFor();
  return words;
}

export async function unlock(page: Page, password: string) {
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Unlock' }).click();
}

export function accountAddresses(page: Page): Promise<string[]> {
  return page
    .getByRole('list', { name: 'Accounts' })
    .locator('[data-address]')
    .evaluateAll((items) => items.map((item) => item.getAttribute('data-address') ?? ''));
}

/** What a user does in the popup messenger, by the accessible names the README documents. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { type ExtensionBrowser, launchExtension } from './extension-browser.ts';
import { accountAddresses, importPhrase, unlock } from './popup-flows.ts';

export interface MessengerUser {
  browser: ExtensionBrowser;
  popup: Page;
  address: string;
}

/** A browser profile with the extension: the phrase imported, on the Messages tab. */
export async function onboardToMessages(
  profile: string,
  mnemonic: string,
  password: string,
): Promise<MessengerUser> {
  const browser = await launchExtension(profile);
  const popup = await browser.openPopup();
  await importPhrase(popup, mnemonic, password);
  const [address] = await accountAddresses(popup);
  if (!address) throw new Error('no account after import');
  await openMessages(popup);
  return { browser, popup, address };
}

/** The profile's browser again, unlocked, on the Messages tab. */
export async function reopenMessenger(
  profile: string,
  password: string,
  address: string,
): Promise<MessengerUser> {
  const browser = await launchExtension(profile);
  const popup = await browser.openPopup();
  await unlock(popup, password);
  await openMessages(popup);
  return { browser, popup, address };
}

/** Wallet → Settings. */
export async function openSettings(popup: Page): Promise<void> {
  await popup.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Wallet' }).click();
  await popup.getByRole('button', { name: 'Settings' }).click();
}

/** Settings → Rebuild inbox from chain, until its summary matches `summary`; then back to Messages. */
export async function rebuildInboxFromChain(popup: Page, summary: RegExp): Promise<void> {
  await openSettings(popup);
  await popup.getByRole('button', { name: 'Rebuild inbox from chain' }).click();
  await expect.poll(() => popup.getByRole('status').textContent(), { timeout: 60_000 }).toMatch(summary);
  await popup.getByRole('button', { name: 'Back' }).click();
  await openMessages(popup);
}

/** The anchoring label of each bubble of the open chat, oldest first. */
export function anchorLabels(popup: Page): Promise<string[]> {
  return popup.locator('.bubble details.anchor summary').allTextContents();
}

export async function openMessages(popup: Page): Promise<void> {
  await popup.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Messages' }).click();
  await popup.getByRole('button', { name: 'New conversation' }).waitFor();
}

/** Messages → New conversation → the chat with `address`. Retries while the peer's bundle is not on the relay yet. */
export async function startConversation(
  popup: Page,
  address: string,
  { timeout = 20_000 } = {},
): Promise<void> {
  const deadline = Date.now() + timeout;
  await popup.getByRole('button', { name: 'New conversation' }).click();
  for (;;) {
    await popup.getByLabel('Recipient address').fill(address);
    await popup.getByRole('button', { name: 'Start conversation' }).click();
    const composer = popup.getByLabel('Message', { exact: true });
    const noIdentity = popup.getByText('This address has no Cairn/XMTP identity yet');
    await composer.or(noIdentity).first().waitFor();
    if (await composer.isVisible()) return;
    if (Date.now() > deadline) throw new Error(`${address} never got an identity on the relay`);
    await popup.waitForTimeout(500);
  }
}

export async function sendMessage(popup: Page, text: string): Promise<void> {
  await popup.getByLabel('Message', { exact: true }).fill(text);
  await popup.getByRole('button', { name: 'Send', exact: true }).click();
}

/** Opens the conversation with `peer` from the list. */
export async function openConversation(popup: Page, peer: string): Promise<void> {
  await popup.locator(`button.conversation[data-peer="${peer}"]`).click();
  await popup.getByLabel('Message', { exact: true }).waitFor();
}

/** The chat's messages as `in:`/`out:` + text, oldest first. */
export async function chatTexts(popup: Page): Promise<string[]> {
  return popup
    .getByRole('list', { name: 'Messages' })
    .locator('li.bubble')
    .evaluateAll((items) =>
      items.map((item) => {
        const direction = item.classList.contains('out') ? 'out' : 'in';
        const text = item.querySelector('.bubble-text')?.childNodes;
        const body = [...(text ?? [])]
          .filter((node) => !(node instanceof HTMLElement && node.classList.contains('sr-only')))
          .map((node) => node.textContent)
          .join('');
        return `${direction}:${body}`;
      }),
    );
}

/** Status of our own messages, oldest first (`queued`, `sent`, `delivered`, `failed`). */
export async function chatStatuses(popup: Page): Promise<string[]> {
  return popup
    .getByRole('list', { name: 'Messages' })
    .locator('li.bubble.out')
    .evaluateAll((items) => items.map((item) => item.getAttribute('data-status') ?? ''));
}

/** What a user does in the popup messenger, by the accessible names the README documents. */
import type { Page } from 'playwright-core';
import { type ExtensionBrowser, launchExtension } from './extension-browser.ts';
import { accountAddresses, importPhrase } from './popup-flows.ts';

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

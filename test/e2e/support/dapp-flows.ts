/**
 * What a user and a dapp do around Cairn's approval windows: open the test dapp in
 * a tab, catch approval windows as the browser opens them, read and answer them.
 */
import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from './extension-browser';

/** Opens the test dapp at `url` in a new tab and runs EIP-6963 discovery. */
export async function openDapp(browser: ExtensionBrowser, url: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.cairnDapp !== undefined);
  await page.evaluate(() => window.cairnDapp.discover());
  return page;
}

export interface ApprovalWindows {
  /** Approval windows open right now. */
  open(): Page[];
  /** The next approval window the browser opens (or one already open that was not returned before). */
  next(options?: { timeout?: number }): Promise<Page>;
}

/** Watches for Cairn's approval windows (`chrome-extension://<id>/approval.html?id=…`). */
export function watchApprovalWindows(browser: ExtensionBrowser): ApprovalWindows {
  const prefix = `chrome-extension://${browser.extensionId}/approval.html`;
  const isApproval = (page: Page) => page.url().startsWith(prefix) && !page.isClosed();
  const returned = new WeakSet<Page>();
  return {
    open: () => browser.context.pages().filter(isApproval),
    async next({ timeout = 15_000 } = {}) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const page = browser.context.pages().find((p) => isApproval(p) && !returned.has(p));
        if (page) {
          returned.add(page);
          await page.waitForLoadState('domcontentloaded');
          return page;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`No Cairn approval window opened within ${timeout} ms`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, left)));
      }
    },
  };
}

/** The approval's id, from its window's URL. */
export function approvalId(page: Page): string {
  return new URL(page.url()).searchParams.get('id') ?? '';
}

/** What the approval window says about the requesting site. */
export function requestingSite(page: Page): Promise<string> {
  return page
    .getByRole('region', { name: 'Requesting site' })
    .textContent()
    .then((text) => (text ?? '').trim());
}

/** Clicks `button` in an approval window and waits for the window to close, as it does after a decision. */
export async function decide(
  page: Page,
  button: 'Connect' | 'Connect and allow' | 'Allow' | 'Sign' | 'Confirm' | 'Reject',
) {
  const closed = page.waitForEvent('close');
  await page
    .getByRole('button', { name: button, exact: true })
    .click()
    .catch((error: unknown) => {
      // The window may close while Playwright is still finishing the click it performed.
      if (!page.isClosed()) throw error;
    });
  await closed;
}

/** `ApprovalWindows` over `browser.windows`: one small popup window per approval. */
import type { ApprovalWindows } from './dapp/approval-controller';

/** The part of `browser.windows` this adapter needs. */
export interface WindowsLike {
  create(data: {
    url: string;
    type: 'popup';
    width: number;
    height: number;
    focused: boolean;
  }): Promise<{ id?: number } | undefined>;
  remove(windowId: number): Promise<void>;
}

export const APPROVAL_WINDOW_SIZE = { width: 380, height: 640 };

export class BrowserApprovalWindows implements ApprovalWindows {
  readonly #windows: WindowsLike;
  readonly #pageUrl: string;

  /** @param pageUrl `runtime.getURL('/approval.html')` */
  constructor(windows: WindowsLike, pageUrl: string) {
    this.#windows = windows;
    this.#pageUrl = pageUrl;
  }

  async open(approvalId: string): Promise<number> {
    const created = await this.#windows.create({
      url: `${this.#pageUrl}?id=${encodeURIComponent(approvalId)}`,
      type: 'popup',
      ...APPROVAL_WINDOW_SIZE,
      focused: true,
    });
    if (created?.id === undefined) throw new Error('the browser did not return a window id');
    return created.id;
  }

  async close(windowId: number): Promise<void> {
    await this.#windows.remove(windowId);
  }
}

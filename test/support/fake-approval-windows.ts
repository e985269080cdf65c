/**
 * In-memory approval windows for `ApprovalController`: each `open` gets a new window
 * id at once (or when the test releases it), records what was opened and closed,
 * and hands the approval id to a test waiting on `nextOpened()`.
 */
import type { ApprovalWindows } from '../../src/background/dapp/approval-controller';

export class FakeApprovalWindows implements ApprovalWindows {
  /** Approval ids, in the order their windows were asked for. */
  readonly openCalls: string[] = [];
  /** Window ids passed to `close`. */
  readonly closed: number[] = [];
  /** Open windows: window id → approval id. */
  readonly openWindows = new Map<number, string>();
  #nextWindowId = 1;
  #failure: Error | undefined;
  #paused = false;
  readonly #held: Array<() => void> = [];
  readonly #opened: string[] = [];
  readonly #waiters: Array<(approvalId: string) => void> = [];

  /** The next `open` rejects with `error`. */
  failNextOpen(error: Error): void {
    this.#failure = error;
  }

  /** `open` calls wait until `releaseOpens()`. */
  pauseOpens(): void {
    this.#paused = true;
  }

  releaseOpens(): void {
    this.#paused = false;
    for (const release of this.#held.splice(0)) release();
  }

  async open(approvalId: string): Promise<number> {
    this.openCalls.push(approvalId);
    if (this.#paused) await new Promise<void>((resolve) => this.#held.push(resolve));
    const failure = this.#failure;
    if (failure) {
      this.#failure = undefined;
      throw failure;
    }
    const windowId = this.#nextWindowId++;
    this.openWindows.set(windowId, approvalId);
    const waiter = this.#waiters.shift();
    if (waiter) waiter(approvalId);
    else this.#opened.push(approvalId);
    return windowId;
  }

  async close(windowId: number): Promise<void> {
    this.closed.push(windowId);
    this.openWindows.delete(windowId);
  }

  /** The window id showing `approvalId`, if its window is open. */
  windowOf(approvalId: string): number | undefined {
    for (const [windowId, id] of this.openWindows) if (id === approvalId) return windowId;
    return undefined;
  }

  /** Resolves with the approval id of the next window that opens (or one already opened and not yet taken). */
  nextOpened(): Promise<string> {
    const ready = this.#opened.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

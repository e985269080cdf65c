/**
 * Pending approvals: a map of id → the dapp request waiting for the user, each
 * shown in its own approval window (MetaMask's ApprovalController pattern). At most
 * one pending approval per origin and method; closing the window rejects (4001).
 */
import { CairnError, RpcErrorCode } from '../../keyring/errors';
import type { ApprovalDecision, ApprovalDetails, PendingApproval } from './approval-types';
import { TokenBuckets } from './token-bucket';

/** Opens and closes approval windows: `browser.windows` in the extension. */
export interface ApprovalWindows {
  /** Opens the approval page for `approvalId`; returns the window id. */
  open(approvalId: string): Promise<number>;
  close(windowId: number): Promise<void>;
}

export class UserRejectedError extends CairnError {
  override name = 'UserRejectedError';
  constructor() {
    super('User rejected the request', { code: RpcErrorCode.userRejected });
  }
}

export class RequestPendingError extends CairnError {
  override name = 'RequestPendingError';
  constructor(method: string) {
    super(`A ${method} request from this site is already waiting for the user`, {
      code: RpcErrorCode.resourceUnavailable,
    });
  }
}

interface Entry {
  approval: PendingApproval;
  windowId: number | undefined;
  settle: (decision: ApprovalDecision) => void;
  fail: (error: Error) => void;
}

export class TooManyApprovalsError extends CairnError {
  override name = 'TooManyApprovalsError';
  constructor() {
    super('This site asked for too many approvals; try again in a little while', {
      code: RpcErrorCode.limitExceeded,
    });
  }
}

export interface ApprovalControllerOptions {
  windows: ApprovalWindows;
  /** Approval windows one site may open: a burst, then a slow refill (default 10, then 1 per 10 s). */
  budget?: { capacity: number; refillPerSecond: number };
  now?: () => number;
  newId?: () => string;
  onChange?: () => void;
}

export class ApprovalController {
  readonly #windows: ApprovalWindows;
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #onChange: () => void;
  readonly #entries = new Map<string, Entry>();
  readonly #budget: TokenBuckets;

  constructor(options: ApprovalControllerOptions) {
    this.#windows = options.windows;
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? (() => crypto.randomUUID());
    this.#onChange = options.onChange ?? (() => {});
    this.#budget = new TokenBuckets({
      capacity: 10,
      refillPerSecond: 0.1,
      ...options.budget,
      now: this.#now,
    });
  }

  /**
   * Asks the user. Resolves with their decision (rejections resolve `{ approved: false }`
   * only through `decide`; a closed window rejects with UserRejectedError).
   * @throws RequestPendingError at once when the same origin already waits on `method`.
   * `signal`: the request is withdrawn (its window closed, the promise rejected with the
   * signal's reason) when it aborts first, so nobody approves what can no longer happen.
   */
  async request(
    origin: string,
    method: string,
    details: ApprovalDetails,
    signal?: AbortSignal,
  ): Promise<ApprovalDecision> {
    signal?.throwIfAborted();
    for (const entry of this.#entries.values()) {
      if (entry.approval.origin === origin && entry.approval.method === method)
        throw new RequestPendingError(method);
    }
    // A page that asks again after every rejection must not bury the user in windows.
    if (!this.#budget.tryTake(origin)) throw new TooManyApprovalsError();
    const approval: PendingApproval = { id: this.#newId(), origin, method, details, createdAt: this.#now() };
    const decision = new Promise<ApprovalDecision>((settle, fail) => {
      this.#entries.set(approval.id, { approval, windowId: undefined, settle, fail });
    });
    this.#onChange();
    signal?.addEventListener('abort', () => this.#withdraw(approval.id, signal.reason), { once: true });
    try {
      const windowId = await this.#windows.open(approval.id);
      const entry = this.#entries.get(approval.id);
      if (entry) entry.windowId = windowId;
      else await this.#windows.close(windowId).catch(() => {}); // decided before the window finished opening
    } catch (error) {
      this.#finish(approval.id, (entry) =>
        entry.fail(new CairnError('Could not open the approval window', { cause: error })),
      );
    }
    return decision;
  }

  get(id: string): PendingApproval | undefined {
    return this.#entries.get(id)?.approval;
  }

  pending(): PendingApproval[] {
    return [...this.#entries.values()].map((entry) => entry.approval);
  }

  /** The user's answer from the approval page. @returns false if no such approval is pending. */
  decide(id: string, decision: ApprovalDecision): boolean {
    return this.#finish(id, (entry) => {
      entry.settle(decision);
      if (entry.windowId !== undefined) void this.#windows.close(entry.windowId).catch(() => {});
    });
  }

  /** A window was closed (by the user or the browser): its approval counts as rejected. */
  windowClosed(windowId: number): void {
    for (const [id, entry] of this.#entries) {
      if (entry.windowId === windowId) this.#finish(id, (e) => e.fail(new UserRejectedError()));
    }
  }

  /** Rejects every approval of an origin (e.g. its permission was revoked). */
  rejectOrigin(origin: string): void {
    for (const [id, entry] of this.#entries) {
      if (entry.approval.origin !== origin) continue;
      this.#finish(id, (e) => {
        e.fail(new UserRejectedError());
        if (e.windowId !== undefined) void this.#windows.close(e.windowId).catch(() => {});
      });
    }
  }

  #withdraw(id: string, reason: unknown): void {
    this.#finish(id, (entry) => {
      entry.fail(reason instanceof Error ? reason : new CairnError('The request was withdrawn'));
      if (entry.windowId !== undefined) void this.#windows.close(entry.windowId).catch(() => {});
    });
  }

  #finish(id: string, action: (entry: Entry) => void): boolean {
    const entry = this.#entries.get(id);
    if (!entry) return false;
    this.#entries.delete(id);
    action(entry);
    this.#onChange();
    return true;
  }
}

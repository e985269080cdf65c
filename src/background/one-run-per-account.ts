/**
 * One run of an operation at a time per account. A second request while one runs is refused,
 * not queued: it is the same click twice, and the first run's result is the answer to both.
 */
import type { Address } from 'viem';
import { CairnError, RpcErrorCode } from '../keyring/errors';

export class OneRunPerAccount {
  readonly #running = new Set<Address>();
  readonly #busyMessage: string;

  /** `busyMessage`: what the refused request is told, e.g. "Anchoring is already under way". */
  constructor(busyMessage: string) {
    this.#busyMessage = busyMessage;
  }

  isRunning(account: Address): boolean {
    return this.#running.has(account);
  }

  /** @throws CairnError (resource unavailable) while a run for `account` is under way */
  async run<T>(account: Address, operation: () => Promise<T>): Promise<T> {
    if (this.#running.has(account)) {
      throw new CairnError(this.#busyMessage, { code: RpcErrorCode.resourceUnavailable });
    }
    this.#running.add(account);
    try {
      return await operation();
    } finally {
      this.#running.delete(account);
    }
  }
}

/**
 * One transaction at a time per account, from reading its pending nonce to handing the signed
 * transaction to the node: two approvals confirmed moments apart (a site's and the wallet's own)
 * would otherwise sign the same nonce, and one of them would be lost.
 */
import { type Address, getAddress } from 'viem';

export class AccountSendLock {
  readonly #tails = new Map<Address, Promise<unknown>>();

  /** Runs `work` after the account's earlier sends finished (successfully or not). */
  async run<T>(account: Address, work: () => Promise<T>): Promise<T> {
    const key = getAddress(account);
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.catch(() => {}).then(work);
    const tail = result.catch(() => {});
    this.#tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

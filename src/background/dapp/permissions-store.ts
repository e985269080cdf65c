/**
 * Per-origin permissions (EIP-2255), persisted in `storage.local`. Cairn knows one
 * permission, `eth_accounts`, restricted to the accounts the user picked.
 */

import * as v from 'valibot';
import { type Address, getAddress } from 'viem';
import type { KeyValueStore } from '../../keyring/key-value-store';
import { Mutex } from '../../keyring/mutex';

const STORAGE_KEY = 'dapp.permissions';

const grantSchema = v.object({
  accounts: v.array(
    v.pipe(
      v.string(),
      v.regex(/^0x[0-9a-fA-F]{40}$/),
      v.transform((value) => getAddress(value)),
    ),
  ),
  date: v.number(),
});
const storedSchema = v.record(v.string(), v.unknown());

export interface SiteGrant {
  origin: string;
  accounts: Address[];
  /** Milliseconds since the epoch, when the user granted it. */
  date: number;
}

/** EIP-2255 permission object for `eth_accounts`. */
export interface Eip2255Permission {
  invoker: string;
  parentCapability: 'eth_accounts';
  caveats: { type: 'restrictReturnedAccounts'; value: Address[] }[];
  date: number;
}

export function toEip2255(grant: SiteGrant): Eip2255Permission {
  return {
    invoker: grant.origin,
    parentCapability: 'eth_accounts',
    caveats: [{ type: 'restrictReturnedAccounts', value: grant.accounts }],
    date: grant.date,
  };
}

export class PermissionsStore {
  readonly #store: KeyValueStore;
  readonly #onWarning: (message: string) => void;
  /** Read-modify-write of one record: a revoke and a grant must not lose each other's update. */
  readonly #writes = new Mutex();

  constructor(store: KeyValueStore, onWarning: (message: string) => void = () => {}) {
    this.#store = store;
    this.#onWarning = onWarning;
  }

  async list(): Promise<SiteGrant[]> {
    const parsed = v.safeParse(storedSchema, (await this.#store.get(STORAGE_KEY)) ?? {});
    if (!parsed.success) {
      this.#onWarning('Stored site permissions are unreadable; treating every site as not connected');
      return [];
    }
    const grants: SiteGrant[] = [];
    for (const [origin, value] of Object.entries(parsed.output)) {
      const grant = v.safeParse(grantSchema, value);
      if (grant.success)
        grants.push({ origin, accounts: grant.output.accounts as Address[], date: grant.output.date });
      else this.#onWarning('Ignoring an unreadable stored site permission');
    }
    return grants.sort((a, b) => b.date - a.date);
  }

  async get(origin: string): Promise<SiteGrant | undefined> {
    return (await this.list()).find((grant) => grant.origin === origin);
  }

  grant(origin: string, accounts: Address[], date: number): Promise<SiteGrant> {
    return this.#writes.runExclusive(async () => {
      const grant = { origin, accounts: [...accounts], date };
      await this.#write([...(await this.list()).filter((g) => g.origin !== origin), grant]);
      return grant;
    });
  }

  /** @returns whether the origin had a grant. */
  revoke(origin: string): Promise<boolean> {
    return this.#writes.runExclusive(async () => {
      const grants = await this.list();
      const rest = grants.filter((g) => g.origin !== origin);
      if (rest.length === grants.length) return false;
      await this.#write(rest);
      return true;
    });
  }

  async #write(grants: SiteGrant[]): Promise<void> {
    const record: Record<string, { accounts: Address[]; date: number }> = {};
    for (const { origin, accounts, date } of grants) record[origin] = { accounts, date };
    await this.#store.set(STORAGE_KEY, record);
  }
}

/**
 * Per-origin permissions (EIP-2255), persisted in `storage.local`. Cairn knows two:
 * `eth_accounts`, restricted to the accounts the user picked, and `cairn_messaging`
 * (read and send messages as the first of those accounts), which needs the first.
 * https://eips.ethereum.org/EIPS/eip-2255
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
  // Absent in grants stored before the messaging permission existed.
  messaging: v.optional(v.boolean(), false),
});
const storedSchema = v.record(v.string(), v.unknown());

export interface SiteGrant {
  origin: string;
  accounts: Address[];
  /** Milliseconds since the epoch, when the user granted it. */
  date: number;
  /** `cairn_messaging`: the site may read and send messages as `accounts[0]`. */
  messaging: boolean;
}

/** The permissions Cairn grants (EIP-2255 `parentCapability`). */
export type PermissionName = 'eth_accounts' | 'cairn_messaging';

/** EIP-2255 permission object. */
export interface Eip2255Permission {
  invoker: string;
  parentCapability: PermissionName;
  caveats: { type: 'restrictReturnedAccounts'; value: Address[] }[];
  date: number;
}

/** The grant's `eth_accounts` permission. */
export function toEip2255(grant: SiteGrant): Eip2255Permission {
  return {
    invoker: grant.origin,
    parentCapability: 'eth_accounts',
    caveats: [{ type: 'restrictReturnedAccounts', value: grant.accounts }],
    date: grant.date,
  };
}

/** The grant's `cairn_messaging` permission, without caveats (it always acts as `accounts[0]`). */
export function toMessagingPermission(grant: SiteGrant): Eip2255Permission {
  return { invoker: grant.origin, parentCapability: 'cairn_messaging', caveats: [], date: grant.date };
}

/** Every permission the grant holds, `eth_accounts` first. */
export function permissionsOf(grant: SiteGrant | undefined): Eip2255Permission[] {
  if (!grant) return [];
  return grant.messaging ? [toEip2255(grant), toMessagingPermission(grant)] : [toEip2255(grant)];
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
      if (grant.success) {
        const { accounts, date, messaging } = grant.output;
        grants.push({ origin, accounts: accounts as Address[], date, messaging });
      } else this.#onWarning('Ignoring an unreadable stored site permission');
    }
    return grants.sort((a, b) => b.date - a.date);
  }

  async get(origin: string): Promise<SiteGrant | undefined> {
    return (await this.list()).find((grant) => grant.origin === origin);
  }

  /**
   * Grants `eth_accounts` for `accounts` (replacing the site's grant). `messaging` defaults to
   * keeping the current messaging permission, but only when the accounts are the same ones:
   * the user allowed messaging as particular addresses.
   */
  grant(
    origin: string,
    accounts: Address[],
    date: number,
    options: { messaging?: boolean } = {},
  ): Promise<SiteGrant> {
    return this.#writes.runExclusive(async () => {
      const grants = await this.list();
      const current = grants.find((g) => g.origin === origin);
      const messaging =
        options.messaging ??
        (current !== undefined && sameAccounts(current.accounts, accounts) && current.messaging);
      const grant = { origin, accounts: [...accounts], date, messaging };
      await this.#write([...grants.filter((g) => g.origin !== origin), grant]);
      return grant;
    });
  }

  /**
   * Grants or withdraws `cairn_messaging` of a site that holds `eth_accounts`; with `accounts`,
   * only while the site's grant is still for exactly those (what the user was shown).
   * @returns the updated grant, or undefined when there is no such grant.
   */
  setMessaging(
    origin: string,
    messaging: boolean,
    date: number,
    accounts?: readonly Address[],
  ): Promise<SiteGrant | undefined> {
    return this.#writes.runExclusive(async () => {
      const grants = await this.list();
      const current = grants.find((g) => g.origin === origin);
      if (!current || (accounts && !sameAccounts(current.accounts, accounts))) return undefined;
      if (current.messaging === messaging) return current;
      const grant = { ...current, messaging, date: messaging ? date : current.date };
      await this.#write([...grants.filter((g) => g.origin !== origin), grant]);
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
    // `messaging` only when granted: grants without it keep the first release's format.
    const record: Record<string, { accounts: Address[]; date: number; messaging?: true }> = {};
    for (const { origin, accounts, date, messaging } of grants)
      record[origin] = messaging ? { accounts, date, messaging } : { accounts, date };
    await this.#store.set(STORAGE_KEY, record);
  }
}

function sameAccounts(a: readonly Address[], b: readonly Address[]): boolean {
  return a.length === b.length && a.every((address, i) => address === b[i]);
}

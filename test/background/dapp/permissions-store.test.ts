/** Per-origin eth_accounts grants over a MemoryKeyValueStore, including stored data it cannot read. */
import { describe, expect, it } from 'vitest';
import {
  PermissionsStore,
  permissionsOf,
  type SiteGrant,
  toEip2255,
  toMessagingPermission,
} from '../../../src/background/dapp/permissions-store';
import { MemoryKeyValueStore } from '../../../src/keyring/key-value-store';

const A0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const A1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const DAPP = 'https://dapp.example';
const OTHER = 'http://127.0.0.1:5173';
const STORAGE_KEY = 'dapp.permissions';

function setup() {
  const store = new MemoryKeyValueStore();
  const warnings: string[] = [];
  const permissions = new PermissionsStore(store, (message) => warnings.push(message));
  return { store, warnings, permissions };
}

describe('PermissionsStore', () => {
  it('starts with no grants', async () => {
    const { permissions, warnings } = setup();
    expect(await permissions.list()).toEqual([]);
    expect(await permissions.get(DAPP)).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('grants, replaces and lists grants newest first', async () => {
    const { permissions } = setup();
    await permissions.grant(DAPP, [A0], 1000);
    await permissions.grant(OTHER, [A0, A1], 2000);
    expect(await permissions.list()).toEqual([
      { origin: OTHER, accounts: [A0, A1], date: 2000, messaging: false },
      { origin: DAPP, accounts: [A0], date: 1000, messaging: false },
    ]);
    await permissions.grant(DAPP, [A1], 3000);
    expect(await permissions.get(DAPP)).toEqual({
      origin: DAPP,
      accounts: [A1],
      date: 3000,
      messaging: false,
    });
    expect(await permissions.list()).toHaveLength(2);
  });

  it('copies the granted accounts', async () => {
    const { permissions } = setup();
    const accounts: `0x${string}`[] = [A0];
    await permissions.grant(DAPP, accounts, 1);
    accounts.push(A1);
    expect((await permissions.get(DAPP))?.accounts).toEqual([A0]);
  });

  it('serializes concurrent changes: a revoke and a grant never lose each other', async () => {
    const { permissions } = setup();
    await permissions.grant(OTHER, [A1], 1);
    await Promise.all([permissions.revoke(OTHER), permissions.grant(DAPP, [A0], 2)]);
    expect((await permissions.list()).map((grant) => grant.origin)).toEqual([DAPP]);
  });

  it('normalizes stored addresses to their checksummed form', async () => {
    const { permissions, store } = setup();
    await store.set(STORAGE_KEY, { [DAPP]: { accounts: [A0.toLowerCase()], date: 1 } });
    expect((await permissions.get(DAPP))?.accounts).toEqual([A0]);
  });

  it('revokes, reporting whether there was a grant', async () => {
    const { permissions } = setup();
    await permissions.grant(DAPP, [A0], 1);
    await permissions.grant(OTHER, [A0], 2);
    expect(await permissions.revoke(DAPP)).toBe(true);
    expect(await permissions.revoke(DAPP)).toBe(false);
    expect(await permissions.list()).toEqual([{ origin: OTHER, accounts: [A0], date: 2, messaging: false }]);
  });

  it('persists: a new store over the same storage sees the grants, in the stored format', async () => {
    const { store, permissions } = setup();
    await permissions.grant(DAPP, [A0], 1_750_000_000_000);
    expect(await store.get(STORAGE_KEY)).toEqual({ [DAPP]: { accounts: [A0], date: 1_750_000_000_000 } });
    expect(await new PermissionsStore(store).get(DAPP)).toEqual({
      origin: DAPP,
      accounts: [A0],
      date: 1_750_000_000_000,
      messaging: false,
    });
  });

  it('reads grants stored by the first release (fixture)', async () => {
    const store = new MemoryKeyValueStore();
    await store.set(STORAGE_KEY, {
      'https://app.uniswap.org': {
        accounts: ['0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'],
        date: 1735689600000,
      },
    });
    expect(await new PermissionsStore(store).list()).toEqual([
      { origin: 'https://app.uniswap.org', accounts: [A0], date: 1735689600000, messaging: false },
    ]);
  });

  it('reads a grant with messaging (fixture), and refuses a non-boolean messaging flag', async () => {
    const { store, permissions, warnings } = setup();
    await store.set(STORAGE_KEY, {
      'https://chat.example': { accounts: [A0], date: 1750000000000, messaging: true },
      'https://bad-flag.example': { accounts: [A0], date: 1750000000000, messaging: 'yes' },
    });
    expect(await permissions.list()).toEqual([
      { origin: 'https://chat.example', accounts: [A0], date: 1750000000000, messaging: true },
    ]);
    expect(warnings).toEqual(['Ignoring an unreadable stored site permission']);
  });

  it('grants and withdraws messaging, storing the flag only while granted', async () => {
    const { store, permissions } = setup();
    expect(await permissions.setMessaging(DAPP, true, 2)).toBeUndefined(); // not connected
    await permissions.grant(DAPP, [A0], 1);
    expect(await permissions.setMessaging(DAPP, true, 2)).toEqual({
      origin: DAPP,
      accounts: [A0],
      date: 2,
      messaging: true,
    });
    expect(await store.get(STORAGE_KEY)).toEqual({ [DAPP]: { accounts: [A0], date: 2, messaging: true } });
    expect(await permissions.setMessaging(DAPP, false, 3)).toMatchObject({ messaging: false, date: 2 });
    expect(await store.get(STORAGE_KEY)).toEqual({ [DAPP]: { accounts: [A0], date: 2 } });
  });

  it('sets messaging only while the grant is for the accounts the user was shown', async () => {
    const { permissions } = setup();
    await permissions.grant(DAPP, [A1], 1);
    expect(await permissions.setMessaging(DAPP, true, 2, [A0])).toBeUndefined();
    expect((await permissions.get(DAPP))?.messaging).toBe(false);
    expect(await permissions.setMessaging(DAPP, true, 2, [A1])).toMatchObject({ messaging: true });
  });

  it('keeps messaging when eth_accounts is granted again for the same accounts, and drops it for others', async () => {
    const { permissions } = setup();
    await permissions.grant(DAPP, [A0, A1], 1, { messaging: true });
    expect((await permissions.grant(DAPP, [A0, A1], 2)).messaging).toBe(true);
    expect((await permissions.grant(DAPP, [A1, A0], 3)).messaging).toBe(false);
    expect((await permissions.grant(DAPP, [A1, A0], 4)).messaging).toBe(false);
    expect((await permissions.grant(DAPP, [A1], 5, { messaging: true })).messaging).toBe(true);
    expect(await permissions.revoke(DAPP)).toBe(true);
    expect(await permissions.get(DAPP)).toBeUndefined();
  });

  it('treats an unreadable stored record as no grants, with a warning, and can still grant', async () => {
    for (const garbage of ['{"not":"an object"}', 42, true]) {
      const { store, permissions, warnings } = setup();
      await store.set(STORAGE_KEY, garbage);
      expect(await permissions.list()).toEqual([]);
      expect(await permissions.get(DAPP)).toBeUndefined();
      expect(warnings[0]).toBe(
        'Stored site permissions are unreadable; treating every site as not connected',
      );
      await permissions.grant(DAPP, [A0], 5);
      expect(await permissions.list()).toEqual([{ origin: DAPP, accounts: [A0], date: 5, messaging: false }]);
    }
  });

  it('reads a stored list (not a record) as unreadable entries, with warnings', async () => {
    const { store, permissions, warnings } = setup();
    await store.set(STORAGE_KEY, [[DAPP, { accounts: [A0], date: 1 }]]);
    expect(await permissions.list()).toEqual([]);
    expect(warnings).toEqual(['Ignoring an unreadable stored site permission']);
  });

  it('skips unreadable entries with a warning and keeps the readable ones', async () => {
    const { store, permissions, warnings } = setup();
    await store.set(STORAGE_KEY, {
      [DAPP]: { accounts: [A0], date: 10 },
      'https://bad-account.example': { accounts: ['0x1234'], date: 11 },
      'https://bad-date.example': { accounts: [A0], date: 'yesterday' },
      'https://no-accounts.example': 'yes',
    });
    expect(await permissions.list()).toEqual([{ origin: DAPP, accounts: [A0], date: 10, messaging: false }]);
    expect(warnings).toEqual(Array(3).fill('Ignoring an unreadable stored site permission'));
  });
});

describe('toEip2255', () => {
  it('shapes a grant as an EIP-2255 eth_accounts permission with a restrictReturnedAccounts caveat', () => {
    expect(toEip2255({ origin: DAPP, accounts: [A0, A1], date: 1234, messaging: false })).toEqual({
      invoker: DAPP,
      parentCapability: 'eth_accounts',
      caveats: [{ type: 'restrictReturnedAccounts', value: [A0, A1] }],
      date: 1234,
    });
  });

  it('lists cairn_messaging after eth_accounts when granted', () => {
    const grant: SiteGrant = { origin: DAPP, accounts: [A0], date: 1234, messaging: true };
    const messaging = { invoker: DAPP, parentCapability: 'cairn_messaging', caveats: [], date: 1234 };
    expect(toMessagingPermission(grant)).toEqual(messaging);
    expect(permissionsOf(grant)).toEqual([toEip2255(grant), messaging]);
    expect(permissionsOf({ ...grant, messaging: false })).toEqual([toEip2255(grant)]);
    expect(permissionsOf(undefined)).toEqual([]);
  });
});

/** Per-origin eth_accounts grants over a MemoryKeyValueStore, including stored data it cannot read. */
import { describe, expect, it } from 'vitest';
import { PermissionsStore, toEip2255 } from '../../../src/background/dapp/permissions-store';
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
      { origin: OTHER, accounts: [A0, A1], date: 2000 },
      { origin: DAPP, accounts: [A0], date: 1000 },
    ]);
    await permissions.grant(DAPP, [A1], 3000);
    expect(await permissions.get(DAPP)).toEqual({ origin: DAPP, accounts: [A1], date: 3000 });
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
    expect(await permissions.list()).toEqual([{ origin: OTHER, accounts: [A0], date: 2 }]);
  });

  it('persists: a new store over the same storage sees the grants, in the stored format', async () => {
    const { store, permissions } = setup();
    await permissions.grant(DAPP, [A0], 1_750_000_000_000);
    expect(await store.get(STORAGE_KEY)).toEqual({ [DAPP]: { accounts: [A0], date: 1_750_000_000_000 } });
    expect(await new PermissionsStore(store).get(DAPP)).toEqual({
      origin: DAPP,
      accounts: [A0],
      date: 1_750_000_000_000,
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
      { origin: 'https://app.uniswap.org', accounts: [A0], date: 1735689600000 },
    ]);
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
      expect(await permissions.list()).toEqual([{ origin: DAPP, accounts: [A0], date: 5 }]);
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
    expect(await permissions.list()).toEqual([{ origin: DAPP, accounts: [A0], date: 10 }]);
    expect(warnings).toEqual(Array(3).fill('Ignoring an unreadable stored site permission'));
  });
});

describe('toEip2255', () => {
  it('shapes a grant as an EIP-2255 eth_accounts permission with a restrictReturnedAccounts caveat', () => {
    expect(toEip2255({ origin: DAPP, accounts: [A0, A1], date: 1234 })).toEqual({
      invoker: DAPP,
      parentCapability: 'eth_accounts',
      caveats: [{ type: 'restrictReturnedAccounts', value: [A0, A1] }],
      date: 1234,
    });
  });
});

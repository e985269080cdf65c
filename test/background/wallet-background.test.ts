/**
 * The background's privileged API end to end in memory: the popup's client, the
 * port server, the wallet service and a real keyring over in-memory stores.
 */

import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import { AnchorDb } from '../../src/background/anchoring/anchor-db';
import type { AlarmScheduler } from '../../src/background/auto-lock';
import { AUTO_LOCK_ALARM } from '../../src/background/auto-lock';
import { openBrowserMessageDb } from '../../src/background/messaging/browser-messaging';
import { SIGNING_TABLE_QUIET_MS } from '../../src/background/signing-table-warm-up';
import { createWalletBackground } from '../../src/background/wallet-background';
import { MemoryKeyValueStore } from '../../src/keyring/key-value-store';
import { isSigningTableBuilt } from '../../src/protocol/signing-curve';
import { BackgroundClient } from '../../src/ui/background-client';
import { InMemoryRelay } from '../support/in-memory-relay';
import { connectedPorts } from './fake-port';

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const BASE = `chrome-extension://${ID}/`;
const MNEMONIC = 'test test test test test test test test test test test junk';
const ADDRESS_0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

class RecordingAlarms implements AlarmScheduler {
  readonly scheduled = new Map<string, number>();
  async schedule(name: string, delayInMinutes: number) {
    this.scheduled.set(name, delayInMinutes);
  }
  async clear(name: string) {
    this.scheduled.delete(name);
  }
}

function setup(stores = { local: new MemoryKeyValueStore(), session: new MemoryKeyValueStore() }) {
  const alarms = new RecordingAlarms();
  const logs: string[] = [];
  const relay = new InMemoryRelay();
  const background = createWalletBackground({
    localStore: stores.local,
    sessionStore: stores.session,
    alarms,
    windows: { open: async () => 1, close: async () => {} },
    sendToTab: async () => {},
    extensionId: ID,
    extensionBaseUrl: BASE,
    log: (line) => logs.push(line),
    messaging: {
      openAnchorDb: () => AnchorDb.open(new IDBFactory()),
      openDb: (sealKey) => openBrowserMessageDb(new IDBFactory(), sealKey),
      startNetwork: async () => relay.connect(),
      notifier: { setBadge: async () => {}, notify: async () => {} },
    },
  });
  const connect = (url = `${BASE}popup.html`) =>
    new BackgroundClient((name) => {
      const { client, server } = connectedPorts(name, { id: ID, url });
      background.handleConnect(server);
      return client;
    });
  return { background, alarms, logs, stores, client: connect(), connect };
}

describe('wallet background over the UI port', () => {
  // First in the file: the table is built once per module instance, and any later test's unlock
  // would build it.
  it('builds the signing table in a quiet moment after unlock', async () => {
    const { client } = setup();
    expect(isSigningTableBuilt()).toBe(false);
    await client.call('createFromMnemonic', { password: 'password123', mnemonic: MNEMONIC });
    expect(isSigningTableBuilt()).toBe(false);
    await vi.waitFor(() => expect(isSigningTableBuilt()).toBe(true), {
      timeout: SIGNING_TABLE_QUIET_MS + 5_000,
      interval: 100,
    });
  });

  it('onboards, schedules auto-lock, locks on the alarm and pushes the new state', async () => {
    const { client, alarms, background } = setup();
    expect(await client.call('getState')).toMatchObject({ status: 'uninitialized', accounts: [] });
    const state = await client.call('createFromMnemonic', { password: 'password123', mnemonic: MNEMONIC });
    expect(state.status).toBe('unlocked');
    expect(state.accounts.map((a) => a.address)).toEqual([ADDRESS_0]);
    expect(alarms.scheduled.get(AUTO_LOCK_ALARM)).toBe(15);

    const pushed: string[] = [];
    client.onState((s) => pushed.push(s.status));
    await background.handleAlarm(AUTO_LOCK_ALARM);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pushed).toEqual(['locked']);
    expect((await client.call('getState')).status).toBe('locked');
    expect(alarms.scheduled.has(AUTO_LOCK_ALARM)).toBe(false);
  });

  it('answers bad params, unknown methods and wrong passwords with EIP-1193 codes only', async () => {
    const { client } = setup();
    await client.call('createFromMnemonic', { password: 'password123', mnemonic: MNEMONIC });
    await client.call('lock');
    await expect(client.call('unlock', { password: 'wrong password' })).rejects.toMatchObject({
      code: 4100,
      message: 'Incorrect password',
    });
    // biome-ignore lint/suspicious/noExplicitAny: deliberately malformed calls
    const raw = client as any;
    await expect(raw.call('unlock', { password: 42 })).rejects.toMatchObject({ code: -32602 });
    await expect(raw.call('unlock', { password: 'x', extra: true })).rejects.toMatchObject({ code: -32602 });
    await expect(raw.call('exportMnemonic')).rejects.toMatchObject({ code: 4200 });
    await expect(client.call('setAutoLockMinutes', { minutes: 0 })).rejects.toMatchObject({ code: -32602 });
    expect((await client.call('getState')).status).toBe('locked');
  });

  it('serves key changes and the key on chain, their params checked', async () => {
    const { client } = setup();
    await client.call('createFromMnemonic', { password: 'password123', mnemonic: MNEMONIC });
    const peer = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    expect(await client.call('getKeyChanges', { account: ADDRESS_0, peer })).toEqual([]);
    // biome-ignore lint/suspicious/noExplicitAny: deliberately malformed calls
    const raw = client as any;
    await expect(raw.call('getKeyChanges', { account: ADDRESS_0 })).rejects.toMatchObject({ code: -32602 });
    await expect(raw.call('getKeyOnChain', { account: 'bob' })).rejects.toMatchObject({ code: -32602 });
    await expect(raw.call('publishKeyOnChain', { account: ADDRESS_0, cid: 'x' })).rejects.toMatchObject({
      code: -32602,
    });
  });

  it('keeps the session across a worker restart (new background, same stores)', async () => {
    const first = setup();
    await first.client.call('createFromMnemonic', { password: 'password123', mnemonic: MNEMONIC });
    await first.client.call('addAccount', {});
    const restarted = setup(first.stores);
    const state = await restarted.client.call('getState');
    expect(state.status).toBe('unlocked');
    expect(state.accounts).toHaveLength(2);
  });

  it('counts user actions as activity for auto-lock, but not an approval window polling', async () => {
    const { client, alarms } = setup();
    await client.call('createFromMnemonic', { password: 'password123', mnemonic: MNEMONIC });
    alarms.scheduled.clear();
    expect(await client.call('getApproval', { id: crypto.randomUUID() })).toBeNull();
    expect(alarms.scheduled.has(AUTO_LOCK_ALARM)).toBe(false);
    await client.call('getState');
    expect(alarms.scheduled.get(AUTO_LOCK_ALARM)).toBe(15);
  });

  it('settings persist and reschedule the auto-lock', async () => {
    const { client, alarms } = setup();
    await client.call('createFromMnemonic', { password: 'password123', mnemonic: MNEMONIC });
    const state = await client.call('setAutoLockMinutes', { minutes: 5 });
    expect(state.autoLockMinutes).toBe(5);
    expect(alarms.scheduled.get(AUTO_LOCK_ALARM)).toBe(5);
  });

  it('does not serve pages that are not the extension’s own', async () => {
    const { connect } = setup();
    const intruder = connect('https://evil.example/');
    await expect(intruder.call('getState')).rejects.toMatchObject({ code: 4900 });
  });

  it('never logs secrets', async () => {
    const { client, logs } = setup();
    await client.call('createFromMnemonic', { password: 'password123', mnemonic: MNEMONIC });
    await client.call('lock').catch(() => {});
    await client.call('unlock', { password: 'wrong password' }).catch(() => {});
    expect(logs.join('\n')).not.toMatch(/test test|password123|wrong password/);
  });
});

/**
 * Two wallet backgrounds (Alice and Bob) over the UI port and one in-memory relay:
 * the messenger follows lock/unlock, and the popup's API sends and receives.
 */

import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { AnchorDb } from '../../../src/background/anchoring/anchor-db';
import type { AlarmScheduler } from '../../../src/background/auto-lock';
import { openBrowserMessageDb } from '../../../src/background/messaging/browser-messaging';
import { conversationNotificationId } from '../../../src/background/messaging/conversation-notices';
import { MESSAGING_WAKE_ALARM } from '../../../src/background/messaging/messaging-service';
import { createWalletBackground } from '../../../src/background/wallet-background';
import { MemoryKeyValueStore } from '../../../src/keyring/key-value-store';
import { generateMnemonic } from '../../../src/keyring/mnemonic';
import { BackgroundClient } from '../../../src/ui/background-client';
import { InMemoryRelay, type InMemoryTransport } from '../../support/in-memory-relay';
import { connectedPorts } from '../fake-port';

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const BASE = `chrome-extension://${ID}/`;

class Alarms implements AlarmScheduler {
  readonly scheduled = new Map<string, number>();
  async schedule(name: string, delayInMinutes: number) {
    this.scheduled.set(name, delayInMinutes);
  }
  async clear(name: string) {
    this.scheduled.delete(name);
  }
}

/** `networkDelayMs`: how long the node takes to start (a lock can land meanwhile). */
async function user(relay: InMemoryRelay, networkDelayMs = 0) {
  const badges: string[] = [];
  const factory = new IDBFactory();
  const notifications: string[] = [];
  const notificationIds: string[] = [];
  const networks: InMemoryTransport[] = [];
  const stores: { closed: boolean }[] = [];
  const alarms = new Alarms();
  const background = createWalletBackground({
    localStore: new MemoryKeyValueStore(),
    sessionStore: new MemoryKeyValueStore(),
    alarms,
    windows: { open: async () => 1, close: async () => {} },
    sendToTab: async () => {},
    extensionId: ID,
    extensionBaseUrl: BASE,
    log: () => {},
    messaging: {
      openAnchorDb: () => AnchorDb.open(new IDBFactory()),
      openDb: async (sealKey) => {
        const db = await openBrowserMessageDb(factory, sealKey);
        const store = { closed: false };
        const close = db.close.bind(db);
        db.close = () => {
          store.closed = true;
          close();
        };
        stores.push(store);
        return db;
      },
      startNetwork: async () => {
        await new Promise((resolve) => setTimeout(resolve, networkDelayMs));
        const network = relay.connect();
        networks.push(network);
        return network;
      },
      notifier: {
        setBadge: async (text) => void badges.push(text),
        notify: async (id, title, body) => {
          notificationIds.push(id);
          notifications.push(`${title}: ${body}`);
        },
      },
    },
  });
  const client = new BackgroundClient((name) => {
    const { client: port, server } = connectedPorts(name, { id: ID, url: `${BASE}popup.html` });
    background.handleConnect(server);
    return port;
  });
  const state = await client.call('createFromMnemonic', {
    password: 'password123',
    mnemonic: generateMnemonic(12),
  });
  const account = state.accounts[0]?.address;
  if (!account) throw new Error('no account');
  // Started on unlock; wait until its contact bundle is on the relay.
  await expect.poll(async () => (await client.call('getRelayStatus')).node).toBe('running');
  return {
    background,
    client,
    account,
    badges,
    notifications,
    notificationIds,
    alarms,
    openNetworks: () => networks.filter((network) => !network.stopped).length,
    openStores: () => stores.filter((store) => !store.closed).length,
  };
}

describe('messaging in the background', () => {
  it('sends and receives through the UI API, with unread badge and notification', async () => {
    const relay = new InMemoryRelay();
    const alice = await user(relay);
    const bob = await user(relay);
    await expect
      .poll(
        async () =>
          (await alice.client.call('canMessage', { account: alice.account, address: bob.account }))
            .canMessage,
      )
      .toBe(true);
    const events: string[][] = [];
    bob.client.onMessages(({ topics }) => events.push(topics));

    const sent = await alice.client.call('sendMessage', {
      account: alice.account,
      to: bob.account,
      text: 'hello bob',
    });
    expect(sent).toMatchObject({
      status: 'queued',
      direction: 'out',
      content: { kind: 'text', text: 'hello bob' },
    });
    await expect
      .poll(async () => (await bob.client.call('listConversations', { account: bob.account }))[0]?.unread)
      .toBe(1);
    expect(bob.badges.at(-1)).toBe('1');
    expect(bob.notifications[0]).toMatch(/hello bob$/);
    expect(bob.notificationIds).toEqual([conversationNotificationId(sent.topic)]);
    expect(events.length).toBeGreaterThan(0);
    const messages = await bob.client.call('getMessages', { account: bob.account, peer: alice.account });
    expect(messages.map((message) => message.id)).toEqual([sent.id]);

    await bob.client.call('markConversationRead', { account: bob.account, peer: alice.account });
    await expect.poll(() => bob.badges.at(-1)).toBe('');
    await expect
      .poll(
        async () =>
          (await alice.client.call('getMessages', { account: alice.account, peer: bob.account }))[0]?.status,
      )
      .toBe('delivered');
  });

  it('stops on lock (calls answer 4100) and starts again on unlock', async () => {
    const relay = new InMemoryRelay();
    const alice = await user(relay);
    expect(alice.alarms.scheduled.has('cairn.messaging.wake')).toBe(true);
    await alice.client.call('lock');
    await expect(alice.client.call('listConversations', { account: alice.account })).rejects.toMatchObject({
      code: 4100,
    });
    expect((await alice.client.call('getRelayStatus')).node).toBe('stopped');
    expect(alice.alarms.scheduled.has('cairn.messaging.wake')).toBe(false);
    await alice.client.call('unlock', { password: 'password123' });
    await expect.poll(async () => (await alice.client.call('getRelayStatus')).node).toBe('running');
    expect(await alice.client.call('listConversations', { account: alice.account })).toEqual([]);
  });

  it('a lock right after unlocking (while messaging starts) leaves it stopped with nothing open', async () => {
    const relay = new InMemoryRelay();
    const alice = await user(relay, 100);
    await alice.client.call('lock');
    await alice.client.call('unlock', { password: 'password123' });
    expect((await alice.client.call('getRelayStatus')).node).toBe('starting');
    await alice.client.call('lock');
    // Waits for the starts and stops under way, as a wake alarm does.
    await alice.background.handleAlarm(MESSAGING_WAKE_ALARM);
    expect((await alice.client.call('getRelayStatus')).node).toBe('stopped');
    expect(alice.openNetworks()).toBe(0);
    expect(alice.openStores()).toBe(0);
    expect(alice.alarms.scheduled.has(MESSAGING_WAKE_ALARM)).toBe(false);
    await expect(alice.client.call('listConversations', { account: alice.account })).rejects.toMatchObject({
      code: 4100,
    });
  });

  it('unlock, lock and unlock in quick succession: running once, one node, one store', async () => {
    const relay = new InMemoryRelay();
    const alice = await user(relay, 100);
    await alice.client.call('lock');
    await alice.client.call('unlock', { password: 'password123' });
    await alice.client.call('lock');
    await alice.client.call('unlock', { password: 'password123' });
    expect((await alice.client.call('getRelayStatus')).node).toBe('starting');
    expect(await alice.client.call('listConversations', { account: alice.account })).toEqual([]);
    await alice.background.handleAlarm(MESSAGING_WAKE_ALARM);
    expect((await alice.client.call('getRelayStatus')).node).toBe('running');
    expect(alice.openNetworks()).toBe(1);
    expect(alice.openStores()).toBe(1);
    expect(alice.alarms.scheduled.has(MESSAGING_WAKE_ALARM)).toBe(true);
  });

  it('refuses bad input at the port', async () => {
    const relay = new InMemoryRelay();
    const alice = await user(relay);
    await expect(
      alice.client.call('sendMessage', { account: alice.account, to: '0x1234' as `0x${string}`, text: 'x' }),
    ).rejects.toMatchObject({ code: -32602 });
    await expect(
      alice.client.call('sendMessage', {
        account: alice.account,
        to: alice.account,
        text: 'x'.repeat(70_000),
      }),
    ).rejects.toMatchObject({ code: -32602 });
  });
});

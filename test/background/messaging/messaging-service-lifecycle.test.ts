/**
 * MessagingService on its own, where the timing matters: a lock while a start is still
 * under way, a start that fails, rapid unlock/lock/unlock, a wake alarm on a cold worker,
 * dropped promises that reject, and one throttled notification per conversation.
 * Real message stores (fake-indexeddb) and an in-memory relay; the identities, the
 * network start and the alarms are fakes that stop at a named stage until the test says.
 */
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmScheduler } from '../../../src/background/auto-lock';
import { openBrowserMessageDb } from '../../../src/background/messaging/browser-messaging';
import { conversationNotificationId } from '../../../src/background/messaging/conversation-notices';
import type { MessageDb } from '../../../src/background/messaging/message-db';
import { MESSAGING_WAKE_ALARM, MessagingService } from '../../../src/background/messaging/messaging-service';
import { Messenger } from '../../../src/background/messaging/messenger';
import { MessengerStoppedError } from '../../../src/background/messaging/messenger-errors';
import type { WalletState } from '../../../src/background/ui-api-contract';
import { LockedError } from '../../../src/keyring/errors';
import { MemoryKeyValueStore } from '../../../src/keyring/key-value-store';
import { type CairnIdentity, cairnIdentity } from '../../protocol/helpers';
import { InMemoryRelay, type InMemoryTransport } from '../../support/in-memory-relay';

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

type Deferred = ReturnType<typeof deferred>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Where a start can be held: the seal key's identity, the store, the node, Messenger.start, the wake alarm. */
type Stage = 'identity' | 'store' | 'network' | 'messenger' | 'alarm';

const LOCKED: WalletState = { status: 'locked', accounts: [], autoLockMinutes: 15 };

class Alarms implements AlarmScheduler {
  readonly scheduled = new Map<string, number>();
  readonly calls: string[] = [];
  constructor(private readonly pass: (stage: Stage) => Promise<void>) {}
  async schedule(name: string, delayInMinutes: number) {
    this.calls.push(`schedule ${name}`);
    if (name === MESSAGING_WAKE_ALARM) await this.pass('alarm');
    this.scheduled.set(name, delayInMinutes);
  }
  async clear(name: string) {
    this.calls.push(`clear ${name}`);
    this.scheduled.delete(name);
  }
}

interface Options {
  relay?: InMemoryRelay;
  ready?: Promise<unknown>;
  notificationIntervalMs?: number;
}

const services: MessagingService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.stop();
});

async function harness(options: Options = {}) {
  const relay = options.relay ?? new InMemoryRelay();
  const identity: CairnIdentity = await cairnIdentity();
  const factory = new IDBFactory();
  const gates = new Map<Stage, { reached: Deferred; release: Deferred }>();
  const failures = new Map<Stage, Error>();
  const networks: InMemoryTransport[] = [];
  const reconnects: (() => void)[] = [];
  const dbs: { db: MessageDb; closed: boolean }[] = [];
  const logs: string[] = [];
  const badges: string[] = [];
  const notifications: { id: string; title: string; body: string; at: number }[] = [];

  /** Holds the start at `stage` when the test set a gate there (once), then fails it if asked (once). */
  async function pass(stage: Stage): Promise<void> {
    const gate = gates.get(stage);
    if (gate) {
      gates.delete(stage);
      gate.reached.resolve();
      await gate.release.promise;
    }
    const failure = failures.get(stage);
    if (failure) {
      failures.delete(stage);
      throw failure;
    }
  }

  const alarms = new Alarms(pass);
  const service = new MessagingService({
    identities: {
      ensure: async () => {
        // The first call of a start derives the store's seal key; the later ones are Messenger.start's.
        await pass(networks.some((network) => !network.stopped) ? 'messenger' : 'identity');
        return identity.keys;
      },
    },
    localStore: new MemoryKeyValueStore(),
    alarms,
    notifier: {
      setBadge: async (text) => void badges.push(text),
      notify: async (id, title, body) => void notifications.push({ id, title, body, at: Date.now() }),
    },
    openDb: async (sealKey) => {
      await pass('store');
      const db = await openBrowserMessageDb(factory, sealKey);
      const entry = { db, closed: false };
      const close = db.close.bind(db);
      db.close = () => {
        entry.closed = true;
        close();
      };
      dbs.push(entry);
      return db;
    },
    startNetwork: async () => {
      const network = relay.connect();
      network.onReconnect = (listener?: () => void) => {
        if (listener) reconnects.push(listener);
      };
      networks.push(network);
      try {
        await pass('network');
      } catch (error) {
        await network.stop();
        throw error;
      }
      return network;
    },
    ...(options.ready ? { ready: () => options.ready ?? Promise.resolve() } : {}),
    onMessages: () => {},
    onRelay: () => {},
    log: (line) => void logs.push(line),
    ...(options.notificationIntervalMs === undefined
      ? {}
      : { notificationIntervalMs: options.notificationIntervalMs }),
  });
  services.push(service);
  const unlocked: WalletState = {
    status: 'unlocked',
    accounts: [{ address: identity.address, name: 'Account 1', kind: 'hd', index: 0 }],
    autoLockMinutes: 15,
  };
  return {
    relay,
    service,
    identity,
    address: identity.address,
    unlocked,
    alarms,
    networks,
    reconnects,
    dbs,
    logs,
    badges,
    notifications,
    failures,
    /** Holds the next start at `stage`; resolves `reached` when it gets there. */
    hold(stage: Stage) {
      const gate = { reached: deferred(), release: deferred() };
      gates.set(stage, gate);
      return gate;
    },
    status: () => service.uiHandlers.getRelayStatus(undefined),
    openNetworks: () => networks.filter((network) => !network.stopped).length,
    openDbs: () => dbs.filter((entry) => !entry.closed).length,
  };
}

type Harness = Awaited<ReturnType<typeof harness>>;

async function expectFullyStopped(h: Harness) {
  expect((await h.status()).node).toBe('stopped');
  expect(h.openNetworks()).toBe(0);
  expect(h.openDbs()).toBe(0);
  expect(h.alarms.scheduled.has(MESSAGING_WAKE_ALARM)).toBe(false);
  await expect(h.service.uiHandlers.listConversations({ account: h.address })).rejects.toMatchObject({
    code: 4100,
  });
  await expect(h.service.messenger).rejects.toBeInstanceOf(MessengerStoppedError);
}

async function expectRunningOnce(h: Harness) {
  expect((await h.status()).node).toBe('running');
  expect(h.openNetworks()).toBe(1);
  expect(h.openDbs()).toBe(1);
  expect(h.alarms.scheduled.has(MESSAGING_WAKE_ALARM)).toBe(true);
  expect(await h.service.uiHandlers.listConversations({ account: h.address })).toEqual([]);
}

/** Collects unhandled promise rejections while `run` executes (and a little after). */
async function collectUnhandled(run: () => Promise<void>): Promise<unknown[]> {
  const caught: unknown[] = [];
  const collect = (reason: unknown) => void caught.push(reason);
  process.on('unhandledRejection', collect);
  try {
    await run();
    await sleep(50);
  } finally {
    process.off('unhandledRejection', collect);
  }
  return caught;
}

describe('MessagingService start and stop', () => {
  it.each<[Stage, number, number]>([
    ['identity', 0, 0],
    ['store', 0, 1],
    ['network', 1, 1],
    ['messenger', 1, 1],
    ['alarm', 1, 1],
  ])(
    'a lock while the start waits at %s leaves it stopped with nothing open',
    async (stage, networks, dbs) => {
      const h = await harness();
      const gate = h.hold(stage);
      const starting = h.service.walletStateChanged(h.unlocked);
      await gate.reached.promise;
      let locked = false;
      const locking = h.service.walletStateChanged(LOCKED).then(() => {
        locked = true;
      });
      await sleep(10);
      expect(locked).toBe(false); // the lock waits for the cancelled start to close what it opened
      gate.release.resolve();
      await Promise.all([starting, locking]);

      expect(h.networks).toHaveLength(networks);
      expect(h.dbs).toHaveLength(dbs);
      await expectFullyStopped(h);
      expect(h.logs.filter((line) => line.startsWith('Messaging did not start'))).toEqual([]);
    },
  );

  it('stop() also cancels a start in progress and waits for it', async () => {
    const h = await harness();
    const gate = h.hold('alarm');
    void h.service.walletStateChanged(h.unlocked);
    await gate.reached.promise;
    const stopping = h.service.stop();
    gate.release.resolve();
    await stopping;
    await expectFullyStopped(h);
  });

  it.each<Stage>(['identity', 'store', 'network', 'messenger'])(
    'a start failing at %s leaves it stopped, and the next unlock starts it',
    async (stage) => {
      const h = await harness();
      h.failures.set(stage, new LockedError());
      await h.service.walletStateChanged(h.unlocked);
      await expectFullyStopped(h);
      expect(h.logs).toContain('Messaging did not start: LockedError');

      // The same accounts again: not mistaken for "already running".
      await h.service.walletStateChanged(h.unlocked);
      await expectRunningOnce(h);
    },
  );

  it('unlock, lock and unlock in quick succession run it exactly once', async () => {
    const h = await harness();
    await Promise.all([
      h.service.walletStateChanged(h.unlocked),
      h.service.walletStateChanged(LOCKED),
      h.service.walletStateChanged(h.unlocked),
    ]);
    await expectRunningOnce(h);
  });

  it('unlock, lock and unlock while the first start is held at the node: one node, one store', async () => {
    const h = await harness();
    const gate = h.hold('network');
    const calls = [h.service.walletStateChanged(h.unlocked)];
    await gate.reached.promise;
    calls.push(h.service.walletStateChanged(LOCKED), h.service.walletStateChanged(h.unlocked));
    gate.release.resolve();
    await Promise.all(calls);
    expect(h.networks).toHaveLength(2);
    await expectRunningOnce(h);
  });

  it('unlock then lock in quick succession ends stopped', async () => {
    const h = await harness();
    await Promise.all([h.service.walletStateChanged(h.unlocked), h.service.walletStateChanged(LOCKED)]);
    await expectFullyStopped(h);
  });

  it('the same unlocked state twice starts once; a UI call waits for the start', async () => {
    const h = await harness();
    const first = h.service.walletStateChanged(h.unlocked);
    const listed = h.service.uiHandlers.listConversations({ account: h.address });
    await Promise.all([first, h.service.walletStateChanged(h.unlocked)]);
    expect(await listed).toEqual([]);
    expect(h.networks).toHaveLength(1);
    await expectRunningOnce(h);
  });
});

describe('MessagingService alarms', () => {
  it('a wake alarm on a cold worker waits for the restored session, then polls', async () => {
    const restored = deferred();
    const h = await harness({ ready: restored.promise });
    const alarm = h.service.handleAlarm(MESSAGING_WAKE_ALARM);
    await sleep(10);
    restored.resolve();
    // The background announces the restored state a little after `ready`.
    await sleep(50);
    void h.service.walletStateChanged(h.unlocked);
    await alarm;
    // Scheduled by the start, then again by the alarm it handled (alarms fire once).
    expect(h.alarms.calls.filter((call) => call === `schedule ${MESSAGING_WAKE_ALARM}`)).toHaveLength(2);
    expect(h.alarms.scheduled.has(MESSAGING_WAKE_ALARM)).toBe(true);
    await expectRunningOnce(h);
  });

  it('a wake alarm while locked clears itself', async () => {
    const h = await harness({ ready: Promise.resolve() });
    h.alarms.scheduled.set(MESSAGING_WAKE_ALARM, 1); // left from before the worker slept
    const alarm = h.service.handleAlarm(MESSAGING_WAKE_ALARM);
    void h.service.walletStateChanged(LOCKED);
    await alarm;
    expect(h.alarms.scheduled.has(MESSAGING_WAKE_ALARM)).toBe(false);
    expect(h.networks).toHaveLength(0);
  });

  it('a failing outbox flush does not skip the catch-up, and nothing rejects unhandled', async () => {
    const h = await harness();
    await h.service.walletStateChanged(h.unlocked);
    const messenger = await h.service.messenger;
    let catchUps = 0;
    const catchUp = messenger.catchUp.bind(messenger);
    messenger.flushOutbox = () => Promise.reject(new TypeError('flush'));
    messenger.catchUp = () => {
      catchUps += 1;
      return catchUp();
    };
    const unhandled = await collectUnhandled(async () => {
      await h.service.handleAlarm(MESSAGING_WAKE_ALARM);
      expect(catchUps).toBe(1);
      // A relay reconnect drops both promises: they are caught and logged too.
      messenger.catchUp = () => Promise.reject(new RangeError('catch-up'));
      for (const listener of h.reconnects) listener();
    });
    expect(unhandled).toEqual([]);
    expect(h.logs).toContain('Outbox flush failed: TypeError');
    expect(h.logs).toContain('Catch-up failed: RangeError');
  });
});

/** Alice and Bob, each a MessagingService on one relay, able to message each other. */
async function pair(notificationIntervalMs: number) {
  const relay = new InMemoryRelay();
  const alice = await harness({ relay, notificationIntervalMs });
  const bob = await harness({ relay, notificationIntervalMs });
  await alice.service.walletStateChanged(alice.unlocked);
  await bob.service.walletStateChanged(bob.unlocked);
  await expect
    .poll(async () => {
      await (await bob.service.messenger).flushOutbox(); // Bob's contact bundle
      return (await alice.service.uiHandlers.canMessage({ account: alice.address, address: bob.address }))
        .canMessage;
    })
    .toBe(true);
  const send = (text: string) =>
    alice.service.uiHandlers.sendMessage({ account: alice.address, to: bob.address, text });
  const unread = async () =>
    (await bob.service.uiHandlers.listConversations({ account: bob.address }))[0]?.unread ?? 0;
  return { relay, alice, bob, send, unread };
}

describe('MessagingService notifications and badge', () => {
  it('one notification per conversation: replaced with a count, throttled, never repeated', async () => {
    const interval = 300;
    const { alice, bob, send, unread } = await pair(interval);
    const first = await send('one');
    const id = conversationNotificationId(first.topic);
    await expect.poll(() => bob.notifications.length).toBe(1);
    expect(bob.notifications[0]).toMatchObject({
      id,
      title: expect.stringMatching(/^Message from /),
      body: 'one',
    });
    await send('two');
    await send('three');
    await expect.poll(unread).toBe(3);
    await expect.poll(() => bob.notifications.at(-1)?.body).toBe('3 new messages');
    await sleep(interval * 2);
    expect(bob.notifications.length).toBeLessThanOrEqual(3);
    expect(bob.notifications.at(-1)?.body).toBe('3 new messages');
    expect(new Set(bob.notifications.map((shown) => shown.id))).toEqual(new Set([id]));
    for (let i = 1; i < bob.notifications.length; i += 1) {
      const gap = (bob.notifications[i]?.at ?? 0) - (bob.notifications[i - 1]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(interval - 20);
    }

    // Read: the next message starts a new count, shown at once.
    await bob.service.uiHandlers.markConversationRead({ account: bob.address, peer: alice.address });
    const before = bob.notifications.length;
    await send('four');
    await expect.poll(() => bob.notifications.at(-1)?.body).toBe('four');
    expect(bob.notifications).toHaveLength(before + 1);

    // Notifications off: none, though the message arrives.
    await bob.service.uiHandlers.setMessagingSettings({ notifications: false });
    await sleep(interval);
    await send('five');
    await expect.poll(unread).toBe(2);
    await sleep(interval * 2);
    expect(bob.notifications).toHaveLength(before + 1);
  });

  it('an old message found while catching up is stored without a notification', async () => {
    const relay = new InMemoryRelay();
    const bob = await harness({ relay, notificationIntervalMs: 0 });
    await bob.service.walletStateChanged(bob.unlocked);
    await (await bob.service.messenger).flushOutbox();
    // Alice's client is an hour behind: her message looks old when Bob polls for it.
    const alice = await cairnIdentity();
    const db = await openBrowserMessageDb(new IDBFactory(), new Uint8Array(32).fill(1));
    const transport = relay.connect();
    const aliceMessenger = new Messenger({
      db,
      identities: { ensure: async () => alice.keys },
      transport,
      onChange: () => {},
      onIncoming: () => {},
      scheduleRetry: () => {},
      log: () => {},
      now: () => Date.now() - 60 * 60_000,
    });
    try {
      await aliceMessenger.start([alice.address]);
      for (const network of bob.networks) network.live = false; // Bob's worker is asleep
      await aliceMessenger.send(alice.address, bob.address, { kind: 'text', text: 'from the past' });
      // The store times the outbox by the real clock: Alice's skewed one would see nothing due yet.
      await aliceMessenger.flushOutbox({ ignoreBackoff: true });
      await bob.service.handleAlarm(MESSAGING_WAKE_ALARM);
      expect((await bob.service.uiHandlers.listConversations({ account: bob.address }))[0]?.unread).toBe(1);
      await sleep(20);
      expect(bob.notifications).toEqual([]);
    } finally {
      await aliceMessenger.stop();
      await transport.stop();
      db.close();
    }
  });

  it('coalesces badge scans: at most one in flight, the last one after the last change', async () => {
    const { bob, send, unread } = await pair(0);
    const db = bob.dbs[0]?.db;
    if (!db) throw new Error('no store');
    const totalUnread = db.totalUnread.bind(db);
    let inFlight = 0;
    let most = 0;
    let scans = 0;
    db.totalUnread = async (account) => {
      scans += 1;
      inFlight += 1;
      most = Math.max(most, inFlight);
      try {
        await sleep(100);
        return await totalUnread(account);
      } finally {
        inFlight -= 1;
      }
    };
    const sent = 6;
    for (let i = 0; i < sent; i += 1) await send(`m${i}`);
    await expect.poll(unread).toBe(sent);
    await expect.poll(() => bob.badges.at(-1)).toBe(String(sent));
    expect(most).toBe(1);
    expect(scans).toBeLessThan(sent);
  });

  it('a lock while badge scans and notifications are pending: no badge or notification after it', async () => {
    const { bob, send, unread } = await pair(200);
    const unhandled = await collectUnhandled(async () => {
      await send('one');
      await send('two');
      await expect.poll(unread).toBe(2);
      await bob.service.walletStateChanged(LOCKED);
      const shown = bob.notifications.length;
      await sleep(400);
      expect(bob.notifications).toHaveLength(shown);
      expect(bob.badges.at(-1)).toBe('');
    });
    expect(unhandled).toEqual([]);
    await expectFullyStopped(bob);
  });
});

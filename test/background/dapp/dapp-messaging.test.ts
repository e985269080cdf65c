/**
 * The dapp messaging API end to end in memory: two wallet backgrounds (Alice with the
 * "test … junk" phrase, Bob with a fresh one) over one in-memory relay, real message
 * stores on fake-indexeddb, and sites talking to them over real bridge ports from tabs.
 * The approval windows are the only fake: the test answers them.
 */

import { IDBFactory } from 'fake-indexeddb';
import { type Address, bytesToHex } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { AnchorDb } from '../../../src/background/anchoring/anchor-db';
import type { AlarmScheduler } from '../../../src/background/auto-lock';
import type { PendingApproval } from '../../../src/background/dapp/approval-types';
import { DappMessaging } from '../../../src/background/dapp/dapp-messaging';
import type { DappPortSender } from '../../../src/background/dapp/dapp-port-server';
import { MAX_DAPP_MESSAGE_BYTES } from '../../../src/background/dapp/messaging-params';
import type { SiteEventMessage } from '../../../src/background/dapp/site-tabs';
import { openBrowserMessageDb } from '../../../src/background/messaging/browser-messaging';
import { createWalletBackground } from '../../../src/background/wallet-background';
import { anchorLeaf } from '../../../src/chain/anchor-leaf';
import { MemoryKeyValueStore } from '../../../src/keyring/key-value-store';
import { generateMnemonic } from '../../../src/keyring/mnemonic';
import { DAPP_PORT_NAME } from '../../../src/provider/channel';
import { TEST_ADDRESS_0, TEST_MNEMONIC } from '../../keyring/helpers';
import { FakeApprovalWindows } from '../../support/fake-approval-windows';
import { InMemoryRelay } from '../../support/in-memory-relay';
import { connectedPorts } from '../fake-port';

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const PASSWORD = 'password123';
const A0 = TEST_ADDRESS_0 as Address;
const NOBODY = '0x000000000000000000000000000000000000dEaD' as Address;

class Alarms implements AlarmScheduler {
  async schedule() {}
  async clear() {}
}

type RpcFailure = { code: number; message: string };

async function user(relay: InMemoryRelay, mnemonic: string) {
  const windows = new FakeApprovalWindows();
  const sent: Array<[number, SiteEventMessage]> = [];
  const anchorFactory = new IDBFactory();
  const background = createWalletBackground({
    localStore: new MemoryKeyValueStore(),
    sessionStore: new MemoryKeyValueStore(),
    alarms: new Alarms(),
    windows,
    sendToTab: async (tabId, message) => void sent.push([tabId, message]),
    extensionId: ID,
    extensionBaseUrl: `chrome-extension://${ID}/`,
    log: () => {},
    messaging: {
      openAnchorDb: () => AnchorDb.open(anchorFactory),
      openDb: (sealKey) => openBrowserMessageDb(new IDBFactory(), sealKey),
      startNetwork: async () => relay.connect(),
      notifier: { setBadge: async () => {}, notify: async () => {} },
    },
  });
  const state = await background.wallet.handlers.createFromMnemonic({ password: PASSWORD, mnemonic });
  const account = state.accounts[0]?.address;
  if (!account) throw new Error('no account');
  await background.messaging.messenger; // started, contact bundle queued

  let nextTab = 1;
  /** A page of `origin` in a new tab, talking to the wallet over a bridge port. */
  const site = (origin: string) => {
    const tabId = nextTab++;
    const sender: DappPortSender = { id: ID, url: `${origin}/`, frameId: 0, tab: { id: tabId } };
    const { client, server } = connectedPorts(DAPP_PORT_NAME, sender);
    background.handleConnect(server);
    let nextId = 1;
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: RpcFailure) => void }>();
    client.onMessage.addListener((message) => {
      const reply = message as { id: number; result?: unknown; error?: RpcFailure };
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.error) waiter?.reject(reply.error);
      else waiter?.resolve(reply.result);
    });
    const request = (method: string, params?: unknown): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        client.postMessage({ type: 'request', id, method, ...(params === undefined ? {} : { params }) });
      });
    /** Events the wallet sent to this site's tab. */
    const events = () =>
      sent.filter(([tab]) => tab === tabId).map(([, message]) => [message.event, message.data]);
    return { origin, tabId, request, events };
  };

  const nextApproval = async (): Promise<PendingApproval> => {
    const id = await windows.nextOpened();
    const approval = background.dapp.approvals.get(id);
    if (!approval) throw new Error(`approval ${id} is not pending`);
    return approval;
  };
  const approveNext = async (accounts?: Address[]) => {
    const approval = await nextApproval();
    background.dapp.approvals.decide(approval.id, { approved: true, ...(accounts ? { accounts } : {}) });
    return approval;
  };
  const rejectNext = async () => {
    const approval = await nextApproval();
    background.dapp.approvals.decide(approval.id, { approved: false });
    return approval;
  };
  /** A site of `origin` that holds eth_accounts and cairn_messaging as the first account. */
  const messagingSite = async (origin: string) => {
    const page = site(origin);
    const granted = page.request('wallet_requestPermissions', [{ cairn_messaging: {} }]);
    await approveNext([account]);
    await granted;
    return page;
  };
  return {
    background,
    windows,
    account,
    site,
    messagingSite,
    nextApproval,
    approveNext,
    rejectNext,
    anchorFactory,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function failure(promise: Promise<unknown>): Promise<RpcFailure> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: RpcFailure) => error,
  );
}

let relay: InMemoryRelay;
let alice: Awaited<ReturnType<typeof user>>;
let bob: Awaited<ReturnType<typeof user>>;

beforeAll(async () => {
  relay = new InMemoryRelay();
  alice = await user(relay, TEST_MNEMONIC);
  bob = await user(relay, generateMnemonic(12));
  // Each can find the other's contact bundle on the relay.
  const messenger = await alice.background.messaging.messenger;
  for (let i = 0; !(await messenger.canMessage(alice.account, bob.account)); i++) {
    if (i > 100) throw new Error("Bob's contact bundle never reached the relay");
    await sleep(10);
  }
});

describe('cairn_messaging permission', () => {
  it('is refused with 4100 to a site that is not connected, or connected without it', async () => {
    const page = alice.site('https://plain.example');
    for (const method of ['cairn_getIdentity', 'cairn_listConversations']) {
      expect(await failure(page.request(method))).toEqual({
        code: 4100,
        message:
          'This site may not use messaging; ask for it with wallet_requestPermissions [{ cairn_messaging: {} }]',
      });
    }
    const connecting = page.request('eth_requestAccounts');
    await alice.approveNext([A0]);
    expect(await connecting).toEqual([A0]);
    expect(await failure(page.request('cairn_getIdentity'))).toMatchObject({ code: 4100 });
    expect(await failure(page.request('cairn_canMessage', [bob.account]))).toMatchObject({ code: 4100 });
    expect(
      await failure(page.request('cairn_sendMessage', [{ to: bob.account, content: 'hi' }])),
    ).toMatchObject({ code: 4100 });
    expect(await failure(page.request('cairn_getMessages', [{ peer: bob.account }]))).toMatchObject({
      code: 4100,
    });
  });

  it('connects and grants messaging in one approval for a site that is not connected', async () => {
    const page = alice.site('https://both.example');
    const granted = page.request('wallet_requestPermissions', [{ cairn_messaging: {} }]);
    const approval = await alice.approveNext([A0]);
    expect(approval).toMatchObject({
      origin: 'https://both.example',
      method: 'wallet_requestPermissions',
      details: { kind: 'messaging', accounts: null },
    });
    const permissions = [
      {
        invoker: 'https://both.example',
        parentCapability: 'eth_accounts',
        caveats: [{ type: 'restrictReturnedAccounts', value: [A0] }],
        date: expect.any(Number),
      },
      {
        invoker: 'https://both.example',
        parentCapability: 'cairn_messaging',
        caveats: [],
        date: expect.any(Number),
      },
    ];
    expect(await granted).toEqual(permissions);
    expect(await page.request('wallet_getPermissions')).toEqual(permissions);
    expect(await page.request('eth_accounts')).toEqual([A0]);
    expect(await page.request('cairn_getIdentity')).toEqual({ address: A0 });
    await expect.poll(() => page.events()).toEqual([['accountsChanged', [A0]]]);
    // Asked again: answered at once, without a window.
    const opened = alice.windows.openCalls.length;
    expect(await page.request('wallet_requestPermissions', [{ cairn_messaging: {} }])).toEqual([
      permissions[1],
    ]);
    expect(alice.windows.openCalls).toHaveLength(opened);
    expect(await alice.background.dapp.permissions.get('https://both.example')).toMatchObject({
      messaging: true,
    });
  });

  it('asks a connected site only for messaging, showing the account it will message as', async () => {
    const page = alice.site('https://connected.example');
    const connecting = page.request('eth_requestAccounts');
    await alice.approveNext([A0]);
    await connecting;
    const opened = alice.windows.openCalls.length;
    const granted = page.request('wallet_requestPermissions', [{ cairn_messaging: {} }]);
    const approval = await alice.approveNext();
    expect(approval.details).toEqual({ kind: 'messaging', accounts: [A0] });
    expect(await granted).toEqual([
      {
        invoker: 'https://connected.example',
        parentCapability: 'cairn_messaging',
        caveats: [],
        date: expect.any(Number),
      },
    ]);
    expect(await page.request('cairn_getIdentity')).toEqual({ address: A0 });
    await page.request('wallet_requestPermissions', [{ cairn_messaging: {} }]);
    expect(alice.windows.openCalls).toHaveLength(opened + 1);
  });

  it('grants nothing when the user rejects (4001)', async () => {
    const page = alice.site('https://rejected.example');
    const granted = page.request('wallet_requestPermissions', [{ eth_accounts: {}, cairn_messaging: {} }]);
    expect((await alice.rejectNext()).details).toEqual({ kind: 'messaging', accounts: null });
    expect(await failure(granted)).toEqual({ code: 4001, message: 'User rejected the request' });
    expect(await page.request('wallet_getPermissions')).toEqual([]);
    expect(await failure(page.request('cairn_getIdentity'))).toMatchObject({ code: 4100 });

    const connecting = page.request('eth_requestAccounts');
    await alice.approveNext([A0]);
    await connecting;
    const asked = page.request('wallet_requestPermissions', [{ cairn_messaging: {} }]);
    await alice.rejectNext();
    expect(await failure(asked)).toMatchObject({ code: 4001 });
    expect(await page.request('eth_accounts')).toEqual([A0]);
    expect(await failure(page.request('cairn_getIdentity'))).toMatchObject({ code: 4100 });
  });

  it('wallet_revokePermissions of cairn_messaging keeps the connection; of eth_accounts removes both', async () => {
    const page = await alice.messagingSite('https://revoke.example');
    expect(await page.request('wallet_revokePermissions', [{ cairn_messaging: {} }])).toBeNull();
    expect(await failure(page.request('cairn_getIdentity'))).toMatchObject({ code: 4100 });
    expect(await page.request('eth_accounts')).toEqual([A0]);
    expect(await page.request('wallet_getPermissions')).toMatchObject([{ parentCapability: 'eth_accounts' }]);

    const again = page.request('wallet_requestPermissions', [{ cairn_messaging: {} }]);
    await alice.approveNext();
    await again;
    expect(await page.request('cairn_getIdentity')).toEqual({ address: A0 });
    expect(await page.request('wallet_revokePermissions', [{ eth_accounts: {} }])).toBeNull();
    expect(await page.request('wallet_getPermissions')).toEqual([]);
    expect(await failure(page.request('cairn_getIdentity'))).toMatchObject({ code: 4100 });
  });

  it('Settings → Connected sites → Revoke removes messaging too', async () => {
    const page = await alice.messagingSite('https://settings.example');
    expect(await alice.background.dapp.uiHandlers.listConnectedSites(undefined)).toContainEqual(
      expect.objectContaining({ origin: 'https://settings.example', messaging: true }),
    );
    await alice.background.dapp.uiHandlers.revokeSite({ origin: 'https://settings.example' });
    expect(await failure(page.request('cairn_getIdentity'))).toMatchObject({ code: 4100 });
    expect(await page.request('wallet_getPermissions')).toEqual([]);
  });
});

describe('cairn_* params', () => {
  it('refuses bad addresses, extra items and unknown keys with -32602 naming the place', async () => {
    const page = await alice.messagingSite('https://params.example');
    const cases: Array<[string, unknown, RegExp]> = [
      ['cairn_getIdentity', [1], /^Invalid params for cairn_getIdentity/],
      ['cairn_listConversations', [{}], /^Invalid params for cairn_listConversations/],
      [
        'cairn_canMessage',
        ['0x1234'],
        /^Invalid params for cairn_canMessage at 0: expected a 20-byte hex address$/,
      ],
      // A mixed-case address with a wrong EIP-55 checksum.
      ['cairn_canMessage', [A0.replace('f39F', 'F39f')], /at 0: expected a 20-byte hex address$/],
      ['cairn_canMessage', [bob.account, bob.account], /^Invalid params for cairn_canMessage/],
      ['cairn_canMessage', undefined, /^Invalid params for cairn_canMessage/],
      ['cairn_sendMessage', [{ to: 'bob.eth', content: 'hi' }], /at 0\.to: expected a 20-byte hex address$/],
      ['cairn_sendMessage', [{ to: bob.account, content: 'hi', from: A0 }], /at 0\.from: /],
      ['cairn_sendMessage', [{ to: bob.account }], /at 0\.content: /],
      ['cairn_getMessages', [{ peer: '0x12' }], /at 0\.peer: expected a 20-byte hex address$/],
      ['cairn_getMessages', [{ peer: bob.account, limit: 0 }], /at 0\.limit: expected at least 1$/],
      ['cairn_getMessages', [{ peer: bob.account, limit: 101 }], /at 0\.limit: expected at most 100$/],
      ['cairn_getMessages', [{ peer: bob.account, limit: 1.5 }], /at 0\.limit: expected an integer$/],
      ['cairn_getMessages', [{ peer: bob.account, before: -1 }], /at 0\.before: /],
      ['cairn_getMessages', [{ peer: bob.account, before: '2025' }], /at 0\.before: /],
      ['cairn_getMessages', [{ peer: bob.account, topic: 'x' }], /at 0\.topic: /],
    ];
    for (const [method, params, message] of cases) {
      const error = await failure(page.request(method, params));
      expect(error.code, `${method} ${JSON.stringify(params)}`).toBe(-32602);
      expect(error.message, `${method} ${JSON.stringify(params)}`).toMatch(message);
    }
  });

  it('refuses unknown content types, malformed replies and reactions, and oversized text', async () => {
    const page = await alice.messagingSite('https://content.example');
    const ref = 'ab'.repeat(32);
    const cases: Array<[unknown, RegExp]> = [
      [42, /at 0\.content: expected a string, or an object whose type is "text", "reply" or "reaction"$/],
      [
        { type: 'image', url: 'https://x' },
        /at 0\.content\.type: expected a string, or an object whose type/,
      ],
      [{ type: 'readReceipt' }, /at 0\.content\.type: /],
      [{ kind: 'text', text: 'hi' }, /at 0\.content\.type: /],
      [{ type: 'text', text: 'hi', html: '<b>hi</b>' }, /at 0\.content\.html: /],
      ['', /text must not be empty$/],
      ['\uD800 lone surrogate', /text is not well-formed Unicode/],
      // 2 bytes per character: within 64 Ki characters, over 64 KiB of UTF-8.
      ['é'.repeat(MAX_DAPP_MESSAGE_BYTES / 2 + 1), /text is larger than 65536 bytes of UTF-8$/],
      ['a'.repeat(MAX_DAPP_MESSAGE_BYTES + 1), /text is larger than 65536 bytes of UTF-8$/],
      [{ type: 'reply', reference: ref }, /at 0\.content\.text: /],
      [
        { type: 'reply', reference: 'not-an-id', text: 'x' },
        /at 0\.content\.reference: expected a message id/,
      ],
      [{ type: 'reply', reference: ref.toUpperCase(), text: 'x' }, /at 0\.content\.reference: /],
      [
        { type: 'reaction', reference: ref, action: 'added', emoji: 'hi' },
        /at 0\.content\.emoji: expected one emoji$/,
      ],
      [
        { type: 'reaction', reference: ref, action: 'added', emoji: '👍👍' },
        /at 0\.content\.emoji: expected one emoji$/,
      ],
      [{ type: 'reaction', reference: ref, action: 'liked', emoji: '👍' }, /at 0\.content\.action: /],
      [
        { type: 'reaction', reference: ref, action: 'added', emoji: '👍', schema: 'custom' },
        /at 0\.content\.schema: /,
      ],
    ];
    for (const [content, message] of cases) {
      const label = JSON.stringify(content).slice(0, 80);
      const error = await failure(page.request('cairn_sendMessage', [{ to: bob.account, content }]));
      expect(error.code, label).toBe(-32602);
      expect(error.message, label).toMatch(/^Invalid params for cairn_sendMessage at 0\.content/);
      expect(error.message, label).toMatch(message);
    }
  });

  it('answers -32602 for a recipient without a messaging identity', async () => {
    const page = await alice.messagingSite('https://nobody.example');
    expect(await page.request('cairn_canMessage', [NOBODY])).toBe(false);
    expect(await failure(page.request('cairn_sendMessage', [{ to: NOBODY, content: 'hi' }]))).toEqual({
      code: -32602,
      message: `${NOBODY} has no Cairn/XMTP identity yet`,
    });
  });
});

describe('cairn_* results and the message event', () => {
  it('sends text, replies and reactions; the peer site gets message events; both read the conversation', async () => {
    const alicePage = await alice.messagingSite('https://chat.example');
    const bobPage = await bob.messagingSite('https://chat.example');
    // Bob's other sites: connected without messaging, and not connected at all.
    const bobConnected = bob.site('https://wallet-only.example');
    const connecting = bobConnected.request('eth_requestAccounts');
    await bob.approveNext([bob.account]);
    await connecting;
    const bobStranger = bob.site('https://stranger.example');
    await bobStranger.request('eth_chainId'); // its tab is known to the wallet

    expect(await alicePage.request('cairn_canMessage', [bob.account])).toBe(true);
    const sent = (await alicePage.request('cairn_sendMessage', [
      { to: bob.account, content: 'hello bob' },
    ])) as {
      id: string;
      topic: string;
      sentAt: number;
    };
    expect(Object.keys(sent).sort()).toEqual(['id', 'sentAt', 'topic']);
    expect(sent.id).toMatch(/^[0-9a-f]{64}$/);
    expect(sent.topic).toMatch(/^\/xmtp\/0\/m-/);

    const incoming = {
      type: 'cairn_message',
      data: {
        id: sent.id,
        peer: alice.account,
        sender: alice.account,
        content: { kind: 'text', text: 'hello bob' },
        sentAt: sent.sentAt,
        topic: sent.topic,
      },
    };
    await expect.poll(() => bobPage.events()).toContainEqual(['message', incoming]);
    expect(bobConnected.events().filter(([event]) => event === 'message')).toEqual([]);
    expect(bobStranger.events()).toEqual([]);
    // Alice's own site is not told about what it sent.
    expect(alicePage.events().filter(([event]) => event === 'message')).toEqual([]);

    // Bob replies and reacts from his site.
    const reply = (await bobPage.request('cairn_sendMessage', [
      { to: alice.account, content: { type: 'reply', reference: sent.id, text: 'hi alice' } },
    ])) as { id: string };
    await sleep(5); // distinct timestamps, so the order below is certain
    const reaction = (await bobPage.request('cairn_sendMessage', [
      {
        to: alice.account,
        content: { type: 'reaction', reference: sent.id, action: 'added', emoji: '👍🏽' },
      },
    ])) as { id: string };
    await expect
      .poll(
        async () =>
          ((await alicePage.request('cairn_getMessages', [{ peer: bob.account }])) as unknown[]).length,
      )
      .toBe(3);
    const messages = (await alicePage.request('cairn_getMessages', [{ peer: bob.account }])) as Array<
      Record<string, unknown>
    >;
    for (const message of messages)
      expect(Object.keys(message).sort()).toEqual(['content', 'id', 'sender', 'sentAt', 'status']);
    expect(messages.map(({ id, sender, content }) => ({ id, sender, content }))).toEqual([
      { id: sent.id, sender: alice.account, content: { kind: 'text', text: 'hello bob' } },
      { id: reply.id, sender: bob.account, content: { kind: 'reply', text: 'hi alice', reference: sent.id } },
      {
        id: reaction.id,
        sender: bob.account,
        content: { kind: 'reaction', emoji: '👍🏽', reference: sent.id, action: 'added' },
      },
    ]);
    expect(messages.slice(1).map((message) => message.status)).toEqual(['delivered', 'delivered']);
    await expect.poll(() => alicePage.events().filter(([event]) => event === 'message').length).toBe(2);

    // Paging: the newest `limit` before `before`, oldest first.
    const [first, second] = messages as [Record<string, unknown>, Record<string, unknown>];
    expect(await alicePage.request('cairn_getMessages', [{ peer: bob.account, limit: 1 }])).toEqual([
      messages[2],
    ]);
    expect(
      await alicePage.request('cairn_getMessages', [{ peer: bob.account, before: first.sentAt as number }]),
    ).toEqual([]);
    expect(
      await alicePage.request('cairn_getMessages', [
        { peer: bob.account, before: (second.sentAt as number) + 1, limit: 1 },
      ]),
    ).toEqual([second]);
    expect(await alicePage.request('cairn_getMessages', [{ peer: NOBODY }])).toEqual([]);

    const conversations = (await bobPage.request('cairn_listConversations')) as Array<
      Record<string, unknown>
    >;
    expect(conversations).toEqual([
      {
        peer: alice.account,
        topic: sent.topic,
        lastMessage: expect.objectContaining({ id: reaction.id, sender: bob.account }),
        unread: 1,
      },
    ]);
    expect(Object.keys(conversations[0]?.lastMessage as object).sort()).toEqual([
      'content',
      'id',
      'sender',
      'sentAt',
      'status',
    ]);
  });

  it('sends text of exactly 64 KiB', async () => {
    const page = await alice.messagingSite('https://long.example');
    const text = 'a'.repeat(MAX_DAPP_MESSAGE_BYTES);
    const sent = (await page.request('cairn_sendMessage', [
      { to: bob.account, content: { type: 'text', text } },
    ])) as {
      id: string;
    };
    const messages = (await page.request('cairn_getMessages', [{ peer: bob.account, limit: 100 }])) as Array<{
      id: string;
      content: unknown;
    }>;
    expect(messages.find((message) => message.id === sent.id)?.content).toEqual({ kind: 'text', text });
  });
});

describe('cairn_* rate limits', () => {
  it('limits reads per origin through the wallet (-32005), other origins unaffected', async () => {
    const page = await alice.messagingSite('https://busy.example');
    const other = await alice.messagingSite('https://calm.example');
    const results = await Promise.allSettled(
      Array.from({ length: 70 }, () => page.request('cairn_getIdentity')),
    );
    const refused = results.filter((result) => result.status === 'rejected').map((result) => result.reason);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    expect(refused[0]).toEqual({
      code: -32005,
      message: 'Too many messaging requests from this site; slow down',
    });
    expect(await other.request('cairn_getIdentity')).toEqual({ address: A0 });
  });

  it('allows a burst of 20 sends, then 5 per second, before looking at the params', async () => {
    let now = 1_000_000;
    const dapp = alice.background.dapp;
    await alice.messagingSite('https://sender.example');
    const messaging = new DappMessaging({
      permissions: dapp.permissions,
      isUnlocked: () => alice.background.keyring.isUnlocked(),
      permittedAccounts: (origin) => dapp.rpc.permittedAccounts(origin),
      source: alice.background.messaging,
      now: () => now,
    });
    const send = () =>
      messaging.handle('https://sender.example', 'cairn_sendMessage', [{ to: 'x', content: 'hi' }]);
    for (let i = 0; i < 20; i++) await expect(send()).rejects.toMatchObject({ code: -32602 });
    await expect(send()).rejects.toMatchObject({ code: -32005 });
    // Reads have their own budget.
    expect(await messaging.handle('https://sender.example', 'cairn_getIdentity', [])).toEqual({
      address: A0,
    });
    now += 200;
    await expect(send()).rejects.toMatchObject({ code: -32602 });
    await expect(send()).rejects.toMatchObject({ code: -32005 });
  });
});

describe('cairn_* while locked', () => {
  it('answers 4100 while locked, and works again once unlocked', async () => {
    const relayOfHer = new InMemoryRelay();
    const carol = await user(relayOfHer, generateMnemonic(12));
    const page = await carol.messagingSite('https://locked.example');
    await carol.background.wallet.handlers.lock(undefined);
    expect(await page.request('eth_accounts')).toEqual([]);
    for (const [method, params] of [
      ['cairn_getIdentity', undefined],
      ['cairn_listConversations', []],
      ['cairn_sendMessage', [{ to: carol.account, content: 'hi' }]],
    ] as const) {
      expect(await failure(page.request(method, params))).toEqual({
        code: 4100,
        message: 'Wallet is locked',
      });
    }
    await carol.background.wallet.handlers.unlock({ password: PASSWORD });
    expect(await page.request('cairn_getIdentity')).toEqual({ address: carol.account });
    await expect.poll(() => page.request('cairn_listConversations')).toEqual([]);
  });
});

describe('cairn_getMessageProof', () => {
  it('is null while the message is not anchored, then the proof, with whether this wallet verified it', async () => {
    const page = await alice.messagingSite('https://proofs.example');
    const sent = (await page.request('cairn_sendMessage', [{ to: bob.account, content: 'prove me' }])) as {
      id: string;
      topic: string;
    };
    expect(await page.request('cairn_getMessageProof', [sent.id])).toBeNull();
    expect(await failure(page.request('cairn_getMessageProof', ['0x12']))).toMatchObject({ code: -32602 });
    expect(
      await failure(alice.site('https://other.example').request('cairn_getMessageProof', [sent.id])),
    ).toMatchObject({
      code: 4100,
    });

    // The relay's proof, as the anchoring tracker stores it once checked against the chain.
    const db = await AnchorDb.open(alice.anchorFactory);
    const anchor = {
      root: `0x${'aa'.repeat(32)}` as const,
      proof: [`0x${'bb'.repeat(32)}` as const],
      batchId: '7',
      txHash: `0x${'cc'.repeat(32)}` as const,
      blockNumber: '99',
      chainId: 31337,
      contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address,
      manifestCid: 'bafymanifest',
    };
    const base = {
      account: alice.account,
      messageId: sent.id,
      contentTopic: sent.topic,
      trackedAt: 1,
      nextCheckAt: 1,
      attempts: 0,
    };
    await db.put([{ ...base, state: 'anchored', anchor }]);
    const leaf = bytesToHex(anchorLeaf(sent.id, sent.topic));
    const { manifestCid: _cid, ...expected } = anchor;
    expect(await page.request('cairn_getMessageProof', [sent.id])).toEqual({
      ...expected,
      leaf,
      verified: false,
    });
    await db.put([{ ...base, state: 'verified', anchor: { ...anchor, verifiedAt: 2 } }]);
    expect(await page.request('cairn_getMessageProof', [sent.id])).toEqual({
      ...expected,
      leaf,
      verified: true,
    });
    db.close();
  });
});

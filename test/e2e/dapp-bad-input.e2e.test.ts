/**
 * What a hostile or careless page can throw at Cairn's dapp path, in the real
 * browser: forged bridge messages, a fake origin in the payload, floods of
 * requests, unknown methods, malformed params, a revoked site, and the approval
 * page loaded in a frame. Each test uses its own site (origin) where it matters.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from './dapp/api';
import { approvalId, decide, openDapp, requestingSite } from './support/dapp-flows';
import { DAPP_TEST_PASSWORD, type DappSuite, startDappSuite } from './support/dapp-suite';
import { accountAddresses, TEST_ADDRESS_0, TEST_MNEMONIC } from './support/popup-flows';

const PASSWORD = DAPP_TEST_PASSWORD;
const INPAGE_CHANNEL = 'cairn:inpage';
/** How long "no answer" is given to show up; the bridge answers real requests in milliseconds. */
const SILENCE_MS = 1000;

/** The privileged popup API's method names: a page must never reach them. */
const INTERNAL_METHODS = [
  ['unlock', { password: PASSWORD }],
  ['lock', undefined],
  ['getState', undefined],
  ['createFromMnemonic', { mnemonic: TEST_MNEMONIC, password: 'attacker password' }],
  ['createFromPrivateKey', { privateKey: `0x${'11'.repeat(32)}`, password: 'attacker password' }],
  ['getApproval', { id: '00000000-0000-4000-8000-000000000000' }],
  ['resolveApproval', { id: '00000000-0000-4000-8000-000000000000', approved: true }],
  ['revokeSite', { origin: 'http://127.0.0.1' }],
  ['addNetwork', { chainId: 1337, name: 'Evil', rpcUrl: 'https://evil.example', currencySymbol: 'ETH' }],
  ['selectNetwork', { chainId: 84532 }],
  ['eth_sign', [TEST_ADDRESS_0, '0xdeadbeef']],
  ['eth_signTransaction', [{ from: TEST_ADDRESS_0 }]],
] as const;

function expectError(outcome: Outcome<unknown>, code: number) {
  expect(outcome.ok, JSON.stringify(outcome)).toBe(false);
  if (!outcome.ok) expect(outcome.error.code).toBe(code);
}

describe('bad input to the dapp provider', () => {
  let browser: DappSuite['browser'];
  let approvals: DappSuite['approvals'];
  /** One origin per concern: A is spoofed and connected, B floods and stays unconnected, C and D are revoked. */
  let siteA: DappSuite['sites'][number];
  let siteB: DappSuite['sites'][number];
  let siteC: DappSuite['sites'][number];
  let siteD: DappSuite['sites'][number];

  beforeAll(async () => {
    const started = await startDappSuite({ siteCount: 4 });
    ({ browser, approvals } = started.suite);
    [siteA, siteB, siteC, siteD] = started.suite.sites as [
      typeof siteA,
      typeof siteA,
      typeof siteA,
      typeof siteA,
    ];
    return started.stop;
  });

  /** Resolves when the page got a bridge reply for `id` (a message the page posted itself). */
  function replyTo(page: Page, id: string) {
    return page
      .waitForFunction(
        (wanted) => window.cairnDapp.contentMessages().find((m) => (m as { id?: unknown }).id === wanted),
        id,
      )
      .then((handle) => handle.jsonValue());
  }

  it('answers nothing to forged bridge messages and changes nothing', async () => {
    const page = await openDapp(browser, siteA.url);
    // Right channel, but posted by a same-origin iframe to its parent (event.source is not the page's window).
    await page.evaluate(async () => {
      const frame = document.createElement('iframe');
      frame.srcdoc = '<p>child frame</p>';
      const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      document.body.append(frame);
      await loaded;
    });
    const child = page.frames().find((frame) => frame !== page.mainFrame());
    if (!child) throw new Error('the child frame did not appear');
    await child.evaluate(
      ([channel, address]) => {
        parent.postMessage(
          { channel, type: 'request', id: 'forged-frame-1', method: 'eth_requestAccounts' },
          '*',
        );
        parent.postMessage(
          {
            channel,
            type: 'request',
            id: 'forged-frame-2',
            method: 'personal_sign',
            params: ['0x00', address],
          },
          '*',
        );
      },
      [INPAGE_CHANNEL, TEST_ADDRESS_0] as const,
    );
    // From the page's own window, on the real channel: internal and unsupported method names, and junk.
    const forged: unknown[] = INTERNAL_METHODS.map(([method, params], i) => ({
      channel: INPAGE_CHANNEL,
      type: 'request',
      id: `forged-internal-${i}`,
      method,
      params,
    }));
    forged.push(
      { channel: 'cairn:content', type: 'request', id: 'forged-channel-1', method: 'eth_requestAccounts' },
      {
        channel: 'cairn-ui',
        type: 'request',
        id: 'forged-channel-2',
        method: 'unlock',
        params: { password: PASSWORD },
      },
      { channel: INPAGE_CHANNEL, type: 'response', id: 'forged-type-1', method: 'eth_requestAccounts' },
      { channel: INPAGE_CHANNEL, type: 'request', id: 7, method: 'eth_requestAccounts' },
      {
        channel: INPAGE_CHANNEL,
        type: 'request',
        id: `forged-long-${'x'.repeat(200)}`,
        method: 'eth_chainId',
      },
      { channel: INPAGE_CHANNEL, type: 'request', id: 'forged-method-obj', method: { toString: null } },
      `${INPAGE_CHANNEL} eth_requestAccounts`,
    );
    await page.evaluate((messages) => {
      for (const message of messages) window.cairnDapp.post(message);
    }, forged);

    // A real request posted after them is answered, so the bridge has seen all of the above.
    expect(await page.evaluate(() => window.cairnDapp.request('eth_chainId'))).toEqual({
      ok: true,
      value: '0x7a69',
    });
    // What the bridge posts is a response or an event (the list also holds the page's own forgery on that channel).
    const isForgedReply = (message: unknown) => {
      const { type, id } = message as { type?: unknown; id?: unknown };
      return (type === 'response' || type === 'event') && (typeof id !== 'string' || id.startsWith('forged'));
    };
    // Give any answer to the forged messages a bounded time to show up; none may.
    await page
      .waitForFunction(
        () =>
          window.cairnDapp.contentMessages().some((m) => {
            const { type, id } = m as { type?: unknown; id?: unknown };
            return (
              (type === 'response' || type === 'event') && (typeof id !== 'string' || id.startsWith('forged'))
            );
          }),
        undefined,
        { timeout: SILENCE_MS },
      )
      .catch(() => {}); // the timeout is the expected outcome
    const replies = await page.evaluate(() => window.cairnDapp.contentMessages());
    expect(replies.filter(isForgedReply)).toEqual([]);
    expect(replies.filter((m) => (m as { type?: unknown }).type === 'event')).toEqual([]);

    // Nothing changed: no window, no permission, no new network, the wallet is still unlocked and works.
    expect(approvals.open()).toEqual([]);
    expect(await page.evaluate(() => window.cairnDapp.request('wallet_getPermissions'))).toEqual({
      ok: true,
      value: [],
    });
    expect(await page.evaluate(() => window.cairnDapp.request('eth_accounts'))).toEqual({
      ok: true,
      value: [],
    });
    expect(await page.evaluate(() => window.cairnDapp.request('eth_chainId'))).toEqual({
      ok: true,
      value: '0x7a69',
    });
    const popup = await browser.openPopup();
    const accounts = popup.getByRole('list', { name: 'Accounts' });
    await accounts.or(popup.getByRole('button', { name: 'Unlock' })).waitFor();
    expect(await accounts.isVisible()).toBe(true); // a forged `lock` would show the Unlock screen
    expect(await accountAddresses(popup)).toEqual([TEST_ADDRESS_0]);
    await popup.close();
    await page.close();
  });

  it('ignores an origin carried in the payload: permissions land on the real origin', async () => {
    const pageA = await openDapp(browser, siteA.url);
    const fake = {
      origin: siteB.origin,
      url: siteB.url,
      sender: { origin: siteB.origin, frameId: 0, tab: { id: 1 } },
    };
    await pageA.evaluate(
      ([channel, extra]) =>
        window.cairnDapp.post({
          channel,
          type: 'request',
          id: 'fake-origin-1',
          method: 'eth_requestAccounts',
          ...extra,
        }),
      [INPAGE_CHANNEL, fake] as const,
    );
    const approval = await approvals.next();
    expect(await requestingSite(approval)).toBe(siteA.origin);
    await decide(approval, 'Connect');
    expect(await replyTo(pageA, 'fake-origin-1')).toMatchObject({ result: [TEST_ADDRESS_0] });

    const pageB = await openDapp(browser, siteB.url);
    expect(await pageB.evaluate(() => window.cairnDapp.request('wallet_getPermissions'))).toEqual({
      ok: true,
      value: [],
    });
    expect(await pageB.evaluate(() => window.cairnDapp.request('eth_accounts'))).toEqual({
      ok: true,
      value: [],
    });
    // Site B claiming to be site A cannot revoke A's permission either.
    await pageB.evaluate(
      ([channel, origin]) =>
        window.cairnDapp.post({
          channel,
          type: 'request',
          id: 'fake-origin-2',
          method: 'wallet_revokePermissions',
          params: [{ eth_accounts: {} }],
          origin,
        }),
      [INPAGE_CHANNEL, siteA.origin] as const,
    );
    expect(await replyTo(pageB, 'fake-origin-2')).toMatchObject({ result: null });

    const permissions = await pageA.evaluate(() => window.cairnDapp.request('wallet_getPermissions'));
    expect(permissions).toMatchObject({
      ok: true,
      value: [
        {
          invoker: siteA.origin,
          parentCapability: 'eth_accounts',
          caveats: [{ type: 'restrictReturnedAccounts', value: [TEST_ADDRESS_0] }],
        },
      ],
    });
    expect(await pageA.evaluate(() => window.cairnDapp.request('eth_accounts'))).toEqual({
      ok: true,
      value: [TEST_ADDRESS_0],
    });
    await pageA.close();
    await pageB.close();
  });

  it('opens one window for 50 parallel eth_requestAccounts and answers the other 49 with -32002', async () => {
    const page = await openDapp(browser, siteB.url);
    await page.evaluate(() => window.cairnDapp.burst('eth_requestAccounts', undefined, 50));
    const approval = await approvals.next();
    await page.waitForFunction(() => window.cairnDapp.burstResults().length >= 49);
    const early = await page.evaluate(() => window.cairnDapp.burstResults());
    expect(early).toHaveLength(49);
    for (const outcome of early) expectError(outcome, -32002);
    // Every other request has been answered, so no further window can come.
    expect(approvals.open()).toHaveLength(1);
    expect(approvals.open()[0]).toBe(approval);

    await decide(approval, 'Reject');
    await page.waitForFunction(() => window.cairnDapp.burstResults().length === 50);
    const last = (await page.evaluate(() => window.cairnDapp.burstResults()))[49];
    expectError(last!, 4001);
    await page.close();
  });

  it('refuses unknown methods (4200) and malformed params (-32602)', async () => {
    const page = await openDapp(browser, siteA.url); // connected by the test above
    const call = (method: string, params?: unknown) =>
      page.evaluate(([m, p]) => window.cairnDapp.request(m, p), [method, params] as const);
    for (const method of [
      'eth_sign',
      'eth_signTransaction',
      'unlock',
      'cairn_exportMnemonic',
      'wallet_foo',
    ]) {
      expectError(await call(method, []), 4200);
    }
    expectError(await call('personal_sign', ['0x68656c6c6f', 'not-an-address']), -32602);
    expectError(await call('personal_sign', ['0x68656c6c6f']), -32602);
    expectError(await call('eth_signTypedData_v4', [TEST_ADDRESS_0, '{not json']), -32602);
    expectError(
      await call('eth_sendTransaction', [{ from: TEST_ADDRESS_0, to: '0x1234', value: '0x1' }]),
      -32602,
    );
    expectError(await call('wallet_switchEthereumChain', [{ chainId: 'mainnet' }]), -32602);
    expectError(await call('eth_chainId', ['unexpected']), -32602);
    expect(approvals.open()).toEqual([]);
    await page.close();
  });

  it('answers 4100 to a revoked site, which is told accountsChanged([])', async () => {
    const page = await openDapp(browser, siteC.url);
    const connecting = page.evaluate(() => window.cairnDapp.requestAddresses());
    await decide(await approvals.next(), 'Connect');
    expect(await connecting).toEqual({ ok: true, value: [TEST_ADDRESS_0] });

    expect(
      await page.evaluate(() => window.cairnDapp.request('wallet_revokePermissions', [{ eth_accounts: {} }])),
    ).toEqual({ ok: true, value: null });
    await page.waitForFunction(() =>
      window.cairnDapp
        .events()
        .some((e) => e.event === 'accountsChanged' && Array.isArray(e.data) && e.data.length === 0),
    );
    expect(
      await page.evaluate(() => window.cairnDapp.events().filter((e) => e.event === 'accountsChanged')),
    ).toEqual([
      { event: 'accountsChanged', data: [TEST_ADDRESS_0] },
      { event: 'accountsChanged', data: [] },
    ]);
    const signing = await page.evaluate(
      (address) => window.cairnDapp.request('personal_sign', ['0x68656c6c6f', address]),
      TEST_ADDRESS_0,
    );
    expectError(signing, 4100);
    expect(await page.evaluate(() => window.cairnDapp.request('eth_accounts'))).toEqual({
      ok: true,
      value: [],
    });
    expect(approvals.open()).toEqual([]);
    await page.close();
  });

  it("revoking in the popup's Connected sites rejects the site's pending request and then answers 4100", async () => {
    const page = await openDapp(browser, siteD.url);
    const connecting = page.evaluate(() => window.cairnDapp.requestAddresses());
    await decide(await approvals.next(), 'Connect');
    expect(await connecting).toEqual({ ok: true, value: [TEST_ADDRESS_0] });
    const pending = page.evaluate(
      (address) => window.cairnDapp.request('personal_sign', ['0x68656c6c6f', address]),
      TEST_ADDRESS_0,
    );
    const approval = await approvals.next();
    const approvalClosed = approval.waitForEvent('close');

    const popup = await browser.openPopup();
    await popup.getByRole('button', { name: 'Settings' }).click();
    const sites = popup.getByRole('list', { name: 'Connected sites' });
    await sites.getByText(siteD.origin).waitFor();
    await sites.getByRole('button', { name: `Revoke ${siteD.origin}` }).click();
    await sites.getByText(siteD.origin).waitFor({ state: 'detached' });
    await popup.close();

    expectError(await pending, 4001);
    await approvalClosed;
    await page.waitForFunction(() =>
      window.cairnDapp
        .events()
        .some((e) => e.event === 'accountsChanged' && Array.isArray(e.data) && e.data.length === 0),
    );
    const signing = await page.evaluate(
      (address) => window.cairnDapp.request('personal_sign', ['0x68656c6c6f', address]),
      TEST_ADDRESS_0,
    );
    expectError(signing, 4100);
    await page.close();
  });

  it('does nothing when the approval page is loaded in a frame', async () => {
    const dapp = await openDapp(browser, siteB.url);
    const pending = dapp.evaluate(() => window.cairnDapp.request('eth_requestAccounts'));
    let pendingSettled = false;
    const settle = () => {
      pendingSettled = true;
    };
    pending.then(settle, settle);
    const approval = await approvals.next();
    const id = approvalId(approval);
    expect(id).not.toBe('');

    // An extension page (the popup) frames the approval page; count runtime ports each frame opens.
    const popup = await browser.context.newPage();
    await popup.addInitScript(() => {
      const counter = { ports: 0 };
      (window as { cairnPortsOpened?: () => number }).cairnPortsOpened = () => counter.ports;
      const namespaces = globalThis as { chrome?: unknown; browser?: unknown };
      for (const ns of new Set([namespaces.chrome, namespaces.browser])) {
        const runtime = (ns as { runtime?: { connect?: (...args: unknown[]) => unknown } } | undefined)
          ?.runtime;
        const connect = runtime?.connect;
        if (!runtime || typeof connect !== 'function') continue;
        runtime.connect = (...args: unknown[]) => {
          counter.ports++;
          return connect.apply(runtime, args);
        };
      }
    });
    await popup.goto(`chrome-extension://${browser.extensionId}/popup.html`);
    await popup.getByRole('list', { name: 'Accounts' }).waitFor();
    await popup.evaluate(
      (approvalUrl) => {
        const frame = document.createElement('iframe');
        frame.src = approvalUrl;
        frame.title = 'framed approval';
        document.body.append(frame);
      },
      `chrome-extension://${browser.extensionId}/approval.html?id=${encodeURIComponent(id)}`,
    );
    const framed = popup.frameLocator('iframe[title="framed approval"]');
    await framed.getByText('Cairn approvals only work in their own window.').waitFor();
    expect(await framed.getByRole('button').count()).toBe(0);
    const frame = popup.frames().find((f) => f.url().includes('/approval.html'));
    if (!frame) throw new Error('the framed approval page is missing');
    expect(
      await frame.evaluate(() => (window as { cairnPortsOpened?: () => number }).cairnPortsOpened?.()),
    ).toBe(0);
    // The instrumentation works: the popup itself opened its port.
    expect(
      await popup.evaluate(() => (window as { cairnPortsOpened?: () => number }).cairnPortsOpened?.()),
    ).toBeGreaterThan(0);

    // The approval is still pending, in its own window only.
    expect(approvals.open()).toHaveLength(1);
    expect(approvals.open()[0]).toBe(approval);
    await approval.getByRole('button', { name: 'Connect' }).waitFor();
    expect(pendingSettled).toBe(false);
    await decide(approval, 'Reject');
    expectError(await pending, 4001);
    await popup.close();
    await dapp.close();
  });
});

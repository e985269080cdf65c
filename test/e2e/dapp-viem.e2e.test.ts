/**
 * A real viem dapp meets Cairn: EIP-6963 discovery (mipd), connect, sign, sign typed
 * data, reject, send a transaction on a Hardhat devnet, read-only passthrough, and the
 * locked wallet's approval flow. The dapp has no Cairn-specific code.
 */
import type { Page } from 'playwright-core';
import { createPublicClient, type Hex, http, parseEther, verifyMessage, verifyTypedData } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEVNET_CHAIN, MAIL_TYPED_DATA } from './dapp/fixtures';
import { decide, openDapp, requestingSite } from './support/dapp-flows';
import { DAPP_TEST_PASSWORD, type DappSuite, DEVNET_URL, startDappSuite } from './support/dapp-suite';
import { TEST_ADDRESS_0, TEST_ADDRESS_1, unlock } from './support/popup-flows';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('a viem dapp with Cairn', () => {
  let suite: DappSuite;
  let page: Page;
  const chain = createPublicClient({ chain: DEVNET_CHAIN, transport: http(DEVNET_URL) });

  beforeAll(async () => {
    const started = await startDappSuite({ siteCount: 1 });
    suite = started.suite;
    return started.stop;
  });

  it('is discovered through EIP-6963 with a frozen detail, and is window.ethereum', async () => {
    page = await openDapp(suite.browser, suite.sites[0]!.url);
    const report = await page.evaluate(() => window.cairnDapp.discover());
    expect(report.providers).toHaveLength(1);
    const [info] = report.providers;
    expect(info?.name).toBe('Cairn');
    expect(info?.rdns).toBe('dev.cairn.wallet');
    expect(info?.uuid).toMatch(UUID_V4);
    expect(info?.icon).toMatch(/^data:image\/svg\+xml[;,]/);
    expect(report.detailFrozen.length).toBeGreaterThan(0);
    expect(report.detailFrozen.every(Boolean)).toBe(true);
    expect(report.infoFrozen.every(Boolean)).toBe(true);
    expect(report.ethereumIsCairn).toBe(true);
    expect(await page.evaluate(() => window.cairnDapp.request('eth_chainId'))).toEqual({
      ok: true,
      value: '0x7a69',
    });
    expect(await page.evaluate(() => window.cairnDapp.getChainId())).toEqual({ ok: true, value: 31337 });
    expect(await page.evaluate(() => window.cairnDapp.events())).toEqual([
      { event: 'connect', data: { chainId: '0x7a69' } },
    ]);
  });

  it('connects, signs a message and typed data, and a rejection reaches viem as UserRejectedRequestError', async () => {
    const connecting = page.evaluate(() => window.cairnDapp.requestAddresses());
    const connect = await suite.approvals.next();
    expect(await requestingSite(connect)).toBe(suite.sites[0]!.origin);
    await decide(connect, 'Connect');
    expect(await connecting).toEqual({ ok: true, value: [TEST_ADDRESS_0] });

    const message = 'Sign in to the Cairn test dapp';
    const signing = page.evaluate(([address, text]) => window.cairnDapp.signMessage(address, text), [
      TEST_ADDRESS_0,
      message,
    ] as const);
    const signWindow = await suite.approvals.next();
    await signWindow.getByText(message).waitFor();
    await decide(signWindow, 'Sign');
    const signed = await signing;
    if (!signed.ok) throw new Error(`signMessage failed: ${JSON.stringify(signed.error)}`);
    expect(await verifyMessage({ address: TEST_ADDRESS_0, message, signature: signed.value as Hex })).toBe(
      true,
    );

    const signingTyped = page.evaluate((address) => window.cairnDapp.signTypedData(address), TEST_ADDRESS_0);
    const typedWindow = await suite.approvals.next();
    await typedWindow.getByText('Hello, Bob!').waitFor();
    await decide(typedWindow, 'Sign');
    const typed = await signingTyped;
    if (!typed.ok) throw new Error(`signTypedData failed: ${JSON.stringify(typed.error)}`);
    expect(
      await verifyTypedData({ address: TEST_ADDRESS_0, ...MAIL_TYPED_DATA, signature: typed.value as Hex }),
    ).toBe(true);

    const refusing = page.evaluate(
      (address) => window.cairnDapp.signMessage(address, 'Do not sign this'),
      TEST_ADDRESS_0,
    );
    await decide(await suite.approvals.next(), 'Reject');
    const refused = await refusing;
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.name).toBe('UserRejectedRequestError');
      expect(refused.error.code).toBe(4001);
    }
  });

  it('sends 1 ETH on the devnet and the receipt shows it', async () => {
    const before = await chain.getBalance({ address: TEST_ADDRESS_1 });
    const sending = page.evaluate(([from, to, value]) => window.cairnDapp.sendTransaction(from, to, value), [
      TEST_ADDRESS_0,
      TEST_ADDRESS_1,
      parseEther('1').toString(),
    ] as const);
    const confirm = await suite.approvals.next();
    await confirm.getByText(TEST_ADDRESS_1).waitFor();
    await confirm.getByText('1 ETH', { exact: true }).waitFor();
    await decide(confirm, 'Confirm');
    const sent = await sending;
    if (!sent.ok) throw new Error(`sendTransaction failed: ${JSON.stringify(sent.error)}`);
    const receipt = await chain.waitForTransactionReceipt({ hash: sent.value as Hex, timeout: 30_000 });
    expect(receipt.status).toBe('success');
    expect(receipt.from.toLowerCase()).toBe(TEST_ADDRESS_0.toLowerCase());
    expect(receipt.to?.toLowerCase()).toBe(TEST_ADDRESS_1.toLowerCase());
    expect(await chain.getBalance({ address: TEST_ADDRESS_1 })).toBe(before + parseEther('1'));
  });

  it('passes read-only calls through to the devnet, and a closed approval window is a rejection (4001)', async () => {
    const blockNumber = await page.evaluate(() => window.cairnDapp.request('eth_blockNumber'));
    expect(blockNumber).toEqual({ ok: true, value: `0x${(await chain.getBlockNumber()).toString(16)}` });
    const balance = await page.evaluate(
      (address) => window.cairnDapp.request('eth_call', [{ to: address, data: '0x' }, 'latest']),
      TEST_ADDRESS_1,
    );
    expect(balance).toEqual({ ok: true, value: '0x' });

    const closing = page.evaluate(
      (address) => window.cairnDapp.signMessage(address, 'Closed without an answer'),
      TEST_ADDRESS_0,
    );
    const window_ = await suite.approvals.next();
    await window_.getByRole('button', { name: 'Sign' }).waitFor();
    await window_.close();
    const closed = await closing;
    expect(closed.ok).toBe(false);
    if (!closed.ok) {
      expect(closed.error.name).toBe('UserRejectedRequestError');
      expect(closed.error.code).toBe(4001);
    }
  });

  it('asks for the password in the approval window when the wallet is locked, then signs', async () => {
    const popup = await suite.browser.openPopup();
    await popup.getByRole('button', { name: 'Lock' }).click();
    await popup.getByRole('button', { name: 'Unlock' }).waitFor();
    await popup.close();
    const lastAccountsChanged = () =>
      page.evaluate(() => window.cairnDapp.events().findLast((e) => e.event === 'accountsChanged')?.data);
    await expect.poll(lastAccountsChanged).toEqual([]); // a locked wallet shows no accounts

    const message = 'Signed after unlocking';
    const signing = page.evaluate(([address, text]) => window.cairnDapp.signMessage(address, text), [
      TEST_ADDRESS_0,
      message,
    ] as const);
    const approval = await suite.approvals.next();
    await approval.getByLabel('Password', { exact: true }).waitFor();
    expect(await approval.getByText(message).count()).toBe(0);
    await unlock(approval, DAPP_TEST_PASSWORD);
    await approval.getByText(message).waitFor();
    await decide(approval, 'Sign');
    const signed = await signing;
    if (!signed.ok) throw new Error(`signMessage failed: ${JSON.stringify(signed.error)}`);
    expect(await verifyMessage({ address: TEST_ADDRESS_0, message, signature: signed.value as Hex })).toBe(
      true,
    );
    await expect.poll(lastAccountsChanged).toEqual([TEST_ADDRESS_0]);
  });

  it('still tells the site about a lock and a network switch after the service worker stopped', async () => {
    const lastEvent = (name: 'accountsChanged' | 'chainChanged') =>
      page.evaluate((event) => window.cairnDapp.events().findLast((e) => e.event === event)?.data, name);
    await suite.browser.stopServiceWorker(); // the bridge's port is gone; the page makes no request
    const popup = await suite.browser.openPopup();
    await popup.getByRole('button', { name: 'Lock' }).click();
    await expect.poll(() => lastEvent('accountsChanged')).toEqual([]);
    await unlock(popup, DAPP_TEST_PASSWORD);
    await expect.poll(() => lastEvent('accountsChanged')).toEqual([TEST_ADDRESS_0]);

    await suite.browser.stopServiceWorker();
    await popup.reload();
    await popup.getByRole('button', { name: 'Settings' }).click();
    await popup.getByLabel('Selected network').selectOption('84532');
    await expect.poll(() => lastEvent('chainChanged')).toBe('0x14a34');
    await popup.getByLabel('Selected network').selectOption('31337');
    await expect.poll(() => lastEvent('chainChanged')).toBe('0x7a69');
    await popup.close();
  });
});

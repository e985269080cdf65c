/**
 * Key transparency end to end: the Hardhat devnet with the contracts at their fixed addresses, the
 * relay daemon, two browser profiles. Bob publishes his messaging key on chain from Settings
 * (his contact bundle pinned by the relay, KeyRegistry.publish confirmed in Cairn's own approval
 * window). The relay then loses its envelope store, so its contact directory forgets Bob (its
 * pinned blocks stay); Alice, who never saw Bob's bundle, still starts a conversation with him:
 * her wallet finds his CID in the KeyRegistry and the bundle over bitswap. Bob's second account,
 * never published on chain, is the control: after the relay forgot, nobody can find it.
 */
import type { Page } from 'playwright-core';
import { createPublicClient, getAddress, http } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVNET_PORT, type HardhatNode, startHardhatNode } from '../../scripts/devnet.ts';
import { DEVNET_CONTRACTS } from '../../src/chain/anchoring-contracts.ts';
import { keyRegistryAbi } from '../../src/chain/contract-artifacts.ts';
import { contactTopic } from '../../src/protocol/index.ts';
import { startNodeClient } from '../support/node-client.ts';
import { deployDevnetContracts } from './support/anchoring-devnet.ts';
import { decide, requestingSite, watchApprovalWindows } from './support/dapp-flows.ts';
import { newProfileDir } from './support/extension-browser.ts';
import {
  chatTexts,
  type MessengerUser,
  onboardToMessages,
  openConversation,
  openMessages,
  openSettings,
  reopenMessenger,
  sendMessage,
  startConversation,
} from './support/messenger-flows.ts';
import {
  accountAddresses,
  MESSENGER_PASSWORD as PASSWORD,
  SECOND_MNEMONIC,
  TEST_MNEMONIC,
} from './support/popup-flows.ts';
import { forgetEnvelopes, newRelayDataDir, type RelayDaemon, startRelay } from './support/relay-daemon.ts';

// Bob holds the funded dev phrase (he pays for his key); Alice only messages.
const ALICE_MNEMONIC = SECOND_MNEMONIC;

let devnet: HardhatNode;
let relay: RelayDaemon;
let relayDir: string;
let bobProfile: string;
let bob: MessengerUser;
let alice: MessengerUser | undefined;

/** Which of `addresses` have a contact bundle in the relay's directory (read from Node). */
async function onRelay(addresses: string[]): Promise<string[]> {
  const client = await startNodeClient(relay.addresses[0] ?? '');
  try {
    const found: string[] = [];
    for (const address of addresses) {
      const page = await client.store.query(client.relay, {
        contentTopics: [contactTopic(getAddress(address))],
        limit: 1,
        direction: 'descending',
      });
      if (page.envelopes.length > 0) found.push(address);
    }
    return found;
  } finally {
    await client.stop();
  }
}

/** The Key on chain row of the account at `address`. */
function keyRow(popup: Page, address: string) {
  const short = `${address.slice(0, 6)}…${address.slice(-4)}`;
  return popup.getByRole('list', { name: 'Key on chain' }).getByRole('listitem').filter({ hasText: short });
}

beforeAll(async () => {
  devnet = await startHardhatNode({ port: DEVNET_PORT });
  await deployDevnetContracts(devnet.url);
  relayDir = await newRelayDataDir();
  relay = await startRelay(relayDir);
  bobProfile = await newProfileDir();
  bob = await onboardToMessages(bobProfile, TEST_MNEMONIC, PASSWORD);
});

afterAll(async () => {
  await alice?.browser.close();
  await bob?.browser.close();
  await relay?.stop();
  await devnet?.stop();
});

describe('key registry', () => {
  it('Bob publishes his key on chain; after the relay forgot him, Alice finds him through the chain', async () => {
    const { popup } = bob;
    await popup.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Wallet' }).click();
    await popup.getByRole('button', { name: 'Add account' }).click();
    await expect.poll(() => accountAddresses(popup)).toHaveLength(2);
    const [bobMain, bobSecond] = (await accountAddresses(popup)) as [string, string];

    await openSettings(popup);
    const row = keyRow(popup, bobMain);
    await expect
      .poll(() => row.locator('.key-status').textContent(), { timeout: 20_000 })
      .toBe('Never published on Cairn devnet.');
    await expect
      .poll(() => keyRow(popup, bobSecond).locator('.key-status').textContent())
      .toBe('Never published on Cairn devnet.');

    const approvals = watchApprovalWindows(bob.browser);
    await row.getByRole('button', { name: 'Publish my key on chain' }).click();
    const approval = await approvals.next({ timeout: 30_000 });
    expect(await requestingSite(approval)).toBe('Cairn (this wallet)');
    expect(await approval.locator('.purpose').textContent()).toMatch(/^Publish your messaging key on chain/);
    expect(await approval.getByText(DEVNET_CONTRACTS.keyRegistry).count()).toBe(1);
    await decide(approval, 'Confirm');
    await expect
      .poll(() => row.getByRole('status').textContent(), { timeout: 30_000 })
      .toBe('Published your key on chain (kept by 1 relay(s)).');
    await expect
      .poll(() => row.locator('.key-status').textContent())
      .toMatch(/^Your current key is on chain \(version 1, Cairn devnet, block \d+\)\.$/);
    expect(await row.getByRole('button').count()).toBe(0);

    // On chain: one KeyPublished event, from Bob's account.
    const client = createPublicClient({ transport: http(devnet.url) });
    const [event, ...others] = await client.getContractEvents({
      address: DEVNET_CONTRACTS.keyRegistry,
      abi: keyRegistryAbi,
      eventName: 'KeyPublished',
      fromBlock: 0n,
    });
    expect(others).toEqual([]);
    expect(event?.args.account).toBe(getAddress(bobMain));
    expect(event?.args.version).toBe(1n);
    const receipt = await client.getTransactionReceipt({ hash: event!.transactionHash });
    expect(receipt.from.toLowerCase()).toBe(bobMain.toLowerCase());
    expect(receipt.gasUsed).toBeLessThan(120_000n);

    // Both of Bob's accounts are in the relay's directory. Bob goes offline; the relay loses its
    // envelope store (its contact directory), not its blocks.
    await expect.poll(() => onRelay([bobMain, bobSecond]), { timeout: 20_000 }).toEqual([bobMain, bobSecond]);
    await bob.browser.close();
    expect(await relay.stop()).toBe(0);
    await forgetEnvelopes(relayDir);
    relay = await startRelay(relayDir);
    expect(await onRelay([bobMain, bobSecond])).toEqual([]);

    alice = await onboardToMessages(await newProfileDir(), ALICE_MNEMONIC, PASSWORD);
    // The control: Bob's second account is on no relay any more, and not on chain.
    await alice.popup.getByRole('button', { name: 'New conversation' }).click();
    await alice.popup.getByLabel('Recipient address').fill(bobSecond);
    await alice.popup.getByRole('button', { name: 'Start conversation' }).click();
    await alice.popup.getByText('This address has no Cairn/XMTP identity yet').waitFor({ timeout: 30_000 });
    await alice.popup.getByRole('button', { name: 'Back' }).click();
    await openMessages(alice.popup);
    // Bob's main account: found through the KeyRegistry and the relay's pinned block.
    await startConversation(alice.popup, bobMain, { timeout: 30_000 });
    await sendMessage(alice.popup, 'Found you on chain');

    // Bob comes back: the bundle Alice used was really his, so he reads her message.
    bob = await reopenMessenger(bobProfile, PASSWORD, bobMain);
    const bobPopup = bob.popup;
    await bobPopup.locator(`button.conversation[data-peer="${getAddress(alice.address)}"]`).waitFor({
      timeout: 30_000,
    });
    await openConversation(bobPopup, getAddress(alice.address));
    await expect.poll(() => chatTexts(bobPopup), { timeout: 20_000 }).toEqual(['in:Found you on chain']);
  }, 180_000);
});

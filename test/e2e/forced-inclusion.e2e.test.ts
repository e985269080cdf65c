/**
 * Forced inclusion end to end: the relay stores and forwards but does not anchor (no aggregator
 * runs anywhere), so Alice's message stays "Anchoring…". Past her deadline (set to 0 minutes
 * here) the chat offers to anchor it herself; she confirms the transaction in Cairn's approval
 * window, it goes from her own account to the Anchor contract on the devnet, and the message
 * shows "Verified on chain". Her batch is rebuilt from like a relay's: after the relay lost its
 * envelope store, Bob restores the message he missed from chain + IPFS.
 */
import { type Address, decodeEventLog, getAddress, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVNET_PORT, type HardhatNode, startHardhatNode } from '../../scripts/devnet.ts';
import { DEVNET_CONTRACTS } from '../../src/chain/anchoring-contracts.ts';
import { anchorAbi } from '../../src/chain/contract-artifacts.ts';
import { jsonRpc } from '../support/json-rpc.ts';
import { deployDevnetContracts } from './support/anchoring-devnet.ts';
import { decide, requestingSite, watchApprovalWindows } from './support/dapp-flows.ts';
import { newProfileDir } from './support/extension-browser.ts';
import {
  anchorLabels,
  chatTexts,
  type MessengerUser,
  onboardToMessages,
  openConversation,
  openMessages,
  openSettings,
  rebuildInboxFromChain,
  reopenMessenger,
  sendMessage,
  startConversation,
} from './support/messenger-flows.ts';
import { MESSENGER_PASSWORD, SECOND_MNEMONIC, TEST_MNEMONIC } from './support/popup-flows.ts';
import { forgetEnvelopes, newRelayDataDir, type RelayDaemon, startRelay } from './support/relay-daemon.ts';

let devnet: HardhatNode;
let relay: RelayDaemon;
let relayDir: string;
let bobProfile: string;
let alice: MessengerUser;
let bob: MessengerUser;

beforeAll(async () => {
  devnet = await startHardhatNode({ port: DEVNET_PORT });
  await deployDevnetContracts(devnet.url);
  relayDir = await newRelayDataDir();
  relay = await startRelay(relayDir); // no --anchor-* flags: nobody anchors
  alice = await onboardToMessages(await newProfileDir(), TEST_MNEMONIC, MESSENGER_PASSWORD);
  bobProfile = await newProfileDir();
  bob = await onboardToMessages(bobProfile, SECOND_MNEMONIC, MESSENGER_PASSWORD);
});

afterAll(async () => {
  await alice?.browser.close();
  await bob?.browser.close();
  await relay?.stop();
  await devnet?.stop();
});

describe('forced inclusion', () => {
  it('with no aggregator, Alice anchors her pending message herself and it is verified on chain', async () => {
    const { popup } = alice;
    // Settings › Messaging: offer at once (0 minutes) instead of the default 10.
    await openSettings(popup);
    const deadline = popup.getByRole('spinbutton', { name: /anchor my messages myself/ });
    await expect.poll(() => deadline.inputValue()).toBe('10');
    await deadline.fill('0');
    await deadline.press('Tab');
    await expect.poll(() => deadline.inputValue()).toBe('0');
    await popup.getByRole('button', { name: 'Back' }).click();
    await openMessages(popup);

    await startConversation(popup, bob.address);
    await sendMessage(popup, 'Hello Bob');
    await openConversation(bob.popup, alice.address);
    await expect.poll(() => chatTexts(bob.popup), { timeout: 20_000 }).toEqual(['in:Hello Bob']);
    await bob.browser.close(); // Bob misses the next one
    await sendMessage(popup, 'Nobody anchors this for me');
    await expect
      .poll(() => anchorLabels(popup), { timeout: 20_000 })
      .toEqual(['Anchoring: Anchoring…', 'Anchoring: Anchoring…']);
    // The relay keeps saying "unknown": the message stays pending, and the chat offers to anchor it.
    const offer = popup.getByRole('region', { name: 'Anchor your messages' });
    await expect.poll(() => offer.textContent(), { timeout: 20_000 }).toMatch(/waited more than 0 min/);

    const approvals = watchApprovalWindows(alice.browser);
    await offer.getByRole('button', { name: 'Anchor them myself' }).click();
    const approval = await approvals.next();
    expect(await requestingSite(approval)).toBe('Cairn (this wallet)');
    expect(await approval.locator('.purpose').textContent()).toMatch(/^Anchor \d+ of your messages on chain/);
    expect(await approval.getByText(DEVNET_CONTRACTS.anchor).count()).toBe(1);
    await decide(approval, 'Confirm');

    await expect
      .poll(() => offer.getByRole('status').textContent(), { timeout: 30_000 })
      .toMatch(/^Anchored \d+ message\(s\) yourself, batch pinned by 1 relay/);
    await expect
      .poll(() => anchorLabels(popup), { timeout: 30_000, interval: 500 })
      .toEqual(['Anchoring: Verified on chain', 'Anchoring: Verified on chain']);

    // One Anchored event on chain, submitted by Alice's own account.
    const logs = (await jsonRpc(devnet.url, 'eth_getLogs', [
      { address: DEVNET_CONTRACTS.anchor, fromBlock: '0x0', toBlock: 'latest' },
    ])) as { data: Hex; topics: [Hex, ...Hex[]] }[];
    expect(logs).toHaveLength(1);
    const event = decodeEventLog({ abi: anchorAbi, data: logs[0]!.data, topics: logs[0]!.topics });
    expect(event.eventName).toBe('Anchored');
    expect(getAddress((event.args as { submitter: Address }).submitter)).toBe(getAddress(alice.address));
  }, 180_000);

  it('after the relay lost its store, Bob rebuilds the message he missed from Alice’s own batch', async () => {
    expect(await relay.stop()).toBe(0);
    await forgetEnvelopes(relayDir);
    relay = await startRelay(relayDir);

    bob = await reopenMessenger(bobProfile, MESSENGER_PASSWORD, bob.address);
    const { popup } = bob;
    await openConversation(popup, alice.address);
    await popup.waitForTimeout(3000); // catch-up finds nothing: the relay forgot
    expect(await chatTexts(popup)).toEqual(['in:Hello Bob']);

    await rebuildInboxFromChain(popup, /Scanned 1 anchored batches .*: restored 1 of \d+ messages found/);
    await openConversation(popup, alice.address);
    await expect
      .poll(() => chatTexts(popup), { timeout: 10_000 })
      .toEqual(['in:Hello Bob', 'in:Nobody anchors this for me']);
  }, 180_000);
});

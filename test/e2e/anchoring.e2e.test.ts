/**
 * Anchoring end to end: the Hardhat devnet with the contracts at their fixed addresses, the relay
 * daemon anchoring batches on it, and two browser profiles. A message Alice sends Bob ends up
 * "Verified on chain" in both chats: each extension got the proof from the relay and checked it
 * against the Anchor contract on the devnet itself.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEVNET_DEPLOYER_KEY,
  deployAnchoringContracts,
  devnetAggregatorKey,
} from '../../scripts/deploy-contracts.ts';
import { DEVNET_PORT, type HardhatNode, startHardhatNode } from '../../scripts/devnet.ts';
import { DEVNET_CONTRACTS } from '../../src/chain/anchoring-contracts.ts';
import { launchExtension, newProfileDir } from './support/extension-browser.ts';
import {
  chatTexts,
  type MessengerUser,
  onboardToMessages,
  openConversation,
  openMessages,
  sendMessage,
  startConversation,
} from './support/messenger-flows.ts';
import { TEST_MNEMONIC, unlock } from './support/popup-flows.ts';
import { newRelayDataDir, type RelayDaemon, startRelay } from './support/relay-daemon.ts';

const PASSWORD = 'correct horse battery';
const BOB_MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

type Person = MessengerUser;

let devnet: HardhatNode;
let relay: RelayDaemon;
let relayDir: string;
let bobProfile: string;
let alice: Person;
let bob: Person;

async function onboard(mnemonic: string, profile?: string): Promise<Person> {
  return onboardToMessages(profile ?? (await newProfileDir()), mnemonic, PASSWORD);
}

function relayAnchoring() {
  return { rpcUrl: devnet.url, contract: DEVNET_CONTRACTS.anchor, key: devnetAggregatorKey() };
}

/** The anchoring label of each bubble, oldest first. */
function anchorLabels(popup: Page): Promise<string[]> {
  return popup.locator('.bubble details.anchor summary').allTextContents();
}

beforeAll(async () => {
  devnet = await startHardhatNode({ port: DEVNET_PORT });
  const contracts = await deployAnchoringContracts({ rpcUrl: devnet.url, privateKey: DEVNET_DEPLOYER_KEY });
  expect(contracts.anchor).toBe(DEVNET_CONTRACTS.anchor);
  relayDir = await newRelayDataDir();
  relay = await startRelay(relayDir, { anchoring: relayAnchoring() });
  alice = await onboard(TEST_MNEMONIC);
  bobProfile = await newProfileDir();
  bob = await onboard(BOB_MNEMONIC, bobProfile);
});

afterAll(async () => {
  await alice?.browser.close();
  await bob?.browser.close();
  await relay?.stop();
  await devnet?.stop();
});

describe('anchoring', () => {
  it('a message is anchored by the relay and shows "Verified on chain" for both people', async () => {
    await startConversation(alice.popup, bob.address);
    await sendMessage(alice.popup, 'Anchor this, Bob');
    await openConversation(bob.popup, alice.address);
    await expect.poll(() => chatTexts(bob.popup), { timeout: 20_000 }).toEqual(['in:Anchor this, Bob']);

    // Relays are asked every 15 s; the batch is cut after 1 s and confirmed at one block.
    for (const person of [alice, bob]) {
      await expect
        .poll(() => anchorLabels(person.popup), { timeout: 60_000, interval: 500 })
        .toEqual(['Anchoring: Verified on chain']);
    }
    const details = bob.popup.locator('.bubble details.anchor');
    await details.locator('summary').click();
    await expect.poll(() => details.locator('dd').first().textContent()).toBe('1');
  }, 150_000);

  it('after the relay lost its store, Bob rebuilds what he missed from chain and IPFS', async () => {
    await bob.browser.close();
    for (const text of ['while you were away', 'and this too']) await sendMessage(alice.popup, text);
    // Both anchored (Alice's own messages are verified in her chat once their batch is on chain).
    await expect
      .poll(() => anchorLabels(alice.popup), { timeout: 60_000, interval: 500 })
      .toEqual(Array(3).fill('Anchoring: Verified on chain'));

    // The relay loses its envelope store (disk, not its pinned blocks), then comes back.
    expect(await relay.stop()).toBe(0);
    for (const file of await readdir(relayDir)) {
      if (file.startsWith('envelopes.sqlite')) await rm(join(relayDir, file));
    }
    relay = await startRelay(relayDir, { anchoring: relayAnchoring() });

    const browser = await launchExtension(bobProfile);
    const popup = await browser.openPopup();
    await unlock(popup, PASSWORD);
    bob = { browser, popup, address: bob.address };
    await openMessages(popup);
    await openConversation(popup, alice.address);
    await popup.waitForTimeout(3000); // catch-up finds nothing: the relay forgot
    expect(await chatTexts(popup)).toEqual(['in:Anchor this, Bob']);

    await popup.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Wallet' }).click();
    await popup.getByRole('button', { name: 'Settings' }).click();
    await popup.getByRole('button', { name: 'Rebuild inbox from chain' }).click();
    await expect
      .poll(() => popup.getByRole('status').textContent(), { timeout: 60_000 })
      .toMatch(/restored 2 of \d+ messages found/); // the others are held already (incl. read receipts)
    await popup.getByRole('button', { name: 'Back' }).click();
    await openMessages(popup);
    await openConversation(popup, alice.address);
    await expect
      .poll(() => chatTexts(popup), { timeout: 10_000 })
      .toEqual(['in:Anchor this, Bob', 'in:while you were away', 'in:and this too']);
  }, 240_000);
});

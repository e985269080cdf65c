/**
 * Anchoring end to end: the Hardhat devnet with the contracts at their fixed addresses, the relay
 * daemon anchoring batches on it, and two browser profiles. A message Alice sends Bob ends up
 * "Verified on chain" in both chats: each extension got the proof from the relay and checked it
 * against the Anchor contract on the devnet itself.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEVNET_DEPLOYER_KEY,
  deployAnchoringContracts,
  devnetAggregatorKey,
} from '../../scripts/deploy-contracts.ts';
import { DEVNET_PORT, type HardhatNode, startHardhatNode } from '../../scripts/devnet.ts';
import { DEVNET_CONTRACTS } from '../../src/chain/anchoring-contracts.ts';
import { type ExtensionBrowser, launchExtension, newProfileDir } from './support/extension-browser.ts';
import {
  chatTexts,
  openConversation,
  openMessages,
  sendMessage,
  startConversation,
} from './support/messenger-flows.ts';
import { accountAddresses, importPhrase, TEST_MNEMONIC } from './support/popup-flows.ts';
import { newRelayDataDir, type RelayDaemon, startRelay } from './support/relay-daemon.ts';

const PASSWORD = 'correct horse battery';
const BOB_MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

interface Person {
  browser: ExtensionBrowser;
  popup: Page;
  address: string;
}

let devnet: HardhatNode;
let relay: RelayDaemon;
let alice: Person;
let bob: Person;

async function onboard(mnemonic: string): Promise<Person> {
  const browser = await launchExtension(await newProfileDir());
  const popup = await browser.openPopup();
  await importPhrase(popup, mnemonic, PASSWORD);
  const [address] = await accountAddresses(popup);
  if (!address) throw new Error('no account');
  await openMessages(popup);
  return { browser, popup, address };
}

/** The anchoring label of each bubble, oldest first. */
function anchorLabels(popup: Page): Promise<string[]> {
  return popup.locator('.bubble details.anchor summary').allTextContents();
}

beforeAll(async () => {
  devnet = await startHardhatNode({ port: DEVNET_PORT });
  const contracts = await deployAnchoringContracts({ rpcUrl: devnet.url, privateKey: DEVNET_DEPLOYER_KEY });
  expect(contracts.anchor).toBe(DEVNET_CONTRACTS.anchor);
  relay = await startRelay(await newRelayDataDir(), {
    anchoring: { rpcUrl: devnet.url, contract: contracts.anchor, key: devnetAggregatorKey() },
  });
  alice = await onboard(TEST_MNEMONIC);
  bob = await onboard(BOB_MNEMONIC);
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
});

/**
 * Anchoring end to end: the Hardhat devnet with the contracts at their fixed addresses, the relay
 * daemon anchoring batches on it, and two browser profiles. A message Alice sends Bob ends up
 * "Verified on chain" in both chats: each extension got the proof from the relay and checked it
 * against the Anchor contract on the devnet itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVNET_PORT, type HardhatNode, startHardhatNode } from '../../scripts/devnet.ts';
import { deployDevnetContracts, devnetAnchoring } from './support/anchoring-devnet.ts';
import { newProfileDir } from './support/extension-browser.ts';
import {
  anchorLabels,
  chatTexts,
  type MessengerUser,
  onboardToMessages,
  openConversation,
  rebuildInboxFromChain,
  reopenMessenger,
  sendMessage,
  startConversation,
} from './support/messenger-flows.ts';
import { MESSENGER_PASSWORD, SECOND_MNEMONIC, TEST_MNEMONIC } from './support/popup-flows.ts';
import { forgetEnvelopes, newRelayDataDir, type RelayDaemon, startRelay } from './support/relay-daemon.ts';

type Person = MessengerUser;

let devnet: HardhatNode;
let relay: RelayDaemon;
let relayDir: string;
let bobProfile: string;
let alice: Person;
let bob: Person;

async function onboard(mnemonic: string, profile?: string): Promise<Person> {
  return onboardToMessages(profile ?? (await newProfileDir()), mnemonic, MESSENGER_PASSWORD);
}

beforeAll(async () => {
  devnet = await startHardhatNode({ port: DEVNET_PORT });
  await deployDevnetContracts(devnet.url);
  relayDir = await newRelayDataDir();
  relay = await startRelay(relayDir, { anchoring: devnetAnchoring(devnet.url) });
  alice = await onboard(TEST_MNEMONIC);
  bobProfile = await newProfileDir();
  bob = await onboard(SECOND_MNEMONIC, bobProfile);
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
    await forgetEnvelopes(relayDir);
    relay = await startRelay(relayDir, { anchoring: devnetAnchoring(devnet.url) });

    bob = await reopenMessenger(bobProfile, MESSENGER_PASSWORD, bob.address);
    const { popup } = bob;
    await openConversation(popup, alice.address);
    await popup.waitForTimeout(3000); // catch-up finds nothing: the relay forgot
    expect(await chatTexts(popup)).toEqual(['in:Anchor this, Bob']);

    // The others are held already (incl. read receipts).
    await rebuildInboxFromChain(popup, /restored 2 of \d+ messages found/);
    await openConversation(popup, alice.address);
    await expect
      .poll(() => chatTexts(popup), { timeout: 10_000 })
      .toEqual(['in:Anchor this, Bob', 'in:while you were away', 'in:and this too']);
  }, 240_000);
});

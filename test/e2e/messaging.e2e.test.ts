/**
 * Two people, two browser profiles with the built extension, one real relay daemon on
 * 127.0.0.1: live messages both ways, an offline recipient, a worker stopped with a
 * message queued, and a relay restarted mid-conversation.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardTopicFor } from '../../src/p2p/shards.ts';
import { decodeEnvelope, encodeEnvelope } from '../../src/protocol/index.ts';
import { startNodeClient } from '../support/node-client.ts';
import { decide, openDapp, watchApprovalWindows } from './support/dapp-flows.ts';
import { buildTestDapp, type DappServer, serveDirectory } from './support/dapp-server.ts';
import { newProfileDir } from './support/extension-browser.ts';
import {
  chatStatuses,
  chatTexts,
  type MessengerUser,
  onboardToMessages,
  openConversation,
  openMessages,
  reopenMessenger,
  sendMessage,
  startConversation,
} from './support/messenger-flows.ts';
import {
  SECOND_MNEMONIC as BOB_MNEMONIC,
  MESSENGER_PASSWORD as PASSWORD,
  TEST_MNEMONIC,
} from './support/popup-flows.ts';
import { newRelayDataDir, type RelayDaemon, startRelay } from './support/relay-daemon.ts';

type Person = MessengerUser;

let relay: RelayDaemon;
let relayDir: string;
let alice: Person;
let bob: Person;
let bobProfile: string;
let site: DappServer;

function onboard(profile: string, mnemonic: string): Promise<Person> {
  return onboardToMessages(profile, mnemonic, PASSWORD);
}

async function waitForTexts(popup: Page, expected: string[], timeout = 20_000): Promise<void> {
  await expect.poll(() => chatTexts(popup), { timeout }).toEqual(expected);
}

beforeAll(async () => {
  site = await serveDirectory(await buildTestDapp());
  relayDir = await newRelayDataDir();
  relay = await startRelay(relayDir);
  alice = await onboard(await newProfileDir(), TEST_MNEMONIC);
  bobProfile = await newProfileDir();
  bob = await onboard(bobProfile, BOB_MNEMONIC);
});

afterAll(async () => {
  await alice?.browser.close();
  await bob?.browser.close();
  await relay?.stop();
  await site?.close();
});

describe('messaging between two browsers through a relay', () => {
  it('Alice messages Bob from the popup, Bob sees it live and replies', async () => {
    await startConversation(alice.popup, bob.address);
    await sendMessage(alice.popup, 'Hi Bob, it is Alice');
    await waitForTexts(alice.popup, ['out:Hi Bob, it is Alice']);
    await expect.poll(() => chatStatuses(alice.popup), { timeout: 10_000 }).toEqual(['sent']);

    // Bob's list shows the new conversation live, with one unread message.
    const row = bob.popup.locator(`button.conversation[data-peer="${alice.address}"]`);
    await row.waitFor({ timeout: 20_000 });
    await expect.poll(() => row.textContent()).toContain('1 unread');
    await openConversation(bob.popup, alice.address);
    await waitForTexts(bob.popup, ['in:Hi Bob, it is Alice']);

    await sendMessage(bob.popup, 'Hello Alice!');
    await waitForTexts(alice.popup, ['out:Hi Bob, it is Alice', 'in:Hello Alice!']);
    // Bob read Alice's message: his read receipt marks it delivered for her.
    await expect.poll(() => chatStatuses(alice.popup), { timeout: 15_000 }).toEqual(['delivered']);
  });

  it('Bob offline: the 3 messages Alice sent meanwhile arrive once, in order, when he is back', async () => {
    await bob.browser.close();
    for (const text of ['one', 'two', 'three']) await sendMessage(alice.popup, text);
    await expect
      .poll(() => chatStatuses(alice.popup), { timeout: 15_000 })
      .toEqual(['delivered', 'sent', 'sent', 'sent']);

    bob = await reopenMessenger(bobProfile, PASSWORD, bob.address);
    const { popup } = bob;
    await openConversation(popup, alice.address);
    await waitForTexts(popup, ['in:Hi Bob, it is Alice', 'out:Hello Alice!', 'in:one', 'in:two', 'in:three']);
    // Nothing arrives twice later (live echo, second catch-up).
    await popup.waitForTimeout(1500);
    expect(await chatTexts(popup)).toHaveLength(5);
  });

  it('a message queued while the relay is down survives a stopped worker and a relay restart, once', async () => {
    expect(await relay.stop()).toBe(0);
    await sendMessage(alice.popup, 'sent while the relay was down');
    await expect.poll(() => chatStatuses(alice.popup)).toContain('queued');
    await alice.browser.stopServiceWorker();

    relay = await startRelay(relayDir);
    // Any popup call wakes the worker: it restores the session and resumes the outbox.
    await alice.popup.reload();
    await openMessages(alice.popup);
    await openConversation(alice.popup, bob.address);
    await expect
      .poll(async () => (await chatStatuses(alice.popup)).at(-1), { timeout: 30_000 })
      .toMatch(/sent|delivered/);

    await waitForTexts(
      bob.popup,
      [
        'in:Hi Bob, it is Alice',
        'out:Hello Alice!',
        'in:one',
        'in:two',
        'in:three',
        'in:sent while the relay was down',
      ],
      40_000,
    );
    // The relay kept everything on disk across the restart: a fresh catch-up from zero sees it all once.
    await sendMessage(bob.popup, 'got it');
    await waitForTexts(
      alice.popup,
      [
        'out:Hi Bob, it is Alice',
        'in:Hello Alice!',
        'out:one',
        'out:two',
        'out:three',
        'out:sent while the relay was down',
        'in:got it',
      ],
      20_000,
    );
  });

  it("a dapp in Alice's browser messages Bob after the permission, and hears his reply", async () => {
    const approvals = watchApprovalWindows(alice.browser);
    const page = await openDapp(alice.browser, site.url);
    const denied = await page.evaluate(() => window.cairnDapp.request('cairn_getIdentity'));
    expect(denied).toMatchObject({ ok: false, error: { code: 4100 } });

    const granting = page.evaluate(() =>
      window.cairnDapp.request('wallet_requestPermissions', [{ cairn_messaging: {} }]),
    );
    await decide(await approvals.next(), 'Connect and allow');
    expect(await granting).toMatchObject({ ok: true });
    expect(await page.evaluate(() => window.cairnDapp.request('cairn_getIdentity'))).toEqual({
      ok: true,
      value: { address: alice.address },
    });
    expect(
      await page.evaluate((to) => window.cairnDapp.request('cairn_canMessage', [to]), bob.address),
    ).toEqual({
      ok: true,
      value: true,
    });
    const sent = await page.evaluate(
      (to) => window.cairnDapp.request('cairn_sendMessage', [{ to, content: 'from the dapp' }]),
      bob.address,
    );
    expect(sent).toMatchObject({ ok: true, value: { id: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    await expect
      .poll(async () => (await chatTexts(bob.popup)).at(-1), { timeout: 20_000 })
      .toBe('in:from the dapp');

    await sendMessage(bob.popup, 'reply to the dapp');
    await expect
      .poll(
        async () =>
          (await page.evaluate(() => window.cairnDapp.events()))
            .filter((event) => event.event === 'message')
            .map((event) => event.data),
        { timeout: 20_000 },
      )
      .toContainEqual(
        expect.objectContaining({
          type: 'cairn_message',
          data: expect.objectContaining({
            sender: bob.address,
            content: { kind: 'text', text: 'reply to the dapp' },
          }),
        }),
      );
    const listed = await page.evaluate(() => window.cairnDapp.request('cairn_listConversations'));
    expect(listed).toMatchObject({ ok: true, value: [expect.objectContaining({ peer: bob.address })] });
    await page.close();
  });

  it('garbage and tampered envelopes from a rogue Node peer are dropped and never shown', async () => {
    const page = await openDapp(alice.browser, site.url);
    const listed = await page.evaluate(() => window.cairnDapp.request('cairn_listConversations'));
    await page.close();
    if (!listed.ok) throw new Error('cairn_listConversations failed');
    const topic = (listed.value as { topic: string }[])[0]?.topic ?? '';
    expect(topic).toMatch(/^\/xmtp\/0\/m-/);
    const before = await chatTexts(bob.popup);

    const rogue = await startNodeClient(relay.addresses[0] ?? '');
    try {
      const stored = await rogue.store.query(rogue.relay, {
        contentTopics: [topic],
        limit: 1,
        direction: 'descending',
      });
      const real = decodeEnvelope(stored.envelopes[0] ?? new Uint8Array());
      const tampered = real.message.slice();
      tampered[tampered.length - 3] = (tampered[tampered.length - 3] ?? 0) ^ 0x01;
      const forged = encodeEnvelope({ ...real, timestampNs: real.timestampNs + 1n, message: tampered });
      // Through the store protocol (the relay can only check that it decodes) and through gossip.
      const ack = await rogue.store.publish(rogue.relay, forged);
      expect(['stored', 'rejected']).toContain(ack.status);
      const pubsub = rogue.node.libp2p.services.pubsub;
      pubsub.subscribe(shardTopicFor(topic));
      await pubsub.publish(shardTopicFor(topic), new Uint8Array([0x0a, 0xff, 0xff, 0xff]));
      await pubsub.publish(
        shardTopicFor(topic),
        encodeEnvelope({
          contentTopic: topic,
          timestampNs: real.timestampNs + 2n,
          message: new Uint8Array(64).fill(7),
        }),
      );
    } finally {
      await rogue.stop();
    }
    // Give live delivery and a catch-up time to show anything, then check nothing appeared.
    await bob.popup.waitForTimeout(2000);
    expect(await chatTexts(bob.popup)).toEqual(before);
  });
});

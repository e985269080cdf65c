/**
 * The messenger when things go wrong: a lock in the middle of a catch-up, a send cut off
 * between writes, a peer with new keys, two accounts of one wallet, a relay that lost its
 * store or rate-limits us, and a forged invitation.
 */
import { IDBFactory } from 'fake-indexeddb';
import type { Address } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { createAesGcmSealer } from '../../../src/background/messaging/aes-gcm-sealer';
import { MessageDb } from '../../../src/background/messaging/message-db';
import type { MessageView } from '../../../src/background/messaging/message-views';
import { Messenger } from '../../../src/background/messaging/messenger';
import {
  deriveInvitation,
  encodeEnvelope,
  generatePrivateKeyBundle,
  inviteTopic,
  isConversationTopic,
  type PrivateKeyBundle,
  sealInvitation,
} from '../../../src/protocol/index';
import { cairnIdentity, randomWallet } from '../../protocol/helpers';
import { InMemoryRelay, type InMemoryTransport } from '../../support/in-memory-relay';

const KEY = new Uint8Array(32).fill(7);

interface User {
  db: MessageDb;
  messenger: Messenger;
  transport: InMemoryTransport;
  incoming: MessageView[];
  logs: string[];
}

const running: User[] = [];
afterEach(async () => {
  for (const user of running.splice(0)) {
    await user.messenger.stop();
    user.db.close();
  }
});

async function user(
  relay: InMemoryRelay,
  keys: Map<string, PrivateKeyBundle>,
  accounts: Address[],
  options: { factory?: IDBFactory; start?: boolean; transport?: InMemoryTransport } = {},
): Promise<User> {
  const db = await MessageDb.open({
    factory: options.factory ?? new IDBFactory(),
    sealer: createAesGcmSealer(KEY),
  });
  const transport = options.transport ?? relay.connect();
  const incoming: MessageView[] = [];
  const logs: string[] = [];
  const messenger = new Messenger({
    db,
    identities: {
      ensure: async (address) => {
        const found = keys.get(address.toLowerCase());
        if (!found) throw new Error('unknown account');
        return found;
      },
    },
    transport,
    onChange: () => {},
    onIncoming: (_account, message) => incoming.push(message),
    scheduleRetry: () => {},
    log: (line) => logs.push(line),
    sleep: async () => {},
  });
  if (options.start !== false) await messenger.start(accounts);
  const made = { db, messenger, transport, incoming, logs };
  running.push(made);
  return made;
}

async function shutDown(person: User): Promise<void> {
  await person.messenger.stop();
  await person.transport.stop();
  person.db.close();
  running.splice(running.indexOf(person), 1);
}

async function texts(person: User, account: Address, peer: Address): Promise<string[]> {
  const messages = await person.messenger.getMessages(account, peer, {});
  return messages.map((message) => (message.content.kind === 'text' ? message.content.text : '?'));
}

function keyMap(...identities: { address: Address; keys: PrivateKeyBundle }[]) {
  return new Map(identities.map((identity) => [identity.address.toLowerCase(), identity.keys]));
}

describe('Messenger under faults', () => {
  it('a lock in the middle of a catch-up loses nothing: the next unlock reads the rest', async () => {
    const relay = new InMemoryRelay();
    const a = await cairnIdentity();
    const b = await cairnIdentity();
    const keys = keyMap(a, b);
    const alice = await user(relay, keys, [a.address]);
    const bobFactory = new IDBFactory();
    const first = await user(relay, keys, [b.address], { factory: bobFactory });
    await alice.messenger.flushOutbox();
    await first.messenger.flushOutbox();
    await shutDown(first);
    for (const text of ['one', 'two', 'three'])
      await alice.messenger.send(a.address, b.address, { kind: 'text', text });
    await alice.messenger.flushOutbox();

    // Bob unlocks; the wallet locks again as the first page of the conversation arrives.
    const transport = relay.connect();
    transport.live = false;
    const bob = await user(relay, keys, [b.address], { factory: bobFactory, transport, start: false });
    const fetch = transport.fetchSince.bind(transport);
    let stopOnce = true;
    transport.fetchSince = async function* (relayName, topic, cursor, signal) {
      for await (const page of fetch(relayName, topic, cursor, signal)) {
        if (isConversationTopic(topic) && stopOnce) {
          stopOnce = false;
          void bob.messenger.stop();
        }
        yield page;
      }
    };
    await bob.messenger.start([b.address]);
    await bob.messenger.catchUp().catch(() => undefined);
    await shutDown(bob);

    const again = await user(relay, keys, [b.address], { factory: bobFactory });
    await again.messenger.catchUp();
    expect(await texts(again, b.address, a.address)).toEqual(['one', 'two', 'three']);
  });

  it('a send cut off before its invitations were queued still reaches the peer on the next send', async () => {
    const relay = new InMemoryRelay();
    const a = await cairnIdentity();
    const b = await cairnIdentity();
    const keys = keyMap(a, b);
    const alice = await user(relay, keys, [a.address]);
    const bob = await user(relay, keys, [b.address]);
    await alice.messenger.flushOutbox();
    await bob.messenger.flushOutbox();

    const enqueue = alice.db.enqueue.bind(alice.db);
    alice.db.enqueue = async () => {
      throw new DOMException('worker killed', 'AbortError');
    };
    await expect(
      alice.messenger.send(a.address, b.address, { kind: 'text', text: 'lost' }),
    ).rejects.toThrow();
    alice.db.enqueue = enqueue;
    await alice.messenger.stop();
    await alice.messenger.start([a.address]);

    await alice.messenger.send(a.address, b.address, { kind: 'text', text: 'second try' });
    await alice.messenger.flushOutbox();
    await bob.messenger.catchUp();
    expect(await texts(bob, b.address, a.address)).toEqual(['second try']);
  });

  it('follows a peer who came back with new keys, keeping the history in one conversation', async () => {
    const relay = new InMemoryRelay();
    const aliceWallet = randomWallet();
    const bobWallet = randomWallet();
    const aliceKeys = await generatePrivateKeyBundle(aliceWallet);
    const oldBob = await generatePrivateKeyBundle(bobWallet);
    const alice = await user(relay, new Map([[aliceWallet.address.toLowerCase(), aliceKeys]]), [
      aliceWallet.address,
    ]);
    const bob = await user(relay, new Map([[bobWallet.address.toLowerCase(), oldBob]]), [bobWallet.address]);
    await alice.messenger.flushOutbox();
    await bob.messenger.flushOutbox();
    await bob.messenger.send(bobWallet.address, aliceWallet.address, { kind: 'text', text: 'old keys' });
    await bob.messenger.flushOutbox();
    await expect.poll(() => texts(alice, aliceWallet.address, bobWallet.address)).toEqual(['old keys']);
    await shutDown(bob);

    const newBob = await generatePrivateKeyBundle({
      ...bobWallet,
      createdNs: BigInt(Date.now() + 1000) * 1_000_000n,
    });
    const bob2 = await user(relay, new Map([[bobWallet.address.toLowerCase(), newBob]]), [bobWallet.address]);
    await bob2.messenger.flushOutbox();
    await bob2.messenger.send(bobWallet.address, aliceWallet.address, { kind: 'text', text: 'new keys' });
    await bob2.messenger.flushOutbox();
    await expect
      .poll(() => texts(alice, aliceWallet.address, bobWallet.address))
      .toEqual(['old keys', 'new keys']);

    // Alice's reply goes to the new topic, which Bob's new install reads.
    await alice.messenger.send(aliceWallet.address, bobWallet.address, {
      kind: 'text',
      text: 'welcome back',
    });
    await alice.messenger.flushOutbox();
    await expect
      .poll(() => texts(bob2, bobWallet.address, aliceWallet.address))
      .toEqual(['new keys', 'welcome back']);
    expect(await alice.messenger.listConversations(aliceWallet.address)).toHaveLength(1);
  });

  it('two accounts of one wallet can message each other', async () => {
    const relay = new InMemoryRelay();
    const one = await cairnIdentity();
    const two = await cairnIdentity();
    const wallet = await user(relay, keyMap(one, two), [one.address, two.address]);
    await wallet.messenger.flushOutbox();
    await wallet.messenger.send(one.address, two.address, { kind: 'text', text: 'note to my other self' });
    await wallet.messenger.flushOutbox();
    await wallet.messenger.catchUp();
    await expect.poll(() => texts(wallet, two.address, one.address)).toEqual(['note to my other self']);
    expect(await wallet.messenger.listConversations(two.address)).toMatchObject([
      { peer: one.address, unread: 1 },
    ]);
  });

  it('reads a topic from the start again when the relay lost its store (and refuses old cursors)', async () => {
    const relay = new InMemoryRelay();
    const a = await cairnIdentity();
    const b = await cairnIdentity();
    const keys = keyMap(a, b);
    const alice = await user(relay, keys, [a.address]);
    const bob = await user(relay, keys, [b.address]);
    await alice.messenger.flushOutbox();
    await bob.messenger.flushOutbox();
    await alice.messenger.send(a.address, b.address, { kind: 'text', text: 'before the reset' });
    await alice.messenger.flushOutbox();
    await bob.messenger.catchUp();
    expect(await texts(bob, b.address, a.address)).toEqual(['before the reset']);

    relay.resetStore();
    bob.transport.live = false;
    await alice.messenger.send(a.address, b.address, { kind: 'text', text: 'after the reset' });
    await alice.messenger.flushOutbox();
    await bob.messenger.catchUp();
    expect(await texts(bob, b.address, a.address)).toEqual(['before the reset', 'after the reset']);
    expect(bob.logs.some((line) => line.includes('refused a stored cursor'))).toBe(true);
  });

  it('waits out a busy relay instead of skipping conversations', async () => {
    const relay = new InMemoryRelay();
    const a = await cairnIdentity();
    const b = await cairnIdentity();
    const keys = keyMap(a, b);
    const alice = await user(relay, keys, [a.address]);
    const bob = await user(relay, keys, [b.address]);
    await alice.messenger.flushOutbox();
    await bob.messenger.flushOutbox();
    bob.transport.live = false;
    await alice.messenger.send(a.address, b.address, { kind: 'text', text: 'through the limit' });
    await alice.messenger.flushOutbox();
    relay.busyQueries = 3;
    await bob.messenger.catchUp();
    expect(await texts(bob, b.address, a.address)).toEqual(['through the limit']);
  });

  it('drops an invitation that claims a topic its parties would not derive (topic hijack)', async () => {
    const relay = new InMemoryRelay();
    const a = await cairnIdentity();
    const b = await cairnIdentity();
    const mallory = await cairnIdentity();
    const bob = await user(relay, keyMap(b), [b.address]);
    // Mallory saw the Alice–Bob topic on gossip and invites Bob to it with her own keys.
    const victimTopic = deriveInvitation({ me: a.keys, myAddress: a.address, peer: b.bundle }).topic;
    const createdNs = BigInt(Date.now()) * 1_000_000n;
    const sealed = await sealInvitation({
      me: mallory.keys,
      recipient: b.bundle,
      invitation: { topic: victimTopic, keyMaterial: new Uint8Array(32).fill(9) },
      createdNs,
    });
    relay.accept(
      encodeEnvelope({ contentTopic: inviteTopic(b.address), timestampNs: createdNs, message: sealed }),
    );
    await bob.messenger.catchUp();
    expect(await bob.messenger.listConversations(b.address)).toEqual([]);
    expect(bob.logs).toContain('Dropped an invitation whose topic is not the one its parties derive');
  });
});

/**
 * The messenger between two people over an in-memory relay: live delivery, catch-up
 * after being offline, the outbox across relay outages and restarts, dedupe, bad input.
 */
import { IDBFactory } from 'fake-indexeddb';
import type { Address } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import { createAesGcmSealer } from '../../../src/background/messaging/aes-gcm-sealer';
import { MessageDb } from '../../../src/background/messaging/message-db';
import type { MessageView } from '../../../src/background/messaging/message-views';
import { Messenger } from '../../../src/background/messaging/messenger';
import { NoMessagingIdentityError } from '../../../src/background/messaging/messenger-errors';
import { encodeEnvelope, inviteTopic } from '../../../src/protocol/index';
import { type CairnIdentity, cairnIdentity } from '../../protocol/helpers';
import { InMemoryRelay, type InMemoryTransport } from '../../support/in-memory-relay';

interface User {
  identity: CairnIdentity;
  address: Address;
  factory: IDBFactory;
  db: MessageDb;
  transport: InMemoryTransport;
  messenger: Messenger;
  incoming: MessageView[];
  /** Messages named by `onChange` as newly stored. */
  added: MessageView[];
  /** `onStored` calls: messages on a relay's disk, for anchoring. */
  stored: string[];
  logs: string[];
}

const open: User[] = [];
afterEach(async () => {
  for (const user of open.splice(0)) {
    await user.messenger.stop();
    user.db.close();
  }
});

const KEY = new Uint8Array(32).fill(7);

async function startUser(
  relay: InMemoryRelay,
  identity?: CairnIdentity,
  factory = new IDBFactory(),
): Promise<User> {
  const id = identity ?? (await cairnIdentity());
  const db = await MessageDb.open({ factory, sealer: createAesGcmSealer(KEY) });
  const transport = relay.connect();
  const incoming: MessageView[] = [];
  const added: MessageView[] = [];
  const stored: string[] = [];
  const logs: string[] = [];
  const messenger = new Messenger({
    db,
    identities: { ensure: async () => id.keys },
    transport,
    onChange: (_account, _topics, views) => added.push(...(views ?? [])),
    onIncoming: (_account, message) => incoming.push(message),
    onStored: (account, id, topic) => stored.push(`${account} ${id} ${topic}`),
    scheduleRetry: () => {},
    log: (line) => logs.push(line),
  });
  await messenger.start([id.address]);
  const user = {
    identity: id,
    address: id.address,
    factory,
    db,
    transport,
    messenger,
    incoming,
    added,
    stored,
    logs,
  };
  open.push(user);
  return user;
}

async function stopUser(user: User): Promise<void> {
  await user.messenger.stop();
  await user.transport.stop();
  user.db.close();
  open.splice(open.indexOf(user), 1);
}

async function texts(user: User, peer: Address): Promise<string[]> {
  const messages = await user.messenger.getMessages(user.address, peer, {});
  return messages.map((message) => (message.content.kind === 'text' ? message.content.text : '?'));
}

describe('Messenger', () => {
  it('delivers live both ways and marks messages sent on the relay acknowledgement', async () => {
    const relay = new InMemoryRelay();
    const alice = await startUser(relay);
    const bob = await startUser(relay);
    await alice.messenger.flushOutbox(); // contact bundles published
    await bob.messenger.flushOutbox();

    expect(await alice.messenger.canMessage(alice.address, bob.address)).toBe(true);
    const sent = await alice.messenger.send(alice.address, bob.address, { kind: 'text', text: 'gm bob' });
    expect(sent.status).toBe('queued');
    await alice.messenger.flushOutbox();
    await expect.poll(() => texts(bob, alice.address)).toEqual(['gm bob']);
    const [aliceView] = await alice.messenger.getMessages(alice.address, bob.address, {});
    expect(aliceView?.status).toBe('sent');
    expect(bob.incoming.map((message) => message.id)).toEqual([sent.id]);
    // The change names the stored message, as the views show it.
    expect(bob.added).toEqual(await bob.messenger.getMessages(bob.address, alice.address, {}));
    // Anchoring follows it on both sides: Alice's once the relay acknowledged it, Bob's once stored.
    expect(alice.stored).toContain(`${alice.address} ${sent.id} ${sent.topic}`);
    expect(bob.stored).toEqual([`${bob.address} ${sent.id} ${sent.topic}`]);
    const [conversation] = await bob.messenger.listConversations(bob.address);
    expect(conversation).toMatchObject({ peer: alice.address, unread: 1 });

    await bob.messenger.send(bob.address, alice.address, { kind: 'text', text: 'gm alice' });
    await bob.messenger.flushOutbox();
    await expect.poll(() => texts(alice, bob.address)).toEqual(['gm bob', 'gm alice']);

    // Bob reads: a read receipt turns Alice's message "delivered".
    await bob.messenger.markRead(bob.address, alice.address);
    await bob.messenger.flushOutbox();
    await expect
      .poll(async () => (await alice.messenger.getMessages(alice.address, bob.address, {}))[0]?.status)
      .toBe('delivered');
    expect((await bob.messenger.listConversations(bob.address))[0]?.unread).toBe(0);
  });

  it('catches an offline peer up with exactly the messages sent meanwhile, in order, once', async () => {
    const relay = new InMemoryRelay();
    const alice = await startUser(relay);
    const bobIdentity = await cairnIdentity();
    const bobFactory = new IDBFactory();
    const bob = await startUser(relay, bobIdentity, bobFactory);
    await bob.messenger.flushOutbox();
    await stopUser(bob);

    for (const text of ['one', 'two', 'three']) {
      await alice.messenger.send(alice.address, bobIdentity.address, { kind: 'text', text });
    }
    await alice.messenger.flushOutbox();

    const back = await startUser(relay, bobIdentity, bobFactory);
    await back.messenger.catchUp();
    expect(await texts(back, alice.address)).toEqual(['one', 'two', 'three']);
    // A second catch-up (or a live echo) changes nothing.
    await back.messenger.catchUp();
    expect(await texts(back, alice.address)).toEqual(['one', 'two', 'three']);
    expect(back.incoming).toHaveLength(3);
  });

  it('keeps queued messages through a relay outage and a restart, and sends them once', async () => {
    const relay = new InMemoryRelay();
    const bob = await startUser(relay);
    await bob.messenger.flushOutbox();
    const aliceIdentity = await cairnIdentity();
    const aliceFactory = new IDBFactory();
    const alice = await startUser(relay, aliceIdentity, aliceFactory);
    await alice.messenger.flushOutbox();
    // Alice learns Bob's bundle while the relay is up, then it goes down.
    expect(await alice.messenger.canMessage(alice.address, bob.address)).toBe(true);
    relay.online = false;
    const queued = await alice.messenger.send(alice.address, bob.address, { kind: 'text', text: 'later' });
    await alice.messenger.flushOutbox();
    expect((await alice.messenger.getMessages(alice.address, bob.address, {}))[0]?.status).toBe('queued');
    // The worker dies with the message queued.
    await stopUser(alice);

    relay.online = true;
    const restarted = await startUser(relay, aliceIdentity, aliceFactory);
    await restarted.messenger.flushOutbox();
    await expect.poll(() => texts(bob, aliceIdentity.address)).toEqual(['later']);
    expect((await restarted.messenger.getMessages(aliceIdentity.address, bob.address, {}))[0]).toMatchObject({
      id: queued.id,
      status: 'sent',
    });
  });

  it('says when an address has no identity', async () => {
    const relay = new InMemoryRelay();
    const alice = await startUser(relay);
    const stranger = (await cairnIdentity()).address;
    expect(await alice.messenger.canMessage(alice.address, stranger)).toBe(false);
    await expect(
      alice.messenger.send(alice.address, stranger, { kind: 'text', text: 'hi' }),
    ).rejects.toBeInstanceOf(NoMessagingIdentityError);
  });

  it('drops tampered messages and forged invitations without showing anything', async () => {
    const relay = new InMemoryRelay();
    const alice = await startUser(relay);
    const bob = await startUser(relay);
    await alice.messenger.flushOutbox();
    await bob.messenger.flushOutbox();
    await alice.messenger.send(alice.address, bob.address, { kind: 'text', text: 'real' });
    await alice.messenger.flushOutbox();
    await expect.poll(() => texts(bob, alice.address)).toEqual(['real']);

    const original = relay.stored.at(-1);
    if (!original) throw new Error('nothing stored');
    const tampered = original.envelope.message.slice();
    tampered[tampered.length - 5] = (tampered[tampered.length - 5] ?? 0) ^ 1;
    relay.accept(encodeEnvelope({ ...original.envelope, message: tampered }));
    // Garbage on Bob's invite topic.
    relay.accept(
      encodeEnvelope({
        contentTopic: inviteTopic(bob.address),
        timestampNs: 1n,
        message: new Uint8Array([1, 2, 3]),
      }),
    );
    await bob.messenger.catchUp();
    expect(await texts(bob, alice.address)).toEqual(['real']);
    expect(bob.incoming).toHaveLength(1);
    expect(bob.logs.some((line) => line.startsWith('Dropped'))).toBe(true);
  });

  it('publishes a just-queued message straight from memory, without reading the outbox back', async () => {
    const relay = new InMemoryRelay();
    const alice = await startUser(relay);
    const bob = await startUser(relay);
    await alice.messenger.flushOutbox();
    await bob.messenger.flushOutbox();
    await alice.messenger.send(alice.address, bob.address, { kind: 'text', text: 'warm-up' });
    await alice.messenger.flushOutbox();
    // From now on the stored outbox looks empty: only the in-memory path can publish.
    alice.db.dueOutbox = async () => [];
    const before = relay.stored.length;
    const sent = await alice.messenger.send(alice.address, bob.address, { kind: 'text', text: 'fast' });
    await alice.messenger.flushOutbox();
    expect(relay.stored.length).toBe(before + 1);
    expect((await alice.messenger.getMessages(alice.address, bob.address, {})).at(-1)).toMatchObject({
      id: sent.id,
      status: 'sent',
    });
  });
});

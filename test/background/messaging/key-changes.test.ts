/**
 * Noticing that a peer changed their messaging (identity) key, in the messenger over an in-memory
 * relay and a real MessageDb: a relay's bundle against the cached one, a new invitation against
 * the conversation's, and a bundle found through the real KeyRegistry (in-process Hardhat)
 * against the conversation's when nothing is cached. Each change is recorded once, per peer,
 * with when the new key was made, and the chats with that peer are told.
 */
import { IDBFactory } from 'fake-indexeddb';
import { type Address, toHex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAesGcmSealer } from '../../../src/background/messaging/aes-gcm-sealer';
import type { KeyRegistryLookup } from '../../../src/background/messaging/bundle-resolver';
import { KeyRegistryService } from '../../../src/background/messaging/key-registry-service';
import { MessageDb } from '../../../src/background/messaging/message-db';
import { Messenger } from '../../../src/background/messaging/messenger';
import { contactBundleOf } from '../../../src/background/messaging/own-contact-bundle';
import { fingerprint } from '../../../src/background/messaging/peer-keys';
import { keyRegistryAbi, keyRegistryBytecode } from '../../../src/chain/contract-artifacts';
import { bundleCidOf } from '../../../src/chain/key-registry-reader';
import { DEVNET, type Network } from '../../../src/chain/networks';
import {
  contactTopic,
  encodeEnvelope,
  generatePrivateKeyBundle,
  publicBundleOf,
  verifyBundle,
} from '../../../src/protocol/index';
import { type CairnIdentity, cairnIdentity } from '../../protocol/helpers';
import { conversation } from '../../relay/helpers';
import { InMemoryRelay } from '../../support/in-memory-relay';
import { deployOnChain, type InProcessChain, inProcessChain } from '../../support/in-process-chain';

const MNEMONIC = 'test test test test test test test test test test test junk';
const DAY = 24 * 60 * 60_000;

let chain: InProcessChain;
let network: Network;

/** A new identity (new keys) for dev account `index`, its key created at `createdMs`. */
async function identity(index: number, createdMs: number): Promise<CairnIdentity> {
  const wallet = mnemonicToAccount(MNEMONIC, { addressIndex: index });
  const keys = await generatePrivateKeyBundle({
    address: wallet.address,
    signMessage: (message) => wallet.signMessage({ message }),
    createdNs: BigInt(createdMs) * 1_000_000n,
  });
  return { address: wallet.address, keys, bundle: verifyBundle(publicBundleOf(keys)) };
}

function publishContact(relay: InMemoryRelay, who: CairnIdentity, atMs: number): void {
  relay.accept(
    encodeEnvelope({
      contentTopic: contactTopic(who.address),
      timestampNs: BigInt(atMs) * 1_000_000n,
      message: contactBundleOf(who.keys),
    }),
  );
}

const running: { messenger: Messenger; db: MessageDb }[] = [];
afterEach(async () => {
  for (const { messenger, db } of running.splice(0)) {
    await messenger.stop();
    db.close();
  }
});

async function startAlice(relay: InMemoryRelay, registry?: KeyRegistryLookup) {
  const alice = await cairnIdentity();
  const db = await MessageDb.open({
    factory: new IDBFactory(),
    sealer: createAesGcmSealer(new Uint8Array(32)),
  });
  const clock = { now: Date.now() };
  const changes: [Address, string[]][] = [];
  const messenger = new Messenger({
    db,
    identities: { ensure: async () => alice.keys },
    transport: relay.connect(),
    ...(registry ? { keyRegistry: registry } : {}),
    onChange: (account, topics) => changes.push([account, topics]),
    onIncoming: () => {},
    scheduleRetry: () => {},
    log: () => {},
    now: () => clock.now,
  });
  await messenger.start([alice.address]);
  running.push({ messenger, db });
  return { alice, db, messenger, clock, changes };
}

/** Polls until `check` holds (live delivery is asynchronous). */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition never held');
}

beforeAll(async () => {
  chain = await inProcessChain();
  const keyRegistry = await deployOnChain(chain, keyRegistryAbi, keyRegistryBytecode);
  network = { ...DEVNET, anchoring: { anchor: keyRegistry, keyRegistry, fromBlock: 0 } };
});

afterAll(async () => {
  await chain?.close();
});

describe('Messenger: a peer changed their key', () => {
  it("from a relay's newer bundle against the cached one: noticed once, with when, and the chat told", async () => {
    const relay = new InMemoryRelay();
    const { alice, db, messenger, clock, changes } = await startAlice(relay);
    const bobOld = await identity(7, clock.now - 10 * DAY);
    publishContact(relay, bobOld, clock.now - DAY);
    await messenger.send(alice.address, bobOld.address, { kind: 'text', text: 'hi Bob' });
    const topic = (await db.getConversationByPeer(alice.address, bobOld.address))!.topic;
    expect(await messenger.keyChanges(alice.address, bobOld.address)).toEqual([]);

    // Bob's new install: new keys, a newer bundle on the relay. Alice's cache goes stale.
    const newKeyAt = clock.now + 1_000;
    const bobNew = await identity(7, newKeyAt);
    publishContact(relay, bobNew, newKeyAt);
    clock.now += DAY + 60_000;
    await messenger.flushOutbox(); // 'hi Bob' sent: its status change is told before we listen
    changes.length = 0;
    expect(await messenger.canMessage(alice.address, bobOld.address)).toBe(true);

    const notices = await messenger.keyChanges(alice.address, bobOld.address);
    expect(notices).toEqual([
      {
        peer: bobOld.address,
        fingerprint: fingerprint(toHex(bobNew.bundle.identityKey.publicKey)),
        keyCreatedAt: newKeyAt,
        seenAt: clock.now,
        source: 'relay',
      },
    ]);
    expect(notices[0]!.fingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
    expect(changes).toEqual([[alice.address, [topic]]]);
    // The cache now holds the new bundle: asking again notices nothing new.
    clock.now += DAY + 60_000;
    await messenger.canMessage(alice.address, bobOld.address);
    expect(await messenger.keyChanges(alice.address, bobOld.address)).toHaveLength(1);
  });

  it("from a new invitation against the conversation's bundle (the conversation moves)", async () => {
    const relay = new InMemoryRelay();
    const { alice, messenger, clock } = await startAlice(relay);
    const bobOld = await identity(8, clock.now - 10 * DAY);
    const first = await conversation(bobOld, alice);
    relay.accept(first.invites[1]);
    await messenger.catchUp();
    await until(async () => (await messenger.listConversations(alice.address)).length === 1);
    expect(await messenger.keyChanges(alice.address, bobOld.address)).toEqual([]);

    const bobNew = await identity(8, clock.now - 1_000);
    const second = await conversation(bobNew, alice);
    relay.accept(second.invites[1]);
    await until(async () => (await messenger.keyChanges(alice.address, bobOld.address)).length === 1);
    const [notice] = await messenger.keyChanges(alice.address, bobOld.address);
    expect(notice).toMatchObject({ source: 'invitation', keyCreatedAt: clock.now - 1_000 });
    expect((await messenger.listConversations(alice.address)).map((c) => c.topic)).toEqual([
      second.invitation.topic,
    ]);
  });

  it('from the KeyRegistry when nothing is cached, against the conversation kept from an invitation', async () => {
    const relay = new InMemoryRelay();
    const blocks = new Map<string, Uint8Array>();
    const service = new KeyRegistryService({
      identities: { ensure: () => Promise.reject(new Error('not used')) },
      selectedNetwork: async () => network,
      networks: async () => [network],
      rpcFor: () => ({ request: (method, params = []) => chain.rpc(method, params) }),
      blocks: () => Promise.reject(new Error('not used')),
      transactions: {
        send: () => Promise.reject(new Error('not used')),
        receiptWithin: () => Promise.reject(new Error('not used')),
        known: () => Promise.reject(new Error('not used')),
      },
      log: () => {},
    });
    const registry: KeyRegistryLookup = {
      cidOf: (peer, signal) => service.cidOf(peer, signal),
      fetchBlock: async (cid) => {
        const bytes = blocks.get(cid.toString());
        if (!bytes) throw new Error('no such block');
        return bytes;
      },
    };
    const { alice, messenger, clock } = await startAlice(relay, registry);
    const bobOld = await identity(9, clock.now - 10 * DAY);
    relay.accept((await conversation(bobOld, alice)).invites[1]);
    await messenger.catchUp();
    await until(async () => (await messenger.listConversations(alice.address)).length === 1);

    // The relay never had Bob's bundle; he put his new one on chain.
    const bobNew = await identity(9, clock.now - 5_000);
    const bundle = contactBundleOf(bobNew.keys);
    const cid = bundleCidOf(bundle);
    blocks.set(cid.toString(), bundle);
    const hash = await chain.walletFor(bobNew.address).writeContract({
      address: network.anchoring!.keyRegistry,
      abi: keyRegistryAbi,
      functionName: 'publish',
      args: [toHex(cid.bytes)],
    });
    await chain.publicClient.waitForTransactionReceipt({ hash });

    expect(await messenger.canMessage(alice.address, bobOld.address)).toBe(true);
    expect(await messenger.keyChanges(alice.address, bobOld.address)).toMatchObject([
      { source: 'chain', keyCreatedAt: clock.now - 5_000, seenAt: clock.now },
    ]);
  });
});

/**
 * The contact-bundle resolver's KeyRegistry fallback against the real contract (in-process
 * Hardhat) read by the real KeyRegistryService, a real MessageDb (fake-indexeddb) and an
 * in-memory relay: relay empty → registry → block → verified and cached; whatever the CID points
 * to must be the peer's own signed bundle; a chain that fails or hangs changes nothing else.
 */
import { IDBFactory } from 'fake-indexeddb';
import { CID } from 'multiformats/cid';
import { type Address, toHex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAesGcmSealer } from '../../../src/background/messaging/aes-gcm-sealer';
import {
  BUNDLE_CACHE_MS,
  type FetchedBundle,
  type KeyRegistryLookup,
  MAX_BUNDLE_BLOCK_BYTES,
  resolveContactBundle,
} from '../../../src/background/messaging/bundle-resolver';
import { KeyRegistryService } from '../../../src/background/messaging/key-registry-service';
import { MessageDb } from '../../../src/background/messaging/message-db';
import { contactBundleOf } from '../../../src/background/messaging/own-contact-bundle';
import { REGISTRY_MISS_MS, RegistryMisses } from '../../../src/background/messaging/registry-misses';
import { keyRegistryAbi, keyRegistryBytecode } from '../../../src/chain/contract-artifacts';
import { JsonRpcClient } from '../../../src/chain/json-rpc-client';
import { bundleCidOf } from '../../../src/chain/key-registry-reader';
import { DEVNET, type Network } from '../../../src/chain/networks';
import {
  contactTopic,
  encodeEnvelope,
  generatePrivateKeyBundle,
  type PrivateKeyBundle,
  verifyContactBundleFor,
} from '../../../src/protocol/index';
import { flip } from '../../protocol/helpers';
import { freePort } from '../../support/free-port';
import { InMemoryRelay } from '../../support/in-memory-relay';
import { deployOnChain, type InProcessChain, inProcessChain } from '../../support/in-process-chain';

const MNEMONIC = 'test test test test test test test test test test test junk';
const T0 = 1_800_000_000_000;

let chain: InProcessChain;
let network: Network;
/** Nothing listens there: the RPC is down. */
let closedPort: number;
/** Dev accounts whose keys sign their identities; they publish with the node's unlocked accounts. */
const dev = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });

async function identityOf(index: number): Promise<PrivateKeyBundle> {
  const account = dev(index);
  return generatePrivateKeyBundle({
    address: account.address,
    signMessage: (message) => account.signMessage({ message }),
  });
}

async function publishCid(from: Address, cid: Uint8Array): Promise<void> {
  const registry = network.anchoring!.keyRegistry;
  const hash = await chain
    .walletFor(from)
    .writeContract({ address: registry, abi: keyRegistryAbi, functionName: 'publish', args: [toHex(cid)] });
  await chain.publicClient.waitForTransactionReceipt({ hash });
}

const notUsedHere = () => {
  throw new Error('not used by the fallback');
};

/** The fallback's two reads: the real service's `cidOf` (counted) and blocks from a map. */
function lookup(options: { rpcDown?: boolean; blocks?: Map<string, Uint8Array> } = {}) {
  const blocks = options.blocks ?? new Map<string, Uint8Array>();
  const service = new KeyRegistryService({
    identities: { ensure: notUsedHere },
    selectedNetwork: async () => network,
    networks: async () => [network],
    rpcFor: () =>
      options.rpcDown
        ? new JsonRpcClient({ url: `http://127.0.0.1:${closedPort}` })
        : {
            request: async (method: string, params: unknown[] = [], opts?: { signal?: AbortSignal }) => {
              opts?.signal?.throwIfAborted();
              return chain.rpc(method, params);
            },
          },
    blocks: notUsedHere,
    transactions: { send: notUsedHere, receiptWithin: notUsedHere, known: notUsedHere },
    log: () => {},
  });
  const counts = { cidOf: 0, fetchBlock: 0 };
  const registry: KeyRegistryLookup = {
    cidOf: (peer, signal) => {
      counts.cidOf += 1;
      return service.cidOf(peer, signal);
    },
    fetchBlock: async (cid: CID, signal) => {
      counts.fetchBlock += 1;
      signal.throwIfAborted();
      const bytes = blocks.get(cid.toString());
      if (!bytes) throw new Error('block not found');
      return bytes;
    },
  };
  return { registry, blocks, counts };
}

async function setup() {
  const db = await MessageDb.open({
    factory: new IDBFactory(),
    sealer: createAesGcmSealer(new Uint8Array(32)),
  });
  const relay = new InMemoryRelay();
  const logs: string[] = [];
  const fetched: FetchedBundle[] = [];
  const resolve = (peer: Address, registry: KeyRegistryLookup | undefined, extra: object = {}) =>
    resolveContactBundle({
      db,
      transport: relay.connect(),
      address: peer,
      now: T0,
      signal: AbortSignal.timeout(20_000),
      ...(registry ? { registry } : {}),
      onFetched: async (bundle) => {
        fetched.push(bundle);
      },
      log: (line) => logs.push(line),
      ...extra,
    });
  return { db, relay, logs, fetched, resolve };
}

beforeAll(async () => {
  chain = await inProcessChain();
  const keyRegistry = await deployOnChain(chain, keyRegistryAbi, keyRegistryBytecode);
  network = { ...DEVNET, anchoring: { anchor: keyRegistry, keyRegistry, fromBlock: 0 } };
  closedPort = await freePort();
});

afterAll(async () => {
  await chain?.close();
});

describe('resolveContactBundle: the KeyRegistry fallback', () => {
  it('finds a bundle no relay knows through the registry, verifies it for the peer and caches it', async () => {
    const bob = dev(2).address;
    const bundle = contactBundleOf(await identityOf(2));
    const cid = bundleCidOf(bundle);
    await publishCid(bob, cid.bytes);
    const { registry, blocks, counts } = lookup();
    blocks.set(cid.toString(), bundle);
    const { db, resolve, fetched } = await setup();

    const found = await resolve(bob, registry);
    expect(found?.address).toBe(bob);
    expect(counts).toEqual({ cidOf: 1, fetchBlock: 1 });
    expect((await db.getBundle(bob))?.bundle).toEqual(bundle);
    expect(fetched.map((f) => [f.source, f.cached])).toEqual([['chain', null]]);
    // Cached now: the chain is not asked again.
    expect((await resolve(bob, registry))?.address).toBe(bob);
    expect(counts.cidOf).toBe(1);
  });

  it("refuses what the CID points to unless it is the peer's own untampered bundle", async () => {
    const carol = dev(3).address;
    const mallory = contactBundleOf(await identityOf(4));
    const carolBundle = contactBundleOf(await identityOf(3));
    const carolOther = contactBundleOf(await identityOf(3));
    const tampered = flip(carolBundle, carolBundle.length - 5);
    // Carol's valid bundle with an unknown protobuf field (15, bytes) padding it past the limit.
    const padding = MAX_BUNDLE_BLOCK_BYTES; // 16384: varint 0x80 0x80 0x01
    expect(padding).toBe(2 ** 14);
    const oversized = new Uint8Array([...carolBundle, 0x7a, 0x80, 0x80, 0x01, ...new Uint8Array(padding)]);
    expect(verifyContactBundleFor(carol, oversized).address).toBe(carol);
    const cases: [string, Uint8Array, Uint8Array][] = [
      ['a bundle of another address', mallory, mallory],
      ['a tampered bundle', tampered, tampered],
      ["another of Carol's bundles than the CID's", carolBundle, carolOther],
      ['a valid bundle over the size limit', oversized, oversized],
      ['not a bundle at all', new TextEncoder().encode('hello'), new TextEncoder().encode('hello')],
    ];
    for (const [label, published, served] of cases) {
      const cid = bundleCidOf(published);
      await publishCid(carol, cid.bytes);
      const { registry, blocks } = lookup();
      blocks.set(cid.toString(), served);
      const { db, resolve, logs } = await setup();
      expect(await resolve(carol, registry), label).toBeNull();
      expect(await db.getBundle(carol), label).toBeNull();
      expect(logs, label).toEqual([expect.stringMatching(/^KeyRegistry fallback found no usable bundle: /)]);
    }
    // A CID that is not raw sha2-256 (a dag-pb CIDv0-style code) is refused before any fetch.
    const dagPb = CID.createV1(0x70, bundleCidOf(carolBundle).multihash);
    await publishCid(carol, dagPb.bytes);
    const { registry, counts } = lookup();
    const { resolve } = await setup();
    expect(await resolve(carol, registry)).toBeNull();
    expect(counts.fetchBlock).toBe(0);
  });

  it('with the RPC down or hanging, resolves as without the chain; a relay answer never asks the chain', async () => {
    const dave = dev(5).address;
    const daveKeys = await identityOf(5);
    const { registry: down, counts } = lookup({ rpcDown: true });
    const { db, relay, resolve, logs } = await setup();
    // Relay empty, no cache: no bundle, no error.
    expect(await resolve(dave, down)).toBeNull();
    expect(logs).toEqual(['KeyRegistry fallback found no usable bundle: KeyRegistryReadError']);
    expect(counts.cidOf).toBe(1);

    // A stale cache is still used when the relay has nothing, before any chain read.
    await db.putBundle(dave, contactBundleOf(daveKeys), T0 - BUNDLE_CACHE_MS - 1);
    expect((await resolve(dave, down))?.address).toBe(dave);
    expect(counts.cidOf).toBe(1);

    // The relay has it: the relay wins and the chain is not asked.
    relay.accept(
      encodeEnvelope({
        contentTopic: contactTopic(dave),
        timestampNs: BigInt(T0) * 1_000_000n,
        message: contactBundleOf(daveKeys),
      }),
    );
    expect((await resolve(dave, down, { fresh: true }))?.address).toBe(dave);
    expect(counts.cidOf).toBe(1);

    // A registry that never answers is given up after the bound; the caller's signal still rules.
    const hanging: KeyRegistryLookup = {
      cidOf: (_peer, signal) =>
        new Promise((_resolve, reject) => {
          signal.throwIfAborted();
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
      fetchBlock: notUsedHere,
    };
    const fresh = await setup();
    const started = Date.now();
    expect(await fresh.resolve(dave, hanging, { registryTimeoutMs: 200 })).toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(fresh.logs).toEqual(['KeyRegistry fallback found no usable bundle: TimeoutError']);
    const stop = new AbortController();
    const stopped = fresh.resolve(dave, hanging, { signal: stop.signal });
    stop.abort(new Error('messenger stopped'));
    await expect(stopped).rejects.toThrow('messenger stopped');
  });

  it("a relay holding someone else's bundle on the peer's topic does not make the peer unreachable", async () => {
    const frank = dev(7).address;
    const frankKeys = await identityOf(7);
    const { db, relay, resolve, logs } = await setup();
    await db.putBundle(frank, contactBundleOf(frankKeys), T0 - BUNDLE_CACHE_MS - 1);
    // Mallory's own (valid) bundle, stored under Frank's contact topic by a relay that checks nothing.
    relay.accept(
      encodeEnvelope({
        contentTopic: contactTopic(frank),
        timestampNs: BigInt(T0) * 1_000_000n,
        message: contactBundleOf(await identityOf(8)),
      }),
    );
    expect((await resolve(frank, undefined, { fresh: true }))?.address).toBe(frank);
    expect(logs).toEqual(["A relay's contact bundle did not verify: SignatureError"]);
    // Nothing was cached from it.
    expect((await db.getBundle(frank))?.fetchedAt).toBe(T0 - BUNDLE_CACHE_MS - 1);
  });

  it('a peer the registry had nothing for is not looked up again for a while', async () => {
    const grace = dev(9).address;
    const { registry, counts } = lookup();
    const { resolve } = await setup();
    let now = T0;
    const misses = new RegistryMisses(() => now);
    expect(await resolve(grace, registry, { registryMisses: misses })).toBeNull();
    expect(await resolve(grace, registry, { registryMisses: misses })).toBeNull();
    expect(counts.cidOf).toBe(1);
    now += REGISTRY_MISS_MS;
    expect(await resolve(grace, registry, { registryMisses: misses })).toBeNull();
    expect(counts.cidOf).toBe(2);
  });

  it('without a registry (or a peer that never published) there is simply no bundle', async () => {
    const erin = dev(6).address;
    const { resolve } = await setup();
    expect(await resolve(erin, undefined)).toBeNull();
    const { registry, counts } = lookup();
    expect(await resolve(erin, registry)).toBeNull();
    expect(counts).toEqual({ cidOf: 1, fetchBlock: 0 });
  });
});

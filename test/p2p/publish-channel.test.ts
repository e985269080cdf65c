/**
 * PublishChannels against scripted in-process peers over real libp2p streams: a server that keeps
 * the stream open for many frames, one that answers once and closes (a one-shot relay, or one
 * that closed an idle stream), and one that never answers.
 */
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import type { Multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import { MemoryDatastore } from 'datastore-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CairnNode, createCairnNode } from '../../src/p2p/cairn-node';
import { PublishChannels } from '../../src/p2p/publish-channel.ts';

const KEEP_OPEN = '/cairn-test/keep-open/1';
const ONE_SHOT = '/cairn-test/one-shot/1';
const SILENT = '/cairn-test/silent/1';

let server: CairnNode;
let client: CairnNode;
let address: Multiaddr;
/** Streams the server accepted, per protocol. */
let accepted: Record<string, number>;
const held: Stream[] = [];

/** Echoes each frame back reversed, on one stream, until the client closes it. */
async function keepOpen(stream: Stream): Promise<void> {
  const lp = lpStream(stream);
  for (;;) {
    let request: Uint8Array;
    try {
      request = (await lp.read()).subarray();
    } catch {
      return;
    }
    // A slow first answer shows that requests wait for each other instead of interleaving.
    if (request[0] === 0) await new Promise((resolve) => setTimeout(resolve, 30));
    await lp.write(request.slice().reverse());
  }
}

async function oneShot(stream: Stream): Promise<void> {
  const lp = lpStream(stream);
  const request = (await lp.read()).subarray();
  await lp.write(request.slice().reverse());
  await stream.close();
}

beforeAll(async () => {
  server = await createCairnNode({
    role: 'relay',
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0/ws'],
    datastore: new MemoryDatastore(),
    blockstore: new MemoryBlockstore(),
  });
  const count = (protocol: string) => {
    accepted[protocol] = (accepted[protocol] ?? 0) + 1;
  };
  await server.libp2p.handle(KEEP_OPEN, (stream) => {
    count(KEEP_OPEN);
    void keepOpen(stream).catch(() => {});
  });
  await server.libp2p.handle(ONE_SHOT, (stream) => {
    count(ONE_SHOT);
    void oneShot(stream).catch(() => {});
  });
  await server.libp2p.handle(SILENT, (stream) => {
    count(SILENT);
    held.push(stream);
  });
  address = server.libp2p.getMultiaddrs()[0]!;
  client = await createCairnNode({
    role: 'client',
    privateKey: await generateKeyPair('Ed25519'),
    developmentRelays: [address.toString()],
    datastore: new MemoryDatastore(),
    blockstore: new MemoryBlockstore(),
  });
  await client.libp2p.dial(address);
});

beforeEach(() => {
  accepted = {};
});

afterAll(async () => {
  for (const stream of held) stream.abort(new Error('test over'));
  await Promise.all([client?.stop(), server?.stop()]);
});

function channels(protocol: string, idleMs?: number) {
  return new PublishChannels<Multiaddr>({
    open: (relay, signal) => client.libp2p.dialProtocol(relay, protocol, { signal }),
    maxResponseBytes: 1024,
    ...(idleMs !== undefined ? { idleMs } : {}),
  });
}

const signal = () => AbortSignal.timeout(5_000);

describe('PublishChannels', () => {
  it('sends every request over one kept-open stream, in order, one at a time', async () => {
    const publish = channels(KEEP_OPEN);
    const answers = await Promise.all(
      [0, 1, 2, 3, 4].map((n) => publish.request(address, new Uint8Array([n, 9]), signal())),
    );
    expect(answers).toEqual([0, 1, 2, 3, 4].map((n) => new Uint8Array([9, n])));
    expect(await publish.request(address, new Uint8Array([7, 8]), signal())).toEqual(new Uint8Array([8, 7]));
    expect(accepted[KEEP_OPEN]).toBe(1);
    expect(publish.size).toBe(1);
    publish.close();
    expect(publish.size).toBe(0);
  });

  it('replaces a stream the relay closed (one-shot or idle) without failing the request', async () => {
    const publish = channels(ONE_SHOT);
    for (const n of [1, 2, 3]) {
      expect(await publish.request(address, new Uint8Array([n, 0]), signal())).toEqual(
        new Uint8Array([0, n]),
      );
    }
    expect(accepted[ONE_SHOT]).toBe(3);
  });

  it('closes a stream left idle, and opens a new one for the next request', async () => {
    const publish = channels(KEEP_OPEN, 50);
    await publish.request(address, new Uint8Array([1]), signal());
    expect(publish.size).toBe(1);
    await expect.poll(() => publish.size, { timeout: 2_000 }).toBe(0);
    await publish.request(address, new Uint8Array([2]), signal());
    expect(accepted[KEEP_OPEN]).toBe(2);
    publish.close();
  });

  it('rejects with the abort reason when the caller gives up, and never reuses that stream', async () => {
    const publish = channels(SILENT);
    const reason = new Error('gave up');
    const controller = new AbortController();
    const pending = publish.request(address, new Uint8Array([1]), controller.signal);
    setTimeout(() => controller.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);
    expect(publish.size).toBe(0);
    await expect(publish.request(address, new Uint8Array([2]), AbortSignal.abort(reason))).rejects.toBe(
      reason,
    );
    expect(accepted[SILENT]).toBe(1);
  });

  it('throws what opening the stream threw (no retry on a fresh stream)', async () => {
    const publish = channels('/cairn-test/not-spoken/1');
    await expect(publish.request(address, new Uint8Array([1]), signal())).rejects.toThrow();
    expect(publish.size).toBe(0);
  });
});

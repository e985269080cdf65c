/**
 * StoreClient against scripted in-process peers: answers, silence, garbage. The real relay
 * daemon is exercised in relay-daemon.test.ts.
 */
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import type { multiaddr } from '@multiformats/multiaddr';
import { MemoryBlockstore } from 'blockstore-core';
import { MemoryDatastore } from 'datastore-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnNode, createCairnNode } from '../../src/p2p/cairn-node';
import {
  StoreClient,
  StoreError,
  StoreRateLimitedError,
  StoreTimeoutError,
} from '../../src/p2p/store-client.ts';
import {
  encodePublishAck,
  encodeQueryResponse,
  MAX_ACK_BYTES,
  STORE_PUBLISH_PROTOCOL,
  STORE_QUERY_PROTOCOL,
} from '../../src/p2p/store-protocol.ts';
import { ProtocolArgumentError } from '../../src/protocol/errors.ts';

let server: CairnNode;
let client: CairnNode;
let address: ReturnType<typeof multiaddr>;
/** What the scripted server answers next; `undefined` = never answer. */
let reply: ((request: Uint8Array) => Uint8Array | undefined) | undefined;
const silentStreams: Stream[] = [];

async function answer(stream: Stream): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: 256 * 1024 });
  const request = (await lp.read()).subarray();
  const response = reply?.(request);
  if (response === undefined) {
    silentStreams.push(stream); // keep it open and say nothing
    return;
  }
  await lp.write(response);
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
  for (const protocol of [STORE_PUBLISH_PROTOCOL, STORE_QUERY_PROTOCOL]) {
    await server.libp2p.handle(protocol, (stream) => void answer(stream).catch(() => {}));
  }
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

afterAll(async () => {
  for (const stream of silentStreams) stream.abort(new Error('test over'));
  await Promise.all([client?.stop(), server?.stop()]);
});

const envelope = new Uint8Array([0x0a, 0x01, 0x61]);

describe('StoreClient', () => {
  it('returns stored, duplicate and rejected acks', async () => {
    const store = new StoreClient(client.libp2p);
    reply = () => encodePublishAck({ status: 'stored', cursor: new Uint8Array([1]) });
    expect(await store.publish(address, envelope)).toEqual({ status: 'stored', cursor: new Uint8Array([1]) });
    reply = () => encodePublishAck({ status: 'rejected', reason: 'bad-message' });
    expect(await store.publish(address, envelope)).toEqual({ status: 'rejected', reason: 'bad-message' });
  });

  it('sends the request bytes the protocol defines', async () => {
    let seen: Uint8Array | undefined;
    reply = (request) => {
      seen = request;
      return encodePublishAck({ status: 'duplicate' });
    };
    await new StoreClient(client.libp2p).publish(address, envelope);
    expect(seen).toEqual(new Uint8Array([0x0a, 0x03, 0x0a, 0x01, 0x61]));
  });

  it('throws typed errors for rate limits and relay failures', async () => {
    const store = new StoreClient(client.libp2p);
    reply = () => encodePublishAck({ status: 'rate_limited' });
    await expect(store.publish(address, envelope)).rejects.toBeInstanceOf(StoreRateLimitedError);
    reply = () => encodePublishAck({ status: 'failed', reason: 'disk full' });
    await expect(store.publish(address, envelope)).rejects.toMatchObject({
      reason: 'failed',
      relayReason: 'disk full',
    });
    reply = () =>
      encodeQueryResponse({ status: 'rejected', reason: 'cursor of another relay', envelopes: [] });
    await expect(store.query(address, { contentTopics: ['t'] })).rejects.toMatchObject({
      name: 'StoreRejectedError',
      reason: 'rejected',
    });
  });

  it('never hangs on a relay that does not answer: times out', async () => {
    reply = undefined;
    const started = Date.now();
    const error = await new StoreClient(client.libp2p, { timeoutMs: 300 })
      .publish(address, envelope)
      .catch((e) => e);
    expect(error).toBeInstanceOf(StoreTimeoutError);
    expect(error.reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops when the caller aborts, and refuses an already aborted signal', async () => {
    reply = undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      new StoreClient(client.libp2p).query(address, { contentTopics: ['t'] }, { signal: controller.signal }),
    ).rejects.toMatchObject({
      reason: 'aborted',
    });
    await expect(
      new StoreClient(client.libp2p).publish(address, envelope, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ reason: 'aborted' });
  });

  it('reports a relay without the protocol as unreachable', async () => {
    await expect(new StoreClient(client.libp2p).pin(address, 'bafkqaaa')).rejects.toMatchObject({
      reason: 'unreachable',
    });
  });

  it('refuses malformed and oversize responses', async () => {
    const store = new StoreClient(client.libp2p);
    reply = () => new Uint8Array([0xff, 0xff]);
    await expect(store.publish(address, envelope)).rejects.toMatchObject({ reason: 'bad-response' });
    reply = () => new Uint8Array(MAX_ACK_BYTES + 1);
    const error = await store.publish(address, envelope).catch((e) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error.reason).toBe('stream');
    reply = () => encodeQueryResponse({ status: 'ok', envelopes: [envelope, envelope, envelope] });
    await expect(store.query(address, { contentTopics: ['t'], limit: 2 })).rejects.toMatchObject({
      reason: 'bad-response',
    });
  });

  it('queryAll pages until there is no cursor, bounded by maxPages, and refuses a cursor loop', async () => {
    const store = new StoreClient(client.libp2p);
    let page = 0;
    reply = () => {
      page++;
      return encodeQueryResponse({
        status: 'ok',
        envelopes: [envelope],
        resumeCursor: new Uint8Array([page]),
        ...(page < 3 ? { cursor: new Uint8Array([page]) } : {}),
      });
    };
    const pages = [];
    for await (const result of store.queryAll(address, { contentTopics: ['t'] })) pages.push(result);
    expect(pages.map((result) => result.resumeCursor?.[0])).toEqual([1, 2, 3]);
    expect(pages[2]?.cursor).toBeUndefined();
    page = 0;
    const bounded = [];
    for await (const result of store.queryAll(address, { contentTopics: ['t'] }, { maxPages: 2 }))
      bounded.push(result);
    expect(bounded).toHaveLength(2);
    expect(bounded[1]?.cursor).toEqual(new Uint8Array([2]));
    reply = () => encodeQueryResponse({ status: 'ok', envelopes: [envelope], cursor: new Uint8Array([7]) });
    const loop = async () => {
      for await (const _ of store.queryAll(address, { contentTopics: ['t'], cursor: new Uint8Array([7]) })) {
        // drain
      }
    };
    await expect(loop()).rejects.toMatchObject({ reason: 'bad-response' });
  });

  it('validates arguments before dialling', async () => {
    const store = new StoreClient(client.libp2p);
    await expect(store.publish(address, new Uint8Array(0))).rejects.toBeInstanceOf(ProtocolArgumentError);
    await expect(store.query(address, { contentTopics: [] })).rejects.toBeInstanceOf(ProtocolArgumentError);
    await expect(store.pin(address, 'ipfs://x')).rejects.toBeInstanceOf(ProtocolArgumentError);
    expect(() => new StoreClient(client.libp2p, { timeoutMs: 0 })).toThrow(RangeError);
  });
});

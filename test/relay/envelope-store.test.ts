import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvelopeStore, type EnvelopeStoreInit, InvalidCursorError } from '../../src/relay/envelope-store.ts';

const DAY = 24 * 60 * 60 * 1000;
let dir: string;
let now: number;
const open: EnvelopeStore[] = [];

function openStore(
  init: Partial<EnvelopeStoreInit> = {},
  path = join(dir, 'envelopes.sqlite'),
): EnvelopeStore {
  const store = EnvelopeStore.open({ path, clock: () => now, synchronous: 'NORMAL', ...init });
  open.push(store);
  return store;
}

/** Distinct envelope-like bytes (the store does not decode them). */
const bytes = (label: string) => new TextEncoder().encode(label);
const text = (envelopes: Uint8Array[]) => envelopes.map((envelope) => new TextDecoder().decode(envelope));

function put(store: EnvelopeStore, topic: string, label: string, timestampNs = 1n) {
  return store.insert({ topic, timestampNs, envelope: bytes(label), kind: 'conversation' });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-store-'));
  now = 1_000 * DAY;
});
afterEach(async () => {
  for (const store of open.splice(0)) store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('EnvelopeStore', () => {
  it('stores, deduplicates by digest and counts', () => {
    const store = openStore();
    const first = put(store, 't1', 'a');
    expect(first.status).toBe('stored');
    expect(put(store, 't1', 'a')).toEqual({ status: 'duplicate', seq: first.seq });
    // The same bytes are one envelope whatever topic they are filed under.
    expect(put(store, 't2', 'a').status).toBe('duplicate');
    expect(store.count()).toBe(1);
  });

  it('pages by seq in both directions, across topics, with a limit', () => {
    const store = openStore();
    for (const [topic, label] of [
      ['t1', 'a'],
      ['t2', 'b'],
      ['t3', 'x'],
      ['t1', 'c'],
      ['t2', 'd'],
    ] as const) {
      put(store, topic, label);
    }
    const page1 = store.query({ topics: ['t1', 't2'], limit: 3, direction: 'ascending' });
    expect(text(page1.envelopes)).toEqual(['a', 'b', 'c']);
    expect(page1.more).toBe(true);
    const page2 = store.query({
      topics: ['t1', 't2'],
      afterSeq: page1.lastSeq,
      limit: 3,
      direction: 'ascending',
    });
    expect(text(page2.envelopes)).toEqual(['d']);
    expect(page2.more).toBe(false);
    const down = store.query({ topics: ['t2', 't1', 't1'], limit: 2, direction: 'descending' });
    expect(text(down.envelopes)).toEqual(['d', 'c']);
    const rest = store.query({
      topics: ['t1', 't2'],
      afterSeq: down.lastSeq,
      limit: 10,
      direction: 'descending',
    });
    expect(text(rest.envelopes)).toEqual(['b', 'a']);
    expect(text(store.query({ topics: ['t3'], limit: 10, direction: 'ascending' }).envelopes)).toEqual(['x']);
    expect(store.query({ topics: ['none'], limit: 10, direction: 'ascending' })).toEqual({
      envelopes: [],
      more: false,
    });
  });

  it('cursors follow arrival order, not sender timestamps: late old envelopes come after the cursor', () => {
    const store = openStore();
    put(store, 't', 'new', 2_000n);
    const caughtUp = store.query({ topics: ['t'], limit: 10, direction: 'ascending' });
    expect(caughtUp.more).toBe(false);
    const cursor = store.encodeCursor(caughtUp.lastSeq!);
    put(store, 't', 'late-but-old', 1n); // arrives later, claims to be much older
    const since = store.query({
      topics: ['t'],
      afterSeq: store.decodeCursor(cursor),
      limit: 10,
      direction: 'ascending',
    });
    expect(text(since.envelopes)).toEqual(['late-but-old']);
  });

  it('stops a page at the byte budget but always returns at least one envelope', () => {
    const store = openStore();
    put(store, 't', 'aaaa');
    put(store, 't', 'bbbb');
    put(store, 't', 'cccc');
    const page = store.query({ topics: ['t'], limit: 10, direction: 'ascending', maxBytes: 9 });
    expect(text(page.envelopes)).toEqual(['aaaa', 'bbbb']);
    expect(page.more).toBe(true);
    expect(
      store.query({ topics: ['t'], limit: 10, direction: 'ascending', maxBytes: 1 }).envelopes,
    ).toHaveLength(1);
  });

  it('prunes conversation and invite envelopes after the retention, never the contact directory', () => {
    const store = openStore({ retentionMs: 30 * DAY });
    put(store, 'old', 'o');
    store.insert({ topic: 'inv', timestampNs: 1n, envelope: bytes('i'), kind: 'invite' });
    store.insert({ topic: 'c', timestampNs: 1n, envelope: bytes('contact'), kind: 'contact', rank: 1n });
    now += 20 * DAY;
    put(store, 'recent', 'r');
    expect(store.prune()).toBe(0);
    now += 11 * DAY;
    expect(store.prune()).toBe(2);
    expect(store.count()).toBe(2);
    expect(
      text(
        store.query({ topics: ['c', 'recent', 'old', 'inv'], limit: 10, direction: 'ascending' }).envelopes,
      ),
    ).toEqual(['contact', 'r']);
  });

  it('keeps at most maxPerTopic envelopes per topic, dropping the oldest received', () => {
    const store = openStore({ maxPerTopic: 3 });
    for (let i = 0; i < 5; i++) put(store, 'busy', `m${i}`);
    put(store, 'quiet', 'q');
    expect(text(store.query({ topics: ['busy'], limit: 10, direction: 'ascending' }).envelopes)).toEqual([
      'm2',
      'm3',
      'm4',
    ]);
    expect(store.count()).toBe(4);
  });

  it('contact directory: one bundle per address, the highest rank wins, replays of older ones do not', () => {
    const store = openStore();
    const contact = (label: string, rank: bigint) =>
      store.insert({ topic: 'contact-A', timestampNs: 5n, envelope: bytes(label), kind: 'contact', rank });
    expect(contact('v1', 10n).status).toBe('stored');
    const v2 = contact('v2', 20n);
    expect(v2.status).toBe('stored');
    expect(contact('v1-replayed-in-new-envelope', 10n)).toEqual({ status: 'superseded', seq: v2.seq });
    expect(contact('v2-same-rank', 20n).status).toBe('superseded');
    expect(contact('v2', 20n).status).toBe('duplicate');
    expect(text(store.query({ topics: ['contact-A'], limit: 10, direction: 'ascending' }).envelopes)).toEqual(
      ['v2'],
    );
    expect(contact('v3', 30n).status).toBe('stored');
    expect(text(store.query({ topics: ['contact-A'], limit: 10, direction: 'ascending' }).envelopes)).toEqual(
      ['v3'],
    );
    expect(store.count()).toBe(1);
  });

  it('keeps data, seq order and cursors across a reopen', () => {
    const path = join(dir, 'reopen.sqlite');
    const first = openStore({}, path);
    put(first, 't', 'a');
    const cursor = first.encodeCursor(put(first, 't', 'b').seq);
    first.close();
    const second = openStore({}, path);
    expect(second.count()).toBe(2);
    const after = put(second, 't', 'c');
    const page = second.query({
      topics: ['t'],
      afterSeq: second.decodeCursor(cursor),
      limit: 10,
      direction: 'ascending',
    });
    expect(text(page.envelopes)).toEqual(['c']);
    expect(page.lastSeq).toBe(after.seq);
  });

  it('refuses cursors that are malformed or from another store', () => {
    const a = openStore({}, join(dir, 'a.sqlite'));
    const b = openStore({}, join(dir, 'b.sqlite'));
    const cursor = a.encodeCursor(1);
    expect(a.decodeCursor(cursor)).toBe(1);
    expect(() => b.decodeCursor(cursor)).toThrow(InvalidCursorError);
    expect(() => a.decodeCursor(cursor.subarray(1))).toThrow(InvalidCursorError);
    const wrongVersion = Uint8Array.from(cursor);
    wrongVersion[0] = 2;
    expect(() => a.decodeCursor(wrongVersion)).toThrow(InvalidCursorError);
    const zero = Uint8Array.from(cursor);
    zero.fill(0, 9);
    expect(() => a.decodeCursor(zero)).toThrow(InvalidCursorError);
  });

  it('refuses use after close and out-of-range values', () => {
    const store = openStore();
    expect(() =>
      store.insert({ topic: 't', timestampNs: 1n << 63n, envelope: bytes('x'), kind: 'invite' }),
    ).toThrow(RangeError);
    expect(() => store.query({ topics: ['t'], limit: 0, direction: 'ascending' })).toThrow(RangeError);
    store.close();
    store.close();
    expect(() => put(store, 't', 'x')).toThrow(/closed/);
  });
});

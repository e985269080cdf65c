/** Manifest codecs: round trips, page sizes, and strict decoding of untrusted bytes. */
import { describe, expect, it } from 'vitest';
import {
  type AnchorManifest,
  decodeManifest,
  decodeManifestPage,
  encodeManifest,
  encodeManifestPages,
  MANIFEST_PAGE_LEAVES,
  ManifestDecodeError,
  type ManifestLeaf,
} from '../../src/chain/anchor-manifest.ts';
import { MerkleTreeError } from '../../src/chain/merkle-tree.ts';
import { ProtoWriter, WIRE_VARINT } from '../../src/protocol/protobuf.ts';
import { fuzzDecoder } from '../support/mutation-fuzz.ts';

function leaves(count: number, topics: number): ManifestLeaf[] {
  return Array.from({ length: count }, (_, i) => ({
    messageId: Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j) & 0xff),
    contentTopic: `/xmtp/0/m-${(i % topics).toString(16).padStart(64, '0')}/proto`,
  }));
}

const fakeCid = (n: number) => Uint8Array.from([0x01, 0x55, 0x12, 0x20, ...new Uint8Array(32).fill(n)]);

describe('manifest pages', () => {
  it('round-trip any batch size in pages of 2,048 leaves, topics shared within a page', () => {
    for (const [count, topics] of [
      [1, 1],
      [2048, 3],
      [2049, 2049],
      [5000, 40],
    ] as const) {
      const batch = leaves(count, topics);
      const pages = encodeManifestPages(batch);
      expect(pages).toHaveLength(Math.ceil(count / MANIFEST_PAGE_LEAVES));
      expect(pages.flatMap((page) => decodeManifestPage(page))).toEqual(batch);
    }
    // A page of one topic costs ~36 bytes a leaf.
    expect(encodeManifestPages(leaves(2048, 1))[0]!.length).toBeLessThan(2048 * 37 + 200);
  });

  it('refuses to encode an empty batch or bad leaves', () => {
    expect(() => encodeManifestPages([])).toThrow(MerkleTreeError);
    expect(() => encodeManifestPages([{ messageId: new Uint8Array(31), contentTopic: 't' }])).toThrow(
      MerkleTreeError,
    );
    expect(() => encodeManifestPages([{ messageId: new Uint8Array(32), contentTopic: '' }])).toThrow(
      MerkleTreeError,
    );
  });

  it('refuses pages naming a missing topic, with a short id, a non-UTF-8 topic or no leaf', () => {
    const leaf = (id: Uint8Array, topic?: number) => {
      const out = new ProtoWriter().bytes(1, id);
      if (topic !== undefined) out.tag(2, WIRE_VARINT).varint(topic);
      return out.finish();
    };
    const cases = [
      new ProtoWriter()
        .bytes(1, new TextEncoder().encode('t'))
        .bytes(2, leaf(new Uint8Array(32), 1))
        .finish(),
      new ProtoWriter()
        .bytes(1, new TextEncoder().encode('t'))
        .bytes(2, leaf(new Uint8Array(31)))
        .finish(),
      new ProtoWriter()
        .bytes(1, new Uint8Array([0xff, 0xfe]))
        .bytes(2, leaf(new Uint8Array(32)))
        .finish(),
      new ProtoWriter().bytes(1, new TextEncoder().encode('t')).finish(),
      new Uint8Array([0x12, 0x05, 0x01]),
    ];
    for (const bytes of cases) expect(() => decodeManifestPage(bytes)).toThrow(ManifestDecodeError);
  });
});

describe('manifest root block', () => {
  const manifest: AnchorManifest = {
    root: new Uint8Array(32).fill(7),
    count: 4097,
    pages: [1, 2, 3].map(fakeCid),
  };

  it('round-trips', () => {
    expect(decodeManifest(encodeManifest(manifest))).toEqual(manifest);
  });

  it('refuses a count that does not match the pages, a bad root or another version', () => {
    expect(() => encodeManifest({ ...manifest, count: 7000 })).toThrow(MerkleTreeError);
    expect(() => encodeManifest({ ...manifest, root: new Uint8Array(31) })).toThrow(MerkleTreeError);
    const bytes = encodeManifest(manifest);
    const otherVersion = Uint8Array.from(bytes);
    otherVersion[1] = 2;
    expect(() => decodeManifest(otherVersion)).toThrow(ManifestDecodeError);
    expect(() => decodeManifest(new ProtoWriter().tag(1, WIRE_VARINT).varint(1).finish())).toThrow(
      ManifestDecodeError,
    );
  });

  it('fuzz: mutated manifests and pages throw ManifestDecodeError or decode, nothing else', () => {
    fuzzDecoder(encodeManifest(manifest), decodeManifest, ManifestDecodeError);
    fuzzDecoder(encodeManifestPages(leaves(20, 3))[0]!, decodeManifestPage, ManifestDecodeError);
  });
});

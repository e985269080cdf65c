/**
 * The manifest of an anchored batch: what a client needs to find its own messages in it and
 * rebuild the tree, stored on IPFS (the CID goes on chain with the root). Pages keep every block
 * well under bitswap's block size whatever the batch size:
 *
 *   message AnchorManifest {   // the block whose CID is anchored
 *     uint32 version = 1;      // 1
 *     bytes root = 2;          // the batch's Merkle root, 32 bytes
 *     uint32 count = 3;        // leaves in the batch
 *     repeated bytes pages = 4;  // binary CIDs of the ManifestPage blocks, in order
 *   }
 *   message ManifestPage {
 *     repeated string topics = 1;      // the distinct content topics of the page
 *     repeated PageLeaf leaves = 2;
 *   }
 *   message PageLeaf { bytes message_id = 1; uint32 topic = 2; }  // topic: index into `topics`
 *
 * A message's leaf is `anchorLeaf(message_id, topics[topic])`; its envelope's message bytes are
 * an IPFS raw block whose sha2-256 digest is the message id. Decoding is strict (sizes checked
 * first, unknown fields skipped): manifests come from the network.
 */
import { ProtoReader, ProtoWriter, WIRE_BYTES, WIRE_VARINT } from '../protocol/protobuf.ts';
import { MAX_LEAF_TOPIC_BYTES } from './anchor-leaf.ts';
import { MerkleTreeError } from './merkle-tree.ts';

export const MANIFEST_VERSION = 1;
/** Leaves per page. */
export const MANIFEST_PAGE_LEAVES = 2048;
/** Largest batch a manifest describes. */
export const MAX_MANIFEST_LEAVES = 200_000;
/** Largest page block: 2,048 leaves with distinct 1 KiB topics stay under it. */
export const MAX_MANIFEST_PAGE_BYTES = 2_200_000;
export const MAX_MANIFEST_ROOT_BYTES = 16_384;
const MAX_CID_BYTES = 128;

export class ManifestDecodeError extends MerkleTreeError {
  override name = 'ManifestDecodeError';
}

export interface ManifestLeaf {
  /** 32 bytes. */
  messageId: Uint8Array;
  contentTopic: string;
}

export interface AnchorManifest {
  root: Uint8Array;
  count: number;
  /** Page block CIDs (binary), in leaf order. */
  pages: Uint8Array[];
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function checkLeaf(leaf: ManifestLeaf): void {
  if (!(leaf.messageId instanceof Uint8Array) || leaf.messageId.length !== 32) {
    throw new MerkleTreeError('"messageId" expected 32 bytes');
  }
  const topicBytes = utf8.encode(leaf.contentTopic);
  if (topicBytes.length === 0 || topicBytes.length > MAX_LEAF_TOPIC_BYTES) {
    throw new MerkleTreeError('"contentTopic" is empty or too long');
  }
}

/** Splits `leaves` into pages and encodes each. @throws MerkleTreeError */
export function encodeManifestPages(leaves: readonly ManifestLeaf[]): Uint8Array[] {
  if (leaves.length === 0 || leaves.length > MAX_MANIFEST_LEAVES) {
    throw new MerkleTreeError(`a manifest holds 1..${MAX_MANIFEST_LEAVES} leaves`);
  }
  const pages: Uint8Array[] = [];
  for (let start = 0; start < leaves.length; start += MANIFEST_PAGE_LEAVES) {
    const slice = leaves.slice(start, start + MANIFEST_PAGE_LEAVES);
    const topicIndex = new Map<string, number>();
    const out = new ProtoWriter();
    for (const leaf of slice) {
      checkLeaf(leaf);
      if (!topicIndex.has(leaf.contentTopic)) {
        topicIndex.set(leaf.contentTopic, topicIndex.size);
        out.bytes(1, utf8.encode(leaf.contentTopic));
      }
    }
    for (const leaf of slice) {
      const entry = new ProtoWriter();
      entry.bytes(1, leaf.messageId);
      const index = topicIndex.get(leaf.contentTopic)!;
      if (index !== 0) entry.tag(2, WIRE_VARINT).varint(index);
      out.bytes(2, entry.finish());
    }
    pages.push(out.finish());
  }
  return pages;
}

/** Decodes one page. @throws ManifestDecodeError */
export function decodeManifestPage(bytes: Uint8Array): ManifestLeaf[] {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_MANIFEST_PAGE_BYTES) {
    throw new ManifestDecodeError('manifest page is too large');
  }
  const reader = new ProtoReader(bytes, 'manifest_page', ManifestDecodeError);
  const topics: string[] = [];
  const entries: { messageId: Uint8Array; topic: number }[] = [];
  while (!reader.done) {
    const [field, wire] = reader.tag();
    if (field === 1) {
      reader.expectWire(field, wire, WIRE_BYTES);
      const raw = reader.lengthDelimited();
      if (raw.length === 0 || raw.length > MAX_LEAF_TOPIC_BYTES)
        reader.fail('has an empty or too long topic');
      try {
        topics.push(utf8Strict.decode(raw));
      } catch {
        reader.fail('has a topic that is not UTF-8');
      }
    } else if (field === 2) {
      reader.expectWire(field, wire, WIRE_BYTES);
      if (entries.length === MANIFEST_PAGE_LEAVES) reader.fail('has too many leaves');
      entries.push(decodePageLeaf(reader.lengthDelimited()));
    } else {
      reader.skip(wire);
    }
  }
  if (entries.length === 0) throw new ManifestDecodeError('"manifest_page" has no leaves');
  return entries.map(({ messageId, topic }) => {
    const contentTopic = topics[topic];
    if (contentTopic === undefined) throw new ManifestDecodeError('"manifest_page" names a topic it lacks');
    return { messageId, contentTopic };
  });
}

function decodePageLeaf(bytes: Uint8Array): { messageId: Uint8Array; topic: number } {
  const reader = new ProtoReader(bytes, 'manifest_page.leaf', ManifestDecodeError);
  let messageId: Uint8Array | undefined;
  let topic = 0;
  while (!reader.done) {
    const [field, wire] = reader.tag();
    if (field === 1) {
      reader.expectWire(field, wire, WIRE_BYTES);
      if (messageId) reader.fail('repeats its message id');
      messageId = reader.lengthDelimited().slice();
    } else if (field === 2) {
      reader.expectWire(field, wire, WIRE_VARINT);
      topic = reader.varint();
    } else {
      reader.skip(wire);
    }
  }
  if (messageId?.length !== 32)
    throw new ManifestDecodeError('"manifest_page.leaf" needs a 32-byte message id');
  return { messageId, topic };
}

/** Encodes the manifest's root block. @throws MerkleTreeError */
export function encodeManifest(manifest: AnchorManifest): Uint8Array {
  if (manifest.root.length !== 32) throw new MerkleTreeError('"root" expected 32 bytes');
  if (!Number.isInteger(manifest.count) || manifest.count < 1 || manifest.count > MAX_MANIFEST_LEAVES) {
    throw new MerkleTreeError(`"count" must be 1..${MAX_MANIFEST_LEAVES}`);
  }
  if (manifest.pages.length !== Math.ceil(manifest.count / MANIFEST_PAGE_LEAVES)) {
    throw new MerkleTreeError('"pages" does not match "count"');
  }
  const out = new ProtoWriter();
  out.tag(1, WIRE_VARINT).varint(MANIFEST_VERSION);
  out.bytes(2, manifest.root);
  out.tag(3, WIRE_VARINT).varint(manifest.count);
  for (const page of manifest.pages) {
    if (page.length === 0 || page.length > MAX_CID_BYTES)
      throw new MerkleTreeError('page CIDs are 1..128 bytes');
    out.bytes(4, page);
  }
  return out.finish();
}

/** Decodes a manifest's root block. @throws ManifestDecodeError */
export function decodeManifest(bytes: Uint8Array): AnchorManifest {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_MANIFEST_ROOT_BYTES) {
    throw new ManifestDecodeError('manifest is too large');
  }
  const reader = new ProtoReader(bytes, 'manifest', ManifestDecodeError);
  let version: number | undefined;
  let root: Uint8Array | undefined;
  let count = 0;
  const pages: Uint8Array[] = [];
  while (!reader.done) {
    const [field, wire] = reader.tag();
    if (field === 1) {
      reader.expectWire(field, wire, WIRE_VARINT);
      version = reader.varint();
    } else if (field === 2) {
      reader.expectWire(field, wire, WIRE_BYTES);
      root = reader.lengthDelimited().slice();
    } else if (field === 3) {
      reader.expectWire(field, wire, WIRE_VARINT);
      count = reader.varint();
    } else if (field === 4) {
      reader.expectWire(field, wire, WIRE_BYTES);
      const cid = reader.lengthDelimited();
      if (cid.length === 0 || cid.length > MAX_CID_BYTES) reader.fail('has a bad page CID');
      pages.push(cid.slice());
    } else {
      reader.skip(wire);
    }
  }
  if (version !== MANIFEST_VERSION)
    throw new ManifestDecodeError(`manifest version ${version} is not supported`);
  if (root?.length !== 32) throw new ManifestDecodeError('manifest needs a 32-byte root');
  if (count < 1 || count > MAX_MANIFEST_LEAVES || pages.length !== Math.ceil(count / MANIFEST_PAGE_LEAVES)) {
    throw new ManifestDecodeError('manifest count and pages do not match');
  }
  return { root, count, pages };
}

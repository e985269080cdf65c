/**
 * Rebuilding an inbox from chain and IPFS alone, when relays forgot: scan the Anchor contract's
 * `Anchored` events from a start block, fetch each batch's manifest by CID, keep the leaves on the
 * conversation topics asked for, fetch those messages by CID and hand them over as envelopes (the
 * messenger then verifies and decrypts what it can, and drops repeats). Nothing fetched is
 * trusted: a manifest must rebuild exactly the anchored root, a message must hash to its id.
 */
import { CID } from 'multiformats/cid';
import { bytesToHex } from 'viem';
import { decodeMessageV2, type Envelope } from '../protocol/index.ts';
import { sha256 } from '../protocol/keys.ts';
import { anchorLeaf } from './anchor-leaf.ts';
import { decodeManifest, decodeManifestPage, type ManifestLeaf } from './anchor-manifest.ts';
import type { AnchoredEvent } from './anchor-reader.ts';
import { type Keccak256, MerkleTree, nobleKeccak256 } from './merkle-tree.ts';
import { messageCid } from './message-cid.ts';

export interface RecoveryProgress {
  /** The last block scanned, and the chain's head when the scan started. */
  scannedTo: bigint;
  head: bigint;
  batches: number;
  /** Messages of the asked topics found in manifests, and how many were new to the inbox. */
  found: number;
  restored: number;
  /** Batches or messages that could not be fetched or did not check out. */
  skipped: number;
}

export interface InboxRecoverySources {
  head(signal: AbortSignal): Promise<bigint>;
  anchoredEvents(fromBlock: bigint, toBlock: bigint, signal: AbortSignal): Promise<AnchoredEvent[]>;
  fetchBlock(cid: CID, signal: AbortSignal): Promise<Uint8Array>;
  /** Hands a message over to the inbox; true when it was new there. */
  deliver(envelope: Envelope): Promise<boolean>;
  keccak?: Keccak256;
}

export interface RebuildOptions {
  topics: ReadonlySet<string>;
  fromBlock: bigint;
  /** Blocks per `eth_getLogs`. @default 10_000n */
  step?: bigint;
  onProgress?(progress: RecoveryProgress): void;
  signal: AbortSignal;
}

/** The batch's leaves, only when the manifest rebuilds exactly the anchored root. */
async function manifestLeaves(
  event: AnchoredEvent,
  sources: InboxRecoverySources,
  signal: AbortSignal,
): Promise<ManifestLeaf[] | undefined> {
  const manifest = decodeManifest(await sources.fetchBlock(CID.parse(event.manifestCid), signal));
  if (bytesToHex(manifest.root) !== event.root.toLowerCase()) return undefined;
  const leaves: ManifestLeaf[] = [];
  for (const page of manifest.pages) {
    leaves.push(...decodeManifestPage(await sources.fetchBlock(CID.decode(page), signal)));
  }
  if (leaves.length !== manifest.count) return undefined;
  const keccak = sources.keccak ?? nobleKeccak256;
  const tree = MerkleTree.fromLeaves(
    leaves.map((leaf) => anchorLeaf(bytesToHex(leaf.messageId), leaf.contentTopic, keccak)),
    keccak,
  );
  return bytesToHex(tree.root) === event.root.toLowerCase() ? leaves : undefined;
}

export async function rebuildInbox(
  sources: InboxRecoverySources,
  options: RebuildOptions,
): Promise<RecoveryProgress> {
  const { signal } = options;
  const step = options.step ?? 10_000n;
  const head = await sources.head(signal);
  const progress: RecoveryProgress = {
    scannedTo: options.fromBlock - 1n,
    head,
    batches: 0,
    found: 0,
    restored: 0,
    skipped: 0,
  };
  for (let from = options.fromBlock; from <= head; from += step) {
    const to = from + step - 1n > head ? head : from + step - 1n;
    for (const event of await sources.anchoredEvents(from, to, signal)) {
      signal.throwIfAborted();
      progress.batches++;
      let leaves: ManifestLeaf[] | undefined;
      try {
        leaves = await manifestLeaves(event, sources, signal);
      } catch {
        signal.throwIfAborted();
      }
      if (!leaves) {
        progress.skipped++;
        continue;
      }
      for (const leaf of leaves) {
        if (!options.topics.has(leaf.contentTopic)) continue;
        progress.found++;
        try {
          const message = await sources.fetchBlock(messageCid(leaf.messageId), signal);
          if (bytesToHex(sha256(message)) !== bytesToHex(leaf.messageId)) throw new Error('not the message');
          const { createdNs } = decodeMessageV2(message);
          const envelope: Envelope = { contentTopic: leaf.contentTopic, timestampNs: createdNs, message };
          if (await sources.deliver(envelope)) progress.restored++;
        } catch {
          signal.throwIfAborted();
          progress.skipped++;
        }
      }
    }
    progress.scannedTo = to;
    options.onProgress?.({ ...progress });
  }
  return progress;
}

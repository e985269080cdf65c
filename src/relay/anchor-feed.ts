/**
 * Feeds anchoring from what the relay stores. For each new conversation envelope: the message
 * bytes become an IPFS raw block whose CID is the message id (sha2-256 of those bytes), so a client
 * rebuilding its inbox fetches a message by the id in a manifest; its leaf goes to this relay's
 * aggregator, if it anchors, and to every other aggregator on the leaves topic (one page a
 * second, at most `SHARE_PAGE_LEAVES` leaves a page). Pages shared by other relays come in through
 * `acceptShared`, checked and rate-limited per peer.
 */
import type { Blockstore } from 'interface-blockstore';
import { decodeManifestPage, encodeManifestPages, type ManifestLeaf } from '../chain/anchor-manifest.ts';
import { messageCid } from '../chain/message-cid.ts';
import { sha256 } from '../protocol/keys.ts';
import { isConversationTopic } from '../protocol/topics.ts';
import type { Logger } from './logger.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** Leaves per shared page: with topics of at most 256 characters a page stays under 80 KB. */
export const SHARE_PAGE_LEAVES = 256;

export type SharedVerdict = 'accept' | 'reject' | 'ignore';

export interface AnchorFeedOptions {
  blockstore: Pick<Blockstore, 'put'>;
  /** Publishes a page of leaves on the leaves topic. */
  share(page: Uint8Array): Promise<void>;
  /** This relay's aggregator, when it anchors. */
  aggregator?: { add(leaves: readonly ManifestLeaf[]): void };
  /** Per-peer budget for shared pages. */
  limiter: Pick<RateLimiter, 'tryTake'>;
  logger: Logger;
  shareIntervalMs?: number;
}

export class AnchorFeed {
  readonly #o: AnchorFeedOptions;
  #toShare: ManifestLeaf[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: AnchorFeedOptions) {
    this.#o = options;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#share(), this.#o.shareIntervalMs ?? 1000);
    this.#timer.unref?.();
  }

  /** Stops sharing; leaves not shared yet are dropped (the local aggregator has them). */
  stop(): void {
    clearInterval(this.#timer);
    this.#toShare = [];
  }

  /** A conversation envelope's message was stored for the first time. */
  stored(contentTopic: string, message: Uint8Array): void {
    if (!isConversationTopic(contentTopic)) return;
    const messageId = sha256(message);
    Promise.resolve()
      .then(() => this.#o.blockstore.put(messageCid(messageId), message))
      .catch((error: unknown) => {
        this.#o.logger.warn('anchoring: message block not stored', { error: String(error) });
      });
    const leaf = { messageId, contentTopic };
    this.#o.aggregator?.add([leaf]);
    this.#toShare.push(leaf);
  }

  /** A page of leaves another relay shared: checked, then handed to the aggregator. */
  acceptShared(peer: string, page: Uint8Array): SharedVerdict {
    if (!this.#o.limiter.tryTake(peer)) return 'ignore';
    let leaves: ManifestLeaf[];
    try {
      leaves = decodeManifestPage(page);
    } catch {
      return 'reject';
    }
    if (
      leaves.length > SHARE_PAGE_LEAVES ||
      !leaves.every((leaf) => isConversationTopic(leaf.contentTopic))
    ) {
      return 'reject';
    }
    this.#o.aggregator?.add(leaves);
    return 'accept';
  }

  async #share(): Promise<void> {
    if (this.#toShare.length === 0) return;
    const leaves = this.#toShare;
    this.#toShare = [];
    for (let start = 0; start < leaves.length; start += SHARE_PAGE_LEAVES) {
      const [page] = encodeManifestPages(leaves.slice(start, start + SHARE_PAGE_LEAVES));
      await this.#o.share(page!).catch((error: unknown) => {
        this.#o.logger.debug('anchoring: leaves not shared', { error: String(error) });
      });
    }
  }
}

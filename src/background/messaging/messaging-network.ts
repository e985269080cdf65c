/** The started network the messenger runs on (the P2P node in the extension, in-memory relays in tests). */
import type { CID } from 'multiformats/cid';
import type { MessageProofEntry } from '../../p2p/store-proofs';
import type { RelayStatus } from './message-views';
import type { MessagingTransport } from './messaging-transport';

/** A started network transport, stopped on lock. */
export interface MessagingNetwork extends MessagingTransport {
  /** Where these messages stand in the relays' anchoring (the best answer per message). */
  anchorProofs(messageIds: readonly `0x${string}`[], signal: AbortSignal): Promise<MessageProofEntry[]>;
  /** A block by CID, from the relays over bitswap (rebuilding an inbox, the KeyRegistry fallback). */
  fetchBlock(cid: CID, signal: AbortSignal): Promise<Uint8Array>;
  /** Keeps a raw block in this node's blockstore (works with no relay). @returns its CID */
  putBlock(bytes: Uint8Array, signal: AbortSignal): Promise<CID>;
  /** Asks every connected relay to pin these blocks. @returns how many relays pinned them all */
  pinAtRelays(cids: readonly CID[], signal: AbortSignal): Promise<number>;
  status(): RelayStatus;
  onStatus(listener: (status: RelayStatus) => void): void;
  /** Called when a relay connection (re)opens: time to catch up. */
  onReconnect(listener: () => void): void;
  stop(): Promise<void>;
}

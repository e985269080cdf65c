/**
 * Serves `/cairn/store/1/proof` (src/p2p/store-proofs.ts) from the anchoring ledger: for each
 * message id, unknown (this relay has no leaf for it), pending (waiting for a batch, or its batch
 * not confirmed yet) or anchored with its Merkle proof and receipt. Batch trees are rebuilt from
 * the ledger on demand and a few are kept. Per-peer rate limit, bounded frames, a deadline.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { anchorLeaf } from '../chain/anchor-leaf.ts';
import { type Keccak256, MerkleTree } from '../chain/merkle-tree.ts';
import {
  decodeProofRequest,
  encodeProofResponse,
  MAX_PROOF_REQUEST_BYTES,
  type MessageProofEntry,
  type ProofResponse,
  STORE_PROOF_PROTOCOL,
} from '../p2p/store-proofs.ts';
import type { AnchorLedger } from './anchor-ledger.ts';
import type { Logger } from './logger.ts';
import type { RateLimiter } from './rate-limiter.ts';

const CACHED_TREES = 4;

export interface ProofServerOptions {
  ledger: AnchorLedger;
  keccak: Keccak256;
  limiter: Pick<RateLimiter, 'tryTake'>;
  chainId: bigint;
  contract: Hex;
  logger: Logger;
  /** @default 10_000 */
  timeoutMs?: number;
}

export class ProofServer {
  readonly #o: ProofServerOptions;
  readonly #trees = new Map<string, MerkleTree>();

  constructor(options: ProofServerOptions) {
    this.#o = options;
  }

  async register(libp2p: Pick<Libp2p, 'handle'>): Promise<void> {
    await libp2p.handle(STORE_PROOF_PROTOCOL, (stream, connection) => void this.#serve(stream, connection), {
      maxInboundStreams: 8,
    });
  }

  async unregister(libp2p: Pick<Libp2p, 'unhandle'>): Promise<void> {
    await libp2p.unhandle(STORE_PROOF_PROTOCOL);
  }

  /** The answer to a request for `messageIds`. */
  answer(messageIds: readonly Hex[]): ProofResponse {
    return { status: 'ok', proofs: messageIds.map((id) => this.#entry(id)) };
  }

  async #serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString();
    const signal = AbortSignal.timeout(this.#o.timeoutMs ?? 10_000);
    try {
      const lp = lpStream(stream, {
        maxDataLength: MAX_PROOF_REQUEST_BYTES,
        maxBufferSize: MAX_PROOF_REQUEST_BYTES + 16,
      });
      const request = (await lp.read({ signal })).subarray();
      let response: ProofResponse;
      if (!this.#o.limiter.tryTake(peer)) {
        response = { status: 'rate_limited', proofs: [] };
      } else {
        try {
          response = this.answer(decodeProofRequest(request));
        } catch (error) {
          this.#o.logger.debug('proof: malformed request', { peer, error: String(error) });
          response = { status: 'failed', reason: 'malformed request', proofs: [] };
        }
      }
      await lp.write(encodeProofResponse(response), { signal });
      await stream.close({ signal });
      this.#o.logger.info('proof', { peer, status: response.status, messages: response.proofs.length });
    } catch (error) {
      stream.abort(error instanceof Error ? error : new Error('proof request failed'));
    }
  }

  #entry(messageId: Hex): MessageProofEntry {
    const id = hexToBytes(messageId);
    const { ledger } = this.#o;
    const contentTopic = ledger.topicOf(id);
    if (contentTopic === undefined) return { messageId, state: 'unknown' };
    const batch = ledger.batchOf(id);
    if (!batch?.receipt) return { messageId, state: 'pending', contentTopic };
    const tree = this.#tree(batch.root);
    const leaf = anchorLeaf(messageId, contentTopic, this.#o.keccak);
    return {
      messageId,
      state: 'anchored',
      contentTopic,
      anchored: {
        root: bytesToHex(batch.root),
        proof: tree.proof(leaf).map((node) => bytesToHex(node)),
        batchId: batch.receipt.batchId,
        txHash: batch.receipt.txHash as Hex,
        blockNumber: batch.receipt.blockNumber,
        manifestCid: batch.manifestCid,
        chainId: this.#o.chainId,
        contract: this.#o.contract,
      },
    };
  }

  #tree(root: Uint8Array): MerkleTree {
    const key = bytesToHex(root);
    let tree = this.#trees.get(key);
    if (tree) {
      this.#trees.delete(key);
    } else {
      const { keccak } = this.#o;
      tree = MerkleTree.fromLeaves(
        this.#o.ledger
          .leavesOf(root)
          .map((leaf) => anchorLeaf(bytesToHex(leaf.messageId), leaf.contentTopic, keccak)),
        keccak,
      );
      if (this.#trees.size >= CACHED_TREES) this.#trees.delete(this.#trees.keys().next().value!);
    }
    this.#trees.set(key, tree);
    return tree;
  }
}

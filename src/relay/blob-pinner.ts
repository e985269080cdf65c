/**
 * Pins a blob (a raw block or a dag-pb / UnixFS DAG) on the relay so it outlives the client
 * that uploaded it. The DAG is fetched first, over bitswap from the connected peers, with a
 * bound on total bytes and blocks; only when the whole DAG is local and within bounds is it
 * pinned (pinned blocks survive `helia.gc()` and restarts). Fetching first matters: an
 * aborted `pins.add` leaves pin counts behind on the blocks it had walked.
 */
import type { Helia } from '@helia/interface';
import { createUnsafe } from 'multiformats/block';
import { CID } from 'multiformats/cid';

const RAW = 0x55;
const DAG_PB = 0x70;

/** The blob cannot be pinned: too large, unsupported codec, malformed. */
export class BlobRejectedError extends Error {
  override name = 'BlobRejectedError';
}

export interface PinLimits {
  /** Most bytes in the whole DAG. */
  maxBytes: number;
  /** Most blocks in the whole DAG. */
  maxBlocks: number;
}

export type PinOutcome = { status: 'pinned' | 'already-pinned'; bytes: number; blocks: number };

/** Parses a CID string and checks its codec. @throws BlobRejectedError */
export function parseBlobCid(text: string): CID {
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch {
    throw new BlobRejectedError('invalid CID');
  }
  if (cid.code !== RAW && cid.code !== DAG_PB) throw new BlobRejectedError('unsupported codec');
  return cid;
}

async function isPinned(helia: Pick<Helia, 'pins'>, cid: CID, signal: AbortSignal): Promise<boolean> {
  try {
    await helia.pins.get(cid, { signal });
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'NotFoundError') return false;
    throw error;
  }
}

/**
 * Fetches the DAG under `cid` within `limits`, then pins it.
 * @throws BlobRejectedError; AbortError-like errors when `signal` aborts
 */
export async function pinBlob(
  helia: Pick<Helia, 'blockstore' | 'pins' | 'getCodec'>,
  cid: CID,
  limits: PinLimits,
  options: { signal: AbortSignal },
): Promise<PinOutcome> {
  const { signal } = options;
  if (await isPinned(helia, cid, signal)) return { status: 'already-pinned', bytes: 0, blocks: 0 };
  const seen = new Set<string>();
  const queue: CID[] = [cid];
  let bytes = 0;
  while (queue.length > 0) {
    signal.throwIfAborted();
    const next = queue.shift()!;
    const key = next.toV1().toString();
    if (seen.has(key)) continue;
    seen.add(key);
    if (seen.size > limits.maxBlocks) throw new BlobRejectedError(`more than ${limits.maxBlocks} blocks`);
    if (next.code !== RAW && next.code !== DAG_PB)
      throw new BlobRejectedError('unsupported codec in the DAG');
    const chunks: Uint8Array[] = [];
    let blockBytes = 0;
    for await (const chunk of helia.blockstore.get(next, { signal })) {
      bytes += chunk.length;
      blockBytes += chunk.length;
      if (bytes > limits.maxBytes) throw new BlobRejectedError(`more than ${limits.maxBytes} bytes`);
      chunks.push(chunk);
    }
    if (next.code === DAG_PB) {
      const block = new Uint8Array(blockBytes);
      let offset = 0;
      for (const chunk of chunks) {
        block.set(chunk, offset);
        offset += chunk.length;
      }
      let links: CID[];
      try {
        const view = createUnsafe({ cid: next, bytes: block, codec: await helia.getCodec(next.code) });
        links = [...view.links()].map(([, link]) => link);
      } catch {
        throw new BlobRejectedError('malformed dag-pb block');
      }
      queue.push(...links);
    }
  }
  try {
    for await (const _ of helia.pins.add(cid, { signal })) {
      // every block is local now: pins.add walks the same DAG and records the pin
    }
  } catch (error) {
    // A concurrent request pinned it first.
    if (error instanceof Error && error.name === 'AlreadyPinnedError') {
      return { status: 'already-pinned', bytes, blocks: seen.size };
    }
    throw error;
  }
  return { status: 'pinned', bytes, blocks: seen.size };
}

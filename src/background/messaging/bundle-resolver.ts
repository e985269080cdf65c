/**
 * Finding a peer's verified contact bundle: the local cache while it is fresh, else the newest
 * one a relay's directory holds (then cached), else a cached one however old, else the one the
 * peer published in the KeyRegistry (its CID on chain, the block from the relays; then cached).
 * The chain is only a fallback: it is asked when no relay and no cache has a bundle, a failure
 * there means "no bundle", and it never delays a relay's answer. Each fetched bundle is shown to
 * `onFetched` with the cached one before the cache is overwritten, so a key change is noticed.
 */
import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 as sha256Hasher } from 'multiformats/hashes/sha2';
import { type Address, getAddress } from 'viem';
import {
  contactTopic,
  equalBytes,
  sha256,
  type VerifiedBundle,
  verifyContactBundleFor,
} from '../../protocol/index';
import type { MessageDb } from './message-db';
import type { MessagingTransport } from './messaging-transport';
import type { RegistryMisses } from './registry-misses';

/** A cached bundle younger than this is used without asking a relay. */
export const BUNDLE_CACHE_MS = 24 * 60 * 60_000;
/** The whole chain fallback (registry read and block fetch) gives up after this long. */
export const REGISTRY_LOOKUP_MS = 10_000;
/** A contact bundle is a few hundred bytes: a larger block at the CID is not one. */
export const MAX_BUNDLE_BLOCK_BYTES = 16 * 1024;

/** Where the KeyRegistry fallback reads from (adapters over the chain and the relays). */
export interface KeyRegistryLookup {
  /** The CID `peer` published in the KeyRegistry; null when it never did or no network has one. */
  cidOf(peer: Address, signal: AbortSignal): Promise<CID | null>;
  /** A block by CID from the relays (bitswap). */
  fetchBlock(cid: CID, signal: AbortSignal): Promise<Uint8Array>;
}

/** A bundle just fetched from a relay or through the KeyRegistry, and the one cached before. */
export interface FetchedBundle {
  peer: Address;
  bundle: VerifiedBundle;
  source: 'relay' | 'chain';
  /** The verified cached bundle it replaces (null: none, or corrupt). */
  cached: VerifiedBundle | null;
}

export interface ResolveContactBundleParameters {
  db: Pick<MessageDb, 'getBundle' | 'putBundle'>;
  transport: Pick<MessagingTransport, 'latest'>;
  address: Address;
  fresh?: boolean;
  now: number;
  signal: AbortSignal;
  /** The chain fallback; none: relays and cache only. */
  registry?: KeyRegistryLookup;
  /** Sees each fetched bundle before it replaces the cached one (key changes are noticed there). */
  onFetched?: (fetched: FetchedBundle) => Promise<void>;
  /** Peers the chain fallback found nothing for a moment ago: not asked again yet. */
  registryMisses?: Pick<RegistryMisses, 'has' | 'add'>;
  /** Why the chain fallback found nothing usable (error names only). */
  log?: (message: string) => void;
  /** @default REGISTRY_LOOKUP_MS */
  registryTimeoutMs?: number;
}

export async function resolveContactBundle(
  params: ResolveContactBundleParameters,
): Promise<VerifiedBundle | null> {
  const peer = getAddress(params.address);
  const cached = await params.db.getBundle(peer);
  const fromCache = () => {
    try {
      return cached ? verifyContactBundleFor(peer, cached.bundle) : null;
    } catch {
      return null; // a corrupted cache entry
    }
  };
  if (cached && !params.fresh && params.now - cached.fetchedAt < BUNDLE_CACHE_MS) {
    const verified = fromCache();
    if (verified) return verified;
  }
  const latest = await params.transport.latest(contactTopic(peer), params.signal);
  let verified: VerifiedBundle | null = null;
  if (latest) {
    try {
      verified = verifyContactBundleFor(peer, latest.message);
    } catch (error) {
      // A relay that does not check what it stores can hold garbage on anyone's contact topic:
      // that must not make the peer unreachable.
      params.log?.(`A relay's contact bundle did not verify: ${describe(error)}`);
    }
  }
  if (!latest || !verified) return fromCache() ?? fromRegistry(peer, params);
  await params.onFetched?.({ peer, bundle: verified, source: 'relay', cached: fromCache() });
  await params.db.putBundle(peer, latest.message, params.now);
  return verified;
}

/** The bundle the peer's KeyRegistry entry points to, verified for the peer and cached; else null. */
async function fromRegistry(
  peer: Address,
  params: ResolveContactBundleParameters,
): Promise<VerifiedBundle | null> {
  const { registry, signal } = params;
  if (!registry || params.registryMisses?.has(peer)) return null;
  const bounded = AbortSignal.any([
    signal,
    AbortSignal.timeout(params.registryTimeoutMs ?? REGISTRY_LOOKUP_MS),
  ]);
  let bundle: Uint8Array;
  let verified: VerifiedBundle;
  try {
    bounded.throwIfAborted();
    const cid = await registry.cidOf(peer, bounded);
    if (!cid) {
      params.registryMisses?.add(peer);
      return null;
    }
    // Only the blocks Cairn publishes (raw, sha2-256): their bytes can be checked against the CID.
    if (cid.code !== raw.code || cid.multihash.code !== sha256Hasher.code) {
      throw new RegistryBundleError('the CID is not a raw sha2-256 block');
    }
    bundle = await registry.fetchBlock(cid, bounded);
    if (bundle.length > MAX_BUNDLE_BLOCK_BYTES) throw new RegistryBundleError('the block is too large');
    if (!equalBytes(sha256(bundle), cid.multihash.digest)) {
      throw new RegistryBundleError('the block does not hash to its CID');
    }
    // The registry is the peer's own word, but the block must still be the peer's signed bundle.
    verified = verifyContactBundleFor(peer, bundle);
  } catch (error) {
    signal.throwIfAborted();
    params.registryMisses?.add(peer);
    params.log?.(`KeyRegistry fallback found no usable bundle: ${describe(error)}`);
    return null;
  }
  await params.onFetched?.({ peer, bundle: verified, source: 'chain', cached: null });
  await params.db.putBundle(peer, bundle, params.now);
  return verified;
}

/** What the KeyRegistry pointed to is not a bundle this wallet can use. */
class RegistryBundleError extends Error {
  override name = 'RegistryBundleError';
}

/** Error names only, and our own fixed reasons: nothing a remote party wrote reaches the log. */
function describe(error: unknown): string {
  if (error instanceof RegistryBundleError) return `${error.name} (${error.message})`;
  return error instanceof Error ? error.name : 'unknown error';
}

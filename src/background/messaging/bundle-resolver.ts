/**
 * Finding a peer's verified contact bundle: the local cache while it is fresh, else the newest
 * one a relay's directory holds (then cached), else a cached one however old.
 */
import { type Address, getAddress } from 'viem';
import { contactTopic, type VerifiedBundle, verifyContactBundleFor } from '../../protocol/index';
import type { MessageDb } from './message-db';
import type { MessagingTransport } from './messaging-transport';

/** A cached bundle younger than this is used without asking a relay. */
export const BUNDLE_CACHE_MS = 24 * 60 * 60_000;

export async function resolveContactBundle(params: {
  db: Pick<MessageDb, 'getBundle' | 'putBundle'>;
  transport: Pick<MessagingTransport, 'latest'>;
  address: Address;
  fresh?: boolean;
  now: number;
  signal: AbortSignal;
}): Promise<VerifiedBundle | null> {
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
  if (!latest) return fromCache();
  const verified = verifyContactBundleFor(peer, latest.message);
  await params.db.putBundle(peer, latest.message, params.now);
  return verified;
}

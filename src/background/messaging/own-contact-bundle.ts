/**
 * The account's own contact bundle: the signed public bundle peers encrypt to, published on its
 * contact topic through the outbox (again only when it changed since a relay acknowledged it)
 * and, by the user's choice, pointed to from the KeyRegistry on chain (the same bytes).
 */
import type { Address } from 'viem';
import {
  contactTopic,
  encodeContactBundle,
  encodeEnvelope,
  encodeSignedPublicKeyBundle,
  equalBytes,
  type PrivateKeyBundle,
  publicBundleOf,
} from '../../protocol/index';
import type { MessageDb } from './message-db';

/** The `ContactBundle` bytes of the account's identity, as published on its contact topic. */
export function contactBundleOf(me: PrivateKeyBundle): Uint8Array {
  return encodeContactBundle(publicBundleOf(me));
}

/** Queues the account's contact bundle unless a relay already acknowledged this very bundle (or `force`). */
export async function queueContactBundle(
  db: Pick<MessageDb, 'getCursor' | 'enqueue'>,
  address: Address,
  me: PrivateKeyBundle,
  now: number,
  options: { force?: boolean } = {},
): Promise<void> {
  const published = await db.getCursor(publishedMarker(address));
  if (!options.force && published && equalBytes(published, encodeSignedPublicKeyBundle(publicBundleOf(me)))) {
    return;
  }
  await db.enqueue({
    id: `contact:${address}:${now}`,
    account: address,
    kind: 'contact',
    topic: contactTopic(address),
    envelope: encodeEnvelope({
      contentTopic: contactTopic(address),
      timestampNs: BigInt(now) * 1_000_000n,
      message: contactBundleOf(me),
    }),
  });
}

/** A relay acknowledged the account's contact bundle: remember which one. */
export async function contactBundleAcknowledged(
  db: Pick<MessageDb, 'setCursor'>,
  address: Address,
  me: PrivateKeyBundle,
): Promise<void> {
  await db.setCursor(publishedMarker(address), encodeSignedPublicKeyBundle(publicBundleOf(me)));
}

function publishedMarker(address: Address): string {
  return `published-bundle:${address}`;
}

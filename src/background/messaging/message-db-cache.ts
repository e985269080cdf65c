/** Relay cursors and fetched contact bundles: caches that may be lost (a corrupt row reads as absent). */
import type { Address } from 'viem';
import { request, withTransaction } from './message-db-idb';
import {
  addressArg,
  type BundleRecord,
  bytesArg,
  parseArg,
  STORE,
  storedBundle,
  storedCursor,
  textArg,
  timeArg,
  tryParseStored,
} from './message-db-schema';
import type { MessageDbContext } from './message-db-shared';

/** The relay cursor stored for a content topic; null when absent or corrupt (history is re-read, and deduplicated). */
export async function getCursor(ctx: MessageDbContext, topic: string): Promise<Uint8Array | null> {
  const key = parseArg(textArg, topic, 'topic');
  const raw = await withTransaction(ctx.db, [STORE.cursors], 'readonly', (tx) =>
    request(tx.objectStore(STORE.cursors).get(key)),
  );
  return tryParseStored(storedCursor, raw)?.cursor ?? null;
}

export async function setCursor(ctx: MessageDbContext, topic: string, cursor: Uint8Array): Promise<void> {
  const record = {
    topic: parseArg(textArg, topic, 'topic'),
    cursor: parseArg(bytesArg, cursor, 'cursor'),
    updatedAt: ctx.now(),
  };
  await withTransaction(ctx.db, [STORE.cursors], 'readwrite', (tx) =>
    request(tx.objectStore(STORE.cursors).put(record)),
  );
}

/** The cached contact bundle of `address` (any letter case); null when absent or corrupt (fetch it again). */
export async function getBundle(ctx: MessageDbContext, address: Address): Promise<BundleRecord | null> {
  const key = lowerCase(parseArg(addressArg, address, 'address'));
  const raw = await withTransaction(ctx.db, [STORE.bundles], 'readonly', (tx) =>
    request(tx.objectStore(STORE.bundles).get(key)),
  );
  return tryParseStored(storedBundle, raw) ?? null;
}

export async function putBundle(
  ctx: MessageDbContext,
  address: Address,
  bundle: Uint8Array,
  fetchedAt: number,
): Promise<void> {
  const record: BundleRecord = {
    address: lowerCase(parseArg(addressArg, address, 'address')),
    bundle: parseArg(bytesArg, bundle, 'bundle'),
    fetchedAt: parseArg(timeArg, fetchedAt, 'fetchedAt'),
  };
  await withTransaction(ctx.db, [STORE.bundles], 'readwrite', (tx) =>
    request(tx.objectStore(STORE.bundles).put(record)),
  );
}

function lowerCase(address: Address): Address {
  return `0x${address.slice(2).toLowerCase()}`;
}

/**
 * Peers' key changes: the identity keys a peer moved to, as this wallet noticed them (a relay's
 * directory, the KeyRegistry, a new invitation). Kept per peer, not per account: every chat with
 * the peer shows them. Corrupt rows are skipped.
 */
import type { Address } from 'viem';
import { request, scan, withTransaction } from './message-db-idb';
import {
  addressArg,
  type KeyChangeRecord,
  keyChangeSchema,
  parseArg,
  STORE,
  tryParseStored,
} from './message-db-schema';
import type { MessageDbContext } from './message-db-shared';

const { keyChanges: KEY_CHANGES } = STORE;

/**
 * Records a change once: `false` when this very change (same new and previous key) is stored
 * already, so noticing it again (another relay, then the invitation) keeps the first sighting.
 */
export async function putKeyChange(ctx: MessageDbContext, change: KeyChangeRecord): Promise<boolean> {
  const peer = parseArg(addressArg, change?.peer, 'change.peer');
  const record = parseArg(keyChangeSchema, { ...change, peer }, 'change');
  return withTransaction(ctx.db, [KEY_CHANGES], 'readwrite', async (tx) => {
    const store = tx.objectStore(KEY_CHANGES);
    const stored = tryParseStored(keyChangeSchema, await request(store.get([peer, record.identityKey])));
    if (stored?.previousKey === record.previousKey) return false;
    await request(store.put(record));
    return true;
  });
}

/** The peer's key changes (any letter case), first noticed first. */
export async function keyChangesOf(ctx: MessageDbContext, peer: Address): Promise<KeyChangeRecord[]> {
  const owner = parseArg(addressArg, peer, 'peer');
  const found: KeyChangeRecord[] = [];
  await withTransaction(ctx.db, [KEY_CHANGES], 'readonly', (tx) =>
    scan(
      ctx.factory,
      tx.objectStore(KEY_CHANGES),
      { lower: [owner], upper: [owner, []] },
      'next',
      (value) => {
        const change = tryParseStored(keyChangeSchema, value);
        if (change) found.push(change);
        return true;
      },
    ),
  );
  return found.sort((a, b) => a.seenAt - b.seenAt);
}

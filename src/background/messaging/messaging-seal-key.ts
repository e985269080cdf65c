/** The message store's seal key, derived from a messaging identity held in the vault. */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Address } from 'viem';
import type { MessagingIdentities } from './messaging-identity';

/** The message store's seal key: derived from the first account's messaging identity (vault-held). */
export async function sealKeyFor(
  identities: Pick<MessagingIdentities, 'ensure'>,
  account: Address,
): Promise<Uint8Array> {
  const me = await identities.ensure(account);
  return hkdf(
    sha256,
    me.identityKey.secretKey,
    new TextEncoder().encode('cairn/message-db/v1'),
    undefined,
    32,
  );
}

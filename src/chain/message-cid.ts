/**
 * The IPFS address of a message's bytes: a CIDv1 raw block whose sha2-256 digest is the message
 * id (hex(sha256(message bytes))). Relays store and pin messages under it, so anyone who knows a
 * message id from a batch manifest can fetch the message.
 */
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { create as createDigest } from 'multiformats/hashes/digest';
import { sha256 } from 'multiformats/hashes/sha2';

export function messageCid(messageId: Uint8Array): CID {
  return CID.createV1(raw.code, createDigest(sha256.code, messageId));
}

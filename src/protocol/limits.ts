/**
 * Size limits of the messaging protocol, used on both send and receive.
 * Anything over a limit is refused with a `LimitError` before it is decoded or decrypted.
 */
import { LimitError } from './errors.ts';

/** Largest message API envelope payload (`Envelope.message`) accepted or produced: 128 KiB. */
export const MAX_ENVELOPE_BYTES = 128 * 1024;
/** Largest decoded text content: 64 KiB of UTF-8. */
export const MAX_TEXT_BYTES = 64 * 1024;
/** Largest input handed to any protobuf decoder (no message of ours is larger than an envelope). */
export const MAX_PROTO_BYTES = MAX_ENVELOPE_BYTES;
/** Longest content topic accepted (`/xmtp/0/m-<64 hex>/proto` is 76 characters). */
export const MAX_TOPIC_LENGTH = 256;
/** Most entries accepted in an invitation context's metadata map. */
export const MAX_METADATA_ENTRIES = 32;
/** Longest conversation id or metadata key/value in an invitation context. */
export const MAX_CONTEXT_STRING_LENGTH = 512;
/** Most pre-keys accepted in a stored private key bundle. */
export const MAX_PRE_KEYS = 16;

/**
 * Throws a `LimitError` naming the argument when `bytes` is longer than `max`.
 * @example assertMaxBytes('envelope', bytes, MAX_ENVELOPE_BYTES)
 */
export function assertMaxBytes(name: string, bytes: Uint8Array, max: number): void {
  if (bytes.length > max) {
    throw new LimitError(`"${name}" is ${bytes.length} bytes, over the limit of ${max}`);
  }
}

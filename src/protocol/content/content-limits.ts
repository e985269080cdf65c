/**
 * Limits of the content layer, used on both send and receive. Every decoder checks the size of its input
 * against these before doing any work, and inflation stops at `maxDecodedBytes` exactly.
 *
 * Issue 4: decoded content <= 64 KiB of text; envelopes <= 128 KiB (so an `EncodedContent` inside a
 * message can never be larger than that either).
 */

const KiB = 1024;
const MiB = 1024 * KiB;

export type ContentLimits = {
  /** Serialized `EncodedContent` bytes, before any parsing. */
  readonly maxEncodedBytes: number;
  /** `content` bytes after decompression (the limit given to the inflater). */
  readonly maxDecodedBytes: number;
  /** UTF-8 bytes of a text message (`xmtp.org/text`). */
  readonly maxTextBytes: number;
  /** UTF-8 bytes of the `fallback` string. */
  readonly maxFallbackBytes: number;
  /** Number of entries in `parameters`. */
  readonly maxParameters: number;
  /** UTF-8 bytes of one parameter key. */
  readonly maxParameterKeyBytes: number;
  /** UTF-8 bytes of one parameter value. */
  readonly maxParameterValueBytes: number;
  /** UTF-8 bytes of all parameter keys and values together. */
  readonly maxParametersTotalBytes: number;
  /** UTF-8 bytes of `authority_id` and of `type_id`. */
  readonly maxTypeIdBytes: number;
  /** Levels of content: 1 = no nesting; 2 = a reply may hold a content that is not itself a reply. */
  readonly maxNestingDepth: number;
};

/** Limits of content carried inside a message envelope. */
export const CONTENT_LIMITS: ContentLimits = Object.freeze({
  maxEncodedBytes: 128 * KiB,
  maxDecodedBytes: 64 * KiB,
  maxTextBytes: 64 * KiB,
  maxFallbackBytes: 64 * KiB + 1 * KiB,
  maxParameters: 16,
  maxParameterKeyBytes: 64,
  maxParameterValueBytes: 1 * KiB,
  maxParametersTotalBytes: 4 * KiB,
  maxTypeIdBytes: 128,
  maxNestingDepth: 2,
});

/** Largest encrypted payload of a remote attachment (the blob fetched from IPFS). */
export const MAX_ATTACHMENT_PAYLOAD_BYTES = 10 * MiB;

/** Limits of the content decrypted out of a remote attachment payload (an `xmtp.org/attachment`). */
export const ATTACHMENT_CONTENT_LIMITS: ContentLimits = Object.freeze({
  ...CONTENT_LIMITS,
  maxEncodedBytes: MAX_ATTACHMENT_PAYLOAD_BYTES,
  maxDecodedBytes: MAX_ATTACHMENT_PAYLOAD_BYTES,
  maxNestingDepth: 1,
});

/** xmtp-js does not compress content shorter than this. */
export const MIN_COMPRESSIBLE_BYTES = 10;

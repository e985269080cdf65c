/**
 * Typed errors of the content layer (`EncodedContent` and its codecs).
 *
 * Every failure of a decoder in `src/protocol/content` is one of these classes, so callers (and the fuzz
 * tests) can tell a refused input from a bug. Messages are short and name the argument; the cause of a
 * wrapped failure is kept in `cause`.
 */

import { ProtocolError } from '../errors.ts';

/** Base class of every content-layer error; a `ProtocolError`, so callers catch one family. */
export class ContentError extends ProtocolError {
  override name = 'ContentError';
  readonly shortMessage: string;

  constructor(shortMessage: string, options?: { cause?: unknown }) {
    super(shortMessage, options);
    this.shortMessage = shortMessage;
  }
}

/** An input (or an output of decompression) is over one of the limits in `content-limits.ts`. */
export class ContentLimitError extends ContentError {
  override name = 'ContentLimitError';
}

/** Bytes are not a well-formed protobuf `EncodedContent` (bad varint, truncated field, bad UTF-8…). */
export class ContentMalformedError extends ContentError {
  override name = 'ContentMalformedError';
}

/** Compressed content is not valid deflate/zlib/gzip, or uses an unknown algorithm. */
export class ContentCompressionError extends ContentError {
  override name = 'ContentCompressionError';
}

/** A known content type whose parameters or body do not match its codec's format. */
export class ContentCodecError extends ContentError {
  override name = 'ContentCodecError';
}

/** Nothing in the registry can encode this content type. */
export class ContentUnsupportedError extends ContentError {
  override name = 'ContentUnsupportedError';
}

/**
 * A remote attachment whose payload does not match its digest or does not decrypt. One opaque message
 * for every such failure: which check failed is not told.
 */
export class AttachmentDecryptionError extends ContentError {
  override name = 'AttachmentDecryptionError';
  constructor(options?: { cause?: unknown }) {
    super('Attachment could not be decrypted', options);
  }
}

/**
 * Compression of `EncodedContent.content`, as xmtp-js does it with `CompressionStream`:
 * `COMPRESSION_DEFLATE` is the zlib format (RFC 1950) and `COMPRESSION_GZIP` is gzip (RFC 1952).
 *
 * Compressing is pluggable (`Compressor`, e.g. `fflateCompressor`): Cairn itself never compresses what
 * it sends, so the extension does not ship a deflater. Compressed bytes are not canonical in XMTP (they
 * may differ from a browser's `CompressionStream` and still inflate to the same content). Decompressing uses our own inflater
 * (`inflate.ts`), which stops exactly at the output limit, so a compression bomb costs at most
 * `limits.maxDecodedBytes` of memory and work before it is refused with a `ContentLimitError`.
 */
import { ContentCompressionError, ContentLimitError } from './content-errors.ts';
import { CONTENT_LIMITS, type ContentLimits, MIN_COMPRESSIBLE_BYTES } from './content-limits.ts';
import { Compression, type EncodedContent } from './encoded-content.ts';
import { inflateGzip, inflateZlib } from './inflate.ts';

/** Inflate `data` compressed with `compression`, refusing output longer than `maxOutputBytes`. */
export function decompress(data: Uint8Array, compression: Compression, maxOutputBytes: number): Uint8Array {
  if (compression === Compression.deflate) return inflateZlib(data, maxOutputBytes);
  if (compression === Compression.gzip) return inflateGzip(data, maxOutputBytes);
  throw new ContentCompressionError(`"compression" expected 0 (deflate) or 1 (gzip), got ${compression}`);
}

/** Compresses `data` in `compression`'s format (zlib for `deflate`, gzip for `gzip`). */
export type Compressor = (data: Uint8Array, compression: Compression) => Uint8Array;

/**
 * The same content, inflated: `compression` removed and `content` decompressed under
 * `limits.maxDecodedBytes`. Content that is not compressed is returned as is.
 */
export function decompressContent(
  encoded: EncodedContent,
  limits: ContentLimits = CONTENT_LIMITS,
): EncodedContent {
  if (encoded.compression === undefined) {
    if (encoded.content.length > limits.maxDecodedBytes) {
      throw new ContentLimitError(
        `"content" expected at most ${limits.maxDecodedBytes} bytes, got ${encoded.content.length}`,
      );
    }
    return encoded;
  }
  const content = decompress(encoded.content, encoded.compression, limits.maxDecodedBytes);
  const { compression: _compression, ...rest } = encoded;
  return { ...rest, content };
}

/**
 * The same content, compressed with `compression` as xmtp-js `encodeContent` does: content shorter than
 * 10 bytes is left uncompressed (and without a `compression` field).
 */
export function compressContent(
  encoded: EncodedContent,
  compression: Compression,
  compress: Compressor,
): EncodedContent {
  if (encoded.compression !== undefined) {
    throw new ContentCompressionError('"content" is already compressed');
  }
  if (encoded.content.length < MIN_COMPRESSIBLE_BYTES) return encoded;
  return { ...encoded, compression, content: compress(encoded.content, compression) };
}

/** A `Compressor` on fflate: zlib (RFC 1950) for `deflate`, gzip (RFC 1952, mtime 0) for `gzip`, level 6. */
import { gzipSync, zlibSync } from 'fflate';
import type { Compressor } from './compression.ts';
import { ContentCompressionError } from './content-errors.ts';
import { Compression } from './encoded-content.ts';

export const fflateCompressor: Compressor = (data, compression) => {
  if (compression === Compression.deflate) return zlibSync(data, { level: 6 });
  if (compression === Compression.gzip) return gzipSync(data, { level: 6, mtime: 0 });
  throw new ContentCompressionError(`"compression" expected 0 (deflate) or 1 (gzip), got ${compression}`);
};

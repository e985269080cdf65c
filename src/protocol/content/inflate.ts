/**
 * Inflate (RFC 1951 deflate, inside RFC 1950 zlib or RFC 1952 gzip) with a hard output limit.
 *
 * The output never grows past `maxOutputBytes`: the length of every literal, copy and stored block is
 * checked before it is written, so a compression bomb (say 100 MiB of zeros in ~100 KiB) is refused with a
 * `ContentLimitError` after at most `maxOutputBytes` of work. Malformed streams (bad block type, over-
 * subscribed or incomplete Huffman codes, distances before the start, bad checksums, trailing bytes) are
 * refused with a `ContentCompressionError`. Decoding is iterative (no recursion) and every step consumes
 * input or produces bounded output, so it cannot hang.
 *
 * The decoder follows Mark Adler's `puff.c` (zlib `contrib/puff`), the reference inflater of RFC 1951:
 * https://www.rfc-editor.org/rfc/rfc1951 https://www.rfc-editor.org/rfc/rfc1950 https://www.rfc-editor.org/rfc/rfc1952
 */
import { ContentCompressionError, ContentLimitError } from './content-errors.ts';

const MAX_BITS = 15;
const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

type Huffman = { counts: Uint16Array; symbols: Uint16Array };

function fail(message: string): never {
  throw new ContentCompressionError(message);
}

/** Canonical Huffman code from code lengths. Returns the code and how many codes are left unused. */
function buildHuffman(lengths: ArrayLike<number>, n: number): { code: Huffman; left: number } {
  const counts = new Uint16Array(MAX_BITS + 1);
  const symbols = new Uint16Array(n);
  for (let s = 0; s < n; s++) counts[lengths[s]!]!++;
  if (counts[0] === n) return { code: { counts, symbols }, left: 0 };
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    left <<= 1;
    left -= counts[len]!;
    if (left < 0) fail('over-subscribed Huffman code');
  }
  const offsets = new Uint16Array(MAX_BITS + 1);
  for (let len = 1; len < MAX_BITS; len++) offsets[len + 1] = offsets[len]! + counts[len]!;
  for (let s = 0; s < n; s++) {
    const len = lengths[s]!;
    if (len !== 0) symbols[offsets[len]!++] = s;
  }
  return { code: { counts, symbols }, left };
}

const FIXED = (() => {
  const lengths = new Uint8Array(288 + 30);
  for (let s = 0; s < 144; s++) lengths[s] = 8;
  for (let s = 144; s < 256; s++) lengths[s] = 9;
  for (let s = 256; s < 280; s++) lengths[s] = 7;
  for (let s = 280; s < 288; s++) lengths[s] = 8;
  for (let s = 288; s < 318; s++) lengths[s] = 5;
  return {
    lit: buildHuffman(lengths, 288).code,
    dist: buildHuffman(lengths.subarray(288), 30).code,
  };
})();

class Inflater {
  private pos: number;
  private bitBuf = 0;
  private bitCount = 0;
  private out: Uint8Array;
  private outLength = 0;
  private readonly input: Uint8Array;
  private readonly limit: number;

  constructor(input: Uint8Array, start: number, limit: number) {
    this.input = input;
    this.pos = start;
    this.limit = limit;
    this.out = new Uint8Array(Math.min(limit, Math.max(1024, input.length * 4)));
  }

  /** Inflate up to the final block; returns the output and the byte offset after the deflate stream. */
  run(): { output: Uint8Array; end: number } {
    let final = 0;
    do {
      final = this.bits(1);
      const type = this.bits(2);
      if (type === 0) this.stored();
      else if (type === 1) this.codes(FIXED.lit, FIXED.dist);
      else if (type === 2) this.dynamic();
      else fail('invalid deflate block type 3');
    } while (final === 0);
    return { output: this.out.slice(0, this.outLength), end: this.pos };
  }

  private bits(n: number): number {
    let buf = this.bitBuf;
    while (this.bitCount < n) {
      if (this.pos >= this.input.length) fail('compressed data truncated');
      buf |= this.input[this.pos++]! << this.bitCount;
      this.bitCount += 8;
    }
    this.bitBuf = buf >>> n;
    this.bitCount -= n;
    return buf & ((1 << n) - 1);
  }

  private reserve(n: number): void {
    const needed = this.outLength + n;
    if (needed > this.limit) {
      throw new ContentLimitError(`"content" inflates past the limit of ${this.limit} bytes`);
    }
    if (needed > this.out.length) {
      const grown = new Uint8Array(Math.min(this.limit, Math.max(needed, this.out.length * 2)));
      grown.set(this.out.subarray(0, this.outLength));
      this.out = grown;
    }
  }

  private stored(): void {
    this.bitBuf = 0;
    this.bitCount = 0;
    if (this.pos + 4 > this.input.length) fail('compressed data truncated');
    const input = this.input;
    const len = input[this.pos]! | (input[this.pos + 1]! << 8);
    const nlen = input[this.pos + 2]! | (input[this.pos + 3]! << 8);
    this.pos += 4;
    if (len !== (~nlen & 0xffff)) fail('stored block length does not match its complement');
    if (this.pos + len > input.length) fail('compressed data truncated');
    this.reserve(len);
    this.out.set(input.subarray(this.pos, this.pos + len), this.outLength);
    this.outLength += len;
    this.pos += len;
  }

  private decode(code: Huffman): number {
    let value = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= MAX_BITS; len++) {
      value |= this.bits(1);
      const count = code.counts[len]!;
      if (value - count < first) return code.symbols[index + (value - first)]!;
      index += count;
      first += count;
      first <<= 1;
      value <<= 1;
    }
    return fail('invalid Huffman code');
  }

  private codes(lit: Huffman, dist: Huffman): void {
    for (;;) {
      const symbol = this.decode(lit);
      if (symbol < 256) {
        this.reserve(1);
        this.out[this.outLength++] = symbol;
      } else if (symbol === 256) {
        return;
      } else {
        const li = symbol - 257;
        if (li >= 29) fail('invalid length symbol');
        const length = LENGTH_BASE[li]! + this.bits(LENGTH_EXTRA[li]!);
        const di = this.decode(dist);
        if (di >= 30) fail('invalid distance symbol');
        const distance = DIST_BASE[di]! + this.bits(DIST_EXTRA[di]!);
        if (distance > this.outLength) fail('distance before the start of the output');
        this.reserve(length);
        const out = this.out;
        let from = this.outLength - distance;
        for (let i = 0; i < length; i++) out[this.outLength++] = out[from++]!;
      }
    }
  }

  private dynamic(): void {
    const nlen = this.bits(5) + 257;
    const ndist = this.bits(5) + 1;
    const ncode = this.bits(4) + 4;
    if (nlen > 286 || ndist > 30) fail('too many length or distance codes');
    const lengths = new Uint8Array(nlen + ndist);
    const clLengths = new Uint8Array(19);
    for (let i = 0; i < ncode; i++) clLengths[CODE_LENGTH_ORDER[i]!] = this.bits(3);
    const cl = buildHuffman(clLengths, 19);
    if (cl.left !== 0) fail('incomplete code-length code');
    let index = 0;
    while (index < nlen + ndist) {
      const symbol = this.decode(cl.code);
      if (symbol < 16) {
        lengths[index++] = symbol;
        continue;
      }
      let value = 0;
      let repeat: number;
      if (symbol === 16) {
        if (index === 0) fail('repeat with no previous length');
        value = lengths[index - 1]!;
        repeat = 3 + this.bits(2);
      } else if (symbol === 17) {
        repeat = 3 + this.bits(3);
      } else {
        repeat = 11 + this.bits(7);
      }
      if (index + repeat > nlen + ndist) fail('too many code lengths');
      lengths.fill(value, index, index + repeat);
      index += repeat;
    }
    if (lengths[256] === 0) fail('no end-of-block code');
    const lit = buildHuffman(lengths, nlen);
    // As puff: an incomplete code is allowed only when it is a single code of one bit.
    if (lit.left > 0 && nlen !== lit.code.counts[0]! + lit.code.counts[1]!)
      fail('incomplete literal/length code');
    const dist = buildHuffman(lengths.subarray(nlen), ndist);
    if (dist.left > 0 && ndist !== dist.code.counts[0]! + dist.code.counts[1]!)
      fail('incomplete distance code');
    this.codes(lit.code, dist.code);
  }
}

/** Raw deflate (RFC 1951). Returns the output and the offset just after the deflate stream. */
export function inflateRaw(
  input: Uint8Array,
  maxOutputBytes: number,
  start = 0,
): { output: Uint8Array; end: number } {
  return new Inflater(input, start, maxOutputBytes).run();
}

/** zlib (RFC 1950), what `CompressionStream('deflate')` writes and XMTP calls `COMPRESSION_DEFLATE`. */
export function inflateZlib(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  if (input.length < 6) fail('zlib stream truncated');
  const cmf = input[0]!;
  const flg = input[1]!;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7) fail('zlib stream is not deflate');
  if (((cmf << 8) | flg) % 31 !== 0) fail('zlib header check failed');
  if (flg & 0x20) fail('zlib preset dictionary not supported');
  const { output, end } = inflateRaw(input, maxOutputBytes, 2);
  if (end + 4 !== input.length)
    fail(end + 4 > input.length ? 'zlib trailer truncated' : 'bytes after the zlib stream');
  const expected =
    ((input[end]! << 24) | (input[end + 1]! << 16) | (input[end + 2]! << 8) | input[end + 3]!) >>> 0;
  if (adler32(output) !== expected) fail('zlib Adler-32 mismatch');
  return output;
}

/** gzip (RFC 1952), one member, what `CompressionStream('gzip')` writes (`COMPRESSION_GZIP`). */
export function inflateGzip(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  if (input.length < 18) fail('gzip stream truncated');
  if (input[0] !== 0x1f || input[1] !== 0x8b || input[2] !== 8) fail('not a gzip deflate stream');
  const flags = input[3]!;
  if (flags & 0xe0) fail('gzip reserved flags set');
  let pos = 10;
  if (flags & 0x04) {
    if (pos + 2 > input.length) fail('gzip header truncated');
    pos += 2 + (input[pos]! | (input[pos + 1]! << 8));
  }
  for (const flag of [0x08, 0x10]) {
    if (flags & flag) {
      while (pos < input.length && input[pos] !== 0) pos++;
      pos++;
    }
  }
  if (flags & 0x02) pos += 2;
  if (pos >= input.length) fail('gzip header truncated');
  const { output, end } = inflateRaw(input, maxOutputBytes, pos);
  if (end + 8 !== input.length)
    fail(end + 8 > input.length ? 'gzip trailer truncated' : 'bytes after the gzip member');
  const crc =
    (input[end]! | (input[end + 1]! << 8) | (input[end + 2]! << 16) | (input[end + 3]! << 24)) >>> 0;
  const size =
    (input[end + 4]! | (input[end + 5]! << 8) | (input[end + 6]! << 16) | (input[end + 7]! << 24)) >>> 0;
  if (crc32(output) !== crc || output.length % 2 ** 32 !== size) fail('gzip CRC-32 or size mismatch');
  return output;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(i + 5552, data.length);
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

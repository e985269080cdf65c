/**
 * Syntax check of an `ipfs://<CID>` URL, as remote attachments in Cairn must carry one.
 *
 * Accepts CIDv0 (base58btc `Qm…`, a 34-byte sha2-256 multihash) and CIDv1 in its canonical string form,
 * multibase base32 lower-case (`b…`): version 1, codec varint, multihash (code varint, length varint,
 * digest of that length). No path, query or fragment.
 * https://github.com/multiformats/cid https://github.com/multiformats/multibase
 */
import { ContentCodecError } from './content-errors.ts';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const MAX_CID_LENGTH = 256;

/** The CID of an `ipfs://` URL, or a `ContentCodecError`. */
export function parseIpfsUrl(url: string): string {
  if (typeof url !== 'string' || !url.startsWith('ipfs://')) {
    throw new ContentCodecError('"url" expected ipfs://<CID>');
  }
  const cid = url.slice('ipfs://'.length);
  if (!isCid(cid)) throw new ContentCodecError('"url" expected ipfs://<CID>, got an invalid CID');
  return cid;
}

export function isCid(cid: string): boolean {
  if (cid.length === 0 || cid.length > MAX_CID_LENGTH) return false;
  if (cid.length === 46 && cid.startsWith('Qm')) {
    const bytes = decodeBase58(cid);
    return bytes !== undefined && bytes.length === 34 && bytes[0] === 0x12 && bytes[1] === 0x20;
  }
  if (cid[0] !== 'b') return false;
  const bytes = decodeBase32(cid.slice(1));
  if (bytes === undefined) return false;
  let pos = 0;
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 63; shift += 7) {
      if (pos >= bytes.length) return undefined;
      const byte = bytes[pos++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    return undefined;
  };
  if (varint() !== 1) return false;
  if (varint() === undefined) return false; // content codec (dag-pb, raw, …)
  if (varint() === undefined) return false; // hash function code
  const length = varint();
  return length !== undefined && length > 0 && pos + length === bytes.length;
}

function decodeBase58(text: string): Uint8Array | undefined {
  const bytes: number[] = [0];
  for (const char of text) {
    let carry = BASE58.indexOf(char);
    if (carry < 0) return undefined;
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i]! * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (const char of text) {
    if (char !== '1') break;
    bytes.push(0);
  }
  return Uint8Array.from(bytes.reverse());
}

function decodeBase32(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    const value = BASE32.indexOf(char);
    if (value < 0) return undefined;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  // Leftover bits must be zero padding of fewer than 5 bits.
  if (bits >= 5 || (buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return Uint8Array.from(out);
}

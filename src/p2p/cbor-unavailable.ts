/**
 * Stands in for `cborg` in the extension build (see wxt.config.ts). Helia encodes its pin records
 * with it; Cairn's client never pins (relays pin what they keep), so keeping the real module out
 * saves ~7 KB gzip of the background bundle. Any use throws.
 */

export class CborUnavailableError extends Error {
  override name = 'CborUnavailableError';
  constructor() {
    super('CBOR (Helia pin records) is not bundled in the extension: the client does not pin');
  }
}

export function encode(): never {
  throw new CborUnavailableError();
}

export function decode(): never {
  throw new CborUnavailableError();
}

/** Named by Helia's dag-json codec, which the build drops with `createHelia` (never used). */
export class Token {
  constructor() {
    throw new CborUnavailableError();
  }
}

export const Type: Record<string, never> = new Proxy(
  {},
  {
    get() {
      throw new CborUnavailableError();
    },
  },
);

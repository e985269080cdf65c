/**
 * Property test of a strict decoder: `seed` (valid bytes) with a few bytes overwritten and its
 * tail cut decodes, or throws an instance of `errorClass` — never anything else, never hangs.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

export function fuzzDecoder(
  seed: Uint8Array,
  decode: (bytes: Uint8Array) => unknown,
  errorClass: abstract new (...args: never[]) => Error,
  numRuns = 10_000,
): void {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }), fc.nat(8), (flips, cut) => {
      const bytes = Uint8Array.from(seed);
      for (const [at, value] of flips) bytes[at % bytes.length] = value;
      try {
        decode(bytes.subarray(0, Math.max(0, bytes.length - cut)));
      } catch (error) {
        expect(error).toBeInstanceOf(errorClass);
      }
    }),
    { numRuns },
  );
}

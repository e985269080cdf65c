/** Byte helpers shared by the protocol modules. */
import { concatBytes, bytesToHex as nobleBytesToHex } from '@noble/hashes/utils.js';
import { ProtocolArgumentError } from './errors.ts';

export const bytesToHex: (bytes: Uint8Array) => string = nobleBytesToHex;
export const concat: (...arrays: Uint8Array[]) => Uint8Array = concatBytes;

/** Constant-time equality of two byte arrays (length is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** A fresh copy that shares no buffer with its input (protobufjs hands out views into its input). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  // The typed-array constructor copies with a memcpy (`Uint8Array.from` iterates, ~2–3× slower on
  // 10 KiB) and always returns a plain Uint8Array, never a Buffer view.
  return new Uint8Array(bytes);
}

/** Source of cryptographically secure random bytes; injected where tests need determinism. */
export type RandomBytes = (length: number) => Uint8Array;

/** Default `RandomBytes` on WebCrypto. */
export const secureRandomBytes: RandomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));

/** Throws a `ProtocolArgumentError` unless `value` is a Uint8Array of `length` bytes. */
export function assertBytes(name: string, value: unknown, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ProtocolArgumentError(`"${name}" expected Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new ProtocolArgumentError(
      `"${name}" expected Uint8Array of length ${length}, got length=${value.length}`,
    );
  }
}

/**
 * Imported secp256k1 private keys (SEC 1 §2.3.6 / §3.2: a scalar in [1, n-1]).
 * Error messages never repeat the input.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Hex } from 'viem';
import { InvalidPrivateKeyError } from './errors.ts';

const HEX_64 = /^[0-9a-f]{64}$/u;

/**
 * Parses a private key with or without `0x`, surrounding whitespace ignored.
 * @returns the key as lowercase `0x`-prefixed hex.
 * @example parsePrivateKey('AC0974BE…FF80') // '0xac0974be…ff80'
 */
export function parsePrivateKey(input: unknown): Hex {
  if (typeof input !== 'string') throw new InvalidPrivateKeyError('expected a string');
  const text = input.trim().toLowerCase();
  const digits = text.startsWith('0x') ? text.slice(2) : text;
  if (!HEX_64.test(digits)) {
    throw new InvalidPrivateKeyError(`expected 64 hexadecimal characters, got ${digits.length} characters`);
  }
  const scalar = BigInt(`0x${digits}`);
  if (scalar === 0n || scalar >= secp256k1.Point.Fn.ORDER) {
    throw new InvalidPrivateKeyError('not a valid secp256k1 scalar (must be between 1 and n-1)');
  }
  return `0x${digits}`;
}

import { describe, expect, it } from 'vitest';
import { InvalidPrivateKeyError } from '../../src/keyring/errors.ts';
import { parsePrivateKey } from '../../src/keyring/private-key.ts';
import { TEST_PRIVATE_KEY_0 } from './helpers.ts';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex64 = (value: bigint) => `0x${value.toString(16).padStart(64, '0')}`;

describe('parsePrivateKey', () => {
  it.each([
    ['with 0x', TEST_PRIVATE_KEY_0],
    ['without 0x', TEST_PRIVATE_KEY_0.slice(2)],
    ['upper case', TEST_PRIVATE_KEY_0.toUpperCase()],
    ['surrounding whitespace', `  ${TEST_PRIVATE_KEY_0}\n`],
  ])('accepts a key %s and returns lowercase 0x hex', (_, input) => {
    expect(parsePrivateKey(input)).toBe(TEST_PRIVATE_KEY_0);
  });

  it('accepts the bounds 1 and n-1', () => {
    expect(parsePrivateKey(hex64(1n))).toBe(hex64(1n));
    expect(parsePrivateKey(hex64(N - 1n))).toBe(hex64(N - 1n));
  });

  it.each([
    ['zero', hex64(0n), 'secp256k1 scalar'],
    ['n', hex64(N), 'secp256k1 scalar'],
    ['n+1', hex64(N + 1n), 'secp256k1 scalar'],
    ['all ones', `0x${'f'.repeat(64)}`, 'secp256k1 scalar'],
    ['63 digits', TEST_PRIVATE_KEY_0.slice(0, -1), 'got 63 characters'],
    ['65 digits', `${TEST_PRIVATE_KEY_0}0`, 'got 65 characters'],
    ['non-hex digits', `${TEST_PRIVATE_KEY_0.slice(0, -1)}g`, '64 hexadecimal characters'],
    ['a double prefix', `0x${TEST_PRIVATE_KEY_0}`, '64 hexadecimal characters'],
    ['inner whitespace', `${TEST_PRIVATE_KEY_0.slice(0, 30)} ${TEST_PRIVATE_KEY_0.slice(30)}`, 'hexadecimal'],
    ['an empty string', '', 'got 0 characters'],
  ])('refuses %s without repeating the input', (_, input, detail) => {
    let error: unknown;
    try {
      parsePrivateKey(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidPrivateKeyError);
    const message = (error as Error).message;
    expect(message).toContain(detail);
    expect(message).not.toContain(TEST_PRIVATE_KEY_0.slice(2, 20));
    expect(message).not.toMatch(/[0-9a-f]{16}/i);
  });

  it('refuses non-strings', () => {
    expect(() => parsePrivateKey(1n)).toThrow(InvalidPrivateKeyError);
  });
});

import { validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import { InvalidMnemonicError } from '../../src/keyring/errors.ts';
import { generateMnemonic, normalizeMnemonic, parseMnemonic } from '../../src/keyring/mnemonic.ts';
import { TEST_MNEMONIC } from './helpers.ts';

/** The all-zero-entropy BIP-39 vector (12 and 24 words). */
const ABANDON_12 = `${'abandon '.repeat(11)}about`;
const ZOO_24 = `${'zoo '.repeat(23)}vote`;

function thrown(fn: () => unknown): InvalidMnemonicError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidMnemonicError);
    return error as InvalidMnemonicError;
  }
  throw new Error('expected InvalidMnemonicError');
}

describe('generateMnemonic', () => {
  it('makes valid 12-word phrases by default and 24-word phrases on request', () => {
    const twelve = generateMnemonic();
    const twentyFour = generateMnemonic(24);
    expect(twelve.split(' ')).toHaveLength(12);
    expect(twentyFour.split(' ')).toHaveLength(24);
    expect(validateMnemonic(twelve, wordlist)).toBe(true);
    expect(validateMnemonic(twentyFour, wordlist)).toBe(true);
    expect(generateMnemonic()).not.toBe(twelve);
  });

  it('draws its entropy from the injected crypto', () => {
    const zeros = { getRandomValues: <T extends ArrayBufferView>(array: T) => array } as Crypto;
    expect(generateMnemonic(12, { crypto: zeros })).toBe(ABANDON_12);
  });
});

describe('normalizeMnemonic', () => {
  it('lowercases, trims and collapses whitespace', () => {
    expect(normalizeMnemonic(`  TEST\ttest\n\n Test ${'test '.repeat(7)}  test JUNK \n`)).toBe(TEST_MNEMONIC);
  });

  it('applies NFKD', () => {
    // U+00E9 (é) decomposes to e + U+0301 under NFKD.
    expect(normalizeMnemonic('caf\u00e9')).toBe('cafe\u0301');
  });
});

describe('parseMnemonic', () => {
  it('accepts the known vectors and returns the normalized phrase', () => {
    expect(parseMnemonic(TEST_MNEMONIC)).toBe(TEST_MNEMONIC);
    expect(parseMnemonic(` ${TEST_MNEMONIC.toUpperCase()}\n`)).toBe(TEST_MNEMONIC);
    expect(parseMnemonic(ABANDON_12)).toBe(ABANDON_12);
    expect(parseMnemonic(ZOO_24)).toBe(ZOO_24);
  });

  it.each([0, 1, 11, 13, 23, 25])('refuses %i words and says how many it got', (count) => {
    const error = thrown(() => parseMnemonic('abandon '.repeat(count)));
    expect(error.message).toContain(`expected 12, 15, 18, 21 or 24 words, got ${count}`);
    expect(error.message).not.toContain('abandon');
  });

  it('names the position of an unknown word without repeating it', () => {
    const error = thrown(() =>
      parseMnemonic('test test test wombatx test test test test test test test junk'),
    );
    expect(error.message).toContain('word 4 is not in the BIP-39 English list');
    expect(error.message).not.toMatch(/wombatx|test|junk/);
  });

  it('refuses a bad checksum without repeating the words', () => {
    const error = thrown(() => parseMnemonic('abandon '.repeat(12)));
    expect(error.message).toContain('checksum does not match');
    expect(error.message).not.toContain('abandon');
    const swapped = thrown(() =>
      parseMnemonic('test test test test test test test test test test junk test'),
    );
    expect(swapped.message).toContain('checksum');
    expect(swapped.message).not.toMatch(/test|junk/);
  });

  it('refuses non-strings', () => {
    expect(thrown(() => parseMnemonic(42)).message).toContain('expected a string');
  });

  it('carries the EIP-1193 invalid params code', () => {
    expect(thrown(() => parseMnemonic('')).code).toBe(-32602);
  });
});

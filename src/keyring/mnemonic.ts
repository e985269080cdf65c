/**
 * Secret recovery phrases (BIP-39, English wordlist only).
 * https://github.com/bitcoin/bips/blob/master/bip-0039.mediawiki
 *
 * Error messages say what is wrong (word count, position of an unknown word,
 * checksum) but never repeat the words themselves.
 */
import { entropyToMnemonic, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { InvalidMnemonicError } from './errors.ts';

/** Word counts BIP-39 defines (128 to 256 bits of entropy, in 32-bit steps). */
export const MNEMONIC_WORD_COUNTS = [12, 15, 18, 21, 24] as const;

const ENGLISH_WORDS: ReadonlySet<string> = new Set(wordlist);

export interface GenerateMnemonicOptions {
  /** Source of randomness; defaults to `globalThis.crypto`. */
  crypto?: Crypto;
}

/** Generates a new random English phrase of 12 (128-bit) or 24 (256-bit) words. */
export function generateMnemonic(words: 12 | 24 = 12, options: GenerateMnemonicOptions = {}): string {
  if (words !== 12 && words !== 24) throw new InvalidMnemonicError('"words" must be 12 or 24');
  const crypto = options.crypto ?? globalThis.crypto;
  const entropy = crypto.getRandomValues(new Uint8Array(words === 12 ? 16 : 32));
  try {
    return entropyToMnemonic(entropy, wordlist);
  } finally {
    entropy.fill(0);
  }
}

/**
 * Normalizes user input the way BIP-39 seeds are computed: NFKD, lowercase,
 * trimmed, words separated by single spaces.
 * @example normalizeMnemonic('  Test\tTEST\n test ') // 'test test test'
 */
export function normalizeMnemonic(input: string): string {
  return input.normalize('NFKD').toLowerCase().trim().split(/\s+/u).join(' ');
}

/**
 * Normalizes and validates a phrase; returns the normalized phrase.
 * @throws InvalidMnemonicError with the word count, the position of an unknown word, or a checksum failure.
 */
export function parseMnemonic(input: unknown): string {
  if (typeof input !== 'string') throw new InvalidMnemonicError('expected a string');
  const phrase = normalizeMnemonic(input);
  const words = phrase === '' ? [] : phrase.split(' ');
  if (!(MNEMONIC_WORD_COUNTS as readonly number[]).includes(words.length)) {
    throw new InvalidMnemonicError(`expected 12, 15, 18, 21 or 24 words, got ${words.length}`);
  }
  const unknown = words.findIndex((word) => !ENGLISH_WORDS.has(word));
  if (unknown !== -1) throw new InvalidMnemonicError(`word ${unknown + 1} is not in the BIP-39 English list`);
  if (!validateMnemonic(phrase, wordlist)) throw new InvalidMnemonicError('checksum does not match');
  return phrase;
}

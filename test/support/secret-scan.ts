/**
 * Finds secrets in files a browser wrote. Words are matched as whole tokens in
 * Latin-1 and in UTF-16LE (Chrome stores many strings as UTF-16), except where a
 * word sits inside the public BIP-39 English word list shipped in our bundle
 * (next to its list neighbour), which is not the user's secret.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateMnemonic, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';

const listIndex = new Map(wordlist.map((word, i) => [word, i]));

function isListNeighbour(word: string, neighbour: string | undefined, offset: -1 | 1): boolean {
  const index = listIndex.get(word);
  return index !== undefined && neighbour !== undefined && wordlist[index + offset] === neighbour;
}

/** Whole-word tokens of a text, lowercased, skipping runs of the BIP-39 list itself. */
export function textTokens(text: string): Set<string> {
  const normalized = text.replaceAll('\\n', '\n');
  const matches = [...normalized.matchAll(/[A-Za-z]+/g)].map((m) => ({
    word: m[0].toLowerCase(),
    start: m.index,
    end: m.index + m[0].length,
  }));
  const tokens = new Set<string>();
  matches.forEach((match, i) => {
    const before = matches[i - 1];
    const after = matches[i + 1];
    const listRun =
      (before &&
        normalized.slice(before.end, match.start) === '\n' &&
        isListNeighbour(match.word, before.word, -1)) ||
      (after &&
        normalized.slice(match.end, after.start) === '\n' &&
        isListNeighbour(match.word, after.word, 1));
    if (!listRun) tokens.add(match.word);
  });
  return tokens;
}

/** Tokens of a file's bytes read as Latin-1 and as UTF-16LE at both alignments. */
export function bytesTokens(bytes: Buffer): Set<string> {
  const tokens = textTokens(bytes.toString('latin1'));
  for (const view of [bytes, bytes.subarray(1)]) {
    for (const token of textTokens(view.subarray(0, view.length - (view.length % 2)).toString('utf16le'))) {
      tokens.add(token);
    }
  }
  return tokens;
}

export async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path); // sockets and symlinks (Singleton*) are skipped
  }
  return files;
}

export interface Leak {
  file: string;
  what: string;
}

/** Every file under `dirs` that contains one of `words` as a token, or one of `byteNeedles`. */
export async function findSecrets(
  dirs: string[],
  words: string[],
  byteNeedles: { label: string; bytes: Uint8Array }[] = [],
): Promise<Leak[]> {
  const leaks: Leak[] = [];
  for (const dir of dirs) {
    for (const file of await listFiles(dir)) {
      const bytes = await readFile(file);
      const tokens = bytesTokens(bytes);
      for (const word of words) if (tokens.has(word)) leaks.push({ file, what: `word "${word}"` });
      for (const needle of byteNeedles)
        if (bytes.indexOf(needle.bytes) !== -1) leaks.push({ file, what: needle.label });
    }
  }
  return leaks;
}

/** All BIP-39 words present as tokens in the files under `dirs`. */
export async function wordsPresent(dirs: string[]): Promise<Set<string>> {
  const present = new Set<string>();
  for (const dir of dirs) {
    for (const file of await listFiles(dir)) {
      for (const token of bytesTokens(await readFile(file))) if (listIndex.has(token)) present.add(token);
    }
  }
  return present;
}

/**
 * A valid random 12-word phrase whose words are all outside `excluded`, so any
 * later appearance of one of them in a profile can only come from the phrase.
 */
export function mnemonicAvoiding(excluded: Set<string>): string {
  const allowed = wordlist.filter((word) => !excluded.has(word));
  if (allowed.length < 64) throw new Error(`only ${allowed.length} usable words`);
  for (let attempt = 0; attempt < 1000; attempt++) {
    // Start from a random valid phrase's randomness, then swap in allowed words.
    const seedWords = generateMnemonic(wordlist).split(' ');
    const head = seedWords
      .slice(0, 11)
      .map((_, i) => allowed[(listIndex.get(seedWords[i]!)! * 7919 + i) % allowed.length]!);
    for (const last of allowed) {
      const phrase = [...head, last].join(' ');
      if (validateMnemonic(phrase, wordlist)) return phrase;
    }
  }
  throw new Error('no valid phrase from the allowed words');
}

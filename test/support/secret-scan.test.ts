import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import { bytesTokens, findSecrets, mnemonicAvoiding, textTokens } from './secret-scan';

describe('secret scan (the profile leak detector must itself be able to fail)', () => {
  it('finds words in Latin-1 and in UTF-16LE at either alignment', () => {
    expect(bytesTokens(Buffer.from('x "wallet pioneer" y', 'latin1')).has('pioneer')).toBe(true);
    expect(bytesTokens(Buffer.from('pioneer', 'utf16le')).has('pioneer')).toBe(true);
    expect(
      bytesTokens(Buffer.concat([Buffer.from([0]), Buffer.from('pioneer', 'utf16le')])).has('pioneer'),
    ).toBe(true);
  });

  it('ignores the public word list itself, but not a phrase next to it', () => {
    const list = wordlist.join('\n');
    expect(textTokens(list).size).toBe(0);
    expect(textTokens(`${list.replaceAll('\n', '\\n')}`).size).toBe(0);
    expect(textTokens(`abandon pioneer zoo`)).toEqual(new Set(['abandon', 'pioneer', 'zoo']));
  });

  it('reports files holding a word or a byte needle', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-scan-'));
    try {
      await writeFile(join(dir, 'a'), Buffer.from('{"mnemonic":"pioneer"}', 'utf16le'));
      await writeFile(join(dir, 'b'), Buffer.from([1, 2, 3, 4]));
      const leaks = await findSecrets(
        [dir],
        ['pioneer', 'zebra'],
        [{ label: 'key', bytes: Uint8Array.of(2, 3) }],
      );
      expect(leaks).toEqual([
        { file: join(dir, 'a'), what: 'word "pioneer"' },
        { file: join(dir, 'b'), what: 'key' },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('builds valid phrases from allowed words only', () => {
    const excluded = new Set(wordlist.slice(0, 1500));
    const phrase = mnemonicAvoiding(excluded);
    expect(validateMnemonic(phrase, wordlist)).toBe(true);
    for (const word of phrase.split(' ')) expect(excluded.has(word)).toBe(false);
  });
});

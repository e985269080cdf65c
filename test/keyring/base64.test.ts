import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../src/keyring/base64.ts';

describe('base64', () => {
  it('round-trips every length and byte value like Buffer does', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + length) & 0xff);
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(decodeBase64(text)).toEqual(bytes);
    }
  });

  it.each([
    ['missing padding', 'AAE'],
    ['url-safe alphabet', 'ab-_'],
    ['whitespace', 'AAEC AwQF'],
    ['non-zero padding bits', 'AAF='],
    ['too much padding', 'AA==='],
    ['padding in the middle', 'AA==AAAA'],
  ])('refuses %s', (_, text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });
});

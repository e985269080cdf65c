import { describe, expect, it } from 'vitest';
import { printableUtf8 } from '../../../src/background/dapp/dapp-rpc';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('printableUtf8 (what the signature window may show as text)', () => {
  it('shows ordinary text, with tabs and newlines', () => {
    expect(printableUtf8(utf8('Sign in to example.com\n\tNonce: 42 — ✓'))).toBe(
      'Sign in to example.com\n\tNonce: 42 — ✓',
    );
  });

  it('falls back to hex for invalid UTF-8, control, bidi and zero-width characters', () => {
    expect(printableUtf8(Uint8Array.of(0xff, 0xfe))).toBeNull();
    for (const hidden of ['\u0000', '\u001b[2J', '\u202e', '\u2066', '\u200b', '\ufeff', '\u2028']) {
      expect(printableUtf8(utf8(`Sign in to evil.com${hidden}moc.elgoog`))).toBeNull();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { isOwnExtensionPage } from '../../src/background/sender-checks';

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const BASE = `chrome-extension://${ID}/`;

describe('isOwnExtensionPage', () => {
  it('accepts the popup and other pages of this extension', () => {
    expect(isOwnExtensionPage({ id: ID, url: `${BASE}popup.html` }, ID, BASE)).toBe(true);
    expect(
      isOwnExtensionPage({ id: ID, url: `${BASE}approval.html#x`, origin: BASE.slice(0, -1) }, ID, BASE),
    ).toBe(true);
  });

  it('refuses content scripts, which share the id but run on web pages', () => {
    expect(
      isOwnExtensionPage({ id: ID, url: 'https://evil.example/', origin: 'https://evil.example' }, ID, BASE),
    ).toBe(false);
  });

  it('refuses other extensions, missing senders and disagreeing origins', () => {
    expect(isOwnExtensionPage({ id: 'other', url: `${BASE}popup.html` }, ID, BASE)).toBe(false);
    expect(isOwnExtensionPage(undefined, ID, BASE)).toBe(false);
    expect(isOwnExtensionPage({ id: ID }, ID, BASE)).toBe(false);
    expect(
      isOwnExtensionPage({ id: ID, url: `${BASE}popup.html`, origin: 'https://evil.example' }, ID, BASE),
    ).toBe(false);
    // A look-alike prefix without the slash must not pass.
    expect(isOwnExtensionPage({ id: ID, url: `chrome-extension://${ID}x/popup.html` }, ID, BASE)).toBe(false);
  });
});

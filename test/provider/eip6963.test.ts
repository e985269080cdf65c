/** EIP-6963 discovery and the legacy `window.ethereum` global. https://eips.ethereum.org/EIPS/eip-6963 */
import { describe, expect, it } from 'vitest';
import {
  announceProvider,
  CAIRN_RDNS,
  cairnProviderInfo,
  type Eip6963ProviderInfo,
  installLegacyGlobal,
} from '../../src/provider/eip6963';
import { FakeWindow } from '../support/fake-window';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface AnnounceDetail {
  info: Eip6963ProviderInfo;
  provider: unknown;
}

function recordAnnouncements(win: FakeWindow): AnnounceDetail[] {
  const seen: AnnounceDetail[] = [];
  win.addEventListener('eip6963:announceProvider', (event) => {
    seen.push((event as CustomEvent<AnnounceDetail>).detail);
  });
  return seen;
}

describe('cairnProviderInfo', () => {
  it('names Cairn with a reverse-DNS rdns, the given UUIDv4 and a base64 SVG data URI', () => {
    const uuid = crypto.randomUUID(); // as the inpage entrypoint does
    const info = cairnProviderInfo(uuid);
    expect(info.uuid).toBe(uuid);
    expect(info.uuid).toMatch(UUID_V4);
    expect(info.name).toBe('Cairn');
    expect(info.rdns).toBe(CAIRN_RDNS);
    expect(info.rdns).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    const prefix = 'data:image/svg+xml;base64,';
    expect(info.icon.startsWith(prefix)).toBe(true);
    const svg = atob(info.icon.slice(prefix.length));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/s);
    // EIP-6963 asks for a square icon of at least 96×96: the viewBox is square and vector.
    expect(svg).toContain('viewBox="0 0 32 32"');
  });
});

describe('announceProvider', () => {
  it('announces once on load and again on every eip6963:requestProvider, with one frozen detail', () => {
    const win = new FakeWindow();
    const seen = recordAnnouncements(win);
    const provider = { isCairn: true };
    const info = cairnProviderInfo('0b5d6f7a-3c1e-4f2a-9b8c-7d6e5f4a3b2c');
    announceProvider(win.asWindow, info, provider);
    expect(seen).toHaveLength(1);

    win.dispatchEvent(new Event('eip6963:requestProvider'));
    win.dispatchEvent(new Event('eip6963:requestProvider'));
    expect(seen).toHaveLength(3);

    const [detail] = seen;
    expect(seen.every((d) => d === detail)).toBe(true);
    expect(detail?.provider).toBe(provider);
    expect(detail?.info).toEqual(info);
    expect(Object.isFrozen(detail)).toBe(true);
    expect(Object.isFrozen(detail?.info)).toBe(true);
    // The caller's info object is copied, so changing it later cannot change the announcement.
    info.name = 'Evil';
    expect(detail?.info.name).toBe('Cairn');
    expect(() => {
      (detail as { provider: unknown }).provider = { evil: true };
    }).toThrow(TypeError);
    expect(() => {
      (detail?.info as { rdns: string }).rdns = 'com.evil';
    }).toThrow(TypeError);
  });

  it('dispatches announceProvider as a CustomEvent on the window it was given', () => {
    const win = new FakeWindow();
    const events: Event[] = [];
    win.addEventListener('eip6963:announceProvider', (event) => events.push(event));
    announceProvider(win.asWindow, cairnProviderInfo(crypto.randomUUID()), {});
    expect(events[0]).toBeInstanceOf(CustomEvent);
    expect(events[0]?.type).toBe('eip6963:announceProvider');
  });
});

describe('installLegacyGlobal', () => {
  it('sets window.ethereum when no wallet defined it', () => {
    const win = new FakeWindow();
    const provider = { isCairn: true };
    expect(installLegacyGlobal(win.asWindow, provider)).toBe(true);
    expect((win as unknown as { ethereum: unknown }).ethereum).toBe(provider);
    expect(Object.keys(win)).toContain('ethereum');
  });

  it('also installs over an ethereum property that is present but undefined', () => {
    const win = Object.assign(new FakeWindow(), { ethereum: undefined });
    const provider = { isCairn: true };
    expect(installLegacyGlobal(win.asWindow, provider)).toBe(true);
    expect(win.ethereum).toBe(provider);
  });

  it('never replaces another wallet, whether a plain value or a getter', () => {
    const other = { isMetaMask: true };
    const win = Object.assign(new FakeWindow(), { ethereum: other });
    expect(installLegacyGlobal(win.asWindow, { isCairn: true })).toBe(false);
    expect(win.ethereum).toBe(other);

    const guarded = new FakeWindow();
    Object.defineProperty(guarded, 'ethereum', { get: () => other, configurable: false });
    expect(installLegacyGlobal(guarded.asWindow, { isCairn: true })).toBe(false);
    expect((guarded as unknown as { ethereum: unknown }).ethereum).toBe(other);
  });

  it('leaves the property writable and configurable so a wallet loaded later can still take it', () => {
    const win = new FakeWindow();
    installLegacyGlobal(win.asWindow, { isCairn: true });
    const later = { isOther: true };
    (win as unknown as { ethereum: unknown }).ethereum = later;
    expect((win as unknown as { ethereum: unknown }).ethereum).toBe(later);
    Object.defineProperty(win, 'ethereum', { value: 'redefined' });
    expect((win as unknown as { ethereum: unknown }).ethereum).toBe('redefined');
  });
});

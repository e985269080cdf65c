/**
 * EIP-6963 multi-wallet discovery: announce on load and on every request, with a
 * frozen detail. https://eips.ethereum.org/EIPS/eip-6963
 */

export interface Eip6963ProviderInfo {
  uuid: string;
  name: string;
  icon: string;
  rdns: string;
}

const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3d5a45"/>' +
  '<ellipse cx="16" cy="24" rx="9" ry="3.2" fill="#d9d2c3"/><ellipse cx="16" cy="17.5" rx="6.5" ry="2.8" fill="#ece6da"/>' +
  '<ellipse cx="16" cy="11.5" rx="4.2" ry="2.3" fill="#f7f3ec"/></svg>';

export const CAIRN_RDNS = 'dev.cairn.wallet';

export function cairnProviderInfo(uuid: string): Eip6963ProviderInfo {
  return {
    uuid,
    name: 'Cairn',
    icon: `data:image/svg+xml;base64,${btoa(ICON_SVG)}`,
    rdns: CAIRN_RDNS,
  };
}

/** Announces `provider` now and whenever a dapp dispatches `eip6963:requestProvider`. */
export function announceProvider(win: Window, info: Eip6963ProviderInfo, provider: unknown): void {
  const detail = Object.freeze({ info: Object.freeze({ ...info }), provider });
  const announce = () => win.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail }));
  win.addEventListener('eip6963:requestProvider', announce);
  announce();
}

/** Sets `window.ethereum` only when no other wallet has: Cairn never clobbers another wallet. */
export function installLegacyGlobal(win: Window, provider: unknown): boolean {
  if ('ethereum' in win && (win as { ethereum?: unknown }).ethereum !== undefined) return false;
  Object.defineProperty(win, 'ethereum', {
    value: provider,
    configurable: true,
    enumerable: true,
    writable: true,
  });
  return true;
}

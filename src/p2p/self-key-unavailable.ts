/**
 * Stands in for `@libp2p/config` in the extension build (see wxt.config.ts): Helia calls
 * `loadOrCreateSelfKey` only when no private key is given, and Cairn always gives one
 * (peer-key-store.ts). Keeping the real module out drops libp2p's keychain and asn1js
 * from the background bundle.
 */
export function loadOrCreateSelfKey(): never {
  throw new Error('Cairn passes its own libp2p private key; the keychain is not bundled');
}

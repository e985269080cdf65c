/**
 * Stands in for `@ipshipyard/keychain` in the extension build (see wxt.config.ts): Helia builds
 * a keychain for IPNS publishing keys when it starts, and Cairn's client never uses one. Keeping
 * the real module out saves ~2 KB gzip of the background bundle; any use rejects.
 */
import type { Keychain } from '@ipshipyard/keychain';

export class KeychainUnavailableError extends Error {
  override name = 'KeychainUnavailableError';
  constructor() {
    super('The Helia keychain is not bundled in the extension');
  }
}

const unavailable = async (): Promise<never> => {
  throw new KeychainUnavailableError();
};

async function* noKeys(): AsyncGenerator<never> {
  yield* [];
  throw new KeychainUnavailableError();
}

export function keychain(): () => Keychain {
  return () => ({
    generateKey: unavailable,
    importKey: unavailable,
    exportKey: unavailable,
    removeKey: unavailable,
    renameKey: unavailable,
    listKeys: noKeys,
    rotateKeychainPass: unavailable,
    loadPublicKeyFromProtobuf: unavailable,
  });
}

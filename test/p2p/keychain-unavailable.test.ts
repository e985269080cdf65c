import { describe, expect, it } from 'vitest';
import { KeychainUnavailableError, keychain } from '../../src/p2p/keychain-unavailable.ts';

describe('keychain stand-in (extension build)', () => {
  it('rejects every use with a KeychainUnavailableError', async () => {
    const chain = keychain()();
    const calls = [
      () => chain.generateKey('k'),
      () => chain.exportKey('k'),
      () => chain.removeKey('k'),
      () => chain.renameKey('k', 'l'),
      () => chain.rotateKeychainPass('p'),
      () => chain.loadPublicKeyFromProtobuf(new Uint8Array()),
      async () => {
        for await (const key of chain.listKeys()) return key;
      },
    ];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(KeychainUnavailableError);
  });
});

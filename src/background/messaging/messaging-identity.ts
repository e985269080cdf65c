/**
 * Each wallet account's messaging identity (XMTP v2 private key bundle): generated on
 * first use with one signature by the account's own key (no prompt: Cairn holds
 * it), kept inside the encrypted vault, and reused across unlocks.
 *
 * New identities take their secret keys from the keyring's `messagingIdentitySeed` (HKDF of
 * the account key), so restoring the same phrase or key in another browser recreates the same
 * identity and pre-key, hence the same XMTP v2 conversation topics. An identity already stored
 * (possibly random, from before) is kept as it is.
 */
import type { Address } from 'viem';
import type { Keyring } from '../../keyring/keyring';
import {
  bundleSecretsFromSeed,
  decodePrivateKeyBundle,
  encodePrivateKeyBundle,
  generatePrivateKeyBundle,
  type PrivateKeyBundle,
  type PrivateKeyBundleSecrets,
} from '../../protocol/index';

export class MessagingIdentities {
  readonly #keyring: Keyring;
  /** One generation at a time per account: two racing callers must not publish two identities. */
  readonly #pending = new Map<string, Promise<PrivateKeyBundle>>();

  constructor(keyring: Keyring) {
    this.#keyring = keyring;
  }

  /** The account's identity, creating and storing it the first time. @throws LockedError */
  ensure(address: Address): Promise<PrivateKeyBundle> {
    const key = address.toLowerCase();
    const running = this.#pending.get(key);
    if (running) return running;
    const result = this.#load(address).finally(() => this.#pending.delete(key));
    this.#pending.set(key, result);
    return result;
  }

  async #load(address: Address): Promise<PrivateKeyBundle> {
    const stored = this.#keyring.getMessagingKey(address);
    if (stored) return decodePrivateKeyBundle(stored);
    const seed = this.#keyring.messagingIdentitySeed(address);
    let secrets: PrivateKeyBundleSecrets;
    try {
      secrets = bundleSecretsFromSeed(seed);
    } finally {
      seed.fill(0);
    }
    try {
      const bundle = await generatePrivateKeyBundle({
        address,
        secrets,
        signMessage: (message) => this.#keyring.signMessage(address, message),
      });
      await this.#keyring.saveMessagingKey(address, encodePrivateKeyBundle(bundle));
      return bundle;
    } finally {
      // The bundle holds its own copies.
      secrets.identity.fill(0);
      secrets.preKey.fill(0);
    }
  }
}

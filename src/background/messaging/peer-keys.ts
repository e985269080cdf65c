/**
 * The messenger's view of its peers' keys: a peer's contact bundle resolved (cache → relays →
 * KeyRegistry, bundle-resolver.ts), and the identity-key changes noticed there or in a new
 * invitation, recorded in the message DB (per peer) and announced to the chats with that peer.
 */
import { type Address, getAddress, hexToBytes, toHex } from 'viem';
import {
  bytesToHex,
  decodeSignedPublicKeyBundle,
  equalBytes,
  type PublicKeyBundle,
  sha256,
  type VerifiedBundle,
} from '../../protocol/index';
import { type FetchedBundle, type KeyRegistryLookup, resolveContactBundle } from './bundle-resolver';
import type { KeyChangeRecord, KeyChangeSource, MessageDb } from './message-db';
import type { KeyChangeView } from './message-views';
import type { MessagingTransport } from './messaging-transport';
import { RegistryMisses } from './registry-misses';

export interface PeerKeysOptions {
  db: Pick<MessageDb, 'getBundle' | 'putBundle' | 'putKeyChange' | 'keyChanges' | 'getConversationByPeer'>;
  transport: Pick<MessagingTransport, 'latest'>;
  /** The KeyRegistry fallback, when the wallet has one. */
  registry?: KeyRegistryLookup;
  /** The running accounts: their chats with a peer whose key changed are told. */
  accounts(): Iterable<Address>;
  onChange(account: Address, topics: string[]): void;
  log(message: string): void;
  now(): number;
}

/** Below this, a key's `created_ns` is a legacy v1 key's milliseconds (xmtp-js `fromLegacyKey`). */
const LEGACY_MS_BELOW = 10n ** 14n;
/** A peer's clock may run ahead this much; a key "created" later than that has no usable time. */
const MAX_CLOCK_SKEW_MS = 24 * 60 * 60_000;

export class PeerKeys {
  readonly #o: PeerKeysOptions;
  readonly #registryMisses: RegistryMisses;

  constructor(options: PeerKeysOptions) {
    this.#o = options;
    this.#registryMisses = new RegistryMisses(options.now);
  }

  /** The peer's verified contact bundle, or null when it has none anywhere this wallet looks. */
  resolve(
    address: Address,
    options: { fresh?: boolean },
    signal: AbortSignal,
  ): Promise<VerifiedBundle | null> {
    const { db, transport, registry } = this.#o;
    return resolveContactBundle({
      db,
      transport,
      address,
      ...options,
      now: this.#o.now(),
      signal,
      ...(registry ? { registry, registryMisses: this.#registryMisses } : {}),
      onFetched: (fetched) => this.#fetched(fetched),
      log: this.#o.log,
    });
  }

  /**
   * A bundle fresh from a relay or the KeyRegistry: a change when its identity key differs from
   * the cached bundle's, or without a cache, from the one a running account's conversation keeps.
   */
  async #fetched({ peer, bundle, source, cached }: FetchedBundle): Promise<void> {
    const known = cached ?? (await this.#conversationBundle(peer));
    if (known && !equalBytes(known.identityKey.publicKey, bundle.identityKey.publicKey)) {
      await this.#record(peer, known, bundle, source);
    }
  }

  async #conversationBundle(peer: Address): Promise<PublicKeyBundle | null> {
    for (const account of this.#o.accounts()) {
      const conversation = await this.#o.db.getConversationByPeer(account, peer).catch(() => null);
      if (!conversation) continue;
      try {
        return decodeSignedPublicKeyBundle(conversation.peerBundle);
      } catch {
        // a corrupt stored bundle says nothing: try another account's
      }
    }
    return null;
  }

  /**
   * A new invitation from `peer` carries `next`, and the conversation kept `storedBundle` (a
   * `SignedPublicKeyBundle`): records a change when the identity keys differ.
   */
  async invitation(peer: Address, storedBundle: Uint8Array, next: VerifiedBundle): Promise<void> {
    let previous: PublicKeyBundle;
    try {
      previous = decodeSignedPublicKeyBundle(storedBundle);
    } catch {
      return; // a corrupt stored bundle says nothing about the peer's keys
    }
    if (!equalBytes(previous.identityKey.publicKey, next.identityKey.publicKey)) {
      await this.#record(peer, previous, next, 'invitation');
    }
  }

  /** The peer's key changes for the chat, first noticed first. */
  async list(peer: Address): Promise<KeyChangeView[]> {
    return (await this.#o.db.keyChanges(peer)).map((change) => ({
      peer: change.peer,
      fingerprint: fingerprint(change.identityKey),
      keyCreatedAt: change.keyCreatedAt,
      seenAt: change.seenAt,
      source: change.source,
    }));
  }

  async #record(
    peer: Address,
    previous: PublicKeyBundle,
    next: PublicKeyBundle,
    source: KeyChangeSource,
  ): Promise<void> {
    const seenAt = this.#o.now();
    const change: KeyChangeRecord = {
      peer: getAddress(peer),
      identityKey: toHex(next.identityKey.publicKey),
      previousKey: toHex(previous.identityKey.publicKey),
      keyCreatedAt: createdAtMs(next.identityKey.createdNs, seenAt),
      seenAt,
      source,
    };
    if (!(await this.#o.db.putKeyChange(change))) return;
    this.#o.log('A peer changed their messaging key');
    for (const account of this.#o.accounts()) {
      const conversation = await this.#o.db.getConversationByPeer(account, change.peer).catch(() => null);
      if (conversation) this.#o.onChange(account, [conversation.topic]);
    }
  }
}

/** When the key was created, ms, from its signed `created_ns`; null when that is not a usable time. */
function createdAtMs(createdNs: bigint, seenAt: number): number | null {
  const ms = Number(createdNs < LEGACY_MS_BELOW ? createdNs : createdNs / 1_000_000n);
  return ms > 0 && ms <= seenAt + MAX_CLOCK_SKEW_MS ? ms : null;
}

/** 16 hex digits of sha256(public key) in groups of 4, to compare a key out of band. */
export function fingerprint(publicKey: `0x${string}`): string {
  const digest = bytesToHex(sha256(hexToBytes(publicKey)));
  return (digest.slice(0, 16).match(/.{4}/g) ?? []).join(' ');
}

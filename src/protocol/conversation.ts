/**
 * A 1:1 XMTP v2 conversation: the topic and key material of an invitation, the verified peer
 * bundle and address, and caches (known sender bundles, sender-HMAC keys), so that a long
 * conversation costs one pre-key signature verification per received message instead of the
 * chain's EC operations, and one HKDF per 30-day period instead of one per message.
 */
import { type Address, getAddress } from 'viem';
import {
  decodeSignedPublicKeyBundle,
  encodeSignedPublicKeyBundle,
  equalBundles,
  type PublicKeyBundle,
  type VerifiedBundle,
  verifyBundle,
} from './bundle.ts';
import { equalBytes, type RandomBytes, secureRandomBytes } from './bytes.ts';
import type { Envelope } from './envelope.ts';
import { ProtocolArgumentError, ProtocolDecodeError, SignatureError } from './errors.ts';
import {
  createInvitation,
  decodeInvitationV1,
  encodeInvitationV1,
  type Invitation,
  type InvitationContext,
  type OpenedInvitation,
} from './invitation.ts';
import { PreparedPublicKey } from './keys.ts';
import {
  computeSenderHmac,
  decodeMessageV2Hashing,
  decryptMessageV2,
  encodeMessageV2,
  hmacPeriod,
  senderHmacKey,
  verifySignedContentAsync,
} from './message.ts';
import { type PrivateKeyBundle, publicBundleOf } from './private-bundle.ts';

/** A received, decrypted and verified message. */
export interface ReceivedMessage {
  /** XMTP's message id: sha256 of the message bytes (canonical encoding only, see decodeMessageV2). */
  id: string;
  /** sha256 of the authenticated header and ciphertext: what to deduplicate on. */
  dedupeKey: string;
  topic: string;
  /** Sender timestamp from the authenticated header, ns since epoch. */
  createdNs: bigint;
  senderAddress: Address;
  /** True when sent by this identity (e.g. from another device). */
  fromSelf: boolean;
  /** Encoded `EncodedContent`, for the content codecs. */
  payload: Uint8Array;
  /** Not authenticated (outside the signature): a relay can flip it. A hint for notifications only. */
  shouldPush?: boolean;
}

/** A message ready to publish. */
export interface SentMessage {
  id: string;
  bytes: Uint8Array;
  envelope: Envelope;
}

/** What to persist of a conversation (the private bundle is stored separately, in the vault). */
export interface ConversationSnapshot {
  /** Encoded `InvitationV1` (topic, key material, context): store it encrypted. */
  invitation: Uint8Array;
  /** Encoded `SignedPublicKeyBundle` of the peer. */
  peerBundle: Uint8Array;
  createdNs: bigint;
}

const MAX_KNOWN_BUNDLES_PER_PARTY = 8;

/** A sender bundle whose chain verified, with its pre-key prepared on first use. */
interface KnownSender {
  bundle: PublicKeyBundle;
  preKey?: PreparedPublicKey;
}

/** State of one conversation; see the module header. */
export class Conversation {
  readonly topic: string;
  readonly myAddress: Address;
  readonly peerAddress: Address;
  readonly createdNs: bigint;
  readonly context: InvitationContext | undefined;
  readonly #keyMaterial: Uint8Array;
  readonly #me: PrivateKeyBundle;
  readonly #random: RandomBytes;
  readonly #known = new Map<Address, KnownSender[]>();
  readonly #hmacKeys = new Map<string, Uint8Array>();

  constructor(init: {
    me: PrivateKeyBundle;
    myAddress: Address;
    peer: VerifiedBundle;
    invitation: Invitation;
    createdNs: bigint;
    random?: RandomBytes;
  }) {
    this.topic = init.invitation.topic;
    this.myAddress = getAddress(init.myAddress);
    this.peerAddress = init.peer.address;
    this.createdNs = init.createdNs;
    this.context = init.invitation.context;
    this.#keyMaterial = init.invitation.keyMaterial;
    this.#me = init.me;
    this.#random = init.random ?? secureRandomBytes;
    this.#known.set(init.peer.address, [{ bundle: init.peer }]);
    const mine = this.#known.get(this.myAddress) ?? [];
    mine.push({ bundle: publicBundleOf(init.me) });
    this.#known.set(this.myAddress, mine);
  }

  /** The conversation of an invitation opened with `openSealedInvitation`. */
  static fromOpenedInvitation(
    me: PrivateKeyBundle,
    opened: OpenedInvitation,
    random?: RandomBytes,
  ): Conversation {
    const mine = opened.isSender ? opened.sender : opened.recipient;
    return new Conversation({
      me,
      myAddress: mine.address,
      peer: opened.peer,
      invitation: opened.invitation,
      createdNs: opened.createdNs,
      random,
    });
  }

  /**
   * Starts a conversation with a verified `peer`: the deterministic invitation, sealed for
   * publishing on both invite topics with envelope timestamp `createdNs`.
   */
  static async start(params: {
    me: PrivateKeyBundle;
    myAddress: Address;
    peer: VerifiedBundle;
    createdNs: bigint;
    context?: InvitationContext;
    random?: RandomBytes;
  }): Promise<{ conversation: Conversation; sealed: Uint8Array }> {
    const { invitation, sealed } = await createInvitation(params);
    const conversation = new Conversation({
      me: params.me,
      myAddress: params.myAddress,
      peer: params.peer,
      invitation,
      createdNs: params.createdNs,
      random: params.random,
    });
    return { conversation, sealed };
  }

  /** The state to persist; `Conversation.restore` re-verifies the peer bundle once. */
  snapshot(): ConversationSnapshot {
    const peer = this.#known.get(this.peerAddress)?.[0]?.bundle;
    if (!peer) throw new ProtocolArgumentError('conversation has no peer bundle');
    const invitation: Invitation = { topic: this.topic, keyMaterial: this.#keyMaterial };
    if (this.context) invitation.context = this.context;
    return {
      invitation: encodeInvitationV1(invitation),
      peerBundle: encodeSignedPublicKeyBundle(peer),
      createdNs: this.createdNs,
    };
  }

  /**
   * Restores a conversation from `snapshot()`.
   * @throws ProtocolDecodeError, LimitError, SignatureError
   */
  static restore(params: {
    me: PrivateKeyBundle;
    myAddress: Address;
    snapshot: ConversationSnapshot;
    random?: RandomBytes;
  }): Conversation {
    return new Conversation({
      me: params.me,
      myAddress: params.myAddress,
      peer: verifyBundle(decodeSignedPublicKeyBundle(params.snapshot.peerBundle)),
      invitation: decodeInvitationV1(params.snapshot.invitation),
      createdNs: params.snapshot.createdNs,
      random: params.random,
    });
  }

  #hmacKey(address: Address, period: number): Uint8Array {
    const cacheKey = `${period}-${address}`;
    let key = this.#hmacKeys.get(cacheKey);
    if (!key) {
      key = senderHmacKey(this.#keyMaterial, address, period);
      if (this.#hmacKeys.size > 64) this.#hmacKeys.clear();
      this.#hmacKeys.set(cacheKey, key);
    }
    return key;
  }

  /**
   * Signs, encrypts and wraps `payload` (encoded `EncodedContent`) for this conversation.
   * @throws LimitError
   */
  async send(
    payload: Uint8Array,
    options: { createdNs?: bigint; shouldPush?: boolean } = {},
  ): Promise<SentMessage> {
    const createdNs = options.createdNs ?? BigInt(Date.now()) * 1_000_000n;
    const { bytes, id } = await encodeMessageV2({
      topic: this.topic,
      keyMaterial: this.#keyMaterial,
      sender: this.#me,
      senderAddress: this.myAddress,
      payload,
      createdNs,
      shouldPush: options.shouldPush,
      hmacKey: this.#hmacKey(this.myAddress, hmacPeriod(Number(createdNs / 1_000_000n))),
      random: this.#random,
    });
    return { id, bytes, envelope: { contentTopic: this.topic, timestampNs: createdNs, message: bytes } };
  }

  /**
   * Decodes, checks sender_hmac (before decrypting), decrypts and verifies a `Message` of this
   * conversation. The signer must be the peer or this identity, with a verified chain.
   * @throws LimitError, ProtocolDecodeError, SignatureError, DecryptionError
   */
  async receive(bytes: Uint8Array, options: { envelopeTimestampNs?: bigint } = {}): Promise<ReceivedMessage> {
    const { message, hashes } = decodeMessageV2Hashing(bytes);
    if (message.topic !== this.topic) throw new ProtocolDecodeError('"message" belongs to another topic');
    if (!message.senderHmac) throw new SignatureError('message has no sender_hmac');
    const sender = this.#matchSenderHmac(message.headerBytes, message.senderHmac, [
      message.createdNs,
      ...(options.envelopeTimestampNs === undefined ? [] : [options.envelopeTimestampNs]),
    ]);
    const signed = await decryptMessageV2(message, this.#keyMaterial);
    const { entry, isNew } = this.#findSigner(sender, signed.sender);
    entry.preKey ??= new PreparedPublicKey(entry.bundle.preKey.publicKey);
    await verifySignedContentAsync(message.headerBytes, signed, entry.preKey);
    // Only a bundle that signed a valid message is remembered: a bad message changes nothing.
    if (isNew) this.#remember(sender, entry);
    const { id, dedupeKey } = await hashes;
    const received: ReceivedMessage = {
      id,
      dedupeKey,
      topic: message.topic,
      createdNs: message.createdNs,
      senderAddress: sender,
      fromSelf: sender === this.myAddress,
      payload: signed.payload,
    };
    if (message.shouldPush !== undefined) received.shouldPush = message.shouldPush;
    return received;
  }

  /**
   * xmtp-js keys the HMAC by the 30-day period of its clock at sending, which a back-dated
   * `created_ns` does not show: the periods around the envelope's (network) timestamp are tried too.
   */
  #matchSenderHmac(headerBytes: Uint8Array, senderHmac: Uint8Array, timesNs: bigint[]): Address {
    const periods = new Set<number>();
    for (const ns of timesNs) {
      const period = hmacPeriod(Number(ns / 1_000_000n));
      for (const p of [period, period - 1, period + 1]) periods.add(p);
    }
    for (const address of [this.peerAddress, this.myAddress]) {
      for (const p of periods) {
        if (equalBytes(computeSenderHmac(this.#hmacKey(address, p), headerBytes), senderHmac)) return address;
      }
    }
    throw new SignatureError('sender_hmac does not verify');
  }

  #findSigner(expected: Address, bundle: PublicKeyBundle): { entry: KnownSender; isNew: boolean } {
    const found = this.#known.get(expected)?.find((k) => equalBundles(k.bundle, bundle));
    if (found) return { entry: found, isNew: false };
    const verified = verifyBundle(bundle);
    if (verified.address !== expected) throw new SignatureError('message is signed by a third party');
    return { entry: { bundle }, isNew: true };
  }

  #remember(sender: Address, entry: KnownSender): void {
    const known = this.#known.get(sender) ?? [];
    // Keep the first (the invitation's) bundle; evict the oldest of the others.
    if (known.length >= MAX_KNOWN_BUNDLES_PER_PARTY) known.splice(1, 1);
    known.push(entry);
    this.#known.set(sender, known);
  }
}

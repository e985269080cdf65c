/**
 * XMTP v2 messages: `Message{v1|v2}`, `MessageHeaderV2`, `SignedContent` and `sender_hmac`;
 * decoding and decryption of legacy `MessageV1`.
 *   MessageV2.header_bytes = MessageHeaderV2{created_ns, topic}
 *   ciphertext = AEAD(key material, SignedContent{payload, sender bundle, pre-key signature over
 *                sha256(header_bytes ‖ payload)}, AAD = header_bytes)
 *   sender_hmac = HMAC-SHA256(HKDF(key material, info "<30-day period>-<sender address>"), header_bytes)
 *   message id = hex(sha256(Message bytes))
 * https://github.com/xmtp/proto/blob/main/proto/message_contents/message.proto
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { content, message as msg } from '@xmtp/proto';
import type { Address } from 'viem';
import {
  type AeadCiphertext,
  aeadDecrypt,
  aeadEncrypt,
  fromProtoCiphertext,
  toProtoCiphertext,
} from './aead.ts';
import {
  fromLegacyBundle,
  fromProtoBundle,
  type PublicKeyBundle,
  toProtoBundle,
  type VerifiedBundle,
  verifyBundle,
} from './bundle.ts';
import { bytesToHex, concat, equalBytes, type RandomBytes, secureRandomBytes } from './bytes.ts';
import { DecryptionError, ProtocolArgumentError, ProtocolDecodeError, SignatureError } from './errors.ts';
import { fromProtoSignature, toProtoSignature } from './identity.ts';
import {
  type EcdsaSignature,
  type PreparedPublicKey,
  sha256,
  sha256Async,
  signDigest,
  verifyDigest,
} from './keys.ts';
import { assertMaxBytes, MAX_ENVELOPE_BYTES, MAX_TOPIC_LENGTH } from './limits.ts';
import { findPreKey, type PrivateKeyBundle, publicBundleOf } from './private-bundle.ts';
import { sharedSecret3dh } from './secret.ts';
import { bigIntToLong, decodeOwnedProto, decodeProto, encodeProto, encodesTo, longToBigInt } from './wire.ts';

/** Length of the sender-HMAC key period: 30 days in ms (xmtp-js `thirtyDayPeriodsSinceEpoch`). */
export const HMAC_PERIOD_MS = 30 * 24 * 60 * 60 * 1000;

/** A decoded MessageV2 (not decrypted). */
export interface MessageV2 {
  version: 'v2';
  id: string;
  /** hex(sha256(header_bytes ‖ ciphertext payload)): covers only authenticated bytes, unlike `id`. */
  dedupeKey: string;
  headerBytes: Uint8Array;
  topic: string;
  createdNs: bigint;
  ciphertext: AeadCiphertext;
  senderHmac?: Uint8Array;
  shouldPush?: boolean;
}

/** A decoded legacy MessageV1 (not decrypted); sender and recipient chains verified. */
export interface MessageV1 {
  version: 'v1';
  id: string;
  headerBytes: Uint8Array;
  sender: VerifiedBundle;
  recipient: VerifiedBundle;
  /** Sender timestamp in ms since epoch. */
  timestampMs: bigint;
  ciphertext: AeadCiphertext;
}

/** Decrypted `SignedContent` of a MessageV2 (signature not yet checked). */
export interface SignedContent {
  payload: Uint8Array;
  sender: PublicKeyBundle;
  signature: EcdsaSignature;
}

/** hex(sha256(message bytes)), the id xmtp-js gives a message. */
export function messageId(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/** The 30-day period index of a time in ms since epoch. */
export function hmacPeriod(timeMs: number): number {
  return Math.floor(timeMs / HMAC_PERIOD_MS);
}

/** The sender-HMAC key of `address` in `period` (xmtp-js `hkdfHmacKey`). */
export function senderHmacKey(keyMaterial: Uint8Array, address: Address, period: number): Uint8Array {
  return hkdf(
    nobleSha256,
    keyMaterial,
    new Uint8Array(0),
    new TextEncoder().encode(`${period}-${address}`),
    32,
  );
}

/** HMAC-SHA256 of the header bytes under a sender-HMAC key. */
export function computeSenderHmac(hmacKey: Uint8Array, headerBytes: Uint8Array): Uint8Array {
  return hmac(nobleSha256, hmacKey, headerBytes);
}

/** Encodes `MessageHeaderV2`. */
export function encodeMessageHeaderV2(topic: string, createdNs: bigint): Uint8Array {
  return encodeProto(msg.MessageHeaderV2, { topic, createdNs: bigIntToLong(createdNs) });
}

/** Parameters of `encodeMessageV2`. */
export interface EncodeMessageV2Parameters {
  topic: string;
  keyMaterial: Uint8Array;
  /** The sender's private bundle; its current pre-key signs. */
  sender: PrivateKeyBundle;
  senderAddress: Address;
  /** Encoded `EncodedContent`. */
  payload: Uint8Array;
  createdNs: bigint;
  shouldPush?: boolean;
  /** Pre-computed sender-HMAC key for the period of `createdNs` (saves an HKDF). */
  hmacKey?: Uint8Array;
  random?: RandomBytes;
}

/**
 * Signs, encrypts and encodes a MessageV2; returns the `Message` bytes and the message id.
 * @throws LimitError when the result would be over the envelope limit.
 */
export async function encodeMessageV2(
  params: EncodeMessageV2Parameters,
): Promise<{ bytes: Uint8Array; id: string }> {
  const preKey = params.sender.preKeys[0];
  if (!preKey) throw new ProtocolArgumentError('"sender" has no pre-key');
  if (params.topic.length > MAX_TOPIC_LENGTH) throw new ProtocolArgumentError('"topic" is too long');
  assertMaxBytes('payload', params.payload, MAX_ENVELOPE_BYTES);
  const headerBytes = encodeMessageHeaderV2(params.topic, params.createdNs);
  const signature = signDigest(preKey.secretKey, await sha256Async(concat(headerBytes, params.payload)));
  const signedBytes = encodeProto(content.SignedContent, {
    payload: params.payload,
    sender: toProtoBundle(publicBundleOf(params.sender)),
    signature: toProtoSignature(signature, 'ecdsa'),
  });
  const ciphertext = await aeadEncrypt(
    signedBytes,
    params.keyMaterial,
    headerBytes,
    params.random ?? secureRandomBytes,
  );
  const hmacKey =
    params.hmacKey ??
    senderHmacKey(
      params.keyMaterial,
      params.senderAddress,
      hmacPeriod(Number(params.createdNs / 1_000_000n)),
    );
  const bytes = encodeProto(msg.Message, {
    v1: undefined,
    v2: {
      headerBytes,
      ciphertext: toProtoCiphertext(ciphertext),
      senderHmac: computeSenderHmac(hmacKey, headerBytes),
      shouldPush: params.shouldPush ?? true,
    },
  });
  assertMaxBytes('message', bytes, MAX_ENVELOPE_BYTES);
  return { bytes, id: bytesToHex(await sha256Async(bytes)) };
}

/** A MessageV2 without the two hashes of its bytes. */
export type UnhashedMessageV2 = Omit<MessageV2, 'id' | 'dedupeKey'>;

/** Checks and converts a wire MessageV2; `id` and `dedupeKey` are left for the caller to hash. */
function parseV2(v2: msg.MessageV2): UnhashedMessageV2 {
  if (v2.headerBytes.length === 0) throw new ProtocolDecodeError('missing "message.v2.header_bytes"');
  const header = decodeProto('message.v2.header', msg.MessageHeaderV2, v2.headerBytes);
  if (header.topic.length === 0 || header.topic.length > MAX_TOPIC_LENGTH) {
    throw new ProtocolDecodeError('"message.v2.header.topic" is empty or too long');
  }
  const out: UnhashedMessageV2 = {
    version: 'v2',
    headerBytes: v2.headerBytes,
    topic: header.topic,
    createdNs: longToBigInt(header.createdNs),
    ciphertext: fromProtoCiphertext('message.v2.ciphertext', v2.ciphertext),
  };
  if (v2.senderHmac !== undefined && v2.senderHmac.length > 0) out.senderHmac = v2.senderHmac;
  if (v2.shouldPush !== undefined) out.shouldPush = v2.shouldPush;
  return out;
}

/** The bytes `dedupeKey` hashes: header_bytes ‖ ciphertext payload. */
function dedupeInput(message: UnhashedMessageV2): Uint8Array {
  return concat(message.headerBytes, message.ciphertext.payload);
}

function decodeV2(id: string, v2: msg.MessageV2): MessageV2 {
  const out = parseV2(v2);
  return { ...out, id, dedupeKey: bytesToHex(sha256(dedupeInput(out))) };
}

/**
 * The message id hashes these exact bytes, which nothing authenticates: accepting only the
 * one canonical encoding stops a relay from minting new ids for the same message.
 */
function decodeCanonicalMessage(bytes: Uint8Array): msg.Message {
  const decoded = decodeProto('message', msg.Message, bytes, MAX_ENVELOPE_BYTES);
  if (!encodesTo(msg.Message, decoded, bytes)) {
    throw new ProtocolDecodeError('"message" is not canonically encoded');
  }
  return decoded;
}

/**
 * Decodes a `Message` that must be v2, without decrypting (no EC operations).
 * @throws LimitError, ProtocolDecodeError
 */
export function decodeMessageV2(bytes: Uint8Array): MessageV2 {
  const decoded = decodeCanonicalMessage(bytes);
  if (!decoded.v2) throw new ProtocolDecodeError('"message" is not a MessageV2');
  return decodeV2(messageId(bytes), decoded.v2);
}

/**
 * `decodeMessageV2` with the id and dedupe hashes on `sha256Async` (native SHA-256 for large
 * messages, ~2× faster at 10 KiB); same checks, same result.
 * @throws LimitError, ProtocolDecodeError
 */
export async function decodeMessageV2Async(bytes: Uint8Array): Promise<MessageV2> {
  const { message, hashes } = decodeMessageV2Hashing(bytes);
  return { ...message, ...(await hashes) };
}

/**
 * `decodeMessageV2Async` that does not wait for the two hashes: they run (on WebCrypto's thread
 * for large messages) while the caller checks and decrypts the message.
 * @throws LimitError, ProtocolDecodeError
 */
export function decodeMessageV2Hashing(bytes: Uint8Array): {
  message: UnhashedMessageV2;
  hashes: Promise<{ id: string; dedupeKey: string }>;
} {
  const decoded = decodeCanonicalMessage(bytes);
  if (!decoded.v2) throw new ProtocolDecodeError('"message" is not a MessageV2');
  const idDigest = sha256Async(bytes); // WebCrypto copies `bytes` now, before any await.
  const message = parseV2(decoded.v2);
  const dedupeDigest = sha256Async(dedupeInput(message));
  const hashes = Promise.all([idDigest, dedupeDigest]).then(([id, dedupeKey]) => ({
    id: bytesToHex(id),
    dedupeKey: bytesToHex(dedupeKey),
  }));
  // Not awaited when the message fails its checks first: that must not be an unhandled rejection.
  hashes.catch(() => {});
  return { message, hashes };
}

/**
 * Decodes a `Message` (v1 or v2) without decrypting. A v1 message's sender and recipient
 * bundles are verified here (their addresses are in the clear).
 * @throws LimitError, ProtocolDecodeError, SignatureError
 */
export function decodeMessage(bytes: Uint8Array): MessageV1 | MessageV2 {
  const decoded = decodeCanonicalMessage(bytes);
  const id = messageId(bytes);
  if (decoded.v2) return decodeV2(id, decoded.v2);
  if (decoded.v1) {
    const v1 = decoded.v1;
    if (v1.headerBytes.length === 0) throw new ProtocolDecodeError('missing "message.v1.header_bytes"');
    const header = decodeProto('message.v1.header', msg.MessageHeaderV1, v1.headerBytes);
    return {
      version: 'v1',
      id,
      headerBytes: v1.headerBytes,
      sender: verifyBundle(fromLegacyBundle('message.v1.header.sender', header.sender)),
      recipient: verifyBundle(fromLegacyBundle('message.v1.header.recipient', header.recipient)),
      timestampMs: longToBigInt(header.timestamp),
      ciphertext: fromProtoCiphertext('message.v1.ciphertext', v1.ciphertext),
    };
  }
  throw new ProtocolDecodeError('"message" has no known version');
}

/**
 * Decrypts a MessageV2 and decodes its `SignedContent` (the caller checks the signer).
 * @throws DecryptionError, ProtocolDecodeError, LimitError
 */
export async function decryptMessageV2(
  message: Pick<MessageV2, 'ciphertext' | 'headerBytes'>,
  keyMaterial: Uint8Array,
): Promise<SignedContent> {
  const plain = await aeadDecrypt(message.ciphertext, keyMaterial, message.headerBytes);
  // `plain` is a fresh buffer of aeadDecrypt's: the decoded fields may be views into it.
  const signed = decodeOwnedProto('signed_content', content.SignedContent, plain, MAX_ENVELOPE_BYTES);
  const { signature, kind } = fromProtoSignature('signed_content.signature', signed.signature);
  if (kind !== 'ecdsa') throw new SignatureError('message is not signed by a pre-key');
  return {
    payload: signed.payload,
    sender: fromProtoBundle('signed_content.sender', signed.sender),
    signature,
  };
}

/**
 * Checks that the signed content is signed by the sender bundle's pre-key over
 * sha256(header_bytes ‖ payload), with `preparedPreKey` when it is that pre-key.
 * The bundle chain itself is checked by the caller.
 * @throws SignatureError
 */
export function verifySignedContent(
  headerBytes: Uint8Array,
  signed: SignedContent,
  preparedPreKey?: PreparedPublicKey,
): void {
  checkContentSignature(sha256(concat(headerBytes, signed.payload)), signed, preparedPreKey);
}

/**
 * `verifySignedContent` hashing with `sha256Async` (native SHA-256 for large payloads).
 * @throws SignatureError
 */
export async function verifySignedContentAsync(
  headerBytes: Uint8Array,
  signed: SignedContent,
  preparedPreKey?: PreparedPublicKey,
): Promise<void> {
  checkContentSignature(await sha256Async(concat(headerBytes, signed.payload)), signed, preparedPreKey);
}

function checkContentSignature(
  digest: Uint8Array,
  signed: SignedContent,
  preparedPreKey: PreparedPublicKey | undefined,
): void {
  const ok =
    preparedPreKey && equalBytes(preparedPreKey.publicKey, signed.sender.preKey.publicKey)
      ? preparedPreKey.verify(digest, signed.signature)
      : verifyDigest(signed.sender.preKey.publicKey, digest, signed.signature);
  if (!ok) {
    throw new SignatureError('message signature does not verify');
  }
}

/**
 * Decrypts a legacy MessageV1 with `me`, its sender or recipient; returns the payload.
 * @throws DecryptionError
 */
export async function decryptMessageV1(me: PrivateKeyBundle, message: MessageV1): Promise<Uint8Array> {
  const myIdentity = me.identityKey.publicKey.publicKey;
  let secret: Uint8Array;
  if (equalBytes(myIdentity, message.sender.identityKey.publicKey)) {
    const preKey = findPreKey(me, message.sender.preKey);
    if (!preKey) throw new DecryptionError();
    secret = sharedSecret3dh(me.identityKey.secretKey, preKey.secretKey, message.recipient, false);
  } else if (equalBytes(myIdentity, message.recipient.identityKey.publicKey)) {
    const preKey = findPreKey(me, message.recipient.preKey);
    if (!preKey) throw new DecryptionError();
    secret = sharedSecret3dh(me.identityKey.secretKey, preKey.secretKey, message.sender, true);
  } else {
    throw new DecryptionError();
  }
  return aeadDecrypt(message.ciphertext, secret, message.headerBytes);
}

/** True when `value` is a decoded `MessageV2`. */
export function isMessageV2(value: MessageV1 | MessageV2): value is MessageV2 {
  return value.version === 'v2';
}

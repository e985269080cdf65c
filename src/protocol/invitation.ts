/**
 * XMTP v2 invitations: the deterministic conversation topic and key material of xmtp-js
 * `InMemoryKeystore.createInvite`, and `InvitationV1` sealed in a `SealedInvitationV1`
 * (header = sender and recipient bundles + created_ns, AEAD under the sender-role 3-DH secret).
 *   secret   = 3-DH(me, peer, isRecipient = myAddress < peerAddress)
 *   topic    = /xmtp/0/m-hex(HMAC-SHA256(secret, conversationId + sortedAddresses.join(',')))/proto
 *   material = HKDF-SHA256(secret, salt "__XMTP__INVITATION__SALT__XMTP__", info "0|A|B", 32)
 * https://github.com/xmtp/proto/blob/main/proto/message_contents/invitation.proto
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { invitation as inv } from '@xmtp/proto';
import { type Address, getAddress, isAddress } from 'viem';
import {
  type AeadCiphertext,
  aeadDecrypt,
  aeadEncrypt,
  fromProtoCiphertext,
  toProtoCiphertext,
} from './aead.ts';
import {
  fromProtoBundle,
  type PublicKeyBundle,
  toProtoBundle,
  type VerifiedBundle,
  verifyBundle,
} from './bundle.ts';
import { bytesToHex, equalBytes, type RandomBytes, secureRandomBytes } from './bytes.ts';
import { DecryptionError, ProtocolArgumentError, ProtocolDecodeError, SignatureError } from './errors.ts';
import { recoverIdentityWallet } from './identity.ts';
import { MAX_CONTEXT_STRING_LENGTH, MAX_METADATA_ENTRIES } from './limits.ts';
import { findPreKey, type PrivateKeyBundle, publicBundleOf } from './private-bundle.ts';
import { sharedSecret3dh } from './secret.ts';
import { conversationTopic, isConversationTopic } from './topics.ts';
import { bigIntToLong, decodeProto, encodeProto, longToBigInt, required } from './wire.ts';

/** Constant 32-byte HKDF salt of invitation key material (xmtp-js `INVITE_SALT`). */
export const INVITE_SALT = new TextEncoder().encode('__XMTP__INVITATION__SALT__XMTP__');
export const KEY_MATERIAL_BYTES = 32;

/** Optional conversation context of an invitation. */
export interface InvitationContext {
  conversationId: string;
  metadata: Record<string, string>;
}

/** A decoded `InvitationV1`: the conversation topic and its symmetric key material. */
export interface Invitation {
  topic: string;
  keyMaterial: Uint8Array;
  context?: InvitationContext;
  /** Passed through unchanged (consent proofs are not interpreted here). */
  consentProof?: inv.ConsentProofPayload;
}

/** A sealed invitation opened by one of its two parties. */
export interface OpenedInvitation {
  invitation: Invitation;
  sender: VerifiedBundle;
  recipient: VerifiedBundle;
  /** The header's created_ns (equal to the envelope timestamp). */
  createdNs: bigint;
  /** True when the viewer sent it. */
  isSender: boolean;
  /** The other party's bundle and address. */
  peer: VerifiedBundle;
}

const utf8 = new TextEncoder();

function checksummedAddress(name: string, address: string): Address {
  if (!isAddress(address, { strict: false })) throw new ProtocolArgumentError(`"${name}" is not an address`);
  return getAddress(address);
}

/**
 * Derives the deterministic topic and key material of the 1:1 conversation with `peer`,
 * as xmtp-js `createInvite` does; both parties derive the same values.
 */
export function deriveInvitation(params: {
  me: PrivateKeyBundle;
  myAddress: Address;
  peer: VerifiedBundle;
  conversationId?: string;
}): { topic: string; keyMaterial: Uint8Array } {
  const { me, peer } = params;
  const preKey = me.preKeys[0];
  if (!preKey) throw new ProtocolArgumentError('"me" has no pre-key');
  // xmtp-js orders the checksummed addresses; a lowercase address would flip the roles.
  const myAddress = checksummedAddress('myAddress', params.myAddress);
  const secret = sharedSecret3dh(me.identityKey.secretKey, preKey.secretKey, peer, myAddress < peer.address);
  return deriveFromSecret(secret, [myAddress, peer.address], params.conversationId);
}

/** Topic and key material from the 3-DH secret of two (checksummed) addresses, as xmtp-js derives them. */
function deriveFromSecret(
  secret: Uint8Array,
  addresses: readonly [Address, Address],
  conversationId = '',
): { topic: string; keyMaterial: Uint8Array } {
  const sorted = [...addresses].sort();
  const topicId = bytesToHex(hmac(sha256, secret, utf8.encode(conversationId + sorted.join(','))));
  const keyMaterial = hkdf(
    sha256,
    secret,
    INVITE_SALT,
    utf8.encode(['0', ...sorted].join('|')),
    KEY_MATERIAL_BYTES,
  );
  return { topic: conversationTopic(topicId), keyMaterial };
}

function toProtoInvitation(invitation: Invitation): inv.InvitationV1 {
  return {
    topic: invitation.topic,
    context: invitation.context,
    aes256GcmHkdfSha256: { keyMaterial: invitation.keyMaterial },
    consentProof: invitation.consentProof,
  };
}

/** Encodes an `InvitationV1`. */
export function encodeInvitationV1(invitation: Invitation): Uint8Array {
  return encodeProto(inv.InvitationV1, toProtoInvitation(invitation));
}

/** Decodes and checks an `InvitationV1`. @throws ProtocolDecodeError, LimitError */
export function decodeInvitationV1(bytes: Uint8Array): Invitation {
  const decoded = decodeProto('invitation', inv.InvitationV1, bytes);
  if (!isConversationTopic(decoded.topic))
    throw new ProtocolDecodeError('"invitation.topic" is not a conversation topic');
  const keyMaterial = required('invitation.aes256_gcm_hkdf_sha256', decoded.aes256GcmHkdfSha256).keyMaterial;
  if (keyMaterial.length !== KEY_MATERIAL_BYTES) {
    throw new ProtocolDecodeError(`"invitation.key_material" expected ${KEY_MATERIAL_BYTES} bytes`);
  }
  const invitation: Invitation = { topic: decoded.topic, keyMaterial };
  if (decoded.context) {
    const entries = Object.entries(decoded.context.metadata);
    if (entries.length > MAX_METADATA_ENTRIES)
      throw new ProtocolDecodeError('"invitation.context" has too many entries');
    const tooLong = (s: string) => s.length > MAX_CONTEXT_STRING_LENGTH;
    if (tooLong(decoded.context.conversationId) || entries.some(([k, v]) => tooLong(k) || tooLong(v))) {
      throw new ProtocolDecodeError('"invitation.context" has a string over the limit');
    }
    invitation.context = {
      conversationId: decoded.context.conversationId,
      metadata: Object.fromEntries(entries),
    };
  }
  if (decoded.consentProof) invitation.consentProof = decoded.consentProof;
  return invitation;
}

/** Encodes a `SealedInvitationHeaderV1`. */
export function encodeSealedInvitationHeader(
  sender: PublicKeyBundle,
  recipient: PublicKeyBundle,
  createdNs: bigint,
) {
  return encodeProto(inv.SealedInvitationHeaderV1, {
    sender: toProtoBundle(sender),
    recipient: toProtoBundle(recipient),
    createdNs: bigIntToLong(createdNs),
  });
}

/**
 * Seals `invitation` for `recipient` (a verified bundle): `SealedInvitation{v1}` bytes, to be
 * published on both invite topics with envelope timestamp = `createdNs`.
 */
export async function sealInvitation(params: {
  me: PrivateKeyBundle;
  recipient: VerifiedBundle;
  invitation: Invitation;
  createdNs: bigint;
  random?: RandomBytes;
}): Promise<Uint8Array> {
  const { me, recipient } = params;
  const preKey = me.preKeys[0];
  if (!preKey) throw new ProtocolArgumentError('"me" has no pre-key');
  const headerBytes = encodeSealedInvitationHeader(publicBundleOf(me), recipient, params.createdNs);
  const secret = sharedSecret3dh(me.identityKey.secretKey, preKey.secretKey, recipient, false);
  const ciphertext = await aeadEncrypt(
    encodeInvitationV1(params.invitation),
    secret,
    headerBytes,
    params.random ?? secureRandomBytes,
  );
  return encodeProto(inv.SealedInvitation, {
    v1: { headerBytes, ciphertext: toProtoCiphertext(ciphertext) },
  });
}

/**
 * Creates the deterministic invitation to `peer` and seals it, as xmtp-js `createInvite`.
 * @example const { invitation, sealed } = await createInvitation({ me, myAddress, peer, createdNs })
 */
export async function createInvitation(params: {
  me: PrivateKeyBundle;
  myAddress: Address;
  peer: VerifiedBundle;
  createdNs: bigint;
  context?: InvitationContext;
  random?: RandomBytes;
}): Promise<{ invitation: Invitation; sealed: Uint8Array }> {
  if (
    recoverIdentityWallet(params.me.identityKey.publicKey) !==
    checksummedAddress('myAddress', params.myAddress)
  ) {
    throw new ProtocolArgumentError('"myAddress" is not the wallet of "me"');
  }
  const derived = deriveInvitation({
    me: params.me,
    myAddress: params.myAddress,
    peer: params.peer,
    conversationId: params.context?.conversationId,
  });
  const invitation: Invitation = { ...derived };
  if (params.context) invitation.context = params.context;
  const sealed = await sealInvitation({
    me: params.me,
    recipient: params.peer,
    invitation,
    createdNs: params.createdNs,
    random: params.random,
  });
  return { invitation, sealed };
}

/** A decoded `SealedInvitationV1` (bundles shape-checked, not verified; not decrypted). */
export interface SealedInvitationV1 {
  headerBytes: Uint8Array;
  sender: PublicKeyBundle;
  recipient: PublicKeyBundle;
  createdNs: bigint;
  ciphertext: AeadCiphertext;
}

/** Decodes a `SealedInvitation` without verifying or decrypting. @throws ProtocolDecodeError, LimitError */
export function decodeSealedInvitation(bytes: Uint8Array): SealedInvitationV1 {
  const outer = decodeProto('sealed_invitation', inv.SealedInvitation, bytes);
  const v1 = required('sealed_invitation.v1', outer.v1);
  if (v1.headerBytes.length === 0) throw new ProtocolDecodeError('missing "sealed_invitation.header_bytes"');
  const ciphertext = fromProtoCiphertext('sealed_invitation.ciphertext', v1.ciphertext);
  const header = decodeProto('sealed_invitation.header', inv.SealedInvitationHeaderV1, v1.headerBytes);
  return {
    headerBytes: v1.headerBytes,
    sender: fromProtoBundle('sealed_invitation.header.sender', header.sender),
    recipient: fromProtoBundle('sealed_invitation.header.recipient', header.recipient),
    createdNs: longToBigInt(header.createdNs),
    ciphertext,
  };
}

/**
 * Opens a `SealedInvitation` addressed to or sent by `me`: checks created_ns against the
 * envelope timestamp, verifies both bundles' chains, decrypts and checks the invitation.
 * @throws ProtocolDecodeError, LimitError, SignatureError, DecryptionError
 */
export async function openSealedInvitation(params: {
  me: PrivateKeyBundle;
  sealed: Uint8Array;
  envelopeTimestampNs: bigint;
}): Promise<OpenedInvitation> {
  const { me } = params;
  const sealed = decodeSealedInvitation(params.sealed);
  const { createdNs, ciphertext, headerBytes } = sealed;
  if (createdNs !== params.envelopeTimestampNs) {
    throw new ProtocolDecodeError(
      '"sealed_invitation.header.created_ns" does not match the envelope timestamp',
    );
  }
  // Cheap byte comparisons first: invite topics are writable by anyone, and junk that does not
  // involve me must not cost the four EC operations of verifying two bundles.
  const myIdentity = me.identityKey.publicKey.publicKey;
  const iAmSender = equalBytes(myIdentity, sealed.sender.identityKey.publicKey);
  if (!iAmSender && !equalBytes(myIdentity, sealed.recipient.identityKey.publicKey))
    throw new DecryptionError();
  const myPreKey = findPreKey(me, iAmSender ? sealed.sender.preKey : sealed.recipient.preKey);
  if (!myPreKey) throw new DecryptionError();
  const sender = verifyBundle(sealed.sender);
  const recipient = verifyBundle(sealed.recipient);
  const secret = iAmSender
    ? sharedSecret3dh(me.identityKey.secretKey, myPreKey.secretKey, recipient, false)
    : sharedSecret3dh(me.identityKey.secretKey, myPreKey.secretKey, sender, true);
  const invitation = decodeInvitationV1(await aeadDecrypt(ciphertext, secret, headerBytes));
  if (iAmSender) {
    // Sealed invitations are not signed and the 3-DH secret is symmetric, so the recipient could
    // have sealed one "from me" with a topic of its choosing. Invitations are deterministic (as
    // xmtp-js createInvite makes them): one that is not what I derive for this peer is not mine.
    // The derivation orders the parties by address, not by who sealed.
    const derivationSecret = sharedSecret3dh(
      me.identityKey.secretKey,
      myPreKey.secretKey,
      recipient,
      sender.address < recipient.address,
    );
    const expected = deriveFromSecret(
      derivationSecret,
      [sender.address, recipient.address],
      invitation.context?.conversationId,
    );
    if (expected.topic !== invitation.topic || !equalBytes(expected.keyMaterial, invitation.keyMaterial)) {
      throw new SignatureError('an invitation sent "by me" that I did not make');
    }
  }
  return {
    invitation,
    sender,
    recipient,
    createdNs,
    isSender: iAmSender,
    peer: iAmSender ? recipient : sender,
  };
}

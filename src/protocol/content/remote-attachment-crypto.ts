/**
 * Encryption of a remote attachment's payload, as `@xmtp/content-type-remote-attachment`
 * (`RemoteAttachmentCodec.encodeEncrypted` / `load`) does it:
 * payload = AES-256-GCM(key = HKDF-SHA256(secret 32 B, salt 32 B, info empty, 32 B), nonce 12 B, no AAD)
 * of the serialized `EncodedContent` (the attachment's codec encoding, no fallback, no compression);
 * `contentDigest` = lower-case hex SHA-256 of the payload (tag included).
 * https://github.com/xmtp/xmtp-js/blob/main/content-types/content-type-remote-attachment/src/RemoteAttachment.ts
 *
 * Decryption checks the payload size and its digest before any decryption, then decodes the content under
 * `ATTACHMENT_CONTENT_LIMITS`. A digest mismatch or a failed decryption is one opaque
 * `AttachmentDecryptionError`.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import type { Content, RemoteAttachmentContent } from './codec.ts';
import { AttachmentDecryptionError, ContentCodecError, ContentLimitError } from './content-errors.ts';
import { ATTACHMENT_CONTENT_LIMITS, MAX_ATTACHMENT_PAYLOAD_BYTES } from './content-limits.ts';
import { encodeEncodedContent } from './encoded-content.ts';
import { type ContentRegistry, createContentRegistry, type DecodedContent } from './registry.ts';

export type EncryptedAttachment = {
  readonly payload: Uint8Array;
  readonly contentDigest: string;
  readonly secret: Uint8Array;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
};

export type EncryptAttachmentParameters = {
  /** Source of randomness (secret, salt, nonce); default: `crypto.getRandomValues`. */
  readonly randomBytes?: (length: number) => Uint8Array;
  readonly registry?: ContentRegistry;
};

const attachmentRegistry = createContentRegistry({ limits: ATTACHMENT_CONTENT_LIMITS });

/**
 * Encrypt content (usually `{ kind: 'attachment', … }`) for upload to IPFS.
 * @example
 * const enc = encryptAttachment({ kind: 'attachment', filename: 'a.png', mimeType: 'image/png', data })
 * // put enc.payload on IPFS → cid; then send remoteAttachmentContent(`ipfs://${cid}`, enc, …)
 */
export function encryptAttachment(
  content: Content,
  parameters: EncryptAttachmentParameters = {},
): EncryptedAttachment {
  const random = parameters.randomBytes ?? randomBytes;
  const registry = parameters.registry ?? attachmentRegistry;
  const plain = encodeEncodedContent(
    registry.toEncodedContent(content, { fallback: false }),
    registry.limits,
  );
  const secret = random(32);
  const salt = random(32);
  const nonce = random(12);
  return { ...encryptPayload(plain, secret, salt, nonce), secret, salt, nonce };
}

/** AES-256-GCM of `plain` under HKDF-SHA256(secret, salt); returns the payload and its digest. */
export function encryptPayload(
  plain: Uint8Array,
  secret: Uint8Array,
  salt: Uint8Array,
  nonce: Uint8Array,
): { payload: Uint8Array; contentDigest: string } {
  checkLength(secret, 'secret', 32);
  checkLength(salt, 'salt', 32);
  checkLength(nonce, 'nonce', 12);
  const key = hkdf(sha256, secret, salt, new Uint8Array(0), 32);
  const payload = gcm(key, nonce).encrypt(plain);
  if (payload.length > MAX_ATTACHMENT_PAYLOAD_BYTES) {
    throw new ContentLimitError(
      `"payload" expected at most ${MAX_ATTACHMENT_PAYLOAD_BYTES} bytes, got ${payload.length}`,
    );
  }
  return { payload, contentDigest: bytesToHex(sha256(payload)) };
}

/** The remote attachment content that points at an encrypted payload stored at `url` (`ipfs://<CID>`). */
export function remoteAttachmentContent(
  url: string,
  encrypted: EncryptedAttachment,
  file: { filename: string; contentLength: number },
): RemoteAttachmentContent {
  return {
    kind: 'remoteAttachment',
    url,
    contentDigest: encrypted.contentDigest,
    secret: encrypted.secret,
    salt: encrypted.salt,
    nonce: encrypted.nonce,
    scheme: 'ipfs://',
    contentLength: file.contentLength,
    filename: file.filename,
  };
}

/**
 * Check `payload` (fetched from the attachment's URL) against the digest, decrypt it and decode the
 * content inside under `ATTACHMENT_CONTENT_LIMITS`.
 */
export function decryptAttachment(
  remote: Pick<RemoteAttachmentContent, 'contentDigest' | 'secret' | 'salt' | 'nonce'>,
  payload: Uint8Array,
  registry: ContentRegistry = attachmentRegistry,
): DecodedContent {
  if (!(payload instanceof Uint8Array)) throw new ContentCodecError('"payload" expected Uint8Array');
  if (payload.length > MAX_ATTACHMENT_PAYLOAD_BYTES) {
    throw new ContentLimitError(
      `"payload" expected at most ${MAX_ATTACHMENT_PAYLOAD_BYTES} bytes, got ${payload.length}`,
    );
  }
  checkLength(remote.secret, 'secret', 32);
  checkLength(remote.salt, 'salt', 32);
  checkLength(remote.nonce, 'nonce', 12);
  let plain: Uint8Array;
  try {
    if (payload.length < 16 || bytesToHex(sha256(payload)) !== remote.contentDigest) {
      throw new Error('digest mismatch');
    }
    const key = hkdf(sha256, remote.secret, remote.salt, new Uint8Array(0), 32);
    plain = gcm(key, remote.nonce).decrypt(payload);
  } catch (cause) {
    throw new AttachmentDecryptionError({ cause });
  }
  return registry.decode(plain);
}

function checkLength(bytes: unknown, what: string, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new ContentCodecError(`"${what}" expected Uint8Array of length ${length}`);
  }
}

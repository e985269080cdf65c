/**
 * Remote attachment codec, `xmtp.org/remoteStaticAttachment:1.0`, byte for byte as
 * `@xmtp/content-type-remote-attachment` (RemoteAttachmentCodec): parameters, in this order,
 * `contentDigest` (hex SHA-256 of the encrypted payload), `salt`, `nonce`, `secret` (lower-case hex),
 * `scheme`, `contentLength` (decimal), `filename`; content = the UTF-8 URL.
 * Fallback: `Can’t display "<filename>". This app doesn’t support attachments.`
 * https://github.com/xmtp/xmtp-js/blob/main/content-types/content-type-remote-attachment/src/RemoteAttachment.ts
 *
 * Where xmtp-js requires an `https` URL, Cairn requires `ipfs://<CID>` (scheme `ipfs://`), and checks the
 * sizes of the key material (secret 32, salt 32, nonce 12 bytes) and of the digest (32 bytes).
 * The payload's encryption is in `remote-attachment-crypto.ts`.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeUtf8, encodeUtf8 } from '../../protobuf.ts';
import type { CodecContext, ContentCodec, RemoteAttachmentContent } from '../codec.ts';
import { ContentCodecError, ContentMalformedError } from '../content-errors.ts';
import { MAX_ATTACHMENT_PAYLOAD_BYTES } from '../content-limits.ts';
import { ContentTypeRemoteAttachment } from '../content-type.ts';
import type { EncodedContent } from '../encoded-content.ts';
import { parseIpfsUrl } from '../ipfs-cid.ts';

export const IPFS_SCHEME = 'ipfs://';
const MAX_FILENAME_LENGTH = 255;

export const remoteAttachmentCodec: ContentCodec<RemoteAttachmentContent> = {
  contentType: ContentTypeRemoteAttachment,
  kind: 'remoteAttachment',
  encode(content: RemoteAttachmentContent, _context: CodecContext): EncodedContent {
    parseIpfsUrl(content.url);
    checkDigest(content.contentDigest);
    checkKeyBytes(content.salt, 'salt', 32);
    checkKeyBytes(content.nonce, 'nonce', 12);
    checkKeyBytes(content.secret, 'secret', 32);
    checkScheme(content.scheme);
    checkContentLength(content.contentLength);
    checkFilename(content.filename);
    return {
      type: ContentTypeRemoteAttachment,
      parameters: {
        contentDigest: content.contentDigest,
        salt: bytesToHex(content.salt),
        nonce: bytesToHex(content.nonce),
        secret: bytesToHex(content.secret),
        scheme: content.scheme,
        contentLength: String(content.contentLength),
        filename: content.filename,
      },
      content: encodeUtf8(content.url),
    };
  },
  decode(encoded: EncodedContent): RemoteAttachmentContent {
    const p = encoded.parameters;
    const url = decodeUtf8(encoded.content, 'url', ContentMalformedError);
    parseIpfsUrl(url);
    const contentDigest = p.contentDigest;
    checkDigest(contentDigest);
    const scheme = p.scheme;
    checkScheme(scheme);
    const filename = p.filename;
    checkFilename(filename);
    const lengthText = p.contentLength;
    if (typeof lengthText !== 'string' || !/^(0|[1-9][0-9]{0,9})$/.test(lengthText)) {
      throw new ContentCodecError('"contentLength" expected a decimal integer');
    }
    const contentLength = Number(lengthText);
    checkContentLength(contentLength);
    return {
      kind: 'remoteAttachment',
      url,
      contentDigest,
      salt: hexParameter(p.salt, 'salt', 32),
      nonce: hexParameter(p.nonce, 'nonce', 12),
      secret: hexParameter(p.secret, 'secret', 32),
      scheme,
      contentLength,
      filename,
    };
  },
  fallback: (content: RemoteAttachmentContent) =>
    `Can’t display "${content.filename}". This app doesn’t support attachments.`,
  shouldPush: () => true,
};

function checkDigest(digest: unknown): asserts digest is string {
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) {
    throw new ContentCodecError('"contentDigest" expected 64 lower-case hex characters');
  }
}

function checkScheme(scheme: unknown): asserts scheme is string {
  if (scheme !== IPFS_SCHEME) throw new ContentCodecError(`"scheme" expected ${IPFS_SCHEME}`);
}

function checkFilename(filename: unknown): asserts filename is string {
  if (typeof filename !== 'string' || filename.length > MAX_FILENAME_LENGTH) {
    throw new ContentCodecError(`"filename" expected a string of at most ${MAX_FILENAME_LENGTH} characters`);
  }
}

function checkContentLength(length: unknown): void {
  if (
    typeof length !== 'number' ||
    !Number.isInteger(length) ||
    length < 0 ||
    length > MAX_ATTACHMENT_PAYLOAD_BYTES
  ) {
    throw new ContentCodecError(
      `"contentLength" expected an integer from 0 to ${MAX_ATTACHMENT_PAYLOAD_BYTES}`,
    );
  }
}

function checkKeyBytes(bytes: unknown, what: string, length: number): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new ContentCodecError(`"${what}" expected Uint8Array of length ${length}`);
  }
}

function hexParameter(hex: unknown, what: string, length: number): Uint8Array {
  if (typeof hex !== 'string' || hex.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new ContentCodecError(`"${what}" expected ${length * 2} hex characters`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

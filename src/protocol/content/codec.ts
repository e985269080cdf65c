/**
 * The content model of Cairn and the interface of a content codec.
 *
 * A codec turns one kind of `Content` into an `EncodedContent` (without `fallback` or compression: the
 * registry adds those) and back, as the codecs of xmtp-js (`@xmtp/content-type-*`) do.
 */
import type { ContentLimits } from './content-limits.ts';
import type { ContentTypeId } from './content-type.ts';
import type { EncodedContent } from './encoded-content.ts';

/** `xmtp.org/text:1.0` */
export type TextContent = { readonly kind: 'text'; readonly text: string };

/** `xmtp.org/reply:1.0`: a content in reply to the message with id `reference`. */
export type ReplyContent = {
  readonly kind: 'reply';
  /** Message id (hex) of the message replied to. */
  readonly reference: string;
  /** Group messages only (XMTP v3); absent in Cairn's 1:1 conversations. */
  readonly referenceInboxId?: string | undefined;
  readonly content: Content;
};

/** `xmtp.org/reaction:1.0` */
export type ReactionContent = {
  readonly kind: 'reaction';
  readonly reference: string;
  readonly referenceInboxId?: string | undefined;
  readonly action: 'added' | 'removed';
  readonly schema: 'unicode' | 'shortcode' | 'custom';
  readonly content: string;
};

/** `xmtp.org/readReceipt:1.0` */
export type ReadReceiptContent = { readonly kind: 'readReceipt' };

/** `xmtp.org/attachment:1.0`: a file inline (what a remote attachment's payload decrypts to). */
export type AttachmentContent = {
  readonly kind: 'attachment';
  readonly filename: string;
  readonly mimeType: string;
  readonly data: Uint8Array;
};

/** `xmtp.org/remoteStaticAttachment:1.0`: an encrypted file on IPFS, with its key and digest. */
export type RemoteAttachmentContent = {
  readonly kind: 'remoteAttachment';
  /** `ipfs://<CID>` */
  readonly url: string;
  /** Hex SHA-256 of the encrypted payload. */
  readonly contentDigest: string;
  /** 32-byte HKDF input key. */
  readonly secret: Uint8Array;
  /** 32-byte HKDF salt. */
  readonly salt: Uint8Array;
  /** 12-byte AES-GCM nonce. */
  readonly nonce: Uint8Array;
  /** `ipfs://` */
  readonly scheme: string;
  /** Length of the attachment, as the sender declared it. */
  readonly contentLength: number;
  readonly filename: string;
};

/** A content type no codec knows (or a newer major version): shown as its `fallback` text, if any. */
export type UnknownContent = {
  readonly kind: 'unknown';
  readonly contentType: ContentTypeId;
  readonly fallback: string | undefined;
};

export type KnownContent =
  | TextContent
  | ReplyContent
  | ReactionContent
  | ReadReceiptContent
  | AttachmentContent
  | RemoteAttachmentContent;

export type Content = KnownContent | UnknownContent;

/** What a codec may ask of the registry: nested content (a reply's) and the limits in force. */
export type CodecContext = {
  readonly limits: ContentLimits;
  /** How deep the content being coded is nested (0 for the content of a message). */
  readonly depth: number;
  encodeNested(content: Content, depth: number): EncodedContent;
  decodeNested(bytes: Uint8Array, depth: number): { contentType: ContentTypeId; content: Content };
};

export interface ContentCodec<C extends KnownContent> {
  readonly contentType: ContentTypeId;
  readonly kind: C['kind'];
  /** `EncodedContent` without `fallback` and uncompressed. */
  encode(content: C, context: CodecContext): EncodedContent;
  /** `encoded` is already decompressed; throws a `ContentError` on anything malformed. */
  decode(encoded: EncodedContent, context: CodecContext): C;
  fallback(content: C): string | undefined;
  shouldPush(content: C): boolean;
}

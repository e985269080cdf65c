/**
 * Content layer of the Cairn protocol: XMTP `EncodedContent` and the codecs of text, reply, reaction,
 * read receipt and (remote) attachment, byte-compatible with xmtp-js, under hard limits.
 */
export type {
  AttachmentContent,
  CodecContext,
  Content,
  ContentCodec,
  KnownContent,
  ReactionContent,
  ReadReceiptContent,
  RemoteAttachmentContent,
  ReplyContent,
  TextContent,
  UnknownContent,
} from './codec.ts';
export { attachmentCodec } from './codecs/attachment.ts';
export { reactionCodec } from './codecs/reaction.ts';
export { readReceiptCodec } from './codecs/read-receipt.ts';
export { IPFS_SCHEME, remoteAttachmentCodec } from './codecs/remote-attachment.ts';
export { replyCodec } from './codecs/reply.ts';
export { textCodec } from './codecs/text.ts';
export { type Compressor, compressContent, decompress, decompressContent } from './compression.ts';
export {
  AttachmentDecryptionError,
  ContentCodecError,
  ContentCompressionError,
  ContentError,
  ContentLimitError,
  ContentMalformedError,
  ContentUnsupportedError,
} from './content-errors.ts';
export {
  ATTACHMENT_CONTENT_LIMITS,
  CONTENT_LIMITS,
  type ContentLimits,
  MAX_ATTACHMENT_PAYLOAD_BYTES,
  MIN_COMPRESSIBLE_BYTES,
} from './content-limits.ts';
export {
  ContentTypeAttachment,
  type ContentTypeId,
  ContentTypeReaction,
  ContentTypeReadReceipt,
  ContentTypeRemoteAttachment,
  ContentTypeReply,
  ContentTypeText,
  contentTypeToString,
  sameContentType,
} from './content-type.ts';
export {
  Compression,
  decodeEncodedContent,
  type EncodedContent,
  encodeEncodedContent,
} from './encoded-content.ts';
export { inflateGzip, inflateRaw, inflateZlib } from './inflate.ts';
export { isCid, parseIpfsUrl } from './ipfs-cid.ts';
export {
  type ContentRegistry,
  type CreateContentRegistryParameters,
  createContentRegistry,
  DEFAULT_CODECS,
  type DecodedContent,
  defaultContentRegistry,
  type EncodeContentOptions,
  type EncodeContentReturnType,
} from './registry.ts';
export {
  decryptAttachment,
  type EncryptAttachmentParameters,
  type EncryptedAttachment,
  encryptAttachment,
  encryptPayload,
  remoteAttachmentContent,
} from './remote-attachment-crypto.ts';

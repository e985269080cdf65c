/**
 * Attachment codec, `xmtp.org/attachment:1.0`, byte for byte as `@xmtp/content-type-remote-attachment`
 * (AttachmentCodec): parameters `{ filename, mimeType }` in that order, content = the file bytes.
 * Fallback: `Can’t display "<filename>". This app doesn’t support attachments.`
 * https://github.com/xmtp/xmtp-js/blob/main/content-types/content-type-remote-attachment/src/Attachment.ts
 *
 * Cairn sends files only inside remote attachments (encrypted, on IPFS); this codec encodes and decodes
 * their decrypted payload, whose size is bounded by `ATTACHMENT_CONTENT_LIMITS`.
 */
import type { AttachmentContent, ContentCodec } from '../codec.ts';
import { ContentCodecError } from '../content-errors.ts';
import { ContentTypeAttachment } from '../content-type.ts';
import type { EncodedContent } from '../encoded-content.ts';

export const attachmentCodec: ContentCodec<AttachmentContent> = {
  contentType: ContentTypeAttachment,
  kind: 'attachment',
  encode(content: AttachmentContent): EncodedContent {
    if (!(content.data instanceof Uint8Array)) throw new ContentCodecError('"data" expected Uint8Array');
    checkString(content.filename, 'filename');
    checkString(content.mimeType, 'mimeType');
    return {
      type: ContentTypeAttachment,
      parameters: { filename: content.filename, mimeType: content.mimeType },
      content: content.data,
    };
  },
  decode(encoded: EncodedContent): AttachmentContent {
    const { filename, mimeType } = encoded.parameters;
    checkString(filename, 'filename');
    checkString(mimeType, 'mimeType');
    return { kind: 'attachment', filename, mimeType, data: encoded.content };
  },
  fallback: (content: AttachmentContent) =>
    `Can’t display "${content.filename}". This app doesn’t support attachments.`,
  shouldPush: () => true,
};

function checkString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw new ContentCodecError(`"${what}" parameter missing`);
}

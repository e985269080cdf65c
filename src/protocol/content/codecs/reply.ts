/**
 * Reply codec, `xmtp.org/reply:1.0`, byte for byte as `@xmtp/content-type-reply` (ReplyCodec):
 * parameters `{ contentType: '<inner type string>', reference: '<message id>', [referenceInboxId] }` in
 * that order; content = the inner `EncodedContent` bytes (the inner codec's encoding, without fallback).
 * Fallback: `Replied with “<text>” to an earlier message` for text, else `Replied to an earlier message`.
 * https://github.com/xmtp/xmtp-js/blob/main/content-types/content-type-reply/src/Reply.ts
 *
 * Unlike xmtp-js, nesting is bounded (`limits.maxNestingDepth`), and an inner content of an unknown type
 * decodes to `{ kind: 'unknown' }` with the inner fallback instead of failing the whole reply.
 */
import type { CodecContext, ContentCodec, ReplyContent } from '../codec.ts';
import { ContentCodecError } from '../content-errors.ts';
import { ContentTypeReply, contentTypeToString } from '../content-type.ts';
import { type EncodedContent, encodeEncodedContent } from '../encoded-content.ts';
import { checkReference } from './references.ts';

export const replyCodec: ContentCodec<ReplyContent> = {
  contentType: ContentTypeReply,
  kind: 'reply',
  encode(content: ReplyContent, context: CodecContext): EncodedContent {
    checkReference(content.reference, 'reference');
    const inner = context.encodeNested(content.content, context.depth + 1);
    const parameters: Record<string, string> = {
      contentType: contentTypeToString(inner.type),
      reference: content.reference,
    };
    if (content.referenceInboxId) {
      checkReference(content.referenceInboxId, 'referenceInboxId');
      parameters.referenceInboxId = content.referenceInboxId;
    }
    return { type: ContentTypeReply, parameters, content: encodeEncodedContent(inner, context.limits) };
  },
  decode(encoded: EncodedContent, context: CodecContext): ReplyContent {
    const { reference, referenceInboxId } = encoded.parameters;
    if (reference === undefined) throw new ContentCodecError('"reference" parameter missing');
    checkReference(reference, 'reference');
    if (referenceInboxId !== undefined) checkReference(referenceInboxId, 'referenceInboxId');
    const inner = context.decodeNested(encoded.content, context.depth + 1);
    return {
      kind: 'reply',
      reference,
      ...(referenceInboxId !== undefined ? { referenceInboxId } : {}),
      content: inner.content,
    };
  },
  fallback(content: ReplyContent): string {
    if (content.content.kind === 'text')
      return `Replied with “${content.content.text}” to an earlier message`;
    return 'Replied to an earlier message';
  },
  shouldPush: () => true,
};

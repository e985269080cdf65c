/**
 * Reaction codec, `xmtp.org/reaction:1.0`, byte for byte as `@xmtp/content-type-reaction` (ReactionCodec):
 * no parameters; content = UTF-8 `JSON.stringify({ action, reference, referenceInboxId, schema, content })`
 * (keys in that order, `referenceInboxId` omitted when absent). Decoding also accepts the legacy form
 * (parameters `encoding`, `action`, `reference`, `schema`; content = the reaction text), as xmtp-js does.
 * Fallback: `Reacted “<content>” to an earlier message` / `Removed “<content>” from an earlier message`.
 * https://github.com/xmtp/xmtp-js/blob/main/content-types/content-type-reaction/src/Reaction.ts
 */
import * as v from 'valibot';
import { decodeUtf8, encodeUtf8 } from '../../protobuf.ts';
import type { CodecContext, ContentCodec, ReactionContent } from '../codec.ts';
import { ContentCodecError, ContentLimitError, ContentMalformedError } from '../content-errors.ts';
import { ContentTypeReaction } from '../content-type.ts';
import type { EncodedContent } from '../encoded-content.ts';
import { MAX_REFERENCE_LENGTH } from './references.ts';

const Reference = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_REFERENCE_LENGTH));
const Action = v.picklist(['added', 'removed']);
const Schema = v.picklist(['unicode', 'shortcode', 'custom']);

const ReactionJson = v.object({
  action: Action,
  reference: Reference,
  referenceInboxId: v.optional(Reference),
  schema: Schema,
  content: v.string(),
});

const LegacyParameters = v.object({ action: Action, reference: Reference, schema: Schema });

export const reactionCodec: ContentCodec<ReactionContent> = {
  contentType: ContentTypeReaction,
  kind: 'reaction',
  encode(reaction: ReactionContent, context: CodecContext): EncodedContent {
    const checked = v.safeParse(ReactionJson, {
      action: reaction.action,
      reference: reaction.reference,
      ...(reaction.referenceInboxId ? { referenceInboxId: reaction.referenceInboxId } : {}),
      schema: reaction.schema,
      content: reaction.content,
    });
    if (!checked.success) throw new ContentCodecError(`"reaction" invalid: ${checked.issues[0].message}`);
    const { action, reference, referenceInboxId, schema, content } = checked.output;
    if (!content.isWellFormed()) throw new ContentCodecError('"content" has a lone surrogate');
    const bytes = encodeUtf8(JSON.stringify({ action, reference, referenceInboxId, schema, content }));
    checkSize(bytes.length, context);
    return { type: ContentTypeReaction, parameters: {}, content: bytes };
  },
  decode(encoded: EncodedContent, context: CodecContext): ReactionContent {
    checkSize(encoded.content.length, context);
    const text = decodeUtf8(encoded.content, 'reaction', ContentMalformedError);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const canonical = v.safeParse(ReactionJson, json);
    if (canonical.success) {
      const { referenceInboxId, ...rest } = canonical.output;
      return { kind: 'reaction', ...rest, ...(referenceInboxId !== undefined ? { referenceInboxId } : {}) };
    }
    const legacy = v.safeParse(LegacyParameters, { ...encoded.parameters });
    if (legacy.success) return { kind: 'reaction', ...legacy.output, content: text };
    throw new ContentCodecError('"reaction" is neither the JSON nor the legacy form');
  },
  fallback(reaction: ReactionContent): string | undefined {
    if (reaction.action === 'added') return `Reacted “${reaction.content}” to an earlier message`;
    if (reaction.action === 'removed') return `Removed “${reaction.content}” from an earlier message`;
    return undefined;
  },
  // @xmtp/content-type-reaction 2.x: reactions never trigger a push notification.
  shouldPush: () => false,
};

function checkSize(length: number, context: CodecContext): void {
  if (length > context.limits.maxTextBytes) {
    throw new ContentLimitError(
      `"reaction" expected at most ${context.limits.maxTextBytes} bytes, got ${length}`,
    );
  }
}

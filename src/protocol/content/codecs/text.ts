/**
 * Text codec, `xmtp.org/text:1.0`, byte for byte as `@xmtp/content-type-text` (TextCodec):
 * parameters `{ encoding: 'UTF-8' }`, content = the UTF-8 bytes of the text, no fallback.
 * https://github.com/xmtp/xmtp-js/blob/main/content-types/content-type-text/src/Text.ts
 */
import { decodeUtf8, encodeUtf8 } from '../../protobuf.ts';
import type { CodecContext, ContentCodec, TextContent } from '../codec.ts';
import { ContentCodecError, ContentLimitError, ContentMalformedError } from '../content-errors.ts';
import { ContentTypeText } from '../content-type.ts';
import type { EncodedContent } from '../encoded-content.ts';

export const textCodec: ContentCodec<TextContent> = {
  contentType: ContentTypeText,
  kind: 'text',
  encode(content: TextContent, context: CodecContext): EncodedContent {
    if (typeof content.text !== 'string') throw new ContentCodecError('"text" expected a string');
    if (!content.text.isWellFormed()) throw new ContentCodecError('"text" has a lone surrogate');
    const bytes = encodeUtf8(content.text);
    checkTextSize(bytes.length, context);
    return { type: ContentTypeText, parameters: { encoding: 'UTF-8' }, content: bytes };
  },
  decode(encoded: EncodedContent, context: CodecContext): TextContent {
    if (encoded.parameters.encoding !== 'UTF-8') {
      throw new ContentCodecError(`"encoding" expected UTF-8, got ${String(encoded.parameters.encoding)}`);
    }
    checkTextSize(encoded.content.length, context);
    const text = decodeUtf8(encoded.content, 'text', ContentMalformedError);
    // xmtp-js decodes text with a default TextDecoder, which drops a leading byte-order mark.
    return { kind: 'text', text: text.startsWith('\uFEFF') ? text.slice(1) : text };
  },
  fallback: () => undefined,
  shouldPush: () => true,
};

function checkTextSize(length: number, context: CodecContext): void {
  if (length > context.limits.maxTextBytes) {
    throw new ContentLimitError(
      `"text" expected at most ${context.limits.maxTextBytes} bytes, got ${length}`,
    );
  }
}

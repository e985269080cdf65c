/**
 * Read receipt codec, `xmtp.org/readReceipt:1.0`, as `@xmtp/content-type-read-receipt`: no parameters,
 * empty content, no fallback, not pushed.
 * https://github.com/xmtp/xmtp-js/blob/main/content-types/content-type-read-receipt/src/ReadReceipt.ts
 */
import type { ContentCodec, ReadReceiptContent } from '../codec.ts';
import { ContentTypeReadReceipt } from '../content-type.ts';
import type { EncodedContent } from '../encoded-content.ts';

export const readReceiptCodec: ContentCodec<ReadReceiptContent> = {
  contentType: ContentTypeReadReceipt,
  kind: 'readReceipt',
  encode(): EncodedContent {
    return { type: ContentTypeReadReceipt, parameters: {}, content: new Uint8Array(0) };
  },
  decode(): ReadReceiptContent {
    // xmtp-js ignores any parameters or body; so do we.
    return { kind: 'readReceipt' };
  },
  fallback: () => undefined,
  shouldPush: () => false,
};

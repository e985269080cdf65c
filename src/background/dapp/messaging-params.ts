/**
 * Parameter schemas of the dapp messaging methods (`cairn_*`, see `MESSAGING_METHODS` in
 * src/provider/dapp-methods.ts for the shapes). Params come from web pages: shapes are strict
 * (no unknown keys, no extra items), addresses are checked (EIP-55 when mixed case), and text is
 * at most 64 KiB of well-formed UTF-8. Anything else is -32602 naming the problem.
 */
import * as v from 'valibot';
import type { Address } from 'viem';
import type { Content } from '../../protocol/content/index';
import { addressSchema, parseParams } from './dapp-params';

/** Largest text (message, reply) a site may send, in UTF-8 bytes: the content layer's limit. */
export const MAX_DAPP_MESSAGE_BYTES = 64 * 1024;
/** Most messages one `cairn_getMessages` call returns, and the default. */
export const MAX_MESSAGES_PAGE = 100;
export const DEFAULT_MESSAGES_PAGE = 50;

const textSchema = v.pipe(
  v.string('expected a string'),
  v.minLength(1, 'text must not be empty'),
  // UTF-16 length first: a cheap bound before counting UTF-8 bytes.
  v.maxLength(MAX_DAPP_MESSAGE_BYTES, `text is larger than ${MAX_DAPP_MESSAGE_BYTES} bytes of UTF-8`),
  v.maxBytes(MAX_DAPP_MESSAGE_BYTES, `text is larger than ${MAX_DAPP_MESSAGE_BYTES} bytes of UTF-8`),
  v.check((text) => text.isWellFormed(), 'text is not well-formed Unicode (lone surrogate)'),
);
const messageIdSchema = v.pipe(
  v.string('expected a message id'),
  v.regex(/^[0-9a-f]{64}$/, 'expected a message id (64 lowercase hex characters)'),
);
const emojiSchema = v.pipe(
  v.string('expected an emoji'),
  v.maxLength(32, 'expected one emoji'),
  v.regex(/^\p{RGI_Emoji}$/v, 'expected one emoji'),
);

const contentSchema = v.pipe(
  v.unknown(),
  // A bare string is a text message.
  v.transform((content) => (typeof content === 'string' ? { type: 'text', text: content } : content)),
  v.variant(
    'type',
    [
      v.strictObject({ type: v.literal('text'), text: textSchema }),
      v.strictObject({ type: v.literal('reply'), reference: messageIdSchema, text: textSchema }),
      v.strictObject({
        type: v.literal('reaction'),
        reference: messageIdSchema,
        action: v.picklist(['added', 'removed'], 'expected "added" or "removed"'),
        emoji: emojiSchema,
      }),
    ],
    'expected a string, or an object whose type is "text", "reply" or "reaction"',
  ),
);
type ContentParam = v.InferOutput<typeof contentSchema>;

function toContent(content: ContentParam): Content {
  switch (content.type) {
    case 'text':
      return { kind: 'text', text: content.text };
    case 'reply':
      return { kind: 'reply', reference: content.reference, content: { kind: 'text', text: content.text } };
    case 'reaction':
      return {
        kind: 'reaction',
        reference: content.reference,
        action: content.action,
        schema: 'unicode',
        content: content.emoji,
      };
  }
}

/** `cairn_canMessage [address]`. */
export function parseCanMessage(params: unknown): Address {
  return parseParams(v.strictTuple([addressSchema]), params, 'cairn_canMessage')[0];
}

/** `cairn_sendMessage [{ to, content }]`. */
export function parseSendMessage(params: unknown): { to: Address; content: Content } {
  const [{ to, content }] = parseParams(
    v.strictTuple([v.strictObject({ to: addressSchema, content: contentSchema })]),
    params,
    'cairn_sendMessage',
  );
  return { to, content: toContent(content) };
}

/** `cairn_getMessages [{ peer, before?, limit? }]`: `before` in ms since the epoch (exclusive). */
export function parseGetMessages(params: unknown): { peer: Address; before?: number; limit: number } {
  const [page] = parseParams(
    v.strictTuple([
      v.strictObject({
        peer: addressSchema,
        before: v.optional(
          v.pipe(
            v.number('expected a number of milliseconds'),
            v.safeInteger('expected an integer number of milliseconds'),
            v.minValue(0, 'expected a time after 1970'),
          ),
        ),
        limit: v.optional(
          v.pipe(
            v.number('expected a number'),
            v.integer('expected an integer'),
            v.minValue(1, 'expected at least 1'),
            v.maxValue(MAX_MESSAGES_PAGE, `expected at most ${MAX_MESSAGES_PAGE}`),
          ),
        ),
      }),
    ]),
    params,
    'cairn_getMessages',
  );
  return {
    peer: page.peer,
    ...(page.before === undefined ? {} : { before: page.before }),
    limit: page.limit ?? DEFAULT_MESSAGES_PAGE,
  };
}

/** `[id]`: a message id as `cairn_sendMessage` and `cairn_getMessages` return it (64 hex digits). */
export function parseGetMessageProof(params: unknown): string {
  const [id] = parseParams(
    v.strictTuple([
      v.pipe(
        v.string('expected a message id'),
        v.regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits'),
      ),
    ]),
    params,
    'cairn_getMessageProof',
  );
  return id;
}

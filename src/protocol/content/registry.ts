/**
 * The content registry: picks the codec of a content type, adds the `fallback` text and compression on
 * send, and on receive decodes known types and falls back to the `fallback` text for unknown ones.
 *
 * Lookup is as xmtp-js `Client.codecFor`: by authority and type id; a content with a higher major version
 * than the codec's is treated as unknown. Every step runs under `ContentLimits` (see `content-limits.ts`):
 * the size of the bytes is checked before parsing, inflation stops at `maxDecodedBytes`, nesting stops at
 * `maxNestingDepth`. Every failure is a `ContentError`.
 */
import type { CodecContext, Content, ContentCodec, KnownContent } from './codec.ts';
import { attachmentCodec } from './codecs/attachment.ts';
import { reactionCodec } from './codecs/reaction.ts';
import { readReceiptCodec } from './codecs/read-receipt.ts';
import { remoteAttachmentCodec } from './codecs/remote-attachment.ts';
import { replyCodec } from './codecs/reply.ts';
import { textCodec } from './codecs/text.ts';
import { type Compressor, compressContent, decompressContent } from './compression.ts';
import { ContentCompressionError, ContentLimitError, ContentUnsupportedError } from './content-errors.ts';
import { CONTENT_LIMITS, type ContentLimits } from './content-limits.ts';
import { type ContentTypeId, contentTypeToString } from './content-type.ts';
import {
  type Compression,
  decodeEncodedContent,
  type EncodedContent,
  encodeEncodedContent,
} from './encoded-content.ts';

/** The codecs Cairn knows: text, reply, reaction, read receipt, attachment, remote attachment. */
export const DEFAULT_CODECS: readonly ContentCodec<KnownContent>[] = Object.freeze([
  textCodec,
  replyCodec,
  reactionCodec,
  readReceiptCodec,
  attachmentCodec,
  remoteAttachmentCodec,
]);

export type DecodedContent = {
  readonly contentType: ContentTypeId;
  /** `{ kind: 'unknown', fallback }` for a type no codec knows. */
  readonly content: Content;
  /** The sender's `fallback` text, if any. */
  readonly fallback: string | undefined;
};

export type EncodeContentOptions = {
  /** Compress the content (skipped for content under 10 bytes, as xmtp-js does). */
  readonly compression?: Compression | undefined;
};

export type EncodeContentReturnType = {
  /** Serialized `EncodedContent`: the payload of a message. */
  readonly payload: Uint8Array;
  readonly encoded: EncodedContent;
  /** Whether a notification should be shown for it (xmtp-js `shouldPush`). */
  readonly shouldPush: boolean;
};

export type ContentRegistry = {
  readonly limits: ContentLimits;
  codecFor(type: ContentTypeId): ContentCodec<KnownContent> | undefined;
  /**
   * Content → `EncodedContent` with the codec's fallback, as xmtp-js `Client.encodeContent` does
   * (`{ fallback: false }`: the bare codec encoding, as a reply or an encrypted attachment embeds it).
   */
  toEncodedContent(content: Content, options?: { fallback?: boolean }): EncodedContent;
  /**
   * Content → payload bytes, byte for byte as xmtp-js `Client.encodeContent` (without compression; with
   * compression the bytes differ but decode to the same content).
   * @example registry.encode({ kind: 'text', text: 'gm' }).payload
   */
  encode(content: Content, options?: EncodeContentOptions): EncodeContentReturnType;
  /**
   * Payload bytes → content. Known types are decoded by their codec; unknown ones become
   * `{ kind: 'unknown', fallback }`. Throws a `ContentError` on anything malformed or over a limit.
   */
  decode(bytes: Uint8Array): DecodedContent;
  /** A parsed `EncodedContent` (maybe compressed) → content. */
  decodeEncoded(encoded: EncodedContent): DecodedContent;
};

export type CreateContentRegistryParameters = {
  readonly codecs?: readonly ContentCodec<KnownContent>[];
  readonly limits?: ContentLimits;
  /** Needed only to send compressed content (`encode(…, { compression })`), e.g. `fflateCompressor`. */
  readonly compressor?: Compressor;
};

/** A registry over `codecs` (default: `DEFAULT_CODECS`) and `limits` (default: `CONTENT_LIMITS`). */
export function createContentRegistry(parameters: CreateContentRegistryParameters = {}): ContentRegistry {
  const limits = parameters.limits ?? CONTENT_LIMITS;
  const codecs = parameters.codecs ?? DEFAULT_CODECS;
  const byType = new Map<string, ContentCodec<KnownContent>>();
  const byKind = new Map<string, ContentCodec<KnownContent>>();
  for (const codec of codecs) {
    byType.set(`${codec.contentType.authorityId}/${codec.contentType.typeId}`, codec);
    byKind.set(codec.kind, codec);
  }

  const codecFor = (type: ContentTypeId): ContentCodec<KnownContent> | undefined => {
    const codec = byType.get(`${type.authorityId}/${type.typeId}`);
    if (codec === undefined || type.versionMajor > codec.contentType.versionMajor) return undefined;
    return codec;
  };

  const checkDepth = (depth: number): void => {
    if (depth > limits.maxNestingDepth - 1) {
      throw new ContentLimitError(`content nested deeper than ${limits.maxNestingDepth} levels`);
    }
  };

  const context = (depth: number): CodecContext => ({
    limits,
    depth,
    encodeNested: (content, nestedDepth) => encodeAt(content, nestedDepth),
    decodeNested: (bytes, nestedDepth) => {
      checkDepth(nestedDepth);
      const decoded = decodeAt(decodeEncodedContent(bytes, limits), nestedDepth);
      return { contentType: decoded.contentType, content: decoded.content };
    },
  });

  // The codec's encoding without fallback, as a reply embeds it.
  const encodeAt = (content: Content, depth: number): EncodedContent => {
    checkDepth(depth);
    const codec = byKind.get(content.kind);
    if (content.kind === 'unknown' || codec === undefined) {
      const name = content.kind === 'unknown' ? contentTypeToString(content.contentType) : content.kind;
      throw new ContentUnsupportedError(`no codec for content type ${name}`);
    }
    return codec.encode(content, context(depth));
  };

  const decodeAt = (encoded: EncodedContent, depth: number): DecodedContent => {
    const fallback = encoded.fallback;
    const codec = codecFor(encoded.type);
    if (codec === undefined) {
      return {
        contentType: encoded.type,
        content: { kind: 'unknown', contentType: encoded.type, fallback },
        fallback,
      };
    }
    const inflated = decompressContent(encoded, limits);
    return { contentType: encoded.type, content: codec.decode(inflated, context(depth)), fallback };
  };

  const toEncodedContent = (content: Content, options: { fallback?: boolean } = {}): EncodedContent => {
    const encoded = encodeAt(content, 0);
    if (options.fallback === false) return encoded;
    const codec = byKind.get(content.kind)!;
    const fallback = content.kind === 'unknown' ? undefined : codec.fallback(content);
    return fallback ? { ...encoded, fallback } : encoded;
  };

  return {
    limits,
    codecFor,
    toEncodedContent,
    encode(content, options = {}) {
      let encoded = toEncodedContent(content);
      if (options.compression !== undefined) {
        if (!parameters.compressor) {
          throw new ContentCompressionError(
            'this registry has no compressor: pass one to createContentRegistry',
          );
        }
        encoded = compressContent(encoded, options.compression, parameters.compressor);
      }
      const codec = byKind.get(content.kind)!;
      const shouldPush = content.kind === 'unknown' ? false : codec.shouldPush(content);
      return { payload: encodeEncodedContent(encoded, limits), encoded, shouldPush };
    },
    decode: (bytes) => decodeAt(decodeEncodedContent(bytes, limits), 0),
    decodeEncoded: (encoded) => decodeAt(encoded, 0),
  };
}

/** The registry over the default codecs and limits. */
export const defaultContentRegistry: ContentRegistry = createContentRegistry();

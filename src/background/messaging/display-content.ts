/** Decoded XMTP content → what the messenger shows (text only, nothing renderable as HTML). */
import type { Content, DecodedContent } from '../../protocol/content/index';
import { contentTypeToString } from '../../protocol/content/index';
import type { DisplayContent } from './message-views';

function textOf(content: Content): string {
  switch (content.kind) {
    case 'text':
      return content.text;
    case 'reply':
      return textOf(content.content);
    case 'reaction':
      return content.content;
    case 'attachment':
    case 'remoteAttachment':
      return `Attachment: ${content.filename}`;
    case 'readReceipt':
      return '';
    case 'unknown':
      return content.fallback ?? '';
  }
}

export function toDisplayContent(decoded: DecodedContent): DisplayContent {
  const { content } = decoded;
  switch (content.kind) {
    case 'text':
      return { kind: 'text', text: content.text };
    case 'reply':
      return { kind: 'reply', text: textOf(content.content), reference: content.reference };
    case 'reaction':
      return {
        kind: 'reaction',
        emoji: content.content,
        reference: content.reference,
        action: content.action,
      };
    case 'attachment':
      return {
        kind: 'attachment',
        filename: content.filename,
        mimeType: content.mimeType,
        size: content.data.length,
        url: '',
      };
    case 'remoteAttachment':
      return {
        kind: 'attachment',
        filename: content.filename,
        mimeType: '',
        size: content.contentLength,
        url: content.url,
      };
    case 'readReceipt':
      return { kind: 'unsupported', contentType: contentTypeToString(decoded.contentType), fallback: null };
    case 'unknown':
      return {
        kind: 'unsupported',
        contentType: contentTypeToString(content.contentType),
        fallback: content.fallback ?? null,
      };
  }
}

/** A short line for lists and notifications. */
export function previewOf(content: DisplayContent): string {
  switch (content.kind) {
    case 'text':
    case 'reply':
      return content.text;
    case 'reaction':
      return `Reacted ${content.emoji}`;
    case 'attachment':
      return `Attachment: ${content.filename}`;
    case 'unsupported':
      return content.fallback ?? 'Unsupported message';
  }
}

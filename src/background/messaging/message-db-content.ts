/**
 * Message content at rest: sealed JSON of the `DisplayContent`, opened back into the
 * `MessageView` the UI sees.
 */
import type { Sealer } from './aes-gcm-sealer';
import { displayContentSchema, type MessageRecord, tryParseStored } from './message-db-schema';
import type { DisplayContent, MessageView } from './message-views';

/** Shown for a stored message whose content cannot be opened or decoded. */
export const UNREADABLE_CONTENT_TYPE = 'unreadable';

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function unreadable(): DisplayContent {
  return { kind: 'unsupported', contentType: UNREADABLE_CONTENT_TYPE, fallback: null };
}

export async function sealContent(sealer: Sealer, content: DisplayContent): Promise<Uint8Array> {
  return sealer.seal(new TextEncoder().encode(JSON.stringify(content)));
}

/** The record as the UI sees it; content that fails to open or decode shows as unsupported `UNREADABLE_CONTENT_TYPE`. */
export async function toMessageView(sealer: Sealer, record: MessageRecord): Promise<MessageView> {
  return {
    id: record.id,
    topic: record.topic,
    sender: record.sender,
    direction: record.direction,
    content: await openContent(sealer, record.sealedContent),
    sentAt: record.sentAt,
    status: record.status,
  };
}

async function openContent(sealer: Sealer, sealed: Uint8Array): Promise<DisplayContent> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(utf8Decoder.decode(await sealer.open(sealed)));
  } catch {
    return unreadable();
  }
  return tryParseStored(displayContentSchema, decoded) ?? unreadable();
}

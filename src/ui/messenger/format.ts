/**
 * Short texts the messenger shows: times, one-line previews and chat bodies of
 * decoded contents, delivery statuses. Plain strings only: screens render them
 * as text, never as HTML.
 */
import type { DisplayContent, MessageStatus } from '../../background/messaging/message-views';

const STATUS_LABELS: Record<MessageStatus, string> = {
  queued: 'Queued',
  sent: 'Sent',
  delivered: 'Delivered',
  failed: 'Failed',
};

const DAY_MS = 24 * 60 * 60 * 1000;
/** The range of a JavaScript `Date`; a sender's clock may claim anything. */
const MAX_TIME_MS = 8.64e15;

/** Whether `ms` is a time a `Date` can hold (senders choose their timestamps). */
export function isValidTime(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS;
}

/** For a `<time dateTime>`; undefined for a time out of range. */
export function isoTime(ms: number): string | undefined {
  return isValidTime(ms) ? new Date(ms).toISOString() : undefined;
}

/** "Queued", "Sent", "Delivered" or "Failed". */
export function statusLabel(status: MessageStatus): string {
  return STATUS_LABELS[status];
}

/**
 * One line for the conversation list: the text, or a label for other kinds.
 * @example contentPreview({ kind: 'reaction', emoji: '👍', reference: 'ab', action: 'added' }) // 'Reaction'
 */
export function contentPreview(content: DisplayContent): string {
  switch (content.kind) {
    case 'text':
    case 'reply':
      return content.text;
    case 'reaction':
      return 'Reaction';
    case 'attachment':
      return 'Attachment';
    case 'unsupported':
      return content.fallback ?? 'Unsupported message';
  }
}

/** What a chat bubble shows for a content. */
export function contentBody(content: DisplayContent): string {
  switch (content.kind) {
    case 'text':
    case 'reply':
      return content.text;
    case 'reaction':
      return `${content.action === 'added' ? 'Reacted' : 'Removed reaction'} ${content.emoji}`;
    case 'attachment':
      return `Attachment: ${content.filename} (${formatBytes(content.size)})`;
    case 'unsupported':
      return content.fallback ?? `Unsupported message (${content.contentType})`;
  }
}

/** "980 B", "12.5 KB", "3.1 MB". */
export function formatBytes(size: number): string {
  if (size < 1000) return `${size} B`;
  if (size < 1_000_000) return `${(size / 1000).toFixed(1)} KB`;
  return `${(size / 1_000_000).toFixed(1)} MB`;
}

function startOfDay(ms: number): number {
  const date = new Date(ms);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/**
 * A compact time for the conversation list: the time of day today, "Yesterday",
 * the weekday within a week, else the date (with the year when not this year).
 */
export function listTime(ms: number, now: number = Date.now(), locale?: string): string {
  if (!isValidTime(ms)) return '';
  const days = Math.round((startOfDay(now) - startOfDay(ms)) / DAY_MS);
  if (days <= 0) return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(ms);
  if (days === 1) return 'Yesterday';
  if (days < 7) return new Intl.DateTimeFormat(locale, { weekday: 'short' }).format(ms);
  const sameYear = new Date(ms).getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(ms);
}

/** The time under a chat bubble: the time of day, with the date when not today. */
export function messageTime(ms: number, now: number = Date.now(), locale?: string): string {
  if (!isValidTime(ms)) return '';
  const today = startOfDay(ms) === startOfDay(now);
  return new Intl.DateTimeFormat(locale, {
    ...(today ? {} : { day: 'numeric', month: 'short' }),
    hour: '2-digit',
    minute: '2-digit',
  }).format(ms);
}

/** The full date and time, for a `title`. */
export function fullTime(ms: number, locale?: string): string {
  if (!isValidTime(ms)) return 'Unknown time';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

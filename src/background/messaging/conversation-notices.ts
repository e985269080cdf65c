/**
 * Desktop notifications for new messages: one per conversation (a newer one replaces it),
 * counting what arrived since the user last read it, at most one every few seconds.
 */
import type { Address } from 'viem';
import { previewOf } from './display-content';
import type { MessageView } from './message-views';

export interface NoticeSink {
  /** Shows a notification; one with the same `id` replaces it. */
  notify(id: string, title: string, body: string): Promise<void>;
}

/** The notification id of a conversation: a newer notification replaces the previous one. */
export function conversationNotificationId(topic: string): string {
  return `cairn-conversation:${topic}`;
}

/** Unread messages of one conversation that asked for a notification, since it was last read. */
interface Notice {
  count: number;
  latest: MessageView;
  shownAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

function shortAddress(address: Address): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

export class ConversationNotices {
  readonly #notices = new Map<string, Notice>();
  readonly #sink: NoticeSink;
  readonly #enabled: () => Promise<boolean>;
  readonly #intervalMs: number;
  readonly #log: (message: string) => void;

  constructor(options: {
    sink: NoticeSink;
    /** The user's setting, read when a notification is about to show. */
    enabled: () => Promise<boolean>;
    intervalMs: number;
    log: (message: string) => void;
  }) {
    this.#sink = options.sink;
    this.#enabled = options.enabled;
    this.#intervalMs = options.intervalMs;
    this.#log = options.log;
  }

  /** Counts the message for its conversation's notification, shown now or when the throttle allows. */
  add(message: MessageView, signal: AbortSignal): void {
    const { topic } = message;
    let notice = this.#notices.get(topic);
    if (!notice) {
      notice = { count: 0, latest: message, shownAt: Number.NEGATIVE_INFINITY, timer: undefined };
      this.#notices.set(topic, notice);
    }
    notice.count += 1;
    notice.latest = message;
    if (notice.timer !== undefined) return; // already due: it will show the new count
    const wait = notice.shownAt + this.#intervalMs - Date.now();
    const shown = notice;
    if (wait <= 0) {
      void this.#show(topic, shown, signal);
      return;
    }
    shown.timer = setTimeout(() => {
      shown.timer = undefined;
      void this.#show(topic, shown, signal);
    }, wait);
  }

  /** The user read the conversation: the next message starts a new count. */
  forget(topic: string): void {
    const notice = this.#notices.get(topic);
    if (!notice) return;
    clearTimeout(notice.timer);
    this.#notices.delete(topic);
  }

  /** Locked: nothing pending, no previews kept. */
  clear(): void {
    for (const notice of this.#notices.values()) clearTimeout(notice.timer);
    this.#notices.clear();
  }

  /** Never rejects. */
  async #show(topic: string, notice: Notice, signal: AbortSignal): Promise<void> {
    notice.shownAt = Date.now();
    try {
      // Locked, turned off or read meanwhile: no preview on screen.
      if (!(await this.#enabled()) || signal.aborted || this.#notices.get(topic) !== notice) return;
      const { count, latest } = notice;
      const peer = shortAddress(latest.sender);
      const [title, body] =
        count === 1
          ? [`Message from ${peer}`, previewOf(latest.content).slice(0, 200)]
          : [`Messages from ${peer}`, `${count} new messages`];
      await this.#sink.notify(conversationNotificationId(topic), title, body);
    } catch (error) {
      this.#log(`Notification failed: ${errorName(error)}`);
    }
  }
}

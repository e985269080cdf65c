/** The action badge: the number of unread messages of every account, "99+" above 99. */
import type { MessageDb } from './message-db';

export function unreadBadgeText(unread: number): string {
  return unread === 0 ? '' : unread > 99 ? '99+' : String(unread);
}

/** Sets the badge from the store. Never throws (it runs from dropped promises). */
export async function updateUnreadBadge(
  db: Pick<MessageDb, 'totalUnread'>,
  setBadge: (text: string) => Promise<void>,
  signal: AbortSignal,
  log: (message: string) => void,
): Promise<void> {
  if (signal.aborted) return;
  try {
    const unread = await db.totalUnread();
    if (signal.aborted) return;
    await setBadge(unreadBadgeText(unread));
  } catch (error) {
    log(`Badge update failed: ${error instanceof Error ? error.name : 'unknown error'}`);
  }
}

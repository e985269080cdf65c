/**
 * The messages of one conversation, oldest first: the latest page on open and on
 * every change the background reports for its topics, earlier pages on demand,
 * sent messages appended at once. New incoming messages mark the conversation read.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Address } from 'viem';
import type { MessageView } from '../../background/messaging/message-views';
import type { UiClient } from '../background-client';
import { errorMessage } from '../error-message';
import { sameAddress } from './addresses';
import { isValidTime } from './format';

/** Messages per `getMessages` call. */
export const PAGE_SIZE = 50;

/**
 * The messages shown with a page read from the background laid over them: one copy
 * per id (the page's, which is newer), ordered by send time. Messages sharing a time
 * keep the page's order, since the background knows it.
 */
export function mergeMessages(shown: readonly MessageView[], page: readonly MessageView[]): MessageView[] {
  const inPage = new Set(page.map((message) => message.id));
  const merged = [...page, ...shown.filter((message) => !inPage.has(message.id))];
  return merged.sort((a, b) => a.sentAt - b.sentAt);
}

/** Whether `message` belongs to the chat with `peer`, whose topics are `topics` (maybe none yet). */
function isOfChat(message: MessageView, topics: ReadonlySet<string>, peer: Address): boolean {
  return topics.has(message.topic) || (message.direction === 'in' && sameAddress(message.sender, peer));
}

export function useChat(client: Pick<UiClient, 'call' | 'onMessages'>, account: Address, peer: Address) {
  const [messages, setMessages] = useState<MessageView[] | null>(null);
  const [hasEarlier, setHasEarlier] = useState(false);
  const [loadingEarlier, setLoadingEarlier] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Ids already shown, to tell new incoming messages from re-reads. */
  const seen = useRef(new Set<string>());
  /** The conversation's topics, learnt from its messages; empty for a conversation not started yet. */
  const topics = useRef(new Set<string>());

  const remember = useCallback((page: readonly MessageView[]) => {
    let freshIncoming = false;
    for (const message of page) {
      if (message.direction === 'in' && !seen.current.has(message.id)) freshIncoming = true;
      seen.current.add(message.id);
      topics.current.add(message.topic);
    }
    return freshIncoming;
  }, []);

  useEffect(() => {
    let stopped = false;
    let latest = 0;
    let paged = false;
    seen.current = new Set();
    topics.current = new Set();
    setMessages(null);

    const markRead = () => {
      client.call('markConversationRead', { account, peer }).catch((cause: unknown) => {
        if (!stopped) setError(errorMessage(cause));
      });
    };
    const load = () => {
      const request = ++latest;
      client
        .call('getMessages', { account, peer, limit: PAGE_SIZE })
        .then((page) => {
          if (stopped || request !== latest) return;
          const freshIncoming = remember(page);
          setMessages((current) => mergeMessages(current ?? [], page));
          setError(null);
          if (!paged) setHasEarlier(page.length === PAGE_SIZE);
          paged = true;
          if (freshIncoming) markRead();
        })
        .catch((cause: unknown) => {
          if (!stopped && request === latest) setError(errorMessage(cause));
        });
    };

    /** Shows messages the background just stored, without a re-read. */
    const add = (added: readonly MessageView[]) => {
      const freshIncoming = remember(added);
      setMessages((current) => mergeMessages(current ?? [], added));
      if (freshIncoming) markRead();
    };

    load();
    const unsubscribe = client.onMessages((change) => {
      if (!sameAddress(change.account, account)) return;
      const known = topics.current;
      const added = change.added?.filter((message) => isOfChat(message, known, peer)) ?? [];
      if (added.length > 0) {
        add(added);
        // Only new messages of this chat changed: nothing else to read.
        if (change.topics.every((topic) => added.some((message) => message.topic === topic))) return;
      }
      // Until a first message, the topic is unknown: any change of the account may be this conversation.
      if (known.size === 0 || change.topics.some((topic) => known.has(topic))) load();
    });
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [client, account, peer, remember]);

  const loadEarlier = useCallback(async () => {
    const oldest = messages?.[0];
    if (!oldest || loadingEarlier) return;
    if (!isValidTime(oldest.sentAt)) {
      setHasEarlier(false);
      return;
    }
    setLoadingEarlier(true);
    setError(null);
    try {
      // `before` is exclusive: ask from just after the oldest shown, so messages sharing its
      // timestamp are not skipped; the ones already shown come back and merge away.
      const before = Math.max(0, Math.floor(oldest.sentAt) + 1);
      const page = await client.call('getMessages', { account, peer, before, limit: PAGE_SIZE });
      const known = seen.current;
      const progressed = page.some((message) => !known.has(message.id));
      remember(page);
      setMessages((current) => mergeMessages(current ?? [], page));
      setHasEarlier(page.length === PAGE_SIZE && progressed);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setLoadingEarlier(false);
    }
  }, [client, account, peer, messages, loadingEarlier, remember]);

  /** Sends `text`; the queued message shows at once. Throws what the background refused. */
  const send = useCallback(
    async (text: string) => {
      const sent = await client.call('sendMessage', { account, to: peer, text });
      remember([sent]);
      // A re-read may already hold a newer status of it: keep that one.
      setMessages((current) =>
        current?.some((message) => message.id === sent.id) ? current : mergeMessages(current ?? [], [sent]),
      );
    },
    [client, account, peer, remember],
  );

  return { messages, hasEarlier, loadingEarlier, loadEarlier, send, error };
}

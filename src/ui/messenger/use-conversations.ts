/** The conversations of one account, newest activity first, re-read whenever the background reports a change. */
import { useEffect, useState } from 'preact/hooks';
import type { Address } from 'viem';
import type { ConversationView } from '../../background/messaging/message-views';
import type { UiClient } from '../background-client';
import { errorMessage } from '../error-message';
import { sameAddress } from './addresses';

export function useConversations(client: Pick<UiClient, 'call' | 'onMessages'>, account: Address) {
  const [conversations, setConversations] = useState<ConversationView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    let latest = 0;
    const load = () => {
      const request = ++latest;
      client
        .call('listConversations', { account })
        .then((list) => {
          if (stopped || request !== latest) return;
          setConversations(list);
          setError(null);
        })
        .catch((cause: unknown) => {
          if (!stopped && request === latest) setError(errorMessage(cause));
        });
    };
    setConversations(null);
    load();
    // Any topic may be a conversation this list does not show yet, so every change of the account counts.
    const unsubscribe = client.onMessages((change) => {
      if (sameAddress(change.account, account)) load();
    });
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [client, account]);

  return { conversations, error };
}

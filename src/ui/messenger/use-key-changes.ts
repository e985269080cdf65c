/**
 * The key changes of the chat's peer (src/background/messaging/peer-keys.ts): read on open and
 * again whenever the background reports a change of the account's conversations that is not
 * only new messages (a key change is announced that way).
 */
import { useEffect, useState } from 'preact/hooks';
import type { Address } from 'viem';
import type { KeyChangeView } from '../../background/messaging/message-views';
import type { UiClient } from '../background-client';
import { sameAddress } from './addresses';

export function useKeyChanges(
  client: Pick<UiClient, 'call' | 'onMessages'>,
  account: Address,
  peer: Address,
): KeyChangeView[] {
  const [changes, setChanges] = useState<KeyChangeView[]>([]);
  useEffect(() => {
    let stopped = false;
    let latest = 0;
    setChanges([]);
    const load = () => {
      const request = ++latest;
      client
        .call('getKeyChanges', { account, peer })
        .then((found) => {
          if (!stopped && request === latest) setChanges(found);
        })
        // Locked or stopped: the chat says so already; no notice to show.
        .catch(() => {});
    };
    load();
    const unsubscribe = client.onMessages((change) => {
      if (sameAddress(change.account, account) && !change.added) load();
    });
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [client, account, peer]);
  return changes;
}

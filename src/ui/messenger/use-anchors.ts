/**
 * The anchoring state of the messages a chat shows (the latest 100), read again whenever the
 * shown messages change or the background reports a change for the account. Anchoring is extra
 * information: when it cannot be read, the chat simply shows none.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Address } from 'viem';
import type { AnchorRecord } from '../../background/anchoring/anchor-db';
import type { MessageView } from '../../background/messaging/message-views';
import type { UiClient } from '../background-client';
import { sameAddress } from './addresses';

const MAX_IDS = 100;

export function useAnchors(
  client: Pick<UiClient, 'call' | 'onAnchors'>,
  account: Address,
  messages: readonly MessageView[] | null,
): ReadonlyMap<string, AnchorRecord> {
  const [anchors, setAnchors] = useState<ReadonlyMap<string, AnchorRecord>>(new Map());
  const [changes, setChanges] = useState(0);
  const ids = (messages ?? []).slice(-MAX_IDS).map((message) => message.id);
  const key = ids.join();

  useEffect(
    () =>
      client.onAnchors((change) => {
        if (sameAddress(change.account, account)) setChanges((n) => n + 1);
      }),
    [client, account],
  );

  useEffect(() => {
    if (ids.length === 0) return;
    let stopped = false;
    client
      .call('getMessageAnchors', { account, ids })
      .then((records) => {
        if (!stopped) setAnchors(new Map(records.map((record) => [record.messageId, record])));
      })
      .catch(() => {});
    return () => {
      stopped = true;
    };
  }, [client, account, key, changes]);

  return anchors;
}

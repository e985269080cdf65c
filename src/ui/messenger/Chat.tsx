/**
 * A conversation with one peer: its messages, oldest at the top, notices where the peer's key
 * changed, and the composer.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Address } from 'viem';
import type { KeyChangeView, MessageView } from '../../background/messaging/message-views';
import type { UiClient } from '../background-client';
import { ErrorNote } from '../components/ErrorNote';
import { Identicon } from '../components/Identicon';
import { shortAddress } from '../wallet/AccountRow';
import { sameAddress } from './addresses';
import { Composer } from './Composer';
import { KeyChangeNotice, keyChangeTime } from './KeyChangeNotice';
import { MessageBubble } from './MessageBubble';
import { SelfAnchor } from './SelfAnchor';
import { useAnchors } from './use-anchors';
import { useChat } from './use-chat';
import { useKeyChanges } from './use-key-changes';

/** The messages (oldest first) with each key change placed before the first message after it. */
function timeline(messages: readonly MessageView[], changes: readonly KeyChangeView[]) {
  const items: (MessageView | KeyChangeView)[] = [...messages];
  for (const change of [...changes].sort((a, b) => keyChangeTime(a) - keyChangeTime(b))) {
    const at = keyChangeTime(change);
    const index = items.findIndex((item) => 'id' in item && item.sentAt > at);
    items.splice(index === -1 ? items.length : index, 0, change);
  }
  return items;
}

export function Chat({
  client,
  account,
  peer,
  onBack,
}: {
  client: Pick<UiClient, 'call' | 'onMessages' | 'onAnchors'>;
  account: Address;
  peer: Address;
  onBack: () => void;
}) {
  const { messages, hasEarlier, loadingEarlier, loadEarlier, send, error } = useChat(client, account, peer);
  const anchors = useAnchors(client, account, messages);
  const keyChanges = useKeyChanges(client, account, peer);
  const list = useRef<HTMLOListElement>(null);
  const lastId = messages?.at(-1)?.id;

  // A new last message (received, sent, or the first page) scrolls to the bottom; earlier pages do not.
  useLayoutEffect(() => {
    const element = list.current;
    if (element && lastId !== undefined) element.scrollTop = element.scrollHeight;
  }, [lastId]);

  const checkAnchor = (id: string) => client.call('verifyMessageAnchor', { account, id });
  const now = Date.now();
  return (
    <main class="screen messenger chat">
      <header class="bar chat-head">
        <button type="button" onClick={onBack}>
          Back
        </button>
        <Identicon address={peer} size={28} />
        <h1 class="peer" title={peer}>
          {shortAddress(peer)}
          {sameAddress(peer, account) ? <span class="tag">you</span> : null}
        </h1>
      </header>
      <ol class="bubbles" aria-label="Messages" aria-live="polite" ref={list}>
        {hasEarlier ? (
          <li class="earlier">
            <button type="button" class="link" disabled={loadingEarlier} onClick={() => void loadEarlier()}>
              {loadingEarlier ? 'Loading…' : 'Load earlier'}
            </button>
          </li>
        ) : null}
        {messages === null ? (
          error ? null : (
            <li class="hint">Loading…</li>
          )
        ) : (
          <>
            {messages.length === 0 ? <li class="hint">No messages yet. Say hello.</li> : null}
            {timeline(messages, keyChanges).map((item) =>
              'id' in item ? (
                <MessageBubble
                  key={item.id}
                  message={item}
                  now={now}
                  anchor={anchors.get(item.id)}
                  onCheckAnchor={checkAnchor}
                />
              ) : (
                <KeyChangeNotice key={`key ${item.fingerprint} ${item.seenAt}`} change={item} now={now} />
              ),
            )}
          </>
        )}
      </ol>
      <SelfAnchor client={client} account={account} changes={anchors} />
      <ErrorNote message={error} />
      <Composer onSend={send} />
    </main>
  );
}

/** One conversation in the list: the peer, the last message, when, and how many are unread. */
import type { Address } from 'viem';
import type { ConversationView } from '../../background/messaging/message-views';
import { Identicon } from '../components/Identicon';
import { shortAddress } from '../wallet/AccountRow';
import { sameAddress } from './addresses';
import { contentPreview, fullTime, isoTime, listTime } from './format';

export function ConversationRow({
  conversation,
  now,
  onOpen,
}: {
  conversation: ConversationView;
  now: number;
  onOpen: (peer: Address) => void;
}) {
  const { peer, lastMessage, unread } = conversation;
  const at = lastMessage?.sentAt ?? conversation.createdAt;
  const preview = lastMessage
    ? `${lastMessage.direction === 'out' ? 'You: ' : ''}${contentPreview(lastMessage.content)}`
    : 'No messages yet';
  return (
    <li>
      <button
        type="button"
        class={unread > 0 ? 'conversation unread' : 'conversation'}
        data-peer={peer}
        onClick={() => onOpen(peer)}
      >
        <Identicon address={peer} />
        <span class="conversation-text">
          <span class="conversation-top">
            <code class="peer" title={peer}>
              {shortAddress(peer)}
            </code>
            {sameAddress(peer, conversation.account) ? <span class="tag">you</span> : null}
            <time class="when" dateTime={isoTime(at)} title={fullTime(at)}>
              {listTime(at, now)}
            </time>
          </span>
          <span class="preview">{preview}</span>
        </span>
        {unread > 0 ? (
          <span class="badge">
            <span aria-hidden="true">{unread > 99 ? '99+' : unread}</span>
            <span class="sr-only">{unread} unread</span>
          </span>
        ) : null}
      </button>
    </li>
  );
}

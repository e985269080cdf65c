/** One message of a chat: its content as text, when it was sent, and for our own messages how far it got. */
import type { AnchorRecord } from '../../background/anchoring/anchor-db';
import type { MessageView } from '../../background/messaging/message-views';
import { AnchorBadge, type CheckAnchor } from './AnchorBadge';
import { contentBody, fullTime, isoTime, messageTime, statusLabel } from './format';

export function MessageBubble({
  message,
  now,
  anchor,
  onCheckAnchor,
}: {
  message: MessageView;
  now: number;
  anchor?: AnchorRecord | undefined;
  onCheckAnchor?: CheckAnchor;
}) {
  const out = message.direction === 'out';
  return (
    <li class={`bubble ${message.direction}`} data-id={message.id} data-status={message.status}>
      {message.content.kind === 'reply' ? <span class="bubble-kind">Reply</span> : null}
      <p class="bubble-text">
        <span class="sr-only">{out ? 'You: ' : 'They: '}</span>
        {contentBody(message.content)}
      </p>
      <p class="bubble-meta">
        <time dateTime={isoTime(message.sentAt)} title={fullTime(message.sentAt)}>
          {messageTime(message.sentAt, now)}
        </time>
        {out ? (
          <span class={`bubble-status ${message.status}`}>
            <span class="sr-only">Status: </span>
            {statusLabel(message.status)}
          </span>
        ) : null}
      </p>
      {anchor ? <AnchorBadge record={anchor} {...(onCheckAnchor ? { onCheck: onCheckAnchor } : {})} /> : null}
    </li>
  );
}

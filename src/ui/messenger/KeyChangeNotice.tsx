/**
 * In a chat, where the peer's messaging key changed: "<peer> changed their messaging key" at
 * the time this wallet noticed it, and the new key's fingerprint to compare with the peer another
 * way. The key's own creation time is only a claim (whoever holds the peer's wallet key can date
 * a key in 1970), so it is shown in the details but never decides where the notice sits.
 */
import type { KeyChangeView } from '../../background/messaging/message-views';
import { shortAddress } from '../wallet/AccountRow';
import { fullTime, isoTime, messageTime } from './format';

const SOURCES: Record<KeyChangeView['source'], string> = {
  relay: "in a relay's directory",
  chain: 'in the KeyRegistry on chain',
  invitation: 'in a new conversation invitation',
};

/** Where the notice sits in the chat: when this wallet noticed the change. */
export function keyChangeTime(change: KeyChangeView): number {
  return change.seenAt;
}

export function KeyChangeNotice({ change, now }: { change: KeyChangeView; now: number }) {
  const at = keyChangeTime(change);
  return (
    <li class="key-change">
      <details>
        <summary>
          {shortAddress(change.peer)} changed their messaging key ·{' '}
          <time dateTime={isoTime(at)} title={fullTime(at)}>
            {messageTime(at, now)}
          </time>
        </summary>
        <dl>
          <dt>New key</dt>
          <dd class="mono">{change.fingerprint}</dd>
          <dt>Created</dt>
          <dd>{change.keyCreatedAt === null ? 'unknown' : fullTime(change.keyCreatedAt)}</dd>
          <dt>Noticed</dt>
          <dd>
            {fullTime(change.seenAt)}, {SOURCES[change.source]}
          </dd>
        </dl>
        <p>If you did not expect it, check the fingerprint with them another way.</p>
      </details>
    </li>
  );
}

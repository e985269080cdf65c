/**
 * In a chat, where the peer's messaging key changed: "<peer> changed their messaging key" with
 * when (the new key's own creation time when it is known, else when this wallet noticed), and
 * the new key's fingerprint to compare with the peer another way.
 */
import type { KeyChangeView } from '../../background/messaging/message-views';
import { shortAddress } from '../wallet/AccountRow';
import { fullTime, isoTime, isValidTime, messageTime } from './format';

const SOURCES: Record<KeyChangeView['source'], string> = {
  relay: "in a relay's directory",
  chain: 'in the KeyRegistry on chain',
  invitation: 'in a new conversation invitation',
};

/** Where the notice sits in the chat: when the key was made, never after it was noticed. */
export function keyChangeTime(change: KeyChangeView): number {
  const created = change.keyCreatedAt;
  return created !== null && isValidTime(created) ? Math.min(created, change.seenAt) : change.seenAt;
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

// @vitest-environment happy-dom
/** The chat's key-change notices: placed where the key changed, with when and the fingerprint, kept fresh. */
import { cleanup, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyChangeView, MessageView } from '../../../src/background/messaging/message-views';
import { Chat } from '../../../src/ui/messenger/Chat';
import { fullTime } from '../../../src/ui/messenger/format';
import { keyChangeTime } from '../../../src/ui/messenger/KeyChangeNotice';
import { ALICE, BOB, fakeClient, TOPIC_BOB, textMessage } from './fake-client';

afterEach(cleanup);

const t0 = Date.now() - 3_600_000;

function change(fields: Partial<KeyChangeView> = {}): KeyChangeView {
  return {
    peer: BOB,
    fingerprint: 'ab12 cd34 ef56 7890',
    keyCreatedAt: t0 + 1_500,
    seenAt: t0 + 5_000,
    source: 'relay',
    ...fields,
  };
}

/** The chat's items, bubbles as their text and notices as "notice", in order. */
function items(): string[] {
  return within(screen.getByRole('list', { name: 'Messages' }))
    .getAllByRole('listitem')
    .filter((item) => !item.classList.contains('hint'))
    .map((item) =>
      item.classList.contains('key-change')
        ? 'notice'
        : (item.querySelector('.bubble-text')?.lastChild?.textContent ?? '?'),
    );
}

describe('key change notices in the chat', () => {
  it('shows where the key changed, with the new key made and noticed, and the fingerprint', async () => {
    const messages: MessageView[] = [textMessage('before', t0), textMessage('after', t0 + 6_000)];
    render(
      <Chat
        client={
          fakeClient({
            getMessages: async () => messages,
            markConversationRead: async () => ({ unread: 0 }),
            getKeyChanges: async () => [change()],
          }).client
        }
        account={ALICE}
        peer={BOB}
        onBack={() => {}}
      />,
    );
    await waitFor(() => expect(items()).toEqual(['before', 'notice', 'after']));
    const notice = screen.getByText(/changed their messaging key/).closest('li')!;
    expect(notice.querySelector('summary')?.textContent).toMatch(
      /^0x7099…79C8 changed their messaging key · /,
    );
    expect(notice.querySelector('time')?.getAttribute('dateTime')).toBe(new Date(t0 + 5_000).toISOString());
    expect(within(notice).getByText('ab12 cd34 ef56 7890')).toBeTruthy();
    expect(within(notice).getByText(`${fullTime(t0 + 5_000)}, in a relay's directory`)).toBeTruthy();
  });

  it('reads the changes again when the background reports a change that is not only new messages', async () => {
    let changes: KeyChangeView[] = [];
    const hello = textMessage('hello', t0);
    const fake = fakeClient({
      getMessages: async () => [hello],
      markConversationRead: async () => ({ unread: 0 }),
      getKeyChanges: async () => changes,
    });
    render(<Chat client={fake.client} account={ALICE} peer={BOB} onBack={() => {}} />);
    await waitFor(() => expect(items()).toEqual(['hello']));
    changes = [change({ keyCreatedAt: null, seenAt: t0 + 9_000, source: 'chain' })];
    fake.pushMessages({ account: ALICE, topics: [TOPIC_BOB], added: [textMessage('new one', t0 + 8_000)] });
    await waitFor(() => expect(items()).toEqual(['hello', 'new one']));
    fake.pushMessages({ account: ALICE, topics: [TOPIC_BOB] });
    await waitFor(() => expect(items()).toEqual(['hello', 'new one', 'notice']));
    expect(screen.getByText('unknown')).toBeTruthy();
    expect(screen.getByText(/in the KeyRegistry on chain/)).toBeTruthy();
    expect(fake.callsOf('getKeyChanges')).toHaveLength(2);
  });

  it('places a change when this wallet noticed it: a key claiming an early creation time cannot hide', () => {
    expect(keyChangeTime(change())).toBe(t0 + 5_000);
    expect(keyChangeTime(change({ keyCreatedAt: 0 }))).toBe(t0 + 5_000);
    expect(keyChangeTime(change({ keyCreatedAt: null }))).toBe(t0 + 5_000);
  });
});

// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConversationView } from '../../../src/background/messaging/message-views';
import type { AccountInfo } from '../../../src/keyring/keyring';
import { ConversationList } from '../../../src/ui/messenger/ConversationList';
import { ALICE, BOB, CAROL, fakeClient, TOPIC_BOB, textMessage } from './fake-client';

afterEach(cleanup);

const TOPIC_CAROL = '/xmtp/0/m-carol/proto';
const now = Date.now();

const bobConversation: ConversationView = {
  topic: TOPIC_BOB,
  account: ALICE,
  peer: BOB,
  createdAt: now - 60_000,
  lastMessage: textMessage('See you <b>tomorrow</b>', now - 1000),
  unread: 3,
};
const carolConversation: ConversationView = {
  topic: TOPIC_CAROL,
  account: ALICE,
  peer: CAROL,
  createdAt: now - 120_000,
  lastMessage: {
    ...textMessage('', now - 5000, 'out'),
    topic: TOPIC_CAROL,
    content: { kind: 'reaction', emoji: '👍', reference: 'm1', action: 'added' },
  },
  unread: 0,
};

const accounts: AccountInfo[] = [
  { address: ALICE, name: 'Account 1', kind: 'hd', index: 0 },
  { address: CAROL, name: 'Account 2', kind: 'hd', index: 1 },
];

function renderList(
  conversations: () => ConversationView[],
  options: { accounts?: AccountInfo[]; onAccount?: (a: string) => void } = {},
) {
  const fake = fakeClient({ listConversations: async () => conversations() });
  const onOpen = vi.fn();
  const onNew = vi.fn();
  const view = render(
    <ConversationList
      client={fake.client}
      accounts={options.accounts ?? accounts.slice(0, 1)}
      account={ALICE}
      onAccount={options.onAccount ?? (() => {})}
      onOpen={onOpen}
      onNew={onNew}
    />,
  );
  return { fake, onOpen, onNew, view };
}

describe('ConversationList', () => {
  it('shows each conversation with its peer, last message, time and unread count', async () => {
    const { fake, onOpen } = renderList(() => [bobConversation, carolConversation]);
    const list = await screen.findByRole('list', { name: 'Conversations' });
    const rows = within(list).getAllByRole('button');
    expect(rows).toHaveLength(2);

    const bob = rows[0]!;
    expect(within(bob).getByText('0x7099…79C8').getAttribute('title')).toBe(BOB);
    expect(within(bob).getByText('See you <b>tomorrow</b>')).toBeTruthy();
    expect(bob.querySelector('b')).toBeNull();
    expect(within(bob).getByText('3 unread')).toBeTruthy();
    expect(bob.querySelector('svg.identicon')).not.toBeNull();
    expect(bob.querySelector('time')?.textContent).not.toBe('');

    const carol = rows[1]!;
    expect(within(carol).getByText('You: Reaction')).toBeTruthy();
    expect(within(carol).queryByText(/unread/)).toBeNull();

    expect(fake.callsOf('listConversations')).toEqual([{ account: ALICE }]);
    fireEvent.click(bob);
    expect(onOpen).toHaveBeenCalledWith(BOB);
  });

  it('says when there is no conversation and offers a new one', async () => {
    const { onNew } = renderList(() => []);
    expect(await screen.findByText(/No conversations yet/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'New conversation' }));
    expect(onNew).toHaveBeenCalledOnce();
  });

  it('re-reads the list when the background reports a change for this account, until unmounted', async () => {
    let conversations = [carolConversation];
    const { fake, view } = renderList(() => conversations);
    await screen.findByText('0x3C44…93BC');
    expect(screen.queryByText('0x7099…79C8')).toBeNull();

    fake.pushMessages({ account: CAROL, topics: [TOPIC_BOB] });
    expect(fake.callsOf('listConversations')).toHaveLength(1);

    conversations = [bobConversation, carolConversation];
    fake.pushMessages({ account: ALICE.toLowerCase() as typeof ALICE, topics: [TOPIC_BOB] });
    expect(await screen.findByText('0x7099…79C8')).toBeTruthy();
    expect(fake.callsOf('listConversations')).toHaveLength(2);

    expect(fake.listenerCount()).toBe(1);
    view.unmount();
    await waitFor(() => expect(fake.listenerCount()).toBe(0));
    expect(fake.listenerCount()).toBe(0);
  });

  it('offers an account picker only when there are several accounts', async () => {
    const onAccount = vi.fn();
    renderList(() => [], { accounts, onAccount });
    const picker = screen.getByRole('combobox', { name: 'Account' }) as HTMLSelectElement;
    expect(picker.value).toBe(ALICE);
    fireEvent.change(picker, { target: { value: CAROL } });
    expect(onAccount).toHaveBeenCalledWith(CAROL);
    cleanup();

    renderList(() => []);
    await screen.findByText(/No conversations yet/);
    expect(screen.queryByRole('combobox', { name: 'Account' })).toBeNull();
  });

  it('shows what went wrong when the list cannot be read', async () => {
    const fake = fakeClient({
      listConversations: async () => {
        throw new Error('The wallet is locked');
      },
    });
    render(
      <ConversationList
        client={fake.client}
        accounts={accounts}
        account={ALICE}
        onAccount={() => {}}
        onOpen={() => {}}
        onNew={() => {}}
      />,
    );
    expect((await screen.findByRole('alert')).textContent).toBe('The wallet is locked');
    await waitFor(() => expect(screen.queryByText('Loading…')).toBeNull());
  });
});

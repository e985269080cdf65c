// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageView } from '../../../src/background/messaging/message-views';
import type { UiHandlers } from '../../../src/background/ui-api-contract';
import { BackgroundError } from '../../../src/ui/background-client';
import { Chat } from '../../../src/ui/messenger/Chat';
import { PAGE_SIZE } from '../../../src/ui/messenger/use-chat';
import { ALICE, BOB, fakeClient, TOPIC_BOB, textMessage } from './fake-client';

afterEach(cleanup);

const t0 = Date.now() - 3_600_000;

function renderChat(messages: () => MessageView[], handlers: Partial<UiHandlers> = {}) {
  const fake = fakeClient({
    getMessages: async ({ before }) => messages().filter((m) => before === undefined || m.sentAt < before),
    markConversationRead: async () => ({ unread: 0 }),
    ...handlers,
  });
  let back = 0;
  const view = render(<Chat client={fake.client} account={ALICE} peer={BOB} onBack={() => (back += 1)} />);
  return { fake, view, backs: () => back };
}

function bubbles(): HTMLElement[] {
  return within(screen.getByRole('list', { name: 'Messages' }))
    .getAllByRole('listitem')
    .filter((item) => item.classList.contains('bubble'));
}

function composer() {
  return {
    field: screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement,
    send: screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement,
  };
}

describe('Chat', () => {
  it('shows the messages oldest first, as text, with the status of our own', async () => {
    const { fake, backs } = renderChat(() => [
      textMessage('hello <img src=x onerror=alert(1)>', t0),
      textMessage('queued one', t0 + 1000, 'out', 'queued'),
      textMessage('sent one', t0 + 2000, 'out', 'sent'),
      textMessage('delivered one', t0 + 3000, 'out', 'delivered'),
      textMessage('failed one', t0 + 4000, 'out', 'failed'),
    ]);
    await screen.findByText('failed one');

    expect(screen.getByRole('heading').textContent).toBe('0x7099…79C8');
    expect(screen.getByRole('heading').getAttribute('title')).toBe(BOB);

    const items = bubbles();
    expect(items.map((item) => item.querySelector('.bubble-text')?.lastChild?.textContent)).toEqual([
      'hello <img src=x onerror=alert(1)>',
      'queued one',
      'sent one',
      'delivered one',
      'failed one',
    ]);
    expect(screen.getByRole('list', { name: 'Messages' }).querySelector('img')).toBeNull();
    expect(items[0]!.classList.contains('in')).toBe(true);
    expect(items[0]!.querySelector('.bubble-status')).toBeNull();
    expect(items.slice(1).map((item) => item.querySelector('.bubble-status')?.textContent)).toEqual([
      'Status: Queued',
      'Status: Sent',
      'Status: Delivered',
      'Status: Failed',
    ]);
    expect(within(items[1]!).getByText('Queued').classList.contains('bubble-status')).toBe(true);
    expect(items[1]!.classList.contains('out')).toBe(true);

    // Incoming messages on open: the conversation is marked read.
    await waitFor(() =>
      expect(fake.callsOf('markConversationRead')).toEqual([{ account: ALICE, peer: BOB }]),
    );
    expect(fake.callsOf('getMessages')).toEqual([{ account: ALICE, peer: BOB, limit: PAGE_SIZE }]);

    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(backs()).toBe(1);
  });

  it('sends with the button, shows the queued message at once and clears the composer', async () => {
    const { fake } = renderChat(() => [textMessage('hi', t0)], {
      sendMessage: async ({ text }) => ({ ...textMessage(text, Date.now(), 'out', 'queued') }),
    });
    await screen.findByText('hi');
    const { field, send } = composer();
    expect(send.disabled).toBe(true);

    fireEvent.input(field, { target: { value: '  see you at 5\n' } });
    expect(send.disabled).toBe(false);
    fireEvent.click(send);

    await screen.findByText('see you at 5');
    expect(fake.callsOf('sendMessage')).toEqual([{ account: ALICE, to: BOB, text: 'see you at 5' }]);
    const last = bubbles().at(-1)!;
    expect(last.classList.contains('out')).toBe(true);
    expect(within(last).getByText('Queued')).toBeTruthy();
    expect(field.value).toBe('');
    expect(send.disabled).toBe(true);
  });

  it('sends on Enter and adds a line on Shift+Enter', async () => {
    const { fake } = renderChat(() => [], {
      sendMessage: async ({ text }) => textMessage(text, Date.now(), 'out', 'queued'),
    });
    await screen.findByText(/No messages yet/);
    const { field } = composer();
    fireEvent.input(field, { target: { value: 'line one' } });

    fireEvent.keyDown(field, { key: 'Enter', shiftKey: true });
    expect(fake.callsOf('sendMessage')).toHaveLength(0);

    fireEvent.keyDown(field, { key: 'Enter' });
    await screen.findByText('line one');
    expect(fake.callsOf('sendMessage')).toEqual([{ account: ALICE, to: BOB, text: 'line one' }]);
    expect(field.value).toBe('');

    // Enter on an empty field sends nothing.
    fireEvent.keyDown(field, { key: 'Enter' });
    expect(fake.callsOf('sendMessage')).toHaveLength(1);
  });

  it('keeps the text and shows the error when the background refuses the message', async () => {
    renderChat(() => [], {
      sendMessage: async () => {
        throw new BackgroundError(-32602, '"text" is over 64 KiB');
      },
    });
    await screen.findByText(/No messages yet/);
    const { field, send } = composer();
    fireEvent.input(field, { target: { value: 'too long' } });
    fireEvent.click(send);
    expect((await screen.findByRole('alert')).textContent).toBe('"text" is over 64 KiB');
    expect(field.value).toBe('too long');
    expect(bubbles()).toHaveLength(0);
  });

  it('re-reads on changes of its topic and marks new incoming messages read', async () => {
    let messages = [textMessage('first', t0, 'out', 'queued')];
    const { fake, view } = renderChat(() => messages);
    await screen.findByText('first');
    expect(fake.callsOf('markConversationRead')).toHaveLength(0);

    fake.pushMessages({ account: ALICE, topics: ['/xmtp/0/m-other/proto'] });
    expect(fake.callsOf('getMessages')).toHaveLength(1);

    messages = [{ ...messages[0]!, status: 'delivered' }, textMessage('answer', t0 + 1000)];
    fake.pushMessages({ account: ALICE, topics: [TOPIC_BOB] });
    await screen.findByText('answer');
    expect(within(bubbles()[0]!).getByText('Delivered')).toBeTruthy();
    await waitFor(() => expect(fake.callsOf('markConversationRead')).toHaveLength(1));

    // Marking read reports a change too: re-reading it must not mark again.
    fake.pushMessages({ account: ALICE, topics: [TOPIC_BOB] });
    await waitFor(() => expect(fake.callsOf('getMessages')).toHaveLength(3));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fake.callsOf('markConversationRead')).toHaveLength(1);

    view.unmount();
    await waitFor(() => expect(fake.listenerCount()).toBe(0));
  });

  it('shows pushed new messages of its chat without a re-read, and marks them read', async () => {
    const { fake } = renderChat(() => []);
    await screen.findByText(/No messages yet/);
    expect(fake.callsOf('getMessages')).toHaveLength(1);

    // Another chat's message: not shown; an unknown topic may be this chat, so it re-reads.
    const other = { ...textMessage('not ours', t0), topic: '/xmtp/0/m-other/proto', sender: ALICE };
    fake.pushMessages({ account: ALICE, topics: [other.topic], added: [other] });
    await waitFor(() => expect(fake.callsOf('getMessages')).toHaveLength(2));

    // The first message from the peer, on a topic not known yet: shown at once, no read.
    const first = textMessage('pushed hello', t0 + 1000);
    fake.pushMessages({ account: ALICE, topics: [TOPIC_BOB], added: [first] });
    await screen.findByText('pushed hello');
    expect(fake.callsOf('getMessages')).toHaveLength(2);
    await waitFor(() => expect(fake.callsOf('markConversationRead')).toHaveLength(1));

    // Another account's change is ignored; a push repeated is shown once.
    fake.pushMessages({ account: BOB, topics: [TOPIC_BOB], added: [textMessage('for bob', t0 + 1500)] });
    fake.pushMessages({ account: ALICE, topics: [TOPIC_BOB], added: [first] });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(screen.queryByText('for bob')).toBeNull();
    expect(bubbles()).toHaveLength(1);
    expect(fake.callsOf('getMessages')).toHaveLength(2);
    expect(fake.callsOf('markConversationRead')).toHaveLength(1);
  });

  it("shows each message's anchoring, with the proof of a verified one", async () => {
    const first = textMessage('anchoring one', t0, 'out', 'sent');
    const second = textMessage('verified one', t0 + 1000);
    const ids = (n: string) => n.padStart(64, '0');
    const messages = [
      { ...first, id: ids('1') },
      { ...second, id: ids('2') },
    ];
    const base = { account: ALICE, contentTopic: TOPIC_BOB, trackedAt: t0, nextCheckAt: t0, attempts: 0 };
    const { fake } = renderChat(() => messages, {
      getMessageAnchors: async () => [
        { ...base, messageId: ids('1'), state: 'pending' },
        {
          ...base,
          messageId: ids('2'),
          state: 'verified',
          anchor: {
            root: `0x${'aa'.repeat(32)}`,
            proof: [`0x${'bb'.repeat(32)}`],
            batchId: '3',
            txHash: `0x${'cc'.repeat(32)}`,
            blockNumber: '42',
            chainId: 31337,
            contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
            manifestCid: 'bafy',
            verifiedAt: t0,
          },
        },
      ],
    });
    await screen.findByText('Verified on chain');
    const [pending, verified] = bubbles();
    expect(within(pending!).getByText('Anchoring…')).toBeTruthy();
    expect(within(verified!).getByText('42')).toBeTruthy();
    expect(within(verified!).getByText(`0x${'bb'.repeat(32)}`)).toBeTruthy();
    expect(fake.callsOf('getMessageAnchors')[0]).toEqual({ account: ALICE, ids: [ids('1'), ids('2')] });
  });

  it('pages back from the oldest message shown, not skipping messages that share its time', async () => {
    // Three messages share the time of the first page's oldest one.
    const all = Array.from({ length: PAGE_SIZE + 3 }, (_, i) =>
      textMessage(`message ${i}`, t0 + Math.max(0, i - 3) * 1000, 'out'),
    );
    const { fake } = renderChat(() => all, {
      getMessages: async ({ before, limit }) => {
        const older = all.filter((m) => before === undefined || m.sentAt < before);
        return older.slice(-(limit ?? PAGE_SIZE));
      },
    });
    await screen.findByText(`message ${PAGE_SIZE + 2}`);
    expect(bubbles()).toHaveLength(PAGE_SIZE);
    expect(screen.queryByText('message 2')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Load earlier' }));
    await screen.findByText('message 0');
    expect(fake.callsOf('getMessages')[1]).toEqual({
      account: ALICE,
      peer: BOB,
      before: t0 + 1,
      limit: PAGE_SIZE,
    });
    expect(bubbles()).toHaveLength(PAGE_SIZE + 3);
    const ids = bubbles().map((item) => item.dataset.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(all.map((message) => message.id));
    expect(screen.queryByRole('button', { name: 'Load earlier' })).toBeNull();
  });

  it('shows a message whose sender claims an impossible time', async () => {
    renderChat(() => [textMessage('from the far future', 1e20), textMessage('normal', t0)]);
    expect(await screen.findByText('from the far future')).toBeTruthy();
    expect(screen.getByText('normal')).toBeTruthy();
  });
});

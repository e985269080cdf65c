// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { UiHandlers } from '../../../src/background/ui-api-contract';
import type { AccountInfo } from '../../../src/keyring/keyring';
import { Messenger } from '../../../src/ui/messenger/Messenger';
import { ALICE, BOB, fakeClient } from './fake-client';

afterEach(cleanup);

const accounts: AccountInfo[] = [{ address: ALICE, name: 'Account 1', kind: 'hd', index: 0 }];

async function openNewConversation(handlers: Partial<UiHandlers>) {
  const fake = fakeClient({
    listConversations: async () => [],
    getMessages: async () => [],
    ...handlers,
  });
  render(<Messenger client={fake.client} accounts={accounts} account={ALICE} onAccount={() => {}} />);
  fireEvent.click(await screen.findByRole('button', { name: 'New conversation' }));
  const field = screen.getByRole('textbox', { name: 'Recipient address' }) as HTMLInputElement;
  const submit = (value: string) => {
    fireEvent.input(field, { target: { value } });
    fireEvent.click(screen.getByRole('button', { name: 'Start conversation' }));
  };
  return { fake, field, submit };
}

describe('New conversation', () => {
  it('refuses what is not an address without asking the background', async () => {
    const { fake, submit } = await openNewConversation({ canMessage: async () => ({ canMessage: true }) });
    submit('0x1234');
    expect((await screen.findByRole('alert')).textContent).toBe('Enter a 0x address of 40 hex characters');
    submit(BOB.replace('C', 'c'));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The address checksum does not match; check it for typos',
    );
    expect(fake.callsOf('canMessage')).toHaveLength(0);
  });

  it('says so when the address has no messaging identity', async () => {
    const { fake, submit } = await openNewConversation({ canMessage: async () => ({ canMessage: false }) });
    submit(BOB.toLowerCase());
    expect((await screen.findByRole('alert')).textContent).toBe(
      'This address has no Cairn/XMTP identity yet',
    );
    expect(fake.callsOf('canMessage')).toEqual([{ account: ALICE, address: BOB }]);
    expect(fake.callsOf('getMessages')).toHaveLength(0);
  });

  it('opens the chat with a reachable address, and goes back to the list', async () => {
    const { fake, submit } = await openNewConversation({ canMessage: async () => ({ canMessage: true }) });
    submit(` ${BOB.toLowerCase()} `);
    await screen.findByRole('textbox', { name: 'Message' });
    expect(screen.getByRole('heading').textContent).toBe('0x7099…79C8');
    await waitFor(() =>
      expect(fake.callsOf('getMessages')).toEqual([{ account: ALICE, peer: BOB, limit: 50 }]),
    );

    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(await screen.findByRole('button', { name: 'New conversation' })).toBeTruthy();
  });

  it('allows messaging yourself', async () => {
    const { submit } = await openNewConversation({ canMessage: async () => ({ canMessage: true }) });
    submit(ALICE);
    await screen.findByRole('textbox', { name: 'Message' });
    expect(screen.getByRole('heading').textContent).toBe('0xf39F…2266you');
  });

  it('shows a background error', async () => {
    const { submit } = await openNewConversation({
      canMessage: async () => {
        throw new Error('No relay is reachable');
      },
    });
    submit(BOB);
    expect((await screen.findByRole('alert')).textContent).toBe('No relay is reachable');
  });
});

// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { WalletState } from '../../../src/background/ui-api-contract';
import { App } from '../../../src/ui/App';
import { ALICE, CAROL, fakeClient } from './fake-client';

afterEach(cleanup);

const unlocked: WalletState = {
  status: 'unlocked',
  autoLockMinutes: 15,
  accounts: [
    { address: ALICE, name: 'Account 1', kind: 'hd', index: 0 },
    { address: CAROL, name: 'Account 2', kind: 'hd', index: 1 },
  ],
};

describe('Popup tabs', () => {
  it('switches between the wallet and the messenger, which speaks for the picked account', async () => {
    const fake = fakeClient({
      getState: async () => unlocked,
      listConversations: async () => [],
    });
    render(<App client={fake.client} />);
    expect(await screen.findByRole('heading', { name: 'Accounts' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Wallet' }).getAttribute('aria-current')).toBe('page');

    fireEvent.click(screen.getByRole('button', { name: 'Messages' }));
    expect(await screen.findByRole('heading', { name: 'Messages' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Messages' }).getAttribute('aria-current')).toBe('page');
    await waitFor(() => expect(fake.callsOf('listConversations')).toEqual([{ account: ALICE }]));

    fireEvent.change(screen.getByRole('combobox', { name: 'Account' }), { target: { value: CAROL } });
    await waitFor(() => expect(fake.callsOf('listConversations').at(-1)).toEqual({ account: CAROL }));

    // The choice survives a visit to the wallet tab.
    fireEvent.click(screen.getByRole('button', { name: 'Wallet' }));
    await screen.findByRole('heading', { name: 'Accounts' });
    fireEvent.click(screen.getByRole('button', { name: 'Messages' }));
    await screen.findByRole('heading', { name: 'Messages' });
    expect((screen.getByRole('combobox', { name: 'Account' }) as HTMLSelectElement).value).toBe(CAROL);
  });

  it('shows the unlock screen, without tabs, while locked', async () => {
    const fake = fakeClient({ getState: async () => ({ ...unlocked, status: 'locked', accounts: [] }) });
    render(<App client={fake.client} />);
    expect(await screen.findByRole('heading', { name: 'Welcome back' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Messages' })).toBeNull();
  });
});

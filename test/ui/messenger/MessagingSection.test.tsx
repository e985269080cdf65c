// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayStatus } from '../../../src/background/messaging/message-views';
import { MessagingSection } from '../../../src/ui/settings/MessagingSection';
import { fakeClient } from './fake-client';

afterEach(cleanup);

const RELAY_A = '/dns4/relay-a.example/tcp/443/wss/p2p/12D3KooWA';
const RELAY_B = '/dns4/relay-b.example/tcp/443/wss/p2p/12D3KooWB';

describe('Settings › Messaging', () => {
  it('shows the node and each relay, and follows pushed changes', async () => {
    const fake = fakeClient({
      getRelayStatus: async () => ({
        node: 'running',
        relays: [
          { address: RELAY_A, state: 'connected' },
          { address: RELAY_B, state: 'connecting' },
        ],
      }),
      getMessagingSettings: async () => ({ notifications: false, anchorDeadlineMinutes: 10 }),
    });
    const view = render(<MessagingSection client={fake.client} />);
    expect(await screen.findByText('Running')).toBeTruthy();
    const relays = () => within(screen.getByRole('list', { name: 'Relays' })).getAllByRole('listitem');
    expect(relays().map((item) => item.textContent)).toEqual([`${RELAY_A}Connected`, `${RELAY_B}Connecting`]);

    const next: RelayStatus = { node: 'starting', relays: [{ address: RELAY_A, state: 'disconnected' }] };
    fake.pushRelay(next);
    expect(await screen.findByText('Starting')).toBeTruthy();
    expect(relays().map((item) => item.textContent)).toEqual([`${RELAY_A}Disconnected`]);

    view.unmount();
    await waitFor(() => expect(fake.listenerCount()).toBe(0));
  });

  it('binds "Desktop notifications" to the messaging settings', async () => {
    const fake = fakeClient({
      getRelayStatus: async () => ({ node: 'stopped', relays: [] }),
      getMessagingSettings: async () => ({ notifications: false, anchorDeadlineMinutes: 10 }),
      setMessagingSettings: async (settings) => ({
        notifications: false,
        anchorDeadlineMinutes: 10,
        ...settings,
      }),
    });
    render(<MessagingSection client={fake.client} />);
    const box = screen.getByRole('checkbox', { name: 'Desktop notifications' }) as HTMLInputElement;
    await waitFor(() => expect(box.disabled).toBe(false));
    expect(box.checked).toBe(false);
    expect(screen.getByText('No relay configured.')).toBeTruthy();

    fireEvent.click(box);
    await waitFor(() => expect(fake.callsOf('setMessagingSettings')).toEqual([{ notifications: true }]));
    await waitFor(() => expect(box.checked).toBe(true));
  });

  it('saves the anchoring deadline, and refuses a fraction before asking the background', async () => {
    const fake = fakeClient({
      getRelayStatus: async () => ({ node: 'running', relays: [] }),
      getMessagingSettings: async () => ({ notifications: true, anchorDeadlineMinutes: 10 }),
      setMessagingSettings: async (settings) => ({
        notifications: true,
        anchorDeadlineMinutes: 10,
        ...settings,
      }),
    });
    render(<MessagingSection client={fake.client} />);
    const input = screen.getByRole('spinbutton', { name: /anchor my messages myself/ }) as HTMLInputElement;
    await waitFor(() => expect(input.value).toBe('10'));
    fireEvent.change(input, { target: { value: '2.5' } });
    expect((await screen.findByRole('alert')).textContent).toBe('Enter a whole number of minutes');
    fireEvent.change(input, { target: { value: '0' } });
    await waitFor(() => expect(fake.callsOf('setMessagingSettings')).toEqual([{ anchorDeadlineMinutes: 0 }]));
    await waitFor(() => expect(input.value).toBe('0'));
  });

  it('shows a refused change and keeps the stored setting', async () => {
    const fake = fakeClient({
      getRelayStatus: async () => ({ node: 'running', relays: [] }),
      getMessagingSettings: async () => ({ notifications: true, anchorDeadlineMinutes: 10 }),
      setMessagingSettings: async () => {
        throw new Error('Notifications are not permitted');
      },
    });
    render(<MessagingSection client={fake.client} />);
    const box = screen.getByRole('checkbox', { name: 'Desktop notifications' }) as HTMLInputElement;
    await waitFor(() => expect(box.checked).toBe(true));
    fireEvent.click(box);
    expect((await screen.findByRole('alert')).textContent).toBe('Notifications are not permitted');
    await waitFor(() => expect(box.checked).toBe(true));
  });
});

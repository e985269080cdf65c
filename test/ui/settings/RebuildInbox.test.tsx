// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { BackgroundError } from '../../../src/ui/background-client';
import { RebuildInbox } from '../../../src/ui/settings/RebuildInbox';
import { ALICE, BOB, fakeClient } from '../messenger/fake-client';

afterEach(cleanup);

describe('RebuildInbox', () => {
  it('rebuilds every account and sums what was restored', async () => {
    const fake = fakeClient({
      rebuildInbox: async ({ account }) => ({
        batches: 4,
        found: account === ALICE ? 3 : 1,
        restored: account === ALICE ? 2 : 1,
        skipped: account === ALICE ? 1 : 0,
        scannedTo: '120',
        head: '120',
      }),
    });
    render(<RebuildInbox client={fake.client} accounts={[ALICE, BOB]} />);
    fireEvent.click(screen.getByRole('button', { name: 'Rebuild inbox from chain' }));
    expect((await screen.findByRole('status')).textContent).toBe(
      'Scanned 4 anchored batches up to block 120: restored 3 of 4 messages found (1 could not be fetched or checked)',
    );
    expect(fake.callsOf('rebuildInbox')).toEqual([{ account: ALICE }, { account: BOB }]);
  });

  it('shows how far it got while it runs', async () => {
    let finish: () => void = () => {};
    const fake = fakeClient({
      rebuildInbox: () =>
        new Promise((resolve) => {
          finish = () =>
            resolve({ batches: 1, found: 1, restored: 1, skipped: 0, scannedTo: '90', head: '90' });
        }),
      getRebuildProgress: async () => ({ scannedTo: '40', head: '90', restored: 1 }),
    });
    render(<RebuildInbox client={fake.client} accounts={[ALICE]} />);
    fireEvent.click(screen.getByRole('button', { name: 'Rebuild inbox from chain' }));
    expect(
      await screen.findByText('Scanned block 40 of 90, 1 restored…', {}, { timeout: 2000 }),
    ).toBeTruthy();
    expect((screen.getByRole('button') as HTMLButtonElement).disabled).toBe(true);
    finish();
    expect((await screen.findByRole('status')).textContent).toMatch(/restored 1 of 1/);
    expect(screen.queryByText(/Scanned block 40/)).toBeNull();
  });

  it('says why it could not', async () => {
    const fake = fakeClient({
      rebuildInbox: async () => {
        throw new BackgroundError(-32002, 'No known network has the Anchor contract');
      },
    });
    render(<RebuildInbox client={fake.client} accounts={[ALICE]} />);
    fireEvent.click(screen.getByRole('button', { name: 'Rebuild inbox from chain' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'No known network has the Anchor contract',
    );
  });
});

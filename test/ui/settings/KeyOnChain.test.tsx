// @vitest-environment happy-dom
/** Settings › Key on chain: each account's status, publishing, and why it could not. */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyOnChain as KeyStatus } from '../../../src/background/messaging/key-registry-service';
import type { AccountInfo } from '../../../src/keyring/keyring';
import { BackgroundError } from '../../../src/ui/background-client';
import { KeyOnChain } from '../../../src/ui/settings/KeyOnChain';
import { ALICE, BOB, CAROL, fakeClient } from '../messenger/fake-client';

afterEach(cleanup);

const account = (address: `0x${string}`, name: string): AccountInfo => ({
  address,
  name,
  kind: 'hd',
  index: 0,
});
const ACCOUNTS = [account(ALICE, 'Main'), account(BOB, 'Second'), account(CAROL, 'Third')];

function key(status: KeyStatus['status'], version = '1'): KeyStatus {
  return {
    status,
    version: status === 'unpublished' ? '0' : version,
    block: status === 'unpublished' ? null : '42',
    cid: 'bafkrei-current',
    chainId: 31337,
    network: 'Cairn devnet',
  };
}

function row(name: string) {
  return within(screen.getByRole('listitem', { name: new RegExp(`^${name} `) }));
}

describe('KeyOnChain', () => {
  it("says where each account's key stands, and offers to publish unless it is current", async () => {
    const fake = fakeClient({
      getKeyOnChain: async ({ account: address }) =>
        address === ALICE ? key('current') : address === BOB ? key('outdated', '3') : key('unpublished'),
    });
    render(<KeyOnChain client={fake.client} accounts={ACCOUNTS} />);
    expect(
      await row('Main').findByText('Your current key is on chain (version 1, Cairn devnet, block 42).'),
    ).toBeTruthy();
    expect(row('Main').queryByRole('button')).toBeNull();
    expect(
      row('Second').getByText('The key on chain is an older one (version 3, Cairn devnet, block 42).'),
    ).toBeTruthy();
    expect(row('Second').getByRole('button', { name: 'Publish my key on chain' })).toBeTruthy();
    expect(row('Third').getByText('Never published on Cairn devnet.')).toBeTruthy();
    expect(row('Third').getByRole('button', { name: 'Publish my key on chain' })).toBeTruthy();
  });

  it('publishes, says so, and reads the status again', async () => {
    let status = key('unpublished');
    const fake = fakeClient({
      getKeyOnChain: async () => status,
      publishKeyOnChain: async () => {
        status = key('current');
        return { status: 'published', txHash: `0x${'ab'.repeat(32)}`, cid: 'bafkrei-current', pinnedBy: 1 };
      },
    });
    render(<KeyOnChain client={fake.client} accounts={[ACCOUNTS[0]!]} />);
    fireEvent.click(await row('Main').findByRole('button', { name: 'Publish my key on chain' }));
    expect((await row('Main').findByRole('status')).textContent).toBe(
      'Published your key on chain (kept by 1 relay(s)).',
    );
    await waitFor(() => expect(row('Main').queryByRole('button')).toBeNull());
    expect(row('Main').getByText(/^Your current key is on chain/)).toBeTruthy();
    expect(fake.callsOf('publishKeyOnChain')).toEqual([{ account: ALICE }]);
    expect(fake.callsOf('getKeyOnChain')).toHaveLength(2);
  });

  it('shows why it could not read or publish', async () => {
    const fake = fakeClient({
      getKeyOnChain: async ({ account: address }) => {
        if (address === BOB)
          throw new BackgroundError(-32603, 'Could not read the KeyRegistry on Cairn devnet');
        return key('unpublished');
      },
      publishKeyOnChain: async () => {
        throw new BackgroundError(
          4900,
          'No relay could keep your key: connect to a relay, then publish again',
        );
      },
    });
    render(<KeyOnChain client={fake.client} accounts={ACCOUNTS.slice(0, 2)} />);
    expect((await row('Second').findByRole('alert')).textContent).toContain('Could not read the KeyRegistry');
    fireEvent.click(await row('Main').findByRole('button', { name: 'Publish my key on chain' }));
    expect((await row('Main').findByRole('alert')).textContent).toContain('No relay could keep your key');
  });
});

// @vitest-environment happy-dom
/** The messaging approval: what the user is told, which address speaks, and what a decision sends. */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVNET } from '../../../src/chain/networks';
import type { AccountInfo } from '../../../src/keyring/keyring';
import { ApprovalBody, type Decision } from '../../../src/ui/approval/ApprovalBody';

afterEach(cleanup);

const A0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const A1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const accounts: AccountInfo[] = [
  { address: A0, name: 'Account 1', kind: 'hd', index: 0 },
  { address: A1, name: 'Account 2', kind: 'hd', index: 1 },
];

async function armed(name: string): Promise<HTMLButtonElement> {
  const button = screen.getByRole<HTMLButtonElement>('button', { name });
  await waitFor(() => expect(button.disabled).toBe(false), { timeout: 2000 });
  return button;
}

describe('ApprovalBody messaging', () => {
  it('for a connected site: says what the site may do and shows the full address it messages as', async () => {
    const decisions: Decision[] = [];
    render(
      <ApprovalBody
        details={{ kind: 'messaging', accounts: [A1, A0] }}
        accounts={accounts}
        onDecide={(d) => decisions.push(d)}
      />,
    );
    expect(screen.getByText(/read your conversations, send messages/)).toBeTruthy();
    expect(screen.getByText(A1)).toBeTruthy();
    expect(screen.getByText('Account 2')).toBeTruthy();
    expect(screen.queryByText(A0)).toBeNull();
    fireEvent.click(await armed('Allow'));
    fireEvent.click(screen.getByRole('button', { name: 'Reject' }));
    expect(decisions).toEqual([{ approved: true }, { approved: false }]);
  });

  it('for a site not connected: the user picks accounts, and the first one picked is the identity', async () => {
    const decisions: Decision[] = [];
    render(
      <ApprovalBody
        details={{ kind: 'messaging', accounts: null }}
        accounts={accounts}
        onDecide={(d) => decisions.push(d)}
      />,
    );
    expect(screen.getByText(A0)).toBeTruthy();
    const [first, second] = screen.getAllByRole<HTMLInputElement>('checkbox');
    if (!first || !second) throw new Error('expected two accounts');
    fireEvent.click(first); // unchecked: nobody speaks
    expect(screen.queryByText(A0)).toBeNull();
    expect(screen.getByText('Choose an account.')).toBeTruthy();
    fireEvent.click(second);
    expect(screen.getByText(A1)).toBeTruthy();
    fireEvent.click(await armed('Connect and allow'));
    expect(decisions).toEqual([{ approved: true, accounts: [A1] }]);
  });
});

describe('ApprovalBody walletTransaction', () => {
  it("shows what Cairn's own transaction is for, with the same facts as a site's, and confirms", async () => {
    const decisions: Decision[] = [];
    render(
      <ApprovalBody
        details={{
          kind: 'walletTransaction',
          purpose: 'Anchor 2 of your messages on chain: no relay anchored them within 10 minutes.',
          address: A0,
          transaction: {
            to: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
            valueWei: '0',
            data: '0x1234',
            gas: '60000',
            maxFeePerGasWei: '2000000000',
            gasPriceWei: null,
            maxFeeWei: '120000000000000',
            network: DEVNET,
          },
        }}
        accounts={accounts}
        onDecide={(d) => decisions.push(d)}
      />,
    );
    expect(screen.getByText(/^Anchor 2 of your messages on chain/)).toBeTruthy();
    expect(screen.getByText('0x5FbDB2315678afecb367f032d93F642f64180aa3')).toBeTruthy();
    expect(screen.getByText('0.00012 ETH')).toBeTruthy();
    expect(screen.getByText('Account 1')).toBeTruthy();
    fireEvent.click(await armed('Confirm'));
    expect(decisions).toEqual([{ approved: true }]);
  });
});

// @vitest-environment happy-dom
/** A message's anchoring badge: its state, the proof in the details, and "Check again on chain". */
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnchorRecord } from '../../../src/background/anchoring/anchor-db';
import { AnchorBadge } from '../../../src/ui/messenger/AnchorBadge';

afterEach(cleanup);

const anchored: AnchorRecord = {
  account: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  messageId: 'ab'.repeat(32),
  contentTopic: '/xmtp/0/m-aa/proto',
  state: 'anchored',
  trackedAt: 1,
  nextCheckAt: 2,
  attempts: 1,
  anchor: {
    root: `0x${'11'.repeat(32)}`,
    proof: [`0x${'22'.repeat(32)}`],
    batchId: '7',
    txHash: `0x${'33'.repeat(32)}`,
    blockNumber: '42',
    chainId: 31337,
    contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    manifestCid: 'bafymanifest',
  },
};

describe('AnchorBadge', () => {
  it('shows a pending message as waiting, with nothing to check', () => {
    const { anchor: _none, ...pending } = anchored;
    render(
      <AnchorBadge
        record={{ ...pending, state: 'pending' }}
        onCheck={async () => ({ record: null, timing: null })}
      />,
    );
    expect(screen.getByText('Anchoring…')).toBeTruthy();
    expect(screen.getByText('Waiting for a relay to anchor its batch on chain.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Check again on chain' })).toBeNull();
  });

  it('checks again on demand and says what it found and what it took', async () => {
    const asked: string[] = [];
    render(
      <AnchorBadge
        record={anchored}
        onCheck={async (id) => {
          asked.push(id);
          return { record: { ...anchored, state: 'verified' }, timing: { totalMs: 4.25, chainMs: 3.5 } };
        }}
      />,
    );
    expect(screen.getByText('Anchored (not verified)')).toBeTruthy();
    expect(screen.getByText(`0x${'22'.repeat(32)}`)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Check again on chain' }));
    expect((await screen.findByRole('status')).textContent).toBe(
      ' Verified on chain: checked just now in 4.3 ms (chain read 3.5 ms).',
    );
    expect(asked).toEqual([anchored.messageId]);
  });

  it('says when the check could not be made', async () => {
    render(
      <AnchorBadge
        record={anchored}
        onCheck={async () => {
          throw new Error('The network is unreachable');
        }}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Check again on chain' }));
    expect((await screen.findByRole('status')).textContent).toBe(
      ' Could not check: The network is unreachable',
    );
  });
});

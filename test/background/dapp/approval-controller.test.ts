/** Pending approvals: one per origin and method, each in its own window, settled by the user or the window closing. */
import { describe, expect, it } from 'vitest';
import {
  ApprovalController,
  RequestPendingError,
  UserRejectedError,
} from '../../../src/background/dapp/approval-controller';
import type { ApprovalDecision } from '../../../src/background/dapp/approval-types';
import { CairnError } from '../../../src/keyring/errors';
import { FakeApprovalWindows } from '../../support/fake-approval-windows';

const A0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const DAPP = 'https://dapp.example';
const OTHER = 'https://other.example';
const NOW = 1_750_000_000_000;

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup() {
  const windows = new FakeApprovalWindows();
  let n = 0;
  let changes = 0;
  const controller = new ApprovalController({
    windows,
    now: () => NOW,
    newId: () => `approval-${++n}`,
    onChange: () => {
      changes++;
    },
  });
  return { windows, controller, changes: () => changes };
}

/** Settles `promise` into a value or an error, for assertions on either. */
async function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('ApprovalController', () => {
  it('opens a window per approval and resolves with the decision, closing the window', async () => {
    const { windows, controller, changes } = setup();
    const decision = controller.request(DAPP, 'eth_requestAccounts', { kind: 'connect' });
    const id = await windows.nextOpened();
    expect(id).toBe('approval-1');
    expect(controller.get(id)).toEqual({
      id,
      origin: DAPP,
      method: 'eth_requestAccounts',
      details: { kind: 'connect' },
      createdAt: NOW,
    });
    expect(controller.pending()).toHaveLength(1);
    const windowId = windows.windowOf(id);
    expect(windowId).toBe(1);

    const answer: ApprovalDecision = { approved: true, accounts: [A0] };
    expect(controller.decide(id, answer)).toBe(true);
    await expect(decision).resolves.toEqual(answer);
    await tick();
    expect(windows.closed).toEqual([windowId]);
    expect(controller.pending()).toEqual([]);
    expect(controller.get(id)).toBeUndefined();
    expect(changes()).toBe(2); // added, then settled
  });

  it('resolves a rejection decided by the user as { approved: false }', async () => {
    const { windows, controller } = setup();
    const decision = controller.request(DAPP, 'personal_sign', {
      kind: 'signMessage',
      address: A0,
      message: { hex: '0x68656c6c6f', text: 'hello' },
    });
    controller.decide(await windows.nextOpened(), { approved: false });
    await expect(decision).resolves.toEqual({ approved: false });
  });

  it('refuses a second approval for the same origin and method with -32002, without a second window', async () => {
    const { windows, controller } = setup();
    const first = controller.request(DAPP, 'eth_requestAccounts', { kind: 'connect' });
    const results = await Promise.all(
      Array.from({ length: 49 }, () =>
        outcome(controller.request(DAPP, 'eth_requestAccounts', { kind: 'connect' })),
      ),
    );
    for (const { error } of results) {
      expect(error).toBeInstanceOf(RequestPendingError);
      expect(error).toMatchObject({
        code: -32002,
        message: 'A eth_requestAccounts request from this site is already waiting for the user',
      });
    }
    expect(await windows.nextOpened()).toBe('approval-1');
    expect(windows.openCalls).toEqual(['approval-1']);
    expect(controller.pending()).toHaveLength(1);
    controller.decide('approval-1', { approved: false });
    await first;
    // Once settled, the same request may be asked again.
    void controller.request(DAPP, 'eth_requestAccounts', { kind: 'connect' });
    expect(await windows.nextOpened()).toBe('approval-2');
  });

  it('lets different origins, or different methods of one origin, wait together', async () => {
    const { windows, controller } = setup();
    const a = controller.request(DAPP, 'eth_requestAccounts', { kind: 'connect' });
    const b = controller.request(OTHER, 'eth_requestAccounts', { kind: 'connect' });
    const c = controller.request(DAPP, 'personal_sign', {
      kind: 'signMessage',
      address: A0,
      message: { hex: '0x', text: '' },
    });
    await tick();
    expect(windows.openCalls).toEqual(['approval-1', 'approval-2', 'approval-3']);
    expect(controller.pending().map((p) => [p.origin, p.method])).toEqual([
      [DAPP, 'eth_requestAccounts'],
      [OTHER, 'eth_requestAccounts'],
      [DAPP, 'personal_sign'],
    ]);
    controller.decide('approval-2', { approved: true, accounts: [A0] });
    controller.decide('approval-3', { approved: false });
    controller.decide('approval-1', { approved: true, accounts: [A0] });
    await expect(b).resolves.toEqual({ approved: true, accounts: [A0] });
    await expect(c).resolves.toEqual({ approved: false });
    await expect(a).resolves.toEqual({ approved: true, accounts: [A0] });
  });

  it('rejects with 4001 when the user closes the window, without closing it again', async () => {
    const { windows, controller } = setup();
    const decision = controller.request(DAPP, 'eth_requestAccounts', { kind: 'connect' });
    const id = await windows.nextOpened();
    const windowId = windows.windowOf(id);
    controller.windowClosed(windowId ?? -1);
    const { error } = await outcome(decision);
    expect(error).toBeInstanceOf(UserRejectedError);
    expect(error).toMatchObject({ code: 4001, message: 'User rejected the request' });
    expect(windows.closed).toEqual([]);
    expect(controller.pending()).toEqual([]);
    // Other windows closing, and deciding afterwards, change nothing.
    controller.windowClosed(12345);
    expect(controller.decide(id, { approved: true })).toBe(false);
  });

  it('withdraws a request whose signal aborts: its window closes, nobody can approve it any more', async () => {
    const { windows, controller } = setup();
    const abort = new AbortController();
    const decision = controller.request(DAPP, 'eth_sendTransaction', { kind: 'connect' }, abort.signal);
    const id = await windows.nextOpened();
    const windowId = windows.windowOf(id);
    abort.abort(new CairnError('gave up waiting'));
    const { error } = await outcome(decision);
    expect(error).toMatchObject({ message: 'gave up waiting' });
    expect(windows.closed).toEqual([windowId]);
    expect(controller.pending()).toEqual([]);
    expect(controller.decide(id, { approved: true })).toBe(false);
    // A signal aborted already: no window at all.
    await expect(
      controller.request(DAPP, 'eth_sendTransaction', { kind: 'connect' }, abort.signal),
    ).rejects.toThrow('gave up waiting');
    expect(windows.openCalls).toEqual([id]);
  });

  it('rejectOrigin rejects every approval of that origin with 4001 and closes their windows, leaving others', async () => {
    const { windows, controller } = setup();
    const a = controller.request(DAPP, 'eth_requestAccounts', { kind: 'connect' });
    const b = controller.request(DAPP, 'personal_sign', {
      kind: 'signMessage',
      address: A0,
      message: { hex: '0x', text: '' },
    });
    const c = controller.request(OTHER, 'eth_requestAccounts', { kind: 'connect' });
    await tick();
    controller.rejectOrigin(DAPP);
    for (const result of [await outcome(a), await outcome(b)]) {
      expect(result.error).toBeInstanceOf(UserRejectedError);
      expect(result.error).toMatchObject({ code: 4001 });
    }
    await tick();
    expect(windows.closed).toEqual([1, 2]);
    expect(controller.pending().map((p) => p.origin)).toEqual([OTHER]);
    controller.decide('approval-3', { approved: false });
    await expect(c).resolves.toEqual({ approved: false });
  });

  it('rejects when the window cannot be opened, and does not leave the slot taken', async () => {
    const { windows, controller } = setup();
    windows.failNextOpen(new Error('No current window'));
    const { error } = await outcome(controller.request(DAPP, 'eth_requestAccounts', { kind: 'connect' }));
    expect(error).toBeInstanceOf(CairnError);
    expect(error).toMatchObject({ code: -32603, message: 'Could not open the approval window' });
    expect((error as Error).cause).toEqual(new Error('No current window'));
    expect(controller.pending()).toEqual([]);
    void controller.request(DAPP, 'eth_requestAccounts', { kind: 'connect' });
    expect(await windows.nextOpened()).toBe('approval-2');
  });

  it('closes a window that finishes opening after the approval was already decided', async () => {
    const { windows, controller } = setup();
    windows.pauseOpens();
    const decision = controller.request(DAPP, 'eth_requestAccounts', { kind: 'connect' });
    await tick();
    expect(windows.openCalls).toEqual(['approval-1']);
    expect(controller.decide('approval-1', { approved: false })).toBe(true);
    expect(controller.pending()).toEqual([]);
    expect(windows.closed).toEqual([]);
    windows.releaseOpens();
    await expect(decision).resolves.toEqual({ approved: false });
    expect(windows.closed).toEqual([1]);
    expect(windows.openWindows.size).toBe(0);
  });

  it('limits how many approval windows one site may open, refilling slowly, without touching other sites', async () => {
    const windows = new FakeApprovalWindows();
    let now = NOW;
    let n = 0;
    const controller = new ApprovalController({ windows, now: () => now, newId: () => `approval-${++n}` });
    for (let i = 0; i < 10; i++) {
      const asked = controller.request(DAPP, 'personal_sign', { kind: 'connect' });
      await tick();
      controller.decide(`approval-${i + 1}`, { approved: false });
      await asked;
    }
    const eleventh = await outcome(controller.request(DAPP, 'personal_sign', { kind: 'connect' }));
    expect(eleventh.error).toMatchObject({ code: -32005 });
    expect(windows.openCalls).toHaveLength(10);
    const other = controller.request(OTHER, 'personal_sign', { kind: 'connect' });
    await tick();
    expect(windows.openCalls).toHaveLength(11);
    controller.decide('approval-11', { approved: false });
    await other;
    now += 10_000; // one more window per 10 s
    const later = controller.request(DAPP, 'personal_sign', { kind: 'connect' });
    await tick();
    expect(windows.openCalls).toHaveLength(12);
    controller.decide('approval-12', { approved: false });
    await later;
  });

  it('decide answers false for unknown approvals', () => {
    const { controller } = setup();
    expect(controller.decide('nope', { approved: true })).toBe(false);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SigningTableWarmUp } from '../../src/background/signing-table-warm-up';
import type { WalletState } from '../../src/background/ui-api-contract';

const unlocked = { status: 'unlocked', accounts: [] } as unknown as WalletState;
const locked = { status: 'locked', accounts: [] } as unknown as WalletState;

function setup(options: { built?: boolean; build?: () => void } = {}) {
  let built = options.built ?? false;
  const build = vi.fn(
    options.build ??
      (() => {
        built = true;
      }),
  );
  const log = vi.fn();
  const warmUp = new SigningTableWarmUp({
    build,
    isBuilt: () => built,
    quietMs: 2_000,
    maxDelayMs: 10_000,
    now: Date.now,
    log,
  });
  return { warmUp, build, log };
}

describe('SigningTableWarmUp', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('builds once, after the quiet period that follows unlock', () => {
    const { warmUp, build } = setup();
    warmUp.walletStateChanged(unlocked);
    vi.advanceTimersByTime(1_999);
    expect(build).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(build).toHaveBeenCalledTimes(1);
    warmUp.walletStateChanged(locked);
    warmUp.walletStateChanged(unlocked);
    vi.advanceTimersByTime(60_000);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('waits while the pages are busy, but no longer than the limit after unlock', () => {
    const { warmUp, build } = setup();
    warmUp.walletStateChanged(unlocked);
    for (let t = 0; t < 9_000; t += 1_000) {
      vi.advanceTimersByTime(1_000);
      warmUp.activity();
    }
    expect(build).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('does nothing when locked first, when never unlocked, or when the table exists', () => {
    const first = setup();
    first.warmUp.walletStateChanged(unlocked);
    vi.advanceTimersByTime(1_000);
    first.warmUp.walletStateChanged(locked);
    first.warmUp.activity();
    vi.advanceTimersByTime(60_000);
    expect(first.build).not.toHaveBeenCalled();

    const built = setup({ built: true });
    built.warmUp.activity();
    built.warmUp.walletStateChanged(unlocked);
    vi.advanceTimersByTime(60_000);
    expect(built.build).not.toHaveBeenCalled();
  });

  it('after a worker restart, waits for a wallet page before building', () => {
    const { warmUp, build } = setup();
    warmUp.walletStateChanged(unlocked, 'restored');
    vi.advanceTimersByTime(60_000);
    expect(build).not.toHaveBeenCalled();
    warmUp.activity();
    vi.advanceTimersByTime(1_000);
    warmUp.activity();
    vi.advanceTimersByTime(1_999);
    expect(build).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('ignores page requests while locked', () => {
    const { warmUp, build } = setup();
    warmUp.walletStateChanged(locked, 'restored');
    warmUp.activity();
    vi.advanceTimersByTime(60_000);
    expect(build).not.toHaveBeenCalled();
  });

  it('a repeated unlocked state does not push the build back', () => {
    const { warmUp, build } = setup();
    warmUp.walletStateChanged(unlocked);
    vi.advanceTimersByTime(1_500);
    warmUp.walletStateChanged(unlocked);
    vi.advanceTimersByTime(500);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('logs a failed build and leaves a retry to the next unlock', () => {
    const { warmUp, build, log } = setup({
      build: () => {
        throw new RangeError('no memory');
      },
    });
    warmUp.walletStateChanged(unlocked);
    vi.advanceTimersByTime(2_000);
    expect(log).toHaveBeenCalledWith('Could not build the signing table: RangeError');
    warmUp.walletStateChanged(unlocked);
    vi.advanceTimersByTime(60_000);
    expect(build).toHaveBeenCalledTimes(2);
  });
});

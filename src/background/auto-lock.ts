/**
 * Auto-lock after a period without user activity. Driven by the `alarms` API so
 * it survives the service worker being stopped (a `setTimeout` would not).
 */

/** The part of `browser.alarms` auto-lock needs. */
export interface AlarmScheduler {
  schedule(name: string, delayInMinutes: number): Promise<void>;
  clear(name: string): Promise<void>;
}

export const AUTO_LOCK_ALARM = 'cairn.autoLock';

export interface AutoLockOptions {
  alarms: AlarmScheduler;
  idleMinutes: () => Promise<number>;
  lock: () => Promise<void>;
}

export class AutoLock {
  readonly #options: AutoLockOptions;

  constructor(options: AutoLockOptions) {
    this.#options = options;
  }

  /** Record user activity: the lock moves to `idleMinutes` from now. */
  async touch(): Promise<void> {
    await this.#options.alarms.schedule(AUTO_LOCK_ALARM, await this.#options.idleMinutes());
  }

  async cancel(): Promise<void> {
    await this.#options.alarms.clear(AUTO_LOCK_ALARM);
  }

  /** Returns true when the alarm was ours and the wallet got locked. */
  async handleAlarm(name: string): Promise<boolean> {
    if (name !== AUTO_LOCK_ALARM) return false;
    await this.#options.lock();
    return true;
  }
}

/** `AlarmScheduler` over `browser.alarms`. */
import type { AlarmScheduler } from './auto-lock';

/** The part of `browser.alarms` this adapter needs. */
export interface AlarmsLike {
  create(name: string, info: { delayInMinutes: number }): Promise<void> | void;
  clear(name: string): Promise<boolean>;
}

export class BrowserAlarmScheduler implements AlarmScheduler {
  readonly #alarms: AlarmsLike;

  constructor(alarms: AlarmsLike) {
    this.#alarms = alarms;
  }

  async schedule(name: string, delayInMinutes: number): Promise<void> {
    await this.#alarms.create(name, { delayInMinutes });
  }

  async clear(name: string): Promise<void> {
    await this.#alarms.clear(name);
  }
}

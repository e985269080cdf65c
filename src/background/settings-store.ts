/**
 * User settings kept in `storage.local` (nothing secret lives here). Stored values
 * are validated on read; an unreadable value falls back to the default rather
 * than locking the user out of their wallet.
 */
import * as v from 'valibot';
import type { KeyValueStore } from '../keyring/key-value-store';
import { autoLockMinutesSchema, DEFAULT_AUTO_LOCK_MINUTES } from './ui-api-schemas';

const AUTO_LOCK_KEY = 'settings.autoLockMinutes';

export class SettingsStore {
  readonly #store: KeyValueStore;
  readonly #onWarning: (message: string) => void;

  constructor(store: KeyValueStore, onWarning: (message: string) => void = () => {}) {
    this.#store = store;
    this.#onWarning = onWarning;
  }

  async getAutoLockMinutes(): Promise<number> {
    const stored = await this.#store.get(AUTO_LOCK_KEY);
    if (stored === undefined) return DEFAULT_AUTO_LOCK_MINUTES;
    const parsed = v.safeParse(autoLockMinutesSchema, stored);
    if (parsed.success) return parsed.output;
    this.#onWarning(`Ignoring invalid stored auto-lock setting; using ${DEFAULT_AUTO_LOCK_MINUTES} minutes`);
    return DEFAULT_AUTO_LOCK_MINUTES;
  }

  async setAutoLockMinutes(minutes: number): Promise<void> {
    await this.#store.set(AUTO_LOCK_KEY, v.parse(autoLockMinutesSchema, minutes));
  }
}

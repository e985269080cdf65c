/**
 * `KeyValueStore` over a `browser.storage` area: `local` for the encrypted vault
 * and settings, `session` (memory only, trusted contexts only) for the unlocked key.
 */
import type { KeyValueStore } from '../keyring/key-value-store';

/** The part of `browser.storage.StorageArea` this adapter needs. */
export interface StorageAreaLike {
  get(keys: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string): Promise<void>;
}

export class BrowserKeyValueStore implements KeyValueStore {
  readonly #area: StorageAreaLike;

  constructor(area: StorageAreaLike) {
    this.#area = area;
  }

  async get(key: string): Promise<unknown> {
    const items = await this.#area.get(key);
    return items[key];
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.#area.set({ [key]: value });
  }

  async remove(key: string): Promise<void> {
    await this.#area.remove(key);
  }
}

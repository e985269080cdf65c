/**
 * The narrow storage interface the keyring needs. In the extension it is backed by
 * `storage.local` (vault, settings) or `storage.session` (unlocked key, memory only);
 * in tests by a Map. Values are JSON-compatible; `set` of one key is atomic.
 */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

/** An in-memory store, for tests and for code paths that must not persist. */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly #data = new Map<string, unknown>();

  async get(key: string): Promise<unknown> {
    const value = this.#data.get(key);
    return value === undefined ? undefined : structuredClone(value);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.#data.set(key, structuredClone(value));
  }

  async remove(key: string): Promise<void> {
    this.#data.delete(key);
  }
}

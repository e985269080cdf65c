/** Serializes a repeated background task (e.g. the badge's unread scan). */
/** Runs `task` at most once at a time; a request meanwhile runs it once more afterwards. */
export class Coalesced {
  readonly #task: () => Promise<void>;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(task: () => Promise<void>) {
    this.#task = task;
  }

  /** `task` must not throw. */
  request(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#task();
      } while (this.#again);
    })().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  settled(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }
}

/**
 * A minimal async mutex: callers run one at a time, in call order. Used so vault
 * writes and unlock attempts never interleave. Not re-entrant: never call
 * `runExclusive` from inside a function it is running.
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every previously queued function has settled; resolves or rejects with its result. */
  runExclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

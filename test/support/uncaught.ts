/**
 * Collects the uncaught exceptions raised while `run` executes (and one macrotask
 * after), instead of letting the test runner report them. For code that rethrows
 * listener errors in a microtask on purpose, as an EventEmitter should.
 */
export async function collectUncaught(run: () => void | Promise<void>): Promise<unknown[]> {
  const saved = process.listeners('uncaughtException');
  const caught: unknown[] = [];
  const collect = (error: unknown) => void caught.push(error);
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', collect);
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    process.off('uncaughtException', collect);
    for (const listener of saved) process.on('uncaughtException', listener);
  }
  return caught;
}
